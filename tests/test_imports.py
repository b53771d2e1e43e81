"""Importing the registers staff keep (XLSX, CSV): a dry run first, then all in one transaction."""

import io
from collections.abc import Callable
from datetime import date
from typing import Any

import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection
from sqlmodel import Session

from app.imports.columns import AGREEMENT_COLUMNS, ORGANIZATION_COLUMNS
from app.imports.reader import as_date
from tests.conftest import key_for
from tests.helpers import assert_problem

URL = "/api/v1/imports"
ORG_HEADER = [c.label for c in ORGANIZATION_COLUMNS]
AGREEMENT_HEADER = [c.label for c in AGREEMENT_COLUMNS]

ORGANIZATIONS = [
    # Nama, Singkatan, Jenis, Induk, Email
    ["Pemerintah Provinsi Kalimantan Selatan", "Pemprov Kalsel", "provinsi", None, None],
    ["Dinas Perindustrian", "Disperin Kalsel", "SKPD", "Pemprov Kalsel", None],
    ["Dinas Kesehatan Kabupaten Tapin", "Dinkes Tapin", "OPD", "Pemerintah Kabupaten Tapin", None],
]
# Kode, Jenis, Judul, NK induk, Keterangan, Berlaku mulai, Berlaku sampai, Ruang lingkup, Pihak,
# Nomor, Penandatangan, Jabatan, Tanggal tanda tangan
SCOPE = "Pertukaran data dan informasi\nPendampingan secara berkala"
AGREEMENTS: list[list[Any]] = [
    # A PKS under the seeded Kalsel NK, found by one of its numbers.
    ["PKS-DISPERIN", "PKS", "PKS Perwakilan Kalsel dengan Dinas Perindustrian",
     "053/NK-PEMOTDA/2021", None, None, None, SCOPE,
     "Ombudsman RI Perwakilan Kalsel", "01/PKS/ORI-KS/II/2023", "Hadi Rahman", None,
     date(2023, 2, 1)],
    ["PKS-DISPERIN", None, None, None, None, None, None, None,
     "Disperin Kalsel", "500/01/DISPERIN/2023", None, None, date(2023, 2, 1)],
    # A PKS listed before the NK (of this file) it comes under.
    ["PKS-TAPIN", "PKS", "PKS Perwakilan Kalsel dengan Dinkes Tapin", "NK-TAPIN", None, None,
     None, "Pendampingan secara berkala", "Ombudsman RI Perwakilan Kalsel",
     "02/PKS/ORI-KS/III/2023", None, None, date(2023, 3, 1)],
    ["PKS-TAPIN", "PKS", None, None, None, None, None, None, "Dinkes Tapin", None, None, None,
     date(2023, 3, 1)],
    ["NK-TAPIN", "NK", "Peningkatan Kualitas Pelayanan Publik di Kabupaten Tapin", None, None,
     date(2023, 2, 10), date(2028, 2, 9), SCOPE, "Ombudsman RI", "12/ORI-MoU/II/2023", None, None,
     date(2023, 2, 10)],
    ["NK-TAPIN", None, None, None, None, None, None, None, "Pemerintah Kabupaten Tapin",
     "180/01/NK/2023", None, None, date(2023, 2, 10)],
]  # fmt: skip


def xlsx(organizations: list[list[Any]] | None, agreements: list[list[Any]] | None) -> bytes:
    workbook = openpyxl.Workbook()
    assert workbook.active is not None
    workbook.remove(workbook.active)
    for title, header, rows in (
        ("Organisasi", ORG_HEADER, organizations),
        ("Perjanjian", AGREEMENT_HEADER, agreements),
    ):
        if rows is None:
            continue
        sheet = workbook.create_sheet(title)
        sheet.append(header)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def upload(
    client: TestClient, content: bytes, *, commit: bool = False, name: str = "register.xlsx"
) -> Any:
    return client.post(URL, params={"commit": str(commit).lower()}, files={"file": (name, content)})


@pytest.fixture
def seeded(seeded_connection: Connection) -> None:
    """The seeded real cases (loaded once for consecutive tests; see tests/conftest.py)."""


def agreements_numbered(client: TestClient, number: str) -> list[dict[str, Any]]:
    found = client.get("/api/v1/agreements", params={"number": number})
    assert found.status_code == 200
    return list(found.json()["items"])


def test_a_register_is_checked_first_then_created_once(client: TestClient, seeded: None) -> None:
    register = xlsx(ORGANIZATIONS, AGREEMENTS)
    dry = upload(client, register)
    assert dry.status_code == 200, dry.text
    report = dry.json()
    assert report["committed"] is False
    assert report["organizations"] == {"create": 2, "exists": 1, "error": 0}
    assert report["agreements"] == {"create": 3, "exists": 0, "error": 0}
    by_label = {r["label"]: r for r in report["records"]}
    province = by_label["Pemerintah Provinsi Kalimantan Selatan"]
    assert province["action"] == "exists" and province["id"] is not None
    assert by_label["Dinas Perindustrian"] == {
        "sheet": "Organisasi",
        "rows": [3],
        "action": "create",
        "id": None,  # a dry run keeps no ids
        "label": "Dinas Perindustrian",
        "note": None,
    }
    pks = next(r for r in report["records"] if r["label"].startswith("PKS-TAPIN"))
    assert pks["rows"] == [4, 5] and pks["note"] == "2 parties, 2 signed"
    # The dry run changed nothing.
    assert agreements_numbered(client, "12/ORI-MoU/II/2023") == []
    assert client.get("/api/v1/organizations", params={"q": "Perindustrian"}).json()["total"] == 0

    done = upload(client, register, commit=True)
    assert done.status_code == 201, done.text
    assert done.json()["committed"] is True
    assert all(r["id"] for r in done.json()["records"])
    nk = agreements_numbered(client, "12/ORI-MoU/II/2023")
    assert len(nk) == 1
    assert nk[0]["status"] == "active" and nk[0]["signed_on"] == "2023-02-10"
    assert nk[0]["valid_until"] == "2028-02-09"
    assert [s["title"] for s in nk[0]["scope_items"]] == SCOPE.splitlines()
    tapin = agreements_numbered(client, "02/PKS/ORI-KS/III/2023")[0]
    assert tapin["parent_id"] == nk[0]["id"] and tapin["status"] == "active"
    disperin = agreements_numbered(client, "500/01/DISPERIN/2023")[0]
    kalsel_nk = agreements_numbered(client, "053/NK-PEMOTDA/2021")[0]
    assert disperin["parent_id"] == kalsel_nk["id"]
    assert disperin["parties"][0]["signatory_name"] == "Hadi Rahman"
    assert {p["signed_on"] for p in disperin["parties"]} == {"2023-02-01"}
    history = client.get(f"/api/v1/agreements/{disperin['id']}/history").json()["items"]
    assert {e["action"] for e in history} >= {"created", "finalized", "signed"}
    total = client.get("/api/v1/agreements", params={"count": "true"}).json()["total"]

    again = upload(client, register, commit=True)
    assert again.status_code == 200, again.text
    assert again.json()["organizations"] == {"create": 0, "exists": 3, "error": 0}
    assert again.json()["agreements"] == {"create": 0, "exists": 3, "error": 0}
    assert client.get("/api/v1/agreements", params={"count": "true"}).json()["total"] == total
    assert {r["id"] for r in again.json()["records"]} == {r["id"] for r in done.json()["records"]}


def test_a_file_with_errors_creates_nothing_and_names_each_error(
    client: TestClient, seeded: None
) -> None:
    organizations = [row[:] for row in ORGANIZATIONS]
    organizations[1][2] = "dinas"  # not a kind
    agreements = [row[:] for row in AGREEMENTS]
    agreements[1][12] = "31/02/2023"  # no such day
    agreements[5][8] = "Pemerintah Kabupaten Tidak Ada"  # no such organization
    agreements[3][2] = "Judul lain"  # differs from its first row
    for commit in (False, True):
        response = upload(client, xlsx(organizations, agreements), commit=commit)
        body = assert_problem(response, 422, "import-refused")
        where = {(e["sheet"], e["row"], e["column"]) for e in body["errors"]}
        assert ("Organisasi", 3, "C (Jenis)") in where
        assert ("Perjanjian", 3, "M (Tanggal tanda tangan)") in where
        assert ("Perjanjian", 7, "I (Pihak)") in where
        assert ("Perjanjian", 5, "C (Judul)") in where
        # The PKS of the refused NK is refused too, and says why.
        tapin = next(e for e in body["errors"] if e["row"] == 4)
        assert tapin["column"] == "D (NK induk)" and "NK-TAPIN" in tapin["msg"]
        assert all(e["loc"][:3] == ["file", e["sheet"], e["row"]] for e in body["errors"])
        assert "31/02/2023" in body["detail"] or "Nothing was imported" in body["detail"]
        report = body["report"]
        assert report["committed"] is False
        # The rows without errors were checked too: Dinkes Tapin would be created.
        assert report["organizations"] == {"create": 1, "exists": 1, "error": 1}
    assert client.get("/api/v1/organizations", params={"q": "Dinkes Tapin"}).json()["total"] == 0
    assert agreements_numbered(client, "01/PKS/ORI-KS/II/2023") == []


def test_rules_of_the_api_refuse_rows_by_column(client: TestClient, seeded: None) -> None:
    agreements = [row[:] for row in AGREEMENTS[4:6]]
    agreements[1][12] = date(2027, 1, 1)  # a signature in the future
    response = upload(client, xlsx(None, agreements), commit=True)
    body = assert_problem(response, 422, "import-refused")
    [error] = body["errors"]
    assert (error["row"], error["column"]) == (3, "M (Tanggal tanda tangan)")
    assert error["type"] == "/problems/signature-in-future"
    assert "in the future" in error["msg"]

    # The number of an agreement already registered, for a party that is not its party: the
    # API's own rule on numbers.
    twice = [row[:] for row in AGREEMENTS[4:6]]
    twice[1][9] = None
    twice[0][9] = None
    body = assert_problem(upload(client, xlsx(None, twice)), 422, "import-refused")
    assert body["errors"][0]["type"] == "/problems/missing-number"
    assert body["errors"][0]["column"] == "J (Nomor)"


def test_a_csv_register_with_semicolons_and_indonesian_dates(
    client: TestClient, seeded: None
) -> None:
    lines = [
        ";".join(AGREEMENT_HEADER),
        "NK-1;NK;Sinergi Pelayanan Publik;;;;;Pertukaran data;Ombudsman RI;"
        "13/ORI-MoU/II/2023;;;10 Februari 2023",
        "NK-1;;;;;;;;Pemerintah Kabupaten Tapin;;;;10/02/2023",
    ]
    content = "\r\n".join(lines).encode("utf-8-sig")
    dry = upload(client, content, name="register.csv")
    assert dry.status_code == 200, dry.text
    assert dry.json()["agreements"]["create"] == 1
    done = upload(client, content, commit=True, name="register.csv")
    assert done.status_code == 201, done.text
    [nk] = agreements_numbered(client, "13/ORI-MoU/II/2023")
    assert nk["signed_on"] == "2023-02-10" and nk["status"] == "active"


def test_organizations_csv_in_windows_1252(client: TestClient, seeded: None) -> None:
    content = "Nama,Jenis,Induk\r\nDinas Pariwisata Kabupaten Tapin (Disparpora),SKPD,#" + str(
        client.get("/api/v1/organizations", params={"q": "Kabupaten Tapin"}).json()["items"][0][
            "id"
        ]
    )
    response = upload(client, content.encode("cp1252"), commit=True, name="org.csv")
    assert response.status_code == 201, response.text
    assert response.json()["organizations"]["create"] == 1


def test_the_template_downloads_and_imports_as_already_registered(
    client: TestClient, seeded: None
) -> None:
    response = client.get(f"{URL}/template.xlsx")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Petunjuk", "Organisasi", "Perjanjian"]
    header = [c.value for c in workbook["Perjanjian"][1]]
    assert header == AGREEMENT_HEADER
    assert workbook["Perjanjian"]["J2"].value == "30/ORI-MoU/X/2021"
    assert workbook["Perjanjian"].freeze_panes == "A2"
    guide = "\n".join(str(c.value) for row in workbook["Petunjuk"].iter_rows() for c in row)
    assert "commit=true" in guide and "Tanggal tanda tangan" in guide

    dry = upload(client, response.content)
    assert dry.status_code == 200, dry.text
    assert dry.json()["agreements"] == {"create": 0, "exists": 1, "error": 0}
    assert dry.json()["organizations"] == {"create": 0, "exists": 2, "error": 0}


@pytest.mark.parametrize(
    ("content", "name", "fragment"),
    [
        (b"\x00\x01\x02 not a register", "register.csv", "binary"),
        (b"PK\x03\x04 broken zip", "register.xlsx", "not an Excel workbook"),
        (b"", "register.xlsx", "empty"),
        (b"Jenis;Judul\nNK;x\n", "register.csv", "lacks the column(s) Nama"),
    ],
)
def test_unreadable_files_are_refused_with_the_reason(
    client: TestClient, content: bytes, name: str, fragment: str
) -> None:
    body = assert_problem(upload(client, content, name=name), 422, "import-file-unreadable")
    assert fragment in body["detail"]


def test_a_workbook_without_the_kode_column_names_it(client: TestClient) -> None:
    workbook = openpyxl.Workbook()
    assert workbook.active is not None
    workbook.active.title = "Perjanjian"
    workbook.active.append(["Jenis", "Judul", "Pihak", "Catatan lama"])
    out = io.BytesIO()
    workbook.save(out)
    body = assert_problem(upload(client, out.getvalue()), 422, "import-file-unreadable")
    assert "Kode" in body["detail"]
    assert body["errors"][0]["loc"] == ["file", "Perjanjian", 1]


def test_who_may_import(client: TestClient, session: Session, seeded: None) -> None:
    register = xlsx(None, AGREEMENTS[4:6])
    tapin = client.get("/api/v1/organizations", params={"q": "Kabupaten Tapin"}).json()["items"]
    diskominfo = client.get("/api/v1/organizations", params={"q": "Diskominfo Kalsel"}).json()
    client.headers["X-API-Key"] = key_for(session, "viewer")
    assert_problem(upload(client, register), 403)
    client.headers["X-API-Key"] = key_for(session, "editor", diskominfo["items"][0]["id"])
    body = assert_problem(upload(client, register), 403)
    assert body["errors"][0]["row"] == 2
    client.headers["X-API-Key"] = key_for(session, "editor", tapin[0]["id"])
    assert upload(client, register, commit=True).status_code == 201


def test_a_large_register_within_the_body_limit(client: TestClient) -> None:
    response = client.post(
        URL,
        files={"file": ("big.csv", b"Nama,Jenis\n" + b"x" * (11 * 1024 * 1024))},
    )
    assert_problem(response, 413)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2022-07-04", date(2022, 7, 4)),
        ("04/07/2022", date(2022, 7, 4)),
        ("4-7-2022", date(2022, 7, 4)),
        ("4 Juli 2022", date(2022, 7, 4)),
        ("28 Oktober 2021", date(2021, 10, 28)),
        ("1 Nopember 2021", date(2021, 11, 1)),
        (44746, date(2022, 7, 4)),  # a date cell that lost its format
    ],
)
def test_dates_as_staff_write_them(text: str | int, expected: date) -> None:
    assert as_date(text) == expected


@pytest.mark.parametrize("text", ["31/02/2023", "Juli 2022", "2022/07/04x", "besok", 2022])
def test_what_is_not_a_date(text: str | int) -> None:
    with pytest.raises(ValueError, match="is not a date"):
        as_date(text)


def test_a_retried_commit_with_its_idempotency_key_gets_the_first_answer(
    client: TestClient, seeded: None
) -> None:
    register = xlsx(None, AGREEMENTS[4:6])
    headers = {"Idempotency-Key": "impor-tapin-2023"}
    files = {"file": ("register.xlsx", register)}
    first = client.post(URL, params={"commit": "true"}, files=files, headers=headers)
    assert first.status_code == 201, first.text
    again = client.post(URL, params={"commit": "true"}, files=files, headers=headers)
    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()


def test_a_party_that_has_not_signed_keeps_its_reason_and_the_plan(
    client: TestClient, seeded: None
) -> None:
    lines = [
        "Kode;Jenis;Judul;Pihak;Nomor;Tanggal tanda tangan;Alasan belum tanda tangan;"
        "Rencana tanda tangan",
        "NK-9;NK;Sinergi Pelayanan Publik 2026;Ombudsman RI;20/ORI-MoU/2026;2026-11-02;;2026-12-15",
        "NK-9;;;Pemerintah Kabupaten Tapin;;2026-11-02;;",
        "NK-9;;;Pemerintah Kabupaten Tanah Laut;;;masih ada beberapa penyesuaian;",
    ]
    response = upload(client, "\n".join(lines).encode(), commit=True, name="nk.csv")
    assert response.status_code == 201, response.text
    [nk] = agreements_numbered(client, "20/ORI-MoU/2026")
    assert nk["status"] == "partially_signed"
    assert nk["planned_signing_on"] == "2026-12-15"
    pending = [p for p in nk["parties"] if not p["signed"]]
    assert [p["pending_reason"] for p in pending] == ["masih ada beberapa penyesuaian"]
    assert all(p["pending_reason"] is None for p in nk["parties"] if p["signed"])


def test_the_instructions_list_every_column_and_every_first_row_field(
    client: TestClient,
) -> None:
    response = client.get(f"{URL}/template.xlsx")
    guide = openpyxl.load_workbook(io.BytesIO(response.content))["Petunjuk"]
    lines = [str(row[0]) for row in guide.iter_rows(values_only=True) if row[0]]
    table = [
        tuple(row[:5])
        for row in guide.iter_rows(values_only=True)
        if row[0] in ("Organisasi", "Perjanjian")
    ]
    assert table == [
        (sheet, c.label, c.key, "ya" if c.required else None, "ya" if c.per_agreement else None)
        for sheet, columns in (
            ("Organisasi", ORGANIZATION_COLUMNS),
            ("Perjanjian", AGREEMENT_COLUMNS),
        )
        for c in columns
    ]
    first_row = next(line for line in lines if "read from its first row:" in line)
    named = first_row.split("read from its first row:")[1].rstrip(".").split(", ")
    assert [n.strip() for n in named] == [c.label for c in AGREEMENT_COLUMNS if c.per_agreement]
    assert {c.key for c in AGREEMENT_COLUMNS if c.per_agreement} >= {
        "kind", "title", "parent", "description", "valid_from", "valid_until", "scope",
        "planned_signing_on",
    }  # fmt: skip


def test_each_agreement_costs_the_same_statements_however_many_came_before(
    client: TestClient, seeded: None, count_statements: Callable[[], Any]
) -> None:
    # Linear, not quadratic: no per-row query over all the rows before it (the bench,
    # bench/import_register.py, times 1,000 against 5,000).
    def register(count: int) -> bytes:
        lines = ["Kode;Jenis;Judul;Pihak;Nomor;Tanggal tanda tangan"]
        for i in range(count):
            lines.append(f"NK-{i};NK;NK nomor {i};Ombudsman RI;{i}/ORI-MoU/2023;2023-02-10")
            lines.append(f"NK-{i};;;Pemprov Kalsel;{i}/PEMDA/2023;2023-02-10")
        return "\n".join(lines).encode()

    counts = []
    upload(client, register(1), name="register.csv")  # the key's first use is recorded once
    for size in (2, 4, 6):
        with count_statements() as statements:
            response = upload(client, register(size), name="register.csv")
        assert response.status_code == 200, response.text
        assert response.json()["agreements"]["create"] == size
        counts.append(len(statements))
    assert counts[2] - counts[1] == counts[1] - counts[0] > 0


def test_an_imported_finalisation_keeps_no_final_text(client: TestClient, seeded: None) -> None:
    """Finalised long ago outside the registry: today's template is not the text the parties
    agreed, so the import records the finalisation without a final text or its hash."""
    done = upload(client, xlsx(ORGANIZATIONS, AGREEMENTS), commit=True)
    assert done.status_code == 201, done.text
    nk = agreements_numbered(client, "12/ORI-MoU/II/2023")[0]
    assert nk["status"] == "active" and nk["final_text_sha256"] is None
    assert_problem(
        client.get(f"/api/v1/agreements/{nk['id']}/final-draft"), 404, "final-draft-not-found"
    )
    assert_problem(
        client.get(f"/api/v1/agreements/{nk['id']}/final-draft.docx"),
        404,
        "final-draft-not-found",
    )
    history = client.get(f"/api/v1/agreements/{nk['id']}/history").json()["items"]
    finalized = [e for e in history if e["action"] == "finalized"]
    assert len(finalized) == 1 and "final_text_sha256" not in finalized[0]["details"]
