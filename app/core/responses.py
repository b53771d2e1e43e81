"""Answers written once: a model built without validation, serialized by pydantic straight to the
response body, while the route's `response_model` still documents (and the tests check) its shape.

FastAPI, given a model, dumps it, validates the dump again against `response_model` and dumps it
once more; for a page of 50 agreements that is most of the time a read costs. Routes that build
their answer from typed database values (`model_construct`) return `json_response(model)` instead.
"""

from typing import Any, TypeVar

from pydantic import BaseModel
from starlette.responses import Response


def json_body(model: BaseModel) -> bytes:
    """The model as JSON, as FastAPI would write it. A value of a type other than its field's is
    an error here (a 500 the tests catch), never a silent warning."""
    return model.__pydantic_serializer__.to_json(model, warnings="error")


def json_response(model: BaseModel, status_code: int = 200) -> Response:
    """The model as the body of a JSON response."""
    return Response(json_body(model), status_code=status_code, media_type="application/json")


M = TypeVar("M", bound=BaseModel)
_set = object.__setattr__


_EVERY_FIELD: dict[type[BaseModel], set[str]] = {}


def _every_field(cls: type[BaseModel]) -> set[str]:
    """The names of every field of the model, one set shared by its instances built with all of
    them (a set of ~30 names per model was a tenth of a page's CPU). Sharing is safe: pydantic
    only adds to it names it holds already, and copies it for model_copy."""
    found = _EVERY_FIELD.get(cls)
    if found is None:
        found = _EVERY_FIELD[cls] = set(cls.__pydantic_fields__)
    return found


def trusted(cls: type[M], **values: Any) -> M:
    """A model from values already of their fields' types, every field given: what
    `model_construct` does, less its per-field bookkeeping (a quarter of a page's time). Nothing
    is checked here; `json_body` refuses a value of the wrong type, and the tests compare what
    is built so with the full validation."""
    model = cls.__new__(cls)
    _set(model, "__dict__", values)
    _set(
        model,
        "__pydantic_fields_set__",
        _every_field(cls) if len(values) == len(cls.__pydantic_fields__) else set(values),
    )
    _set(model, "__pydantic_extra__", None)
    _set(model, "__pydantic_private__", None)
    return model
