"""Exports: the lists as Excel and CSV, with the same filters, opened as staff's tools open them."""

import csv
import io
from datetime import datetime
from typing import Any

import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection
from sqlmodel import Session

from tests.conftest import TODAY
from tests.helpers import assert_problem

BOM = b"\xef\xbb\xbf"


@pytest.fixture
def seeded(seeded_connection: Connection, client: TestClient) -> dict[str, Any]:
    found = client.get("/api/v1/agreements", params={"number": "053/NK-PEMOTDA/2021"})
    return dict(found.json()["items"][0])


def workbook(response: Any) -> Any:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response.headers["content-disposition"].startswith("attachment; filename=")
    return openpyxl.load_workbook(io.BytesIO(response.content)).active


def csv_rows(response: Any) -> list[list[str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert response.content.startswith(BOM)  # Excel reads UTF-8 only with it
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_agreements_xlsx_holds_the_21_kalsel_pks_with_real_dates(
    client: TestClient, seeded: dict[str, Any]
) -> None:
    sheet = workbook(
        client.get("/api/v1/agreements/export.xlsx", params={"parent_id": seeded["id"]})
    )
    rows = list(sheet.iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert header[:6] == ("ID", "Jenis", "Judul", "Nomor (tiap pihak)", "Para pihak", "Status")
    assert len(body) == 21
    assert {r[1] for r in body} == {"PKS"}
    assert {r[5] for r in body} == {"Berlaku"}
    signed = header.index("Tanggal penandatanganan")
    assert {r[signed] for r in body} == {datetime(2022, 7, 4)}  # a date, not text
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:M{len(rows)}"
    assert sheet.column_dimensions["C"].width == 60
    assert sheet["A1"].font.b
    assert sheet.cell(row=2, column=signed + 1).number_format == "DD/MM/YYYY"
    diskominfo = next(r for r in body if "Komunikasi" in r[2])
    assert "Muhamad" not in diskominfo[4]  # parties are organizations, not signatories
    assert "Dinas Komunikasi dan Informatika" in diskominfo[4]


def test_agreements_csv_follows_the_filters_and_the_sort(
    client: TestClient, seeded: dict[str, Any]
) -> None:
    rows = csv_rows(client.get("/api/v1/agreements/export.csv", params={"kind": "nk"}))
    header, body = rows[0], rows[1:]
    assert header[0] == "ID" and len(body) == 3
    numbers = {r[3] for r in body}
    assert "30/ORI-MoU/X/2021; 053/NK-PEMOTDA/2021" in numbers
    listed = client.get("/api/v1/agreements", params={"kind": "nk"}).json()["items"]
    assert [int(r[0]) for r in body] == [a["id"] for a in listed]  # the list's order
    kalsel = next(r for r in body if r[0] == str(seeded["id"]))
    assert kalsel[header.index("Tanggal penandatanganan")] == "2021-10-28"

    unsigned = csv_rows(
        client.get("/api/v1/agreements/export.csv", params={"q": "Sinergi", "sort": "title"})
    )
    assert len(unsigned) == 2
    assert "Kotawaringin Barat" in unsigned[1][header.index("Belum menandatangani")]

    assert csv_rows(client.get("/api/v1/agreements/export.csv", params={"q": "tidak ada"})) == [
        header
    ]


def test_exports_show_an_adendum_by_its_indonesian_kind(
    client: TestClient, seeded: dict[str, Any]
) -> None:
    """Once a signed PKS has an adendum, the agreement list and its obligations still export
    (they answered 500 on the adendum's kind), and the adendum reads "Adendum"."""
    pks = client.get("/api/v1/agreements", params={"parent_id": seeded["id"]}).json()["items"][0]
    drafted = client.post(
        f"/api/v1/agreements/{pks['id']}/amendments",
        json={"title": "Adendum I PKS Inspektorat", "valid_until": "2027-06-30"},
    )
    assert drafted.status_code == 201, drafted.text
    adendum = drafted.json()
    obligation = client.post(
        f"/api/v1/agreements/{adendum['id']}/obligations",
        json={
            "title": "Laporan adendum",
            "responsible_organization_id": adendum["parties"][0]["organization_id"],
            "due_on": "2027-01-15",
            "recurrence": "quarterly",
        },
    )
    assert obligation.status_code == 201, obligation.text

    sheet = workbook(client.get("/api/v1/agreements/export.xlsx"))
    rows = list(sheet.iter_rows(values_only=True))
    kind = rows[0].index("Jenis")
    by_id = {r[0]: r for r in rows[1:]}
    assert by_id[adendum["id"]][kind] == "Adendum"
    assert by_id[adendum["id"]][rows[0].index("Status")] == "Draf"
    assert by_id[seeded["id"]][kind] == "NK"
    listed = csv_rows(client.get("/api/v1/agreements/export.csv", params={"kind": "amendment"}))
    assert [r[1] for r in listed[1:]] == ["Adendum"]

    owed = csv_rows(client.get("/api/v1/obligations/export.csv"))
    mine = next(r for r in owed[1:] if r[1] == "Laporan adendum")
    assert mine[owed[0].index("Berulang")] == "Triwulanan"
    assert mine[owed[0].index("Status")] == "Belum jatuh tempo"


def test_obligations_export_with_its_filters(client: TestClient, seeded: dict[str, Any]) -> None:
    listed = client.get("/api/v1/obligations", params={"limit": 200}).json()
    sheet = workbook(client.get("/api/v1/obligations/export.xlsx"))
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("ID", "Kewajiban", "Penanggung jawab", "Jatuh tempo", "Status")
    assert [r[0] for r in rows[1:]] == [o["id"] for o in listed["items"]]
    assert all(isinstance(r[3], datetime) for r in rows[1:])

    first = listed["items"][0]
    one = csv_rows(
        client.get(
            "/api/v1/obligations/export.csv",
            params={"organization_id": first["responsible_organization_id"]},
        )
    )
    expected = client.get(
        "/api/v1/obligations",
        params={"organization_id": first["responsible_organization_id"], "count": "true"},
    ).json()["total"]
    assert len(one) - 1 == expected
    assert {r[2] for r in one[1:]} == {first["responsible_organization_name"]}


def test_obligations_export_reads_in_batches(
    seeded_connection: Connection, client: TestClient, session: Session
) -> None:
    """The keyset batches meet without a gap or a repeat (batch smaller than the rows)."""
    from app.obligations.service import ObligationFilters, iter_obligations

    every = [
        o.id for o in iter_obligations(session=session, today=TODAY, filters=ObligationFilters())
    ]
    small = [
        o.id
        for o in iter_obligations(
            session=session, today=TODAY, filters=ObligationFilters(), batch=3
        )
    ]
    assert small == every and len(every) == len(set(every)) == 22


def test_coverage_sheet_one_row_per_skpd(client: TestClient, seeded: dict[str, Any]) -> None:
    coverage = client.get(f"/api/v1/agreements/{seeded['id']}/coverage").json()
    agencies = [a for g in coverage["governments"] for a in g["agencies"]]
    sheet = workbook(client.get(f"/api/v1/agreements/{seeded['id']}/coverage.xlsx"))
    rows = list(sheet.iter_rows(values_only=True))[1:]  # below the title row
    assert rows[0][:5] == ("Pemerintah daerah", "SKPD", "ID SKPD", "ID PKS", "Status PKS")
    assert len(rows) - 1 == len(agencies) == 22
    assert sum(1 for r in rows[1:] if r[4] == "Berlaku") == 21
    without = [r for r in rows[1:] if r[3] is None]
    assert [r[1] for r in without] == ["Biro Pemerintahan dan Kerja Sama Sekretariat Daerah"]
    assert without[0][4] == "Belum ada PKS"
    signed = [r[5] for r in rows[1:] if r[3] is not None]
    assert set(signed) == {datetime(2022, 7, 4)}

    as_csv = csv_rows(client.get(f"/api/v1/agreements/{seeded['id']}/coverage.csv"))
    assert as_csv[0] == list(rows[0])  # a CSV starts with its header, for the programs
    assert len(as_csv) == len(rows)


def test_coverage_sheet_names_its_nk_and_the_day_it_shows(
    client: TestClient, seeded: dict[str, Any]
) -> None:
    """A title row says which NK (its numbers) and which day; the header below it stays bold,
    frozen and filtered."""
    url = f"/api/v1/agreements/{seeded['id']}/coverage.xlsx"
    sheet = workbook(client.get(url, params={"as_of": "2022-07-03"}))
    title = sheet["A1"].value
    assert title.startswith(
        "Cakupan PKS di bawah NK 30/ORI-MoU/X/2021 dan 053/NK-PEMOTDA/2021 — "
        "Peningkatan Kualitas Pelayanan Publik"
    )
    assert title.endswith("keadaan per 3 Juli 2022")
    assert sheet["A1"].font.b and sheet["B1"].value is None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][:2] == ("Pemerintah daerah", "SKPD")
    assert all(sheet.cell(row=2, column=c).font.b for c in range(1, len(rows[1]) + 1))
    assert sheet.freeze_panes == "A3"  # title and header stay in view
    assert sheet.auto_filter.ref == f"A2:H{len(rows)}"
    assert len(rows) == 2 + 22

    today = workbook(client.get(url))["A1"].value
    assert today.endswith("keadaan per 23 November 2026")  # TODAY of the tests

    # The Kalteng joint NK: the source gives no number.
    [kalteng] = client.get("/api/v1/agreements", params={"q": "Sinergi", "kind": "nk"}).json()[
        "items"
    ]
    untitled = workbook(client.get(f"/api/v1/agreements/{kalteng['id']}/coverage.xlsx"))
    assert untitled["A1"].value.startswith("Cakupan PKS di bawah NK (nomor belum tercatat) — ")


def test_unknown_format_and_bad_filters_are_refused(client: TestClient) -> None:
    refused = assert_problem(client.get("/api/v1/agreements/export.pdf"), 422)
    assert refused["errors"][0]["loc"] == ["path", "export_format"]
    bad = assert_problem(client.get("/api/v1/obligations/export.csv?status=late"), 422)
    assert bad["errors"][0]["loc"] == ["query", "status"]
    assert_problem(client.get("/api/v1/agreements/999999/coverage.xlsx"), 404)
