"""What the OpenAPI document types as an integer, a number or a boolean, the server takes as
such and as nothing else, for every field of every JSON body and every boolean of a query:

- an integer is a JSON number without a fraction (`2023.0` is 2023, `2023.5` is refused), never
  the text `"2023"` nor `true`;
- a number is a JSON number, never text nor a boolean;
- a boolean is `true` or `false`: in a body the JSON literal (not `1`, not `"true"`), in a query
  the words `true` and `false` (not `yes`, `1` or `on`).

The probes are made from the document itself, so a field added later is held to it too."""

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection

from app.core.config import settings
from app.core.deps import get_settings
from app.main import app
from tests.test_free_text import seeded_ids

DOCUMENT = app.openapi()
TOKEN = "strict-types"


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = DOCUMENT["components"]["schemas"][schema["$ref"].split("/")[-1]]
    return schema


def _typed(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema without its `null` alternative (an optional field)."""
    schema = _resolve(schema)
    for option in schema.get("anyOf", []):
        option = _resolve(option)
        if option.get("type") != "null":
            return option
    return schema


def _url(client: TestClient, path: str) -> str:
    """The path with ids of seeded records (an operation may look its record up first)."""
    if "{" not in path:
        return path
    ids = seeded_ids(client)
    return re.sub(r"\{([a-z_]+)\}", lambda m: str(ids.get(m.group(1), 1)), path)


Probe = tuple[str, Any, bool]  # what is sent, the value, whether it is taken


def _probes(field: str, schema: dict[str, Any]) -> Iterator[Probe]:
    kind = schema.get("type")
    if kind == "integer":
        low = int(schema.get("minimum", 1))
        yield f"{field}={low}.0", float(low), True
        yield f"{field}={low}.5", low + 0.5, False
        yield f"{field}='{low}'", str(low), False
        yield f"{field}=true", True, False
    elif kind == "number":
        low = schema.get("minimum", 0)
        yield f"{field}={low}", low, True
        yield f"{field}='{low}'", str(low), False
        yield f"{field}=true", True, False
    elif kind == "boolean":
        yield f"{field}=true", True, True
        yield f"{field}='true'", "true", False
        yield f"{field}=1", 1, False


Operation = tuple[str, str, list[tuple[str, Probe]]]  # method, path, (field, probe) each


def _body_probes() -> list[Operation]:
    found: list[Operation] = []
    for path, operations in DOCUMENT["paths"].items():
        for method, operation in operations.items():
            media = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if media is None:
                continue
            body = _resolve(media["schema"])
            probes = [
                (field, probe)
                for field, schema in body.get("properties", {}).items()
                for probe in _probes(field, _typed(schema))
            ]
            if probes:
                found.append((method, path, probes))
    return found


def _query_probes() -> list[Operation]:
    found: list[Operation] = []
    for path, operations in DOCUMENT["paths"].items():
        for method, operation in operations.items():
            probes = [
                (parameter["name"], (f"{parameter['name']}={text}", text, accepted))
                for parameter in operation.get("parameters", [])
                if parameter["in"] == "query"
                and _typed(parameter["schema"]).get("type") == "boolean"
                for text, accepted in [
                    ("true", True),
                    ("false", True),
                    ("yes", False),
                    ("1", False),
                    ("on", False),
                    ("True", False),
                ]
            ]
            if probes:
                found.append((method, path, probes))
    return found


BODY_PROBES = _body_probes()
QUERY_PROBES = _query_probes()


@pytest.fixture
def caller(client: TestClient, seeded_connection: Connection) -> Iterator[TestClient]:
    """An admin of the seeded registry, who may also call the scheduler's reminder run."""
    app.dependency_overrides[get_settings] = lambda: settings.model_copy(
        update={"SCHEDULER_TOKEN": TOKEN, "SMTP_HOST": None}
    )
    client.headers["Authorization"] = f"Bearer {TOKEN}"
    yield client


def _errors_at(response: Any, loc: list[str]) -> list[dict[str, Any]]:
    if response.status_code != 422:
        return []
    return [e for e in response.json().get("errors") or [] if e.get("loc", [])[:2] == loc]


def _mismatch(response: Any, loc: list[str], accepted: bool) -> str | None:
    """What is wrong with the answer to one probe, if anything."""
    if response.status_code >= 500:
        return f"answered {response.status_code}"
    errors = _errors_at(response, loc)
    if accepted:
        return f"refused: {errors}" if errors else None
    if not errors or response.json()["type"] != "/problems/validation-error":
        return f"taken ({response.status_code})"
    if loc[0] == "query" and "true or false" not in errors[0]["msg"]:
        return f"refused without saying how: {errors[0]['msg']}"
    return None


def test_bounds_are_stated_as_json_schema_says() -> None:
    # `minimum`/`maximum`, never pydantic's own `ge`/`le`, which no client reads.
    leaked = [
        (name, field)
        for name, schema in DOCUMENT["components"]["schemas"].items()
        for field, sub in schema.get("properties", {}).items()
        if {"ge", "le", "gt", "lt"} & _typed(sub).keys()
    ]
    assert leaked == []
    year = DOCUMENT["components"]["schemas"]["ComplianceAssessmentCreate"]["properties"]["year"]
    assert (year["minimum"], year["maximum"]) == (2000, 2100)


def test_the_document_has_what_is_probed() -> None:
    fields = {(path, field) for _, path, probes in BODY_PROBES for field, _ in probes}
    assert ("/api/v1/compliance-assessments", "year") in fields
    assert ("/api/v1/compliance-assessments", "score") in fields
    assert ("/api/v1/agreements/{agreement_id}/evaluations", "score") in fields
    assert len(fields) > 25
    queries = {(path, field) for _, path, probes in QUERY_PROBES for field, _ in probes}
    assert ("/api/v1/activities", "within") in queries
    assert ("/api/v1/imports", "commit") in queries
    assert ("/api/v1/reminders/run", "dry_run") in queries


@pytest.mark.parametrize(
    ("method", "path", "probes"), BODY_PROBES, ids=[f"{m.upper()} {p}" for m, p, _ in BODY_PROBES]
)
def test_a_body_field_takes_its_type_only(
    caller: TestClient, method: str, path: str, probes: list[tuple[str, Probe]]
) -> None:
    url = _url(caller, path)
    wrong = {}
    for field, (name, value, accepted) in probes:
        response = caller.request(method, url, json={field: value})
        wrong[name] = _mismatch(response, ["body", field], accepted)
    assert {name: why for name, why in wrong.items() if why} == {}


@pytest.mark.parametrize(
    ("method", "path", "probes"),
    QUERY_PROBES,
    ids=[f"{m.upper()} {p}" for m, p, _ in QUERY_PROBES],
)
def test_a_query_boolean_is_true_or_false(
    caller: TestClient, method: str, path: str, probes: list[tuple[str, Probe]]
) -> None:
    url = _url(caller, path)
    wrong = {}
    for field, (name, value, accepted) in probes:
        response = caller.request(method, url, params={field: value})
        wrong[name] = _mismatch(response, ["query", field], accepted)
    assert {name: why for name, why in wrong.items() if why} == {}
