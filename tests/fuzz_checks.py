"""Checks of the contract added to schemathesis' own, for `schemathesis run` (loaded by
schemathesis.toml's `hooks`) and tests/test_fuzz.py alike.

A request valid by the document may still break a rule of the registry that no schema can
state (an NK-only operation called on a PKS, a window that ends before it starts, a file that is
not a PDF): it is answered 422 (or 415 for the file) with the rule's own problem type, which
schemathesis.toml lets `positive_data_acceptance` take. What must never happen is a valid request
answered as malformed: that is a limit the document does not state.
"""

from typing import Any

import schemathesis

# The problem types of a request that is not what the document asks for.
MALFORMED = {
    "/problems/validation-error",
    "/problems/invalid-json",
    "/problems/invalid-body",
    "/problems/idempotency-key-invalid",
}


def _is_shape_probe(case: Any) -> bool:
    try:
        from schemathesis.specs.openapi.checks import is_unexpected_http_status_case
    except ImportError:  # pragma: no cover - a later schemathesis moved it
        return False
    return bool(is_unexpected_http_status_case(case))


@schemathesis.check
def valid_requests_are_not_called_malformed(ctx: Any, response: Any, case: Any) -> bool | None:
    """A request the document calls valid is never refused as malformed (validation-error)."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or _is_shape_probe(case):
        return None
    if response.status_code not in (415, 422):
        return None
    try:
        kind = response.json().get("type")
    except ValueError:
        kind = None
    if kind in MALFORMED or kind is None:
        raise AssertionError(
            f"A request valid by the document was refused as malformed ({kind}): "
            f"{response.text[:500]}"
        )
    return None
