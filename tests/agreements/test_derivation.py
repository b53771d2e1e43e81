"""From one NK to many PKS: derivation in one call and coverage of the SKPD."""

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Connection
from sqlmodel import Session, func, select

from app.agreements.models import Agreement
from app.seeding import load_seeds
from tests.conftest import TODAY
from tests.helpers import assert_problem, create_agreement, create_org, finalize, sign
from tests.world import Kalsel, nk_body

BASE = "/api/v1/agreements"
TITLE = "Perjanjian Kerja Sama Ombudsman RI Perwakilan Kalsel dengan {organization}"


def derive(client: TestClient, nk_id: int, **body: Any) -> Any:
    return client.post(f"{BASE}/{nk_id}/derive", json=body)


def agreement_count(session: Session) -> int:
    return session.exec(select(func.count()).select_from(Agreement)).one()


class TestDerive:
    def test_one_draft_pks_per_skpd_linked_to_the_nk(
        self, client: TestClient, kalsel: Kalsel, signed_nk: dict[str, Any]
    ) -> None:
        item_ids = [s["id"] for s in signed_nk["scope_items"]]
        response = derive(
            client,
            signed_nk["id"],
            counterpart_organization_id=kalsel.office,
            organization_ids=[kalsel.diskominfo, kalsel.dinkes],
            title=TITLE,
            scope_item_ids=[item_ids[1]],
            valid_from="2022-07-04",
        )
        assert response.status_code == 201, response.text
        result = response.json()
        assert result["count"] == 2
        first = result["created"][0]
        assert first["organization_id"] == kalsel.diskominfo and first["status"] == "draft"
        pks = client.get(f"{BASE}/{first['id']}").json()
        assert pks["title"].endswith("dengan Dinas Komunikasi dan Informatika")
        assert pks["parent_id"] == signed_nk["id"] and pks["valid_from"] == "2022-07-04"
        assert [p["organization_id"] for p in pks["parties"]] == [kalsel.office, kalsel.diskominfo]
        assert [(s["title"], s["source_item_id"], s["from_nk"]) for s in pks["scope_items"]] == [
            ("Pencegahan maladministrasi", item_ids[1], True)
        ]

    def test_all_scope_items_by_default(
        self, client: TestClient, kalsel: Kalsel, signed_nk: dict[str, Any]
    ) -> None:
        result = derive(
            client,
            signed_nk["id"],
            counterpart_organization_id=kalsel.office,
            organization_ids=[kalsel.dinkes],
            title=TITLE,
        ).json()
        pks = client.get(f"{BASE}/{result['created'][0]['id']}").json()
        assert len(pks["scope_items"]) == len(signed_nk["scope_items"])

    def test_all_or_nothing_naming_each_offender(
        self, client: TestClient, kalsel: Kalsel, signed_nk: dict[str, Any], session: Session
    ) -> None:
        derive(
            client,
            signed_nk["id"],
            counterpart_organization_id=kalsel.office,
            organization_ids=[kalsel.dinkes],
            title=TITLE,
        )
        before = agreement_count(session)
        response = derive(
            client,
            signed_nk["id"],
            counterpart_organization_id=kalsel.office,
            organization_ids=[
                kalsel.diskominfo,
                kalsel.kalteng_agency,
                9999,
                kalsel.dinkes,
                kalsel.diskominfo,
            ],
            title=TITLE,
        )
        problem = assert_problem(response, 422, "derive-refused")
        located = {e["loc"][-1]: e["msg"] for e in problem["errors"]}
        assert set(located) == {1, 2, 3, 4}
        assert "not a party of the NK" in located[1]
        assert "9999" in located[2]
        assert "already holds PKS" in located[3]
        assert "twice" in located[4]
        assert agreement_count(session) == before

    def test_refuses_a_pks_as_source_and_foreign_scope_items(
        self, client: TestClient, kalsel: Kalsel, signed_nk: dict[str, Any]
    ) -> None:
        created = derive(
            client,
            signed_nk["id"],
            counterpart_organization_id=kalsel.office,
            organization_ids=[kalsel.dinkes],
            title=TITLE,
        ).json()
        pks_id = created["created"][0]["id"]
        assert_problem(
            derive(
                client,
                pks_id,
                counterpart_organization_id=kalsel.office,
                organization_ids=[kalsel.diskominfo],
                title=TITLE,
            ),
            422,
            "nk-only",
        )
        assert_problem(
            derive(
                client,
                signed_nk["id"],
                counterpart_organization_id=kalsel.office,
                organization_ids=[kalsel.diskominfo],
                title=TITLE,
                scope_item_ids=[123456],
            ),
            422,
            "scope-item-not-in-nk",
        )
        assert_problem(
            derive(
                client,
                424242,
                counterpart_organization_id=kalsel.office,
                organization_ids=[kalsel.diskominfo],
                title=TITLE,
            ),
            404,
        )
        assert_problem(
            derive(
                client,
                signed_nk["id"],
                counterpart_organization_id=kalsel.office,
                organization_ids=[],
                title=TITLE,
            ),
            422,
        )

    def test_braces_in_a_title_are_kept_as_text(
        self, client: TestClient, kalsel: Kalsel, signed_nk: dict[str, Any]
    ) -> None:
        response = derive(
            client,
            signed_nk["id"],
            counterpart_organization_id=kalsel.office,
            organization_ids=[kalsel.dinkes],
            title="PKS {unit} {organization} {0}",
        )
        assert response.json()["created"][0]["title"] == "PKS {unit} Dinas Kesehatan {0}"

    def test_drafts_entered_after_the_fact_keep_their_day_of_drafting(
        self, client: TestClient, kalsel: Kalsel, signed_nk: dict[str, Any]
    ) -> None:
        """The morning of 4 July 2022 entered today: the drafts are dated that morning, and a
        past-day coverage sees them from then on, not from the day they were typed in."""
        result = derive(
            client,
            signed_nk["id"],
            counterpart_organization_id=kalsel.office,
            organization_ids=[kalsel.diskominfo, kalsel.dinkes],
            title=TITLE,
            drafted_on="2022-07-04",
        ).json()
        for created in result["created"]:
            assert client.get(f"{BASE}/{created['id']}").json()["drafted_on"] == "2022-07-04"
        coverage = client.get(
            f"{BASE}/{signed_nk['id']}/coverage", params={"as_of": "2022-07-04"}
        ).json()
        assert coverage["counts"]["draft"] == 2
        # Without it, today (the day of recording), as before.
        default = derive(
            client,
            signed_nk["id"],
            counterpart_organization_id=kalsel.office,
            organization_ids=[
                create_org(client, "Dinas Pendidikan", "regional_agency", kalsel.province)
            ],
            title=TITLE,
        ).json()
        pks = client.get(f"{BASE}/{default['created'][0]['id']}").json()
        assert pks["drafted_on"] == TODAY.isoformat()

    def test_a_day_of_drafting_in_the_future_is_refused_and_nothing_created(
        self, client: TestClient, kalsel: Kalsel, signed_nk: dict[str, Any], session: Session
    ) -> None:
        before = agreement_count(session)
        response = derive(
            client,
            signed_nk["id"],
            counterpart_organization_id=kalsel.office,
            organization_ids=[kalsel.dinkes],
            title=TITLE,
            drafted_on=(TODAY + timedelta(days=1)).isoformat(),
        )
        body = assert_problem(response, 422, "dates-of-record-order")
        assert [e["loc"] for e in body["errors"]] == [["body", "drafted_on"]]
        assert agreement_count(session) == before

    def test_validity_inside_the_nk(self, client: TestClient, kalsel: Kalsel) -> None:
        nk = create_agreement(client, **nk_body(kalsel, valid_until="2026-10-27"))
        response = derive(
            client,
            nk["id"],
            counterpart_organization_id=kalsel.office,
            organization_ids=[kalsel.dinkes],
            title=TITLE,
            valid_until="2027-01-01",
        )
        assert_problem(response, 422, "pks-validity-outside-nk")


class TestCoverage:
    def test_21_seeded_kalsel_pks_and_a_new_skpd_without_one(
        self, seeded_connection: Connection, client: TestClient
    ) -> None:
        nk = client.get(BASE, params={"number": "053/NK-PEMOTDA/2021"}).json()["items"][0]
        province = nk["parties"][1]["organization_id"]
        coverage = client.get(f"{BASE}/{nk['id']}/coverage").json()
        # The Biro Pemerintahan dan Kerja Sama is an SKPD too, and holds no PKS.
        assert coverage["counts"] == {"active": 21, "none": 1, "overdue": 0}
        (government,) = coverage["governments"]
        assert government["organization_id"] == province
        holders = {a["organization_name"]: a["pks"] for a in government["agencies"]}
        assert holders["Dinas Komunikasi dan Informatika"]["signed_on"] == "2022-07-04"
        assert holders["Biro Pemerintahan dan Kerja Sama Sekretariat Daerah"] is None

    def test_derived_pks_show_in_coverage_by_status(
        self, client: TestClient, kalsel: Kalsel, signed_nk: dict[str, Any]
    ) -> None:
        created = derive(
            client,
            signed_nk["id"],
            counterpart_organization_id=kalsel.office,
            organization_ids=[kalsel.diskominfo, kalsel.dinkes],
            title=TITLE,
        ).json()
        finalize(client, created["created"][1]["id"])
        coverage = client.get(f"{BASE}/{signed_nk['id']}/coverage").json()
        assert coverage["counts"] == {"draft": 1, "awaiting_signatures": 1, "overdue": 0}

    def test_agencies_without_a_signed_pks_are_overdue_after_pks_due_on(
        self, client: TestClient, kalsel: Kalsel
    ) -> None:
        nk = create_agreement(client, **nk_body(kalsel, pks_due_on="2022-04-28"))
        finalize(client, nk["id"])
        sign(client, nk["id"], kalsel.ori, "2021-10-28")
        sign(client, nk["id"], kalsel.province, "2021-10-28")
        created = derive(
            client,
            nk["id"],
            counterpart_organization_id=kalsel.office,
            organization_ids=[kalsel.diskominfo],
            title=TITLE,
        ).json()
        pks_id = created["created"][0]["id"]
        finalize(client, pks_id)
        sign(client, pks_id, kalsel.office, "2022-03-01")
        sign(client, pks_id, kalsel.diskominfo, "2022-03-02")
        before = client.get(f"{BASE}/{nk['id']}/coverage", params={"as_of": "2022-04-28"}).json()
        assert before["counts"]["overdue"] == 0
        after = client.get(f"{BASE}/{nk['id']}/coverage", params={"as_of": "2022-04-29"}).json()
        overdue = {
            a["organization_name"]: a["overdue"] for a in after["governments"][0]["agencies"]
        }
        assert overdue == {"Dinas Komunikasi dan Informatika": False, "Dinas Kesehatan": True}

    def test_pks_due_on_is_for_an_nk_only(
        self, client: TestClient, kalsel: Kalsel, signed_nk: dict[str, Any]
    ) -> None:
        body = {
            "kind": "pks",
            "title": "PKS",
            "parent_id": signed_nk["id"],
            "pks_due_on": "2022-04-28",
            "parties": [{"organization_id": kalsel.office}, {"organization_id": kalsel.dinkes}],
        }
        assert_problem(client.post(BASE, json=body), 422, "pks-due-on-nk-only")

    def test_coverage_of_a_pks_is_refused(
        self, client: TestClient, kalsel: Kalsel, signed_nk: dict[str, Any]
    ) -> None:
        created = derive(
            client,
            signed_nk["id"],
            counterpart_organization_id=kalsel.office,
            organization_ids=[kalsel.dinkes],
            title=TITLE,
        ).json()
        assert_problem(client.get(f"{BASE}/{created['created'][0]['id']}/coverage"), 422, "nk-only")
        assert_problem(client.get(f"{BASE}/{signed_nk['id']}/coverage", params={"as_of": "x"}), 422)


def test_an_skpd_added_later_shows_as_none(
    client: TestClient, kalsel: Kalsel, signed_nk: dict[str, Any]
) -> None:
    create_org(client, "Dinas Sosial", "regional_agency", kalsel.province)
    counts = client.get(f"{BASE}/{signed_nk['id']}/coverage").json()["counts"]
    assert counts == {"none": 3, "overdue": 0}


def test_the_21_kalsel_pks_derived_from_the_seeded_nk_in_one_call(
    client: TestClient, session: Session
) -> None:
    load_seeds(session=session, today=TODAY, pks_batches=False)
    nk = client.get(BASE, params={"number": "30/ORI-MoU/X/2021"}).json()["items"][0]
    province = nk["parties"][1]["organization_id"]
    skpd = client.get("/api/v1/organizations", params={"parent_id": province, "limit": 50}).json()[
        "items"
    ]
    office = client.get("/api/v1/organizations", params={"kind": "regional_office", "q": "Selatan"})
    agencies = [o["id"] for o in skpd if not o["name"].startswith("Biro")]
    assert len(agencies) == 21
    response = derive(
        client,
        nk["id"],
        counterpart_organization_id=office.json()["items"][0]["id"],
        organization_ids=agencies,
        title=TITLE,
        valid_from="2022-07-04",
    )
    assert response.status_code == 201, response.text
    assert response.json()["count"] == 21
    coverage = client.get(f"{BASE}/{nk['id']}/coverage").json()
    assert coverage["counts"] == {"draft": 21, "none": 1, "overdue": 0}
    assert client.get(f"{BASE}/{nk['id']}").json()["children_count"] == 21


def test_derive_makes_no_round_trip_per_agency(
    client: TestClient,
    kalsel: Kalsel,
    signed_nk: dict[str, Any],
    count_statements: Any,
    engine: Any,
) -> None:
    costs = []
    for batch in (2, 12):
        agencies = [
            create_org(client, f"Dinas {batch}-{i}", "regional_agency", kalsel.province)
            for i in range(batch)
        ]
        with count_statements() as statements:
            response = derive(
                client,
                signed_nk["id"],
                counterpart_organization_id=kalsel.office,
                organization_ids=agencies,
                title=TITLE,
            )
            assert response.status_code == 201
        costs.append(len(statements))
    # PostgreSQL: one batched INSERT ... RETURNING whatever the count. SQLite cannot promise the
    # order of returned ids, so SQLAlchemy inserts the agreements row by row there (in-process).
    per_agency = 1 if engine.dialect.name == "sqlite" else 0
    assert costs[1] - costs[0] == 10 * per_agency, costs
