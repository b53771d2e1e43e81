"""Free text has one rule, kept at one home (app/core/schemas.py) and stated in the OpenAPI
document: no NUL nor other control character anywhere (PostgreSQL refuses NUL in text), tabs and
line breaks only where a field has several lines. Bodies, queries and imported cells alike."""

import copy
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection

from app.core.openapi import UNKEYED
from app.core.schemas import text_pattern
from app.main import app
from tests.helpers import assert_problem

DOCUMENT = app.openapi()
SINGLE_LINE = text_pattern(multi_line=False, required=True)
MULTI_LINE = text_pattern(multi_line=True, required=False)
# Strings of a request that are not free text: their own format says what they take.
NOT_FREE_TEXT = {"date", "date-time", "email", "uri", "binary", "password"}


@pytest.fixture
def seeded(seeded_connection: Connection) -> None:
    """The seeded real cases (loaded once for the module; see tests/conftest.py)."""


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = DOCUMENT["components"]["schemas"][schema["$ref"].split("/")[-1]]
    return schema


def _texts(schema: dict[str, Any], where: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every string of a request's schema that is not an enum, a constant or a format."""
    schema = _resolve(schema)
    for key in ("anyOf", "oneOf", "allOf"):
        for sub in schema.get(key, []):
            yield from _texts(sub, where)
    if schema.get("type") == "string":
        if not ({"enum", "const", "contentMediaType"} & schema.keys()) and (
            schema.get("format") not in NOT_FREE_TEXT
        ):
            yield where, schema
    for name, sub in schema.get("properties", {}).items():
        yield from _texts(sub, f"{where}.{name}")
    if isinstance(schema.get("items"), dict):
        yield from _texts(schema["items"], f"{where}[]")


def _request_texts() -> list[tuple[str, dict[str, Any]]]:
    found: list[tuple[str, dict[str, Any]]] = []
    for path, operations in DOCUMENT["paths"].items():
        for method, operation in operations.items():
            label = f"{method.upper()} {path}"
            for parameter in operation.get("parameters", []):
                where = f"{label} {parameter['in']} {parameter['name']}"
                found += _texts(parameter.get("schema", {}), where)
            for media in operation.get("requestBody", {}).get("content", {}).values():
                found += _texts(media.get("schema", {}), f"{label} body")
    return found


class TestTheDocumentStatesTheRule:
    def test_every_text_of_every_request_has_a_pattern(self) -> None:
        texts = _request_texts()
        assert len(texts) > 60
        assert [where for where, schema in texts if "pattern" not in schema] == []

    def test_free_text_patterns_come_from_the_one_home(self) -> None:
        patterns = {s["pattern"] for _, s in _request_texts()}
        free = {p for p in patterns if "\\x7f-\\x9f" in p}
        assert {SINGLE_LINE, MULTI_LINE} <= free
        homes = {
            text_pattern(multi_line=m, required=r) for m in (False, True) for r in (False, True)
        }
        assert free <= homes

    @pytest.mark.parametrize(
        ("text", "single", "multi"),
        [
            ("Dinas Kominfo", True, True),
            ("Baris satu\nBaris dua\tdst.", False, True),
            ("053/NK\u0000", False, False),
            ("bel\u0007", False, False),
            ("C1\u0085", False, False),
            ("   ", False, True),
            ("Zona hijau \u2014 kepatuhan tinggi", True, True),
        ],
    )
    def test_the_pattern_reads_as_the_server_does(
        self, text: str, single: bool, multi: bool
    ) -> None:
        assert bool(re.fullmatch(SINGLE_LINE, text)) is single
        assert bool(re.fullmatch(MULTI_LINE, text)) is multi


def _string_leaves(value: Any, loc: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(value, str):
        yield loc
    elif isinstance(value, dict):
        for key, sub in value.items():
            yield from _string_leaves(sub, (*loc, key))
    elif isinstance(value, list):
        for index, sub in enumerate(value):
            yield from _string_leaves(sub, (*loc, index))


def _with(value: Any, loc: tuple[Any, ...], text: str) -> Any:
    changed = copy.deepcopy(value)
    target = changed
    for part in loc[:-1]:
        target = target[part]
    target[loc[-1]] = target[loc[-1]] + text
    return changed


def _example_bodies() -> list[tuple[str, str, str, Any]]:
    """The JSON body examples of the document (they work on a seeded database)."""
    found = []
    for path, operations in DOCUMENT["paths"].items():
        if path in UNKEYED:
            continue  # the scheduler's own call (its token is tested with it)
        for method, operation in operations.items():
            media = operation.get("requestBody", {}).get("content", {}).get("application/json")
            for name, example in (media or {}).get("examples", {}).items():
                found.append((method, path, name, example["value"]))
    return found


EXAMPLE_BODIES = _example_bodies()


def seeded_ids(client: TestClient) -> dict[str, int | str]:
    """Ids of seeded records for the path of each example (ids differ between databases: a
    PostgreSQL sequence is not rolled back with the test that used it)."""

    def first(path: str, **params: str) -> dict[str, Any]:
        response = client.get(path, params={"limit": "1", **params})
        assert response.status_code == 200, response.text
        return response.json()["items"][0]  # type: ignore[no-any-return]

    return {
        "agreement_id": int(first("/api/v1/agreements", number="053/NK-PEMOTDA/2021")["id"]),
        # None is seeded: the body is refused before the activity is looked for.
        "activity_id": 1,
        "organization_id": int(first("/api/v1/organizations")["id"]),
        "obligation_id": int(first("/api/v1/obligations")["id"]),
        "user_id": int(client.get("/api/v1/users/me").json()["id"]),
        # None is seeded either: the body is refused before they are looked for.
        "document_id": 1,
        "signature_id": 1,
        "stage_code": "penjajakan",
    }


def a_pks(client: TestClient) -> tuple[int, int]:
    """A seeded PKS of the Kalsel NK and one of its parties (ids differ between databases)."""
    nk = client.get("/api/v1/agreements", params={"number": "053/NK-PEMOTDA/2021"}).json()
    found = client.get("/api/v1/agreements", params={"parent_id": nk["items"][0]["id"]}).json()
    pks = found["items"][0]
    return int(pks["id"]), int(pks["parties"][0]["organization_id"])


class TestNulIsRefusedEverywhere:
    def test_a_nul_in_the_source_of_a_compliance_result(
        self, client: TestClient, seeded: None
    ) -> None:
        body = {"organization_id": 4, "year": 2024, "zone": "green", "source": "Laporan\u0000"}
        response = client.post("/api/v1/compliance-assessments", json=body)
        problem = assert_problem(response, 422, "validation-error")
        assert problem["errors"][0]["loc"] == ["body", "source"]
        assert "control characters" in problem["errors"][0]["msg"]

    @pytest.mark.parametrize(
        ("method", "path", "name", "value"),
        EXAMPLE_BODIES,
        ids=[f"{m} {p} {n}" for m, p, n, _ in EXAMPLE_BODIES],
    )
    def test_in_any_text_of_any_example_body(
        self, client: TestClient, seeded: None, method: str, path: str, name: str, value: Any
    ) -> None:
        url = re.sub(r"\{([a-z_]+)\}", lambda m: str(seeded_ids(client)[m.group(1)]), path)
        leaves = list(_string_leaves(value))
        for loc in leaves:
            response = client.request(method, url, json=_with(value, loc, "\u0000"))
            problem = assert_problem(response, 422, "validation-error")
            # Dates and enums refuse it too (by their own rule, whose loc may go deeper).
            assert all(e["loc"][: len(loc) + 1] == ["body", *loc] for e in problem["errors"]), loc

    @pytest.mark.parametrize(
        ("url", "name"),
        [
            ("/api/v1/agreements", "q"),
            ("/api/v1/agreements", "number"),
            ("/api/v1/agreements/export.csv", "q"),
            ("/api/v1/organizations", "q"),
        ],
    )
    def test_in_a_query(self, client: TestClient, url: str, name: str) -> None:
        problem = assert_problem(client.get(url, params={name: "053\u0000"}), 422)
        assert problem["errors"][0]["loc"] == ["query", name]

    def test_in_an_idempotency_key(self, client: TestClient, seeded: None) -> None:
        response = client.post(
            f"/api/v1/agreements/{a_pks(client)[0]}/cancel",
            json={"reason": "Duplikat"},
            headers={"Idempotency-Key": "kunci-\u00e9".encode("latin-1")},  # type: ignore[dict-item]
        )
        assert_problem(response, 422, "idempotency-key-invalid")


class TestLinesAndSpaces:
    def test_a_multi_line_text_keeps_its_tabs_and_line_breaks(
        self, client: TestClient, seeded: None
    ) -> None:
        body = {
            "title": "Rekap data pengaduan",
            "description": "Baris satu\n\tBaris dua\r\nBaris tiga",
            "responsible_organization_id": a_pks(client)[1],
            "due_on": "2027-01-15",
        }
        response = client.post(f"/api/v1/agreements/{a_pks(client)[0]}/obligations", json=body)
        assert response.status_code == 201, response.text
        assert response.json()["description"] == body["description"]

    @pytest.mark.parametrize("title", ["Rekap\tdata", "Rekap\ndata", "   ", "\u3000"])
    def test_a_single_line_text_refuses_them_and_blankness(
        self, client: TestClient, seeded: None, title: str
    ) -> None:
        body = {
            "title": title,
            "responsible_organization_id": a_pks(client)[1],
            "due_on": "2027-01-15",
        }
        response = client.post(f"/api/v1/agreements/{a_pks(client)[0]}/obligations", json=body)
        problem = assert_problem(response, 422, "validation-error")
        assert problem["errors"][0]["loc"] == ["body", "title"]

    def test_the_length_is_that_of_the_text_as_sent(self, client: TestClient, seeded: None) -> None:
        # The document says maxLength 500: 501 characters are refused even if trimming would
        # make them 500, and 500 with spaces around are stored trimmed.
        body = {
            "title": " " + "x" * 500,
            "responsible_organization_id": a_pks(client)[1],
            "due_on": "2027-01-15",
        }
        response = client.post(f"/api/v1/agreements/{a_pks(client)[0]}/obligations", json=body)
        assert_problem(response, 422, "validation-error")
        body["title"] = " " + "x" * 498 + " "
        response = client.post(f"/api/v1/agreements/{a_pks(client)[0]}/obligations", json=body)
        assert response.status_code == 201, response.text
        assert response.json()["title"] == "x" * 498


class TestImportedCells:
    def upload(self, client: TestClient, lines: list[str]) -> Any:
        return client.post(
            "/api/v1/imports",
            params={"commit": "true"},
            files={"file": ("register.csv", "\n".join(lines).encode())},
        )

    def test_a_control_character_in_a_cell_is_refused_by_row_and_column(
        self, client: TestClient, seeded: None
    ) -> None:
        lines = [
            "Kode;Jenis;Judul;Pihak;Nomor;Tanggal tanda tangan",
            "NK-9;NK;Sinergi Pelayanan Publik 2026;Ombudsman RI;20/ORI-MoU/2026;2026-11-02",
            "NK-9;;;Pemerintah Kabupaten Tapin\u0007;;2026-11-02",
            "NK-8;NK;Sinergi\u009f 2026;Ombudsman RI;21/ORI-MoU/2026;2026-11-02",
            "NK-8;;;Pemerintah Kabupaten Tapin;;2026-11-02",
        ]
        body = assert_problem(self.upload(client, lines), 422, "import-refused")
        where = {(e["row"], e["column"], e["type"]) for e in body["errors"]}
        assert where == {
            (3, "D (Pihak)", "/problems/validation-error"),
            (4, "C (Judul)", "/problems/validation-error"),
        }
        assert (
            client.get(
                "/api/v1/agreements", params={"number": "20/ORI-MoU/2026", "count": "true"}
            ).json()["total"]
            == 0
        )

    def test_line_breaks_only_in_a_multi_line_column(
        self, client: TestClient, seeded: None
    ) -> None:
        lines = [
            "Nama;Jenis;Induk",
            '"Dinas\tPerindustrian";SKPD;Pemprov Kalsel',
        ]
        body = assert_problem(self.upload(client, lines), 422, "import-refused")
        [error] = body["errors"]
        assert (error["row"], error["column"]) == (2, "A (Nama)")
        assert "single line" in error["msg"]

        lines = [
            "Kode;Jenis;Judul;Ruang lingkup;Pihak;Nomor;Tanggal tanda tangan",
            'NK-9;NK;Sinergi 2026;"Pertukaran data\nPendampingan";Ombudsman RI;20/ORI/2026;'
            "2026-11-02",
            "NK-9;;;;Pemerintah Kabupaten Tapin;;2026-11-02",
        ]
        response = self.upload(client, lines)
        assert response.status_code == 201, response.text
