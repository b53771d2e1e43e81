"""trusted() (app/core/responses.py): a model built from typed values without validation is the
model validation builds, field for field, and its JSON the same; instances built with every
field share one set of their names, which stays right when one of them is changed or copied."""

from typing import Any

from app.agreements.schemas import ScopeItemPublic
from app.core.responses import json_body, trusted

ITEM: dict[str, Any] = {
    "id": 7,
    "position": 1,
    "title": "Pengelolaan pengaduan",
    "description": None,
    "source_item_id": 3,
    "from_nk": True,
    "added_by_amendment_id": None,
}


def test_trusted_is_what_validation_builds() -> None:
    built = trusted(ScopeItemPublic, **ITEM)
    validated = ScopeItemPublic.model_validate(ITEM)
    assert built == validated
    assert json_body(built) == json_body(validated)
    assert built.model_fields_set == validated.model_fields_set == set(ITEM)


def test_models_with_every_field_share_names_safely() -> None:
    one = trusted(ScopeItemPublic, **ITEM)
    other = trusted(ScopeItemPublic, **{**ITEM, "id": 8})
    one.title = "Pengawasan"  # pydantic adds the name it holds already
    assert one.model_fields_set == other.model_fields_set == set(ITEM)
    copied = other.model_copy(update={"position": 2})
    assert copied.position == 2 and other.position == 1
    assert other.model_fields_set == set(ITEM)


def test_a_model_given_fewer_fields_has_its_own_names() -> None:
    partial = {k: v for k, v in ITEM.items() if k != "added_by_amendment_id"}
    built = trusted(ScopeItemPublic, **partial)
    assert built.model_fields_set == set(partial)
    assert trusted(ScopeItemPublic, **ITEM).model_fields_set == set(ITEM)
