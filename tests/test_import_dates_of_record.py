"""A register imported after the fact carries its dates of record (issue 19, item 10): the
template's 'Tanggal draft' and 'Tanggal finalisasi' columns, read as the API's drafted_on and
finalized_on."""

from typing import Any

from fastapi.testclient import TestClient

from app.imports.columns import AGREEMENT_COLUMNS
from tests.conftest import TODAY
from tests.test_imports import ORGANIZATIONS, agreements_numbered, seeded, upload, xlsx

__all__ = ["seeded"]  # the fixture, used by name


def rows(*records: dict[str, Any]) -> list[list[Any]]:
    """Rows of the Perjanjian sheet, each given by column key."""
    return [[record.get(c.key) for c in AGREEMENT_COLUMNS] for record in records]


def disperin_pks(**dates: Any) -> list[list[Any]]:
    first = {
        "ref": "PKS-DISPERIN",
        "kind": "PKS",
        "title": "PKS Perwakilan Kalsel dengan Dinas Perindustrian",
        "parent": "053/NK-PEMOTDA/2021",
        "party": "Ombudsman RI Perwakilan Kalsel",
        "document_number": "03/PKS/ORI-KS/VI/2022",
        **dates,
    }
    return rows(first, {"ref": "PKS-DISPERIN", "party": "Disperin Kalsel"})


def test_an_imported_pks_finalised_in_june_2022_awaits_signatures_as_of_july(
    client: TestClient, seeded: None
) -> None:
    register = xlsx(ORGANIZATIONS, disperin_pks(drafted_on="2022-06-15", finalized_on="27/06/2022"))
    done = upload(client, register, commit=True)
    assert done.status_code == 201, done.text
    [pks] = agreements_numbered(client, "03/PKS/ORI-KS/VI/2022")
    assert (pks["drafted_on"], pks["finalized_on"]) == ("2022-06-15", "2022-06-27")
    assert pks["status"] == "awaiting_signatures"  # finalised although nobody has signed

    def counts(day: str) -> dict[str, int]:
        url = f"/api/v1/agreements/{pks['parent_id']}/coverage"
        return dict(client.get(url, params={"as_of": day}).json()["counts"])

    assert counts("2022-07-03")["awaiting_signatures"] == 22  # the seeded 21, and this one
    assert counts("2022-06-20")["draft"] == 22
    assert "draft" not in counts("2022-06-14")


def test_without_the_dates_the_agreement_is_a_draft_of_the_day_of_the_import(
    client: TestClient, seeded: None
) -> None:
    done = upload(client, xlsx(ORGANIZATIONS, disperin_pks()), commit=True)
    assert done.status_code == 201, done.text
    [pks] = agreements_numbered(client, "03/PKS/ORI-KS/VI/2022")
    assert (pks["status"], pks["drafted_on"], pks["finalized_on"]) == (
        "draft",
        TODAY.isoformat(),
        None,
    )


def test_dates_out_of_order_are_named_by_row_and_column(client: TestClient, seeded: None) -> None:
    register = xlsx(ORGANIZATIONS, disperin_pks(drafted_on="2022-06-28", finalized_on="2022-06-27"))
    refused = upload(client, register)
    assert refused.status_code == 422, refused.text
    body = refused.json()
    assert body["report"]["agreements"] == {"create": 0, "exists": 0, "error": 1}
    [problem] = body["errors"]
    assert problem["row"] == 2 and problem["column"].endswith("(Tanggal draft)")
    assert problem["type"] == "/problems/dates-of-record-order"
    assert "after the day of finalisasi draft (2022-06-27)" in problem["msg"]
