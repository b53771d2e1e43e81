"""Every operation of the OpenAPI document driven with generated input (schemathesis), as an
admin: no answer may be a 5xx, and every answer must be what the document says (status code,
content type, body). FUZZ_EXAMPLES sets the budget per operation (`make fuzz` runs longer)."""

import os
from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from sqlmodel import Session

from app.core.config import settings as app_settings
from app.core.deps import get_settings
from app.main import app
from tests.conftest import key_for

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10"))
schema = schemathesis.openapi.from_asgi("/openapi.json", app)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def admin_key(client: object, session: Session) -> Iterator[str]:
    """An admin's key; the `client` fixture points the app at the test database."""
    overrides = app_settings.model_copy(
        update={"RATE_LIMIT_PER_MINUTE": 0, "SCHEDULER_TOKEN": "fuzz", "SMTP_HOST": None}
    )
    app.dependency_overrides[get_settings] = lambda: overrides
    yield key_for(session, "admin")


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_the_api_answers_as_documented(case: schemathesis.Case, admin_key: str) -> None:
    case.call_and_validate(
        headers={"X-API-Key": admin_key, "Authorization": "Bearer fuzz"}, checks=CHECKS
    )
