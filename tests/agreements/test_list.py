"""Finding agreements, and reading them with a bounded number of SQL statements."""

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from app.agreements.models import AgreementStatus
from tests.helpers import assert_problem, create_agreement, create_org, finalize, sign, sign_all
from tests.world import Kalsel, nk_body, pks_body

BASE = "/api/v1/agreements"
# Reading agreements (the read shape of queries.py): the API key's look-up, the agreements with
# their amendments, the parties, the scope items; a page adds its total count.
MAX_STATEMENTS_ONE = 4
MAX_STATEMENTS_PAGE = 5


def ids(client: TestClient, **params: Any) -> list[int]:
    response = client.get(BASE, params=params)
    assert response.status_code == 200, response.text
    return [a["id"] for a in response.json()["items"]]


class TestListAgreements:
    def test_filters(self, client: TestClient, kalsel: Kalsel, signed_nk: dict[str, Any]) -> None:
        nk = signed_nk["id"]
        diskominfo = create_agreement(client, **pks_body(kalsel, nk, valid_until="2026-12-31"))
        dinkes = create_agreement(
            client, **pks_body(kalsel, nk, agency=kalsel.dinkes, title="PKS Dinas Kesehatan")
        )
        finalize(client, dinkes["id"])
        draft_nk = create_agreement(
            client,
            **nk_body(
                kalsel,
                title="Sinergi Kalteng",
                parties=[
                    {"organization_id": kalsel.ori, "document_number": "12/ORI-MoU/I/2026"},
                    {"organization_id": kalsel.kalteng},
                ],
            ),
        )

        assert ids(client, kind="nk") == [draft_nk["id"], nk]
        assert ids(client, kind="pks") == [dinkes["id"], diskominfo["id"]]
        assert ids(client, parent_id=nk) == [dinkes["id"], diskominfo["id"]]
        assert ids(client, status="active") == [nk]
        assert ids(client, status="awaiting_signatures") == [dinkes["id"]]
        assert ids(client, status="draft") == [draft_nk["id"], diskominfo["id"]]
        assert ids(client, organization_id=kalsel.dinkes) == [dinkes["id"]]
        assert ids(client, organization_id=kalsel.ori) == [draft_nk["id"], nk]
        assert ids(client, number="053/NK-PEMOTDA/2021") == [nk]
        assert ids(client, number="30/ori-mou/x/2021") == [nk]
        assert ids(client, number="053/NK-PEMOTDA") == []
        assert ids(client, q="kesehatan") == [dinkes["id"]]
        assert ids(client, q="_") == []
        assert ids(client, expiring_before="2026-12-31") == [diskominfo["id"]]
        assert ids(client, expiring_before="2026-12-30") == []
        assert ids(client, kind="pks", status="draft", organization_id=kalsel.diskominfo) == [
            diskominfo["id"]
        ]

    def test_pagination(self, client: TestClient, kalsel: Kalsel) -> None:
        for i in range(5):
            create_agreement(
                client,
                **nk_body(
                    kalsel,
                    title=f"NK {i}",
                    parties=[{"organization_id": kalsel.ori}, {"organization_id": kalsel.province}],
                ),
            )
        page = client.get(BASE, params={"limit": 2, "offset": 1, "count": "true"}).json()
        assert (page["total"], page["limit"], page["offset"]) == (5, 2, 1)
        assert [a["title"] for a in page["items"]] == ["NK 3", "NK 2"]
        assert client.get(BASE).json()["limit"] == 50

    def test_the_total_is_counted_only_when_asked(
        self, client: TestClient, kalsel: Kalsel, count_statements: Callable[[], Any]
    ) -> None:
        for i in range(3):
            create_agreement(
                client,
                **nk_body(
                    kalsel,
                    title=f"NK {i}",
                    parties=[{"organization_id": kalsel.ori}, {"organization_id": kalsel.province}],
                ),
            )
        with count_statements() as uncounted:
            page = client.get(BASE, params={"limit": 2, "offset": 1}).json()
        assert (page["total"], page["limit"], page["offset"]) == (None, 2, 1)
        assert [a["title"] for a in page["items"]] == ["NK 1", "NK 0"]
        with count_statements() as counted:
            again = client.get(BASE, params={"limit": 2, "offset": 1, "count": "true"}).json()
        assert again == page | {"total": 3}
        # The last page tells the total (what it skipped and what it holds): no count.
        assert len(counted) == len(uncounted)
        with count_statements() as uncounted:
            first = client.get(BASE, params={"limit": 2}).json()
        with count_statements() as counted:
            again = client.get(BASE, params={"limit": 2, "count": "true"}).json()
        assert again == first | {"total": 3}
        assert len(counted) == len(uncounted) + 1  # a page before the last: counted
        for offset, total in ((3, 3), (7, 3)):  # past the end: empty, and counted
            beyond = client.get(BASE, params={"offset": offset, "count": "true"}).json()
            assert (beyond["items"], beyond["total"]) == ([], total)
        assert client.get(BASE, params={"count": "false"}).json()["total"] is None
        assert_problem(client.get(BASE, params={"count": "perhaps"}), 422)
        for loose in ("yes", "1", "on"):  # a query boolean is true or false, as documented
            assert_problem(client.get(BASE, params={"count": loose}), 422)

    def test_bad_filters_are_refused(self, client: TestClient) -> None:
        for params in (
            {"limit": 0},
            {"limit": 201},
            {"offset": -5},
            {"status": "berlaku"},
            {"kind": "mou"},
            {"expiring_before": "next year"},
            {"parent_id": 0},
            {"organization_id": 2**40},
            {"q": "\u0000"},
            {"number": "x" * 101},
        ):
            assert_problem(client.get(BASE, params=params), 422)


class TestBoundedStatements:
    def test_one_agreement_costs_the_same_whatever_its_size(
        self, client: TestClient, kalsel: Kalsel, count_statements: Callable[[], Any]
    ) -> None:
        small = create_agreement(client, **nk_body(kalsel))
        regencies = [
            create_org(client, f"Pemerintah Kabupaten {i}", "regency_government") for i in range(30)
        ]
        big = create_agreement(
            client,
            **nk_body(
                kalsel,
                title="Nota Kesepakatan Kabupaten/Kota",
                parties=[{"organization_id": kalsel.ori}]
                + [{"organization_id": r} for r in regencies],
                scope_items=[{"title": f"Ruang lingkup {i}"} for i in range(40)],
            ),
        )
        finalize(client, big["id"])
        for regency in regencies[:10]:
            sign(client, big["id"], regency, "2022-11-30")

        costs = []
        for agreement in (small, big):
            with count_statements() as statements:
                assert client.get(f"{BASE}/{agreement['id']}").status_code == 200
            costs.append(len(statements))
        assert costs[0] == costs[1] and costs[0] <= MAX_STATEMENTS_ONE, costs

    def test_a_page_costs_the_same_whatever_its_length(
        self,
        client: TestClient,
        kalsel: Kalsel,
        signed_nk: dict[str, Any],
        count_statements: Callable[[], Any],
    ) -> None:
        agencies = [
            create_org(client, f"Dinas {i}", "regional_agency", kalsel.province) for i in range(15)
        ]
        for agency in agencies:
            create_agreement(
                client, **pks_body(kalsel, signed_nk["id"], agency=agency, title=f"PKS {agency}")
            )
        costs = []
        for limit in (2, 16):
            with count_statements() as statements:
                page = client.get(BASE, params={"limit": limit})
                assert len(page.json()["items"]) == limit
            costs.append(len(statements))
        # The page of 2 holds only PKS, the page of 16 the NK too: the same statements.
        assert costs[0] == costs[1] <= MAX_STATEMENTS_PAGE, costs


def test_each_status_filter_finds_exactly_the_agreements_of_that_status(
    client: TestClient, kalsel: Kalsel, signed_nk: dict[str, Any]
) -> None:
    """The status filter is plain comparisons of stored facts (status.status_condition), not
    the status expression; they must find exactly the agreements of that status."""
    nk = signed_nk["id"]

    def pks(agency: int, **fields: Any) -> dict[str, Any]:
        return create_agreement(client, **pks_body(kalsel, nk, agency=agency, **fields))

    lapsed = pks(kalsel.dinkes, title="PKS lapsed", valid_until="2025-12-31")
    sign_all(client, lapsed, "2022-07-04")
    amended = create_org(client, "Dinas Sosial", "regional_agency", kalsel.province)
    extended = pks(amended, title="PKS amended", valid_until="2026-12-31")
    sign_all(client, extended, "2022-07-04")
    amendment = client.post(
        f"{BASE}/{extended['id']}/amendments",
        json={"title": "Adendum I", "valid_until": "2027-06-30"},
    )
    assert amendment.status_code == 201, amendment.text
    sign_all(client, amendment.json(), "2026-11-20")
    agency = create_org(client, "Dinas Pariwisata", "regional_agency", kalsel.province)
    waiting = pks(agency, title="PKS awaiting")
    finalize(client, waiting["id"])
    later = create_org(client, "Dinas Perhubungan", "regional_agency", kalsel.province)
    pks(later, title="PKS draft")
    half = create_org(client, "Dinas Pendidikan", "regional_agency", kalsel.province)
    halfway = pks(half, title="PKS half signed")
    finalize(client, halfway["id"])
    sign(client, halfway["id"], kalsel.office, "2026-11-02")
    ended = create_org(client, "Inspektorat", "regional_agency", kalsel.province)
    terminated = pks(ended, title="PKS ended")
    sign_all(client, terminated, "2022-07-04")
    done = client.post(
        f"{BASE}/{terminated['id']}/terminate",
        json={"terminated_on": "2026-11-01", "reason": "Selesai"},
    )
    assert done.status_code == 200, done.text

    every: dict[int, str] = {}
    offset = 0
    while True:
        page = client.get(BASE, params={"limit": 200, "offset": offset, "count": "true"}).json()
        every |= {a["id"]: a["status"] for a in page["items"]}
        offset += 200
        if offset >= page["total"]:
            break
    assert {
        "active",
        "expired",
        "awaiting_signatures",
        "draft",
        "partially_signed",
        "terminated",
    } <= set(every.values())
    assert every[extended["id"]] == "active" and every[lapsed["id"]] == "expired"
    for status in AgreementStatus:
        found = client.get(
            BASE, params={"status": status.value, "limit": 200, "count": "true"}
        ).json()
        expected = {i for i, s in every.items() if s == status.value}
        assert {a["id"] for a in found["items"]} == expected, status
        assert found["total"] == len(expected), status
