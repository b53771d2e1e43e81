"""Which problem types each operation can answer, read from the code that raises them.

A rule of the registry is raised where it lives (`RuleViolation(..., type_slug="nk-only")` in a
service, `rule_error("activity-dates", ...)` in a body's validator, `problem(409, ...)` in the
idempotency route): that is the one home of a problem type. The OpenAPI document lists, under
each 4xx answer of an operation, the types its code can reach, found by following the calls
from the operation's endpoint, its dependencies, its route class and its body's models through
the application's own functions. Nothing is copied by hand per route, so a rule added to a
service shows up in the document of every operation that reaches it.

The walk is static and generous: a function named or called on some path counts as reachable,
so the document may list a type a given request cannot meet, never omit one the code raises
(tests/fuzz_checks.py checks every answer against the list).
"""

import ast
import builtins
import inspect
import textwrap
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from typing import Any, get_args

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import BaseModel

from app.core import errors

# Answers of the error handlers of app/core/errors.py, by what the request has.
PARAMETERS = {422: {"validation-error"}}
BODY = {422: {"validation-error", "invalid-json", "invalid-body"}}
WRITE = {409: {"concurrent-conflict", "stale-version"}}
# A path whose parameter has a converter (`/users/{user_id:int}`) matches no route for another
# value: the router's own 404.
CONVERTED_PATH = {404: {"not-found"}}

Found = frozenset[tuple[int, str]]


def _is_ours(obj: Any) -> bool:
    module = getattr(obj, "__module__", None) or ""
    return module.startswith("app.") and not module.startswith("app.console")


def _unwrap(obj: Any) -> Any:
    """The function under a staticmethod, classmethod or pydantic validator."""
    for _ in range(5):
        inner = getattr(obj, "wrapped", None) or getattr(obj, "__func__", None)
        if inner is None:
            break
        obj = inner
    return inspect.unwrap(obj) if callable(obj) else obj


def _members(cls: type) -> Iterator[Any]:
    """The functions of a class of ours and of its bases of ours (validators included)."""
    for klass in cls.__mro__:
        if not _is_ours(klass):
            continue
        for value in list(vars(klass).values()):
            function = _unwrap(value)
            if inspect.isfunction(function):
                yield function


def _constant(node: ast.AST | None) -> Any:
    return node.value if isinstance(node, ast.Constant) else None


class _Walker:
    """What one function raises itself, and which of our functions and classes it reaches."""

    def __init__(self, function: Any) -> None:
        self.function = function
        self.names: dict[str, Any] = {**vars(builtins), **function.__globals__}
        closure = inspect.getclosurevars(function).nonlocals if function.__closure__ else {}
        self.names.update(closure)
        owner = function.__qualname__.rsplit(".", 1)[0]
        self.owner = self.names.get(owner) if "." in function.__qualname__ else None

    def resolve(self, node: ast.AST) -> Any:
        if isinstance(node, ast.Name):
            if node.id in {"self", "cls"}:
                return self.owner
            return self.names.get(node.id)
        if isinstance(node, ast.Attribute):
            base = self.resolve(node.value)
            return getattr(base, node.attr, None) if base is not None else None
        return None

    def walk(self) -> tuple[Found, frozenset[Any]]:
        try:
            tree = ast.parse(textwrap.dedent(inspect.getsource(self.function)))
        except (OSError, TypeError, SyntaxError):
            return frozenset(), frozenset()
        found: set[tuple[int, str]] = set()
        reached: set[Any] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                target = self.resolve(node.func)
                found |= self.raised_by_call(target, node)
                if target is not None:
                    reached.add(target)
            elif isinstance(node, ast.Raise) and node.exc is not None:
                target = self.resolve(node.exc)
                if isinstance(target, type) and issubclass(target, errors.AppError):
                    found.add((target.status, target.type_slug))
            elif isinstance(node, (ast.Name, ast.Attribute)) and isinstance(node.ctx, ast.Load):
                target = self.resolve(node)
                if inspect.isfunction(_unwrap(target)) and _is_ours(_unwrap(target)):
                    reached.add(target)  # a function passed on (a callback, a dependency)
        return frozenset(found), frozenset(t for t in reached if _reachable(t))

    @staticmethod
    def raised_by_call(target: Any, node: ast.Call) -> set[tuple[int, str]]:
        keywords = {k.arg: k.value for k in node.keywords}
        if isinstance(target, type) and issubclass(target, errors.AppError):
            slug = _constant(keywords.get("type_slug"))
            return {(target.status, slug if isinstance(slug, str) else target.type_slug)}
        if target is errors.problem and len(node.args) >= 2:
            status, slug = _constant(node.args[0]), _constant(node.args[1])
            if isinstance(status, int) and isinstance(slug, str):
                return {(status, slug)}
        if getattr(target, "__name__", None) == "rule_error" and _is_ours(target) and node.args:
            slug = _constant(node.args[0])
            if isinstance(slug, str):
                return {(422, slug)}
        return set()


def _reachable(target: Any) -> bool:
    function = _unwrap(target)
    if inspect.isfunction(function):
        return _is_ours(function)
    return isinstance(target, type) and _is_ours(target) and not issubclass(target, errors.AppError)


@cache
def _direct(target: Any) -> tuple[Found, frozenset[Any]]:
    """What a function raises itself and what it reaches; for a class, its functions."""
    if isinstance(target, type):
        return frozenset(), frozenset(_members(target))
    function = _unwrap(target)
    if not inspect.isfunction(function):
        return frozenset(), frozenset()
    return _Walker(function).walk()


def raised_from(roots: Iterable[Any]) -> dict[int, set[str]]:
    """Every (status, type) the code reachable from these functions and classes can raise."""
    seen: set[Any] = set()
    todo = [root for root in roots if root is not None]
    found: dict[int, set[str]] = {}
    while todo:
        target = todo.pop()
        try:
            if target in seen:
                continue
            seen.add(target)
        except TypeError:  # unhashable: not a function nor a class
            continue
        own, reached = _direct(target)
        for status, slug in own:
            found.setdefault(status, set()).add(slug)
        todo.extend(reached)
    return found


def _dependency_calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    for sub in dependant.dependencies:
        if sub.call is not None:
            yield sub.call
        yield from _dependency_calls(sub)


def _has_parameters(dependant: Dependant) -> bool:
    """Whether the request has a path, query or header parameter (its own or a dependency's)."""
    own = dependant.path_params or dependant.query_params or dependant.header_params
    return bool(own) or any(_has_parameters(sub) for sub in dependant.dependencies)


def _models(annotation: Any) -> Iterator[type[BaseModel]]:
    """The request models of a body annotation, nested ones included."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
        for field in annotation.model_fields.values():
            if field.annotation is not annotation:
                yield from _models(field.annotation)
    for argument in get_args(annotation):
        yield from _models(argument)


def _merge(into: dict[int, set[str]], more: dict[int, set[str]]) -> None:
    for status, slugs in more.items():
        into.setdefault(status, set()).update(slugs)


def problem_types(route: Any) -> dict[int, set[str]]:
    """The problem types (slugs) an operation can answer, by status. `route` is an APIRoute or
    FastAPI's view of one as included (a RouteContext: endpoint, dependant, methods)."""
    original = getattr(route, "original_route", route)
    dependant: Dependant = route.dependant
    roots: list[Any] = [route.endpoint, *_dependency_calls(dependant)]
    if _is_ours(type(original)):
        roots.append(type(original))
    has_body = bool(dependant.body_params)
    for param in dependant.body_params:
        roots.extend(_models(param.field_info.annotation))
    found = raised_from(roots)
    if has_body or _has_parameters(dependant):
        _merge(found, PARAMETERS)
    if has_body:
        _merge(found, BODY)
    if set(route.methods or ()) & {"POST", "PATCH", "PUT", "DELETE"}:
        _merge(found, WRITE)
    if ":" in getattr(original, "path", ""):
        _merge(found, CONVERTED_PATH)
    return found


def operations(app: Any) -> Iterator[tuple[str, str, Any]]:
    """(path, method, route) of every operation of the app, as the OpenAPI document has them."""
    for context in iter_route_contexts(app.routes):
        path = context.path_format
        if isinstance(context.original_route, APIRoute) and context.include_in_schema and path:
            for method in context.methods or ():
                yield path, method.lower(), context
