"""The OpenAPI document as the server means it.

FastAPI drops every null from the document it generates, examples included, so an example such
as `{"signed_on": null}` (a signature whose date is not known) would reach Swagger UI without
the field, and be refused. Examples registered here keep their nulls.
"""

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.encoders import jsonable_encoder

_REGISTERED: dict[str, Any] = {}


def examples_with_nulls(named: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Register request examples whose values contain nulls; returns them unchanged."""
    for example in named.values():
        summary = example["summary"]
        assert summary not in _REGISTERED, f"two examples are summarised {summary!r}"
        _REGISTERED[summary] = example["value"]
    return named


def _restore_nulls(document: dict[str, Any]) -> None:
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            content = operation.get("requestBody", {}).get("content", {})
            for media in content.values():
                for example in media.get("examples", {}).values():
                    if example.get("summary") in _REGISTERED:
                        example["value"] = jsonable_encoder(_REGISTERED[example["summary"]])


# Answers any operation of these kinds can give, whatever its own code says: the key check and
# the limits wrap every /api/v1 operation, the body limit every operation with a body.
KEYED_PREFIX = "/api/v1/"
UNKEYED = {"/api/v1/reminders/run"}


# The problem types of the answers above, by status.
COMMON_TYPES = {
    401: {"unauthorized"},
    413: {"body-too-large"},
    429: {"too-many-requests"},
    503: {"database-busy", "database-unavailable"},
}


def _add_common_answers(document: dict[str, Any]) -> None:
    from app.core.errors import responses

    for path, operations in document.get("paths", {}).items():
        for operation in operations.values():
            codes: list[int] = []
            if path.startswith(KEYED_PREFIX) and path not in UNKEYED:
                codes += [401, 429]
            if "requestBody" in operation:
                codes += [413, 422]
            if path.startswith(KEYED_PREFIX):
                codes += [503]
            for code, answer in responses(*codes).items():
                operation["responses"].setdefault(str(code), jsonable_encoder(answer))


def _add_problem_types(app: FastAPI, document: dict[str, Any]) -> None:
    """Under each 4xx and 5xx answer of an operation, the problem types it can answer
    (`x-problem-types`, and in words in its description), read from the code that raises them
    (app/core/problem_types.py); a status the code raises and the route did not declare is
    added."""
    from app.core.errors import responses
    from app.core.problem_types import operations, problem_types

    for path, method, route in operations(app):
        operation = document["paths"].get(path, {}).get(method)
        if operation is None:
            continue
        found = problem_types(route)
        answers = operation["responses"]
        for code in answers:
            if code.isdigit() and int(code) in COMMON_TYPES:
                found.setdefault(int(code), set()).update(COMMON_TYPES[int(code)])
        for code, slugs in sorted(found.items()):
            if str(code) not in answers:
                answers[str(code)] = jsonable_encoder(responses(code)[code])
            answer = answers[str(code)]
            types = sorted(f"/problems/{slug}" for slug in slugs)
            answer["x-problem-types"] = types
            listed = ", ".join(f"`{t.removeprefix('/problems/')}`" for t in types)
            answer["description"] = f"{answer['description'].rstrip('.')}. Problem types: {listed}."


def install_openapi(app: FastAPI) -> None:
    """Generate the document once, with the registered examples as written and the answers
    every operation can give."""
    generate: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = generate()
            _restore_nulls(document)
            _add_common_answers(document)
            _add_problem_types(app, document)
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
