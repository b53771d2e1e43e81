"""Every error as application/problem+json (RFC 9457)."""

import logging
import re
import uuid
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException

logger = logging.getLogger("app.errors")

PROBLEM_JSON = "application/problem+json"
# Seconds a client waits before retrying while the database cannot be reached.
UNAVAILABLE_RETRY_AFTER = 10
RULE_ERROR_PREFIX = "registry_rule:"  # the error type of schemas.rule_error


class AppError(Exception):
    """A rule of the registry was not met; answered as a problem body with its own type slug."""

    status: int = 400
    type_slug: str = "bad-request"
    title: str = "Bad request"
    headers: dict[str, str] | None = None

    def __init__(
        self,
        detail: str,
        *,
        type_slug: str | None = None,
        title: str | None = None,
        errors: list[dict[str, Any]] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        if type_slug:
            self.type_slug = type_slug
        if title:
            self.title = title
        self.errors = errors
        self.extra = extra


class NotFound(AppError):
    status = 404
    type_slug = "not-found"
    title = "Not found"


class Conflict(AppError):
    status = 409
    type_slug = "conflict"
    title = "Conflict with the current state"


class RuleViolation(AppError):
    status = 422
    type_slug = "rule-violation"
    title = "A rule of the registry is not met"


class Unauthorized(AppError):
    status = 401
    type_slug = "unauthorized"
    title = "Not authenticated"
    headers = {"WWW-Authenticate": 'ApiKey header="X-API-Key"'}


class Forbidden(AppError):
    status = 403
    type_slug = "forbidden"
    title = "Not allowed"


class NotReady(AppError):
    status = 503
    type_slug = "not-ready"
    title = "Not ready"


class TooManyRequests(AppError):
    status = 429
    type_slug = "too-many-requests"
    title = "Too many requests"

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail)
        self.headers = {"Retry-After": str(retry_after)}


def field_error(*loc: Any, msg: str, where: str = "body") -> dict[str, Any]:
    """One entry of a problem's `errors`: where the offending value is, and what is wrong."""
    return {"loc": [where, *loc], "msg": msg}


def problem(
    status: int,
    type_slug: str,
    title: str,
    detail: str,
    *,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    """A problem+json response."""
    body: dict[str, Any] = {
        "type": f"/problems/{type_slug}",
        "title": title,
        "status": status,
        "detail": detail,
    }
    if errors is not None:
        body["errors"] = errors
    body.update(extra)
    return JSONResponse(
        jsonable_encoder(body), status_code=status, media_type=PROBLEM_JSON, headers=headers
    )


def _loc_text(loc: tuple[Any, ...] | list[Any]) -> str:
    return ".".join(str(part) for part in loc)


async def _app_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AppError)
    return problem(
        exc.status,
        exc.type_slug,
        exc.title,
        exc.detail,
        errors=exc.errors,
        headers=exc.headers,
        **exc.extra,
    )


def _message(err: dict[str, Any]) -> str:
    """A validation message a staff member can act on."""
    kind = str(err.get("type", ""))
    msg = str(err.get("msg", ""))
    if kind.startswith(("date_", "datetime_")):
        return f"{msg}; write a date as YYYY-MM-DD, e.g. 2022-07-04"
    return msg


async def _json_position(request: Request, position: Any) -> str:
    """'line L, column C' of a character position in the request body."""
    try:
        body = (await request.body()).decode("utf-8", errors="replace")
        offset = int(position)
    except (ValueError, TypeError, RuntimeError):
        return f"character {position}"
    before = body[:offset]
    line_number = before.count("\n") + 1
    column = offset - (before.rfind("\n") + 1) + 1
    return f"line {line_number}, column {column}"


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    raw = list(exc.errors())
    if any(list(e.get("loc", ()))[:1] == ["path"] for e in raw):
        # A path a route took only by its shape (PATCH /agreements/export.xlsx reached
        # PATCH /agreements/{agreement_id}): where other operations serve this path, the method
        # is the mistake, not the id.
        allowed = _allowed_methods(request)
        if allowed and request.method not in allowed:
            return problem(
                405,
                "method-not-allowed",
                "Method not allowed",
                f"{request.method} is not served at this path; it serves {', '.join(allowed)}.",
                headers={"Allow": ", ".join(allowed)},
            )
    broken = next((e for e in raw if e.get("type") == "json_invalid"), None)
    if broken is not None:
        loc = list(broken.get("loc", ()))
        where = await _json_position(request, loc[-1] if len(loc) > 1 else 0)
        reason = (broken.get("ctx") or {}).get("error", "JSON decode error")
        detail = f"The body is not valid JSON: {reason} at {where}."
        return problem(
            422,
            "invalid-json",
            "The body is not valid JSON",
            detail,
            errors=[{"loc": ["body"], "msg": detail, "type": "json_invalid"}],
        )
    errors = [
        {"loc": list(err.get("loc", ())), "msg": _message(err), "type": err.get("type", "")}
        for err in raw
    ]
    fields = "; ".join(dict.fromkeys(f"{_loc_text(e['loc'])}: {e['msg']}" for e in errors))
    rules = [e["type"] for e in errors if str(e["type"]).startswith(RULE_ERROR_PREFIX)]
    if rules and len(rules) == len(errors):
        # A well-formed body that breaks a rule across its fields (schemas.rule_error): the
        # answer of that rule, as a service would give it, not "the request is not valid".
        return problem(
            422,
            rules[0].removeprefix(RULE_ERROR_PREFIX),
            RuleViolation.title,
            f"{fields}.",
            errors=errors,
        )
    return problem(
        422,
        "validation-error",
        "The request is not valid",
        f"Check these fields: {fields}." if fields else "The request is not valid.",
        errors=errors,
    )


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 400:
        # FastAPI's word for a body it cannot decode at all (not UTF-8, a broken form): the same
        # answer as broken JSON, so clients meet one status for one kind of mistake.
        return problem(
            422,
            "invalid-body",
            "The body cannot be read",
            f"The body cannot be read: {exc.detail}. Send JSON in UTF-8 (or the documented form).",
            errors=[{"loc": ["body"], "msg": "cannot be decoded", "type": "body_invalid"}],
        )
    slug = {404: "not-found", 405: "method-not-allowed", 413: "body-too-large"}.get(
        exc.status_code, "http-error"
    )
    title = {
        404: "Not found",
        405: "Method not allowed",
        413: "The request body is too large",
    }.get(exc.status_code, "HTTP error")
    detail = exc.detail if isinstance(exc.detail, str) else title
    headers = getattr(exc, "headers", None)
    if exc.status_code == 405:
        headers = {**(headers or {}), "Allow": ", ".join(_allowed_methods(_request))}
    return problem(exc.status_code, slug, title, detail, headers=headers)


def _allowed_methods(request: Request) -> list[str]:
    """Every method some operation serves at this path, from the OpenAPI document (each route
    serves one method, so Starlette's own Allow header names only the first). A path parameter
    typed as an integer matches digits only, so `/users/me` does not borrow the methods of
    `/users/{user_id}`."""

    methods: set[str] = set()
    for template, operations in request.app.openapi().get("paths", {}).items():
        # A path parameter the document types as an integer (an id) matches digits only, so
        # /agreements/export.xlsx is not also /agreements/{agreement_id}.
        numeric = {
            p["name"]
            for operation in operations.values()
            for p in operation.get("parameters", [])
            if p.get("in") == "path" and p.get("schema", {}).get("type") == "integer"
        }

        def part(match: re.Match[str], numeric: set[str] = numeric) -> str:
            return "[0-9]+" if match.group(1) in numeric else "[^/]+"

        pattern = re.sub(r"\\\{([^}]+)\\\}", part, re.escape(template))
        if re.fullmatch(pattern, request.url.path):
            methods |= {m.upper() for m in operations}
    return sorted(methods | ({"HEAD"} if "GET" in methods else set()))


async def _integrity_error(_request: Request, exc: Exception) -> JSONResponse:
    # Services check rules first and give a precise message; reaching here means two writers raced
    # and the database constraint kept the data right.
    logger.warning("integrity error: %s", exc)
    return problem(
        409,
        "concurrent-conflict",
        "Conflict with a concurrent change",
        "Another change to the same records was saved at the same moment; reload and try again.",
    )


async def _stale_error(_request: Request, exc: Exception) -> JSONResponse:
    logger.warning("stale data: %s", exc)
    return problem(
        409,
        "stale-version",
        "The record was changed by someone else",
        "The record was changed by someone else while you were editing; reload and try again.",
    )


async def _database_busy(_request: Request, exc: Exception) -> JSONResponse:
    # Every pooled connection stayed busy for pool_timeout: the service is overloaded, not
    # broken. A client (and a load balancer) should retry shortly, not report a bug.
    logger.warning("database busy: %s", exc)
    return problem(
        503,
        "database-busy",
        "The service is busy",
        "Every database connection is busy; try again in a few seconds.",
        headers={"Retry-After": "5"},
    )


def _is_busy(exc: DBAPIError) -> bool:
    """A statement that waited too long (PostgreSQL's statement_timeout, SQLite's lock)."""
    text = str(exc.orig).lower()
    return "statement timeout" in text or "database is locked" in text


async def _database_error(request: Request, exc: Exception) -> JSONResponse:
    # The database cannot be reached or the connection died under the request (a restart, a
    # failover, a network cut): not a bug of this request, nothing was committed by it, and a
    # retry shortly will do. Other driver errors stay 500s.
    assert isinstance(exc, DBAPIError)
    if isinstance(exc, OperationalError) and _is_busy(exc):
        return await _database_busy(request, exc)
    if not (isinstance(exc, OperationalError) or exc.connection_invalidated):
        return await _unexpected_error(request, exc)
    logger.warning("database unavailable: %s", exc)
    return problem(
        503,
        "database-unavailable",
        "The database is unavailable",
        "The registry cannot reach its database at the moment. Try again in a little while "
        "(a write sent with an Idempotency-Key is then saved once, whatever became of it).",
        headers={"Retry-After": str(UNAVAILABLE_RETRY_AFTER)},
    )


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    request_id = getattr(request.state, "request_id", None) or uuid.uuid4().hex
    logger.exception("unexpected error, request id %s", request_id, exc_info=exc)
    return problem(
        500,
        "internal-error",
        "Internal error",
        f"Something went wrong on our side. Quote request id {request_id} when reporting it.",
        request_id=request_id,
    )


def install_error_handlers(app: FastAPI) -> None:
    """Answer every error as problem+json."""
    app.add_exception_handler(AppError, _app_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(IntegrityError, _integrity_error)
    app.add_exception_handler(StaleDataError, _stale_error)
    app.add_exception_handler(PoolTimeout, _database_busy)
    app.add_exception_handler(DBAPIError, _database_error)
    app.add_exception_handler(Exception, _unexpected_error)


# For OpenAPI: the body shape of every error answer.
PROBLEM_SCHEMA: dict[str, Any] = {
    "content": {
        PROBLEM_JSON: {
            "schema": {
                "type": "object",
                "properties": {
                    "type": {"type": "string", "example": "/problems/rule-violation"},
                    "title": {"type": "string"},
                    "status": {"type": "integer"},
                    "detail": {"type": "string"},
                    "errors": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "loc": {"type": "array", "items": {}},
                                "msg": {"type": "string"},
                            },
                        },
                    },
                },
                "required": ["type", "title", "status", "detail"],
            }
        }
    }
}


def responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` entries for the problem answers a route can give."""
    descriptions = {
        401: "No API key, or an unknown, revoked or expired one (X-API-Key)",
        403: "The key's user may not do this (role, or not a party's organization)",
        404: "Not found",
        409: "Conflict with the current state (frozen field, duplicate number, stale version)",
        413: "The request body is larger than the server accepts",
        415: "The file is not of a kind accepted, judged from its bytes",
        422: "Invalid input or a rule of the registry not met",
        429: "Too many requests; wait for Retry-After seconds",
        503: "The database is busy (`database-busy`: every connection in use) or unreachable "
        "(`database-unavailable`): retry after Retry-After seconds",
    }
    return {code: {"description": descriptions[code], **PROBLEM_SCHEMA} for code in codes}
