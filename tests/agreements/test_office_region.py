"""A Perwakilan acts in its own province: a regional office is a party only with organizations
of the province it acts in (its region_id), on every path that sets parties."""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.helpers import assert_problem, create_agreement, create_org, patch_org, sign_all
from tests.world import Kalsel, nk_body, pks_body

BASE = "/api/v1/agreements"
KALTENG_OFFICE = "Ombudsman RI Perwakilan Provinsi Kalimantan Tengah"


@pytest.fixture
def kalteng_office(client: TestClient, kalsel: Kalsel) -> int:
    return create_org(
        client, KALTENG_OFFICE, "regional_office", kalsel.ori, region_id=kalsel.kalteng
    )


def signed(client: TestClient, body: dict[str, Any], on: str = "2022-07-04") -> dict[str, Any]:
    agreement = create_agreement(client, **body)
    sign_all(client, agreement, on)
    return agreement


def with_office(k: Kalsel, nk_id: int, office: int, agency: int | None = None) -> dict[str, Any]:
    body = pks_body(k, nk_id, agency)
    body["parties"][0]["organization_id"] = office
    return body


def names_both_sides(detail: str) -> None:
    assert KALTENG_OFFICE in detail
    assert "'Pemerintah Provinsi Kalimantan Tengah'" in detail
    assert "'Dinas Komunikasi dan Informatika'" in detail
    assert "'Pemerintah Provinsi Kalimantan Selatan'" in detail


class TestCreate:
    def test_the_kalteng_perwakilan_is_no_party_of_a_kalsel_skpd_pks(
        self, client: TestClient, kalsel: Kalsel, signed_nk: dict[str, Any], kalteng_office: int
    ) -> None:
        response = client.post(BASE, json=with_office(kalsel, signed_nk["id"], kalteng_office))
        problem = assert_problem(response, 422, "party-outside-office-region")
        names_both_sides(problem["detail"])
        assert problem["errors"][0]["loc"] == ["body", "parties", 1, "organization_id"]
        assert (
            client.get(BASE, params={"parent_id": signed_nk["id"], "count": "true"}).json()["total"]
            == 0
        )

    def test_the_kalsel_perwakilan_is(
        self, client: TestClient, kalsel: Kalsel, signed_nk: dict[str, Any]
    ) -> None:
        create_agreement(client, **with_office(kalsel, signed_nk["id"], kalsel.office))

    def test_a_regency_lies_in_its_region(
        self, client: TestClient, kalsel: Kalsel, kalteng_office: int
    ) -> None:
        tapin = create_org(
            client, "Pemerintah Kabupaten Tapin", "regency_government", region_id=kalsel.province
        )
        dinkes_tapin = create_org(client, "Dinas Kesehatan", "regional_agency", tapin)
        nk = signed(
            client,
            nk_body(kalsel, parties=[{"organization_id": kalsel.ori}, {"organization_id": tapin}]),
        )
        create_agreement(client, **with_office(kalsel, nk["id"], kalsel.office, dinkes_tapin))
        refused = client.post(
            BASE, json=with_office(kalsel, nk["id"], kalteng_office, dinkes_tapin)
        )
        problem = assert_problem(refused, 422, "party-outside-office-region")
        assert "Pemerintah Kabupaten Tapin" not in problem["detail"]  # named by its province
        assert "'Pemerintah Provinsi Kalimantan Selatan'" in problem["detail"]

    def test_an_nk_too(self, client: TestClient, kalsel: Kalsel, kalteng_office: int) -> None:
        body = nk_body(
            kalsel,
            parties=[{"organization_id": kalteng_office}, {"organization_id": kalsel.province}],
        )
        assert_problem(client.post(BASE, json=body), 422, "party-outside-office-region")

    def test_ombudsman_ri_has_no_province(
        self, client: TestClient, kalsel: Kalsel, kalteng_office: int
    ) -> None:
        body = nk_body(
            kalsel,
            parties=[{"organization_id": kalsel.ori}, {"organization_id": kalteng_office}],
        )
        create_agreement(client, **body)

    def test_an_office_without_region_waits_for_an_admin_to_set_it(
        self, client: TestClient, kalsel: Kalsel, signed_nk: dict[str, Any]
    ) -> None:
        office = create_org(client, "Ombudsman RI Perwakilan Baru", "regional_office", kalsel.ori)
        response = client.post(BASE, json=with_office(kalsel, signed_nk["id"], office))
        problem = assert_problem(response, 422, "regional-office-without-region")
        assert "Ombudsman RI Perwakilan Baru" in problem["detail"]
        assert problem["errors"][0]["loc"] == ["body", "parties", 0, "organization_id"]
        patch_org(client, office, region_id=kalsel.province)
        create_agreement(client, **with_office(kalsel, signed_nk["id"], office))


class TestOtherPaths:
    def test_changing_a_draft_s_parties(
        self, client: TestClient, kalsel: Kalsel, signed_nk: dict[str, Any], kalteng_office: int
    ) -> None:
        draft = create_agreement(client, **pks_body(kalsel, signed_nk["id"]))
        parties = [{"organization_id": kalteng_office}, {"organization_id": kalsel.diskominfo}]
        response = client.patch(
            f"{BASE}/{draft['id']}", json={"version": draft["version"], "parties": parties}
        )
        assert_problem(response, 422, "party-outside-office-region")

    def test_derive(
        self, client: TestClient, kalsel: Kalsel, signed_nk: dict[str, Any], kalteng_office: int
    ) -> None:
        response = client.post(
            f"{BASE}/{signed_nk['id']}/derive",
            json={
                "counterpart_organization_id": kalteng_office,
                "organization_ids": [kalsel.diskominfo, kalsel.dinkes],
                "title": "PKS {organization}",
            },
        )
        problem = assert_problem(response, 422, "derive-refused")
        located = {e["loc"][-1]: e["msg"] for e in problem["errors"]}
        assert set(located) == {0, 1}
        names_both_sides(located[0])
        assert "'Dinas Kesehatan'" in located[1]
        assert (
            client.get(BASE, params={"parent_id": signed_nk["id"], "count": "true"}).json()["total"]
            == 0
        )

    def test_derive_with_an_office_without_region(
        self, client: TestClient, kalsel: Kalsel, signed_nk: dict[str, Any]
    ) -> None:
        office = create_org(client, "Ombudsman RI Perwakilan Baru", "regional_office", kalsel.ori)
        response = client.post(
            f"{BASE}/{signed_nk['id']}/derive",
            json={
                "counterpart_organization_id": office,
                "organization_ids": [kalsel.diskominfo],
                "title": "PKS {organization}",
            },
        )
        problem = assert_problem(response, 422, "derive-refused")
        assert [e["loc"] for e in problem["errors"]] == [["body", "counterpart_organization_id"]]
        assert "region" in problem["errors"][0]["msg"]

    def test_relink_to_a_renewed_nk(
        self, client: TestClient, kalsel: Kalsel, signed_nk: dict[str, Any]
    ) -> None:
        pks = signed(client, pks_body(kalsel, signed_nk["id"], valid_until="2026-10-27"))
        # The Perwakilan's region was wrong when the PKS was registered; an admin corrects it.
        patch_org(client, kalsel.office, region_id=kalsel.kalteng)
        renewed = client.post(f"{BASE}/{signed_nk['id']}/renew", json={}).json()
        response = client.post(f"{BASE}/{renewed['id']}/relink", json={"pks_ids": [pks["id"]]})
        problem = assert_problem(response, 422, "relink-refused")
        assert "Kalimantan Tengah" in problem["errors"][0]["msg"]
        assert client.get(f"{BASE}/{pks['id']}").json()["parent_id"] == signed_nk["id"]

    def test_import(
        self, client: TestClient, kalsel: Kalsel, signed_nk: dict[str, Any], kalteng_office: int
    ) -> None:
        register = (
            "Kode,Jenis,Judul,NK induk,Ruang lingkup,Pihak,Nomor\n"
            "PKS-1,PKS,PKS Perwakilan Kalteng dengan Diskominfo,053/NK-PEMOTDA/2021,"
            f"Pencegahan maladministrasi,#{kalteng_office},01/PKS/ORI-KT/2023\n"
            f"PKS-1,,,,,#{kalsel.diskominfo},\n"
        )
        answer = client.post(
            "/api/v1/imports", params={"commit": "true"}, files={"file": ("pks.csv", register)}
        )
        problem = assert_problem(answer, 422)
        assert problem["errors"][0]["type"] == "/problems/party-outside-office-region"
        assert (
            client.get(BASE, params={"parent_id": signed_nk["id"], "count": "true"}).json()["total"]
            == 0
        )
