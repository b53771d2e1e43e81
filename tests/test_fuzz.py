"""Every operation of the OpenAPI document driven with generated input (schemathesis), as an
admin of the seeded registry, the rate limit off, with every check schemathesis has (as
`schemathesis run --checks all`) and the project's own (tests/fuzz_checks.py), configured by
schemathesis.toml: no 5xx; status codes, content types, headers and bodies as documented; what
the document calls invalid is refused and what it calls valid is not refused as malformed.
FUZZ_EXAMPLES sets the budget per operation (`make fuzz` runs longer)."""

import os
from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import CHECKS, CheckFunction, is_check_class, load_all_checks
from schemathesis.config import SchemathesisConfig
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation import GenerationMode
from sqlalchemy import Connection
from sqlmodel import Session

import tests.fuzz_checks  # noqa: F401  (registers the project's checks)
from app.core.config import PROJECT_ROOT
from app.core.config import settings as app_settings
from app.core.deps import get_settings
from app.main import app
from tests.conftest import key_for

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10"))
schema = schemathesis.openapi.from_asgi(
    "/openapi.json", app, config=SchemathesisConfig.from_path(PROJECT_ROOT / "schemathesis.toml")
)
load_all_checks()
ALL_CHECKS: list[CheckFunction] = [c for c in CHECKS.get_all() if not is_check_class(c)]  # type: ignore[misc]
FUZZ_SETTINGS = app_settings.model_copy(
    update={
        "RATE_LIMIT_PER_MINUTE": 0,
        "PUBLIC_REQUESTS_PER_MINUTE": 0,
        "SCHEDULER_TOKEN": "fuzz",
        "SMTP_HOST": None,
    }
)


@pytest.fixture
def seeded_registry(
    seeded_connection: Connection, client: object, session: Session
) -> Iterator[Session]:
    """The seeded real cases (loaded once for the module, see tests/conftest.py); the `client`
    fixture points the app at the test database."""
    app.dependency_overrides[get_settings] = lambda: FUZZ_SETTINGS
    yield session


def test_every_check_is_run() -> None:
    names = {check.__name__ for check in ALL_CHECKS}
    assert {
        "not_a_server_error",
        "negative_data_rejection",
        "positive_data_acceptance",
        "unsupported_method",
        "valid_requests_are_not_called_malformed",
        "problem_types_are_documented",
    } <= names


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_the_api_answers_as_documented(case: schemathesis.Case, seeded_registry: Session) -> None:
    # A key of its own for each case: a generated case may revoke a key or disable a user.
    admin_key = key_for(seeded_registry, "admin")
    headers = {"X-API-Key": admin_key, "Authorization": "Bearer fuzz"}
    if headers_made_invalid(case):
        # A case whose headers were made invalid on purpose (the key left out, among others):
        # adding the key back would make it a valid request that the check then calls
        # "accepted though invalid". It goes as generated, and must be refused.
        headers = {}
    case.call_and_validate(headers=headers, checks=ALL_CHECKS)


def headers_made_invalid(case: schemathesis.Case) -> bool:
    meta = case.meta
    if meta is None:
        return False
    header = meta.components.get(ParameterLocation.HEADER)
    return header is not None and header.mode == GenerationMode.NEGATIVE
