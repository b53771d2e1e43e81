"""Every enum value has its Indonesian label, in one place (app/labels.py)."""

import ast
import importlib
import pkgutil
import re
from datetime import date
from enum import StrEnum
from pathlib import Path

import app
import app.models  # noqa: F401  (the domains' models, as the brief's walk starts)
from app.agreements.models import AgreementKind
from app.labels import (
    LABELS,
    PROBLEM_TITLES,
    day_text,
    label,
    labels_of,
    number_text,
    problem_title,
)
from app.obligations.models import Recurrence


def app_enums() -> list[type[StrEnum]]:
    """Every StrEnum defined in a module of `app` (every module imported first, so an enum in a
    new module is found too)."""
    for module in pkgutil.walk_packages(app.__path__, prefix="app."):
        if not module.name.endswith("__main__"):  # running it is the command line
            importlib.import_module(module.name)
    found: list[type[StrEnum]] = []
    pending: list[type[StrEnum]] = list(StrEnum.__subclasses__())
    while pending:
        enum = pending.pop()
        pending.extend(enum.__subclasses__())
        if enum.__module__.split(".")[0] == "app":
            found.append(enum)
    return sorted(found, key=lambda e: f"{e.__module__}.{e.__qualname__}")


def test_every_value_of_every_enum_has_an_indonesian_label() -> None:
    enums = app_enums()
    assert len(enums) >= 15  # the walk finds them (kind, status, zone, role, recurrence, ...)
    missing = [
        f"{enum.__module__}.{enum.__qualname__}.{member.name}"
        for enum in enums
        for member in enum
        if not (enum in LABELS and member in LABELS[enum] and LABELS[enum][member].strip())
    ]
    assert missing == [], f"add their labels to app/labels.py: {missing}"
    for enum in enums:
        assert all(label(member) == LABELS[enum][member] for member in enum)
    # Nothing labelled that is not an enum value of app (a stale table after a rename).
    assert set(LABELS) == set(enums)
    assert all(set(table) == set(enum) for enum, table in LABELS.items())


def test_labels_read_as_staff_write_them() -> None:
    assert label(AgreementKind.amendment) == "Adendum"
    assert list(labels_of(Recurrence).values())[:3] == ["Sekali", "Bulanan", "Triwulanan"]
    assert day_text(date(2022, 7, 3)) == "3 Juli 2022"


SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def _slugs_in(tree: ast.AST) -> set[str]:
    """The problem types a module can answer with, wherever a slug is written: an AppError's
    `type_slug = "..."` or `type_slug="..."`, `problem(status, "slug", ...)`, a workbook row's
    `run.problem(sheet, row, key, msg, "slug")`, `rule_error("slug", ...)`, and a status-to-slug
    table read with `.get(status, "slug")`."""
    found: set[str] = set()

    def add(node: ast.AST | None) -> None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            found.add(node.value)

    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            for statement in node.body:
                value: ast.expr | None
                if isinstance(statement, ast.Assign):
                    targets, value = statement.targets, statement.value
                elif isinstance(statement, ast.AnnAssign):
                    targets, value = [statement.target], statement.value
                else:
                    continue
                if any(isinstance(t, ast.Name) and t.id == "type_slug" for t in targets):
                    add(value)
        if not isinstance(node, ast.Call):
            continue
        for keyword in node.keywords:
            if keyword.arg == "type_slug":
                add(keyword.value)
        func, args = node.func, node.args
        if isinstance(func, ast.Name) and func.id == "problem" and len(args) > 1:
            add(args[1])
        if isinstance(func, ast.Attribute) and func.attr == "problem" and len(args) > 4:
            add(args[4])
        if isinstance(func, ast.Name) and func.id == "rule_error" and args:
            add(args[0])
        if (
            isinstance(func, ast.Attribute)
            and func.attr == "get"
            and isinstance(func.value, ast.Dict)
            and all(
                isinstance(v, ast.Constant) and SLUG.match(str(v.value)) for v in func.value.values
            )
        ):
            for value in [*func.value.values, *args[1:]]:
                add(value)
    return found


def problem_slugs() -> set[str]:
    """Every problem type written anywhere under app/."""
    root = Path(app.__file__).parent
    return set().union(*(_slugs_in(ast.parse(p.read_text())) for p in root.rglob("*.py")))


def test_every_problem_type_has_an_indonesian_title() -> None:
    slugs = problem_slugs()
    # The walk finds them: the general ones, a rule's, a row's, a schema's, the HTTP table's.
    assert {
        "not-found",
        "agreement-not-found",
        "pks-party-outside-nk",
        "bad-date",
        "activity-dates",
        "http-error",
    } <= slugs
    assert len(slugs) >= 130
    assert all(SLUG.match(slug) for slug in slugs), sorted(s for s in slugs if not SLUG.match(s))
    missing = sorted(slug for slug in slugs if not PROBLEM_TITLES.get(slug, "").strip())
    assert missing == [], f"add their Indonesian titles to app/labels.py: {missing}"
    # Nothing translated that the code no longer answers with (a stale entry after a rename).
    assert sorted(set(PROBLEM_TITLES) - slugs) == []
    assert problem_title("agreement-not-found") == "Perjanjian tidak ditemukan"


def test_the_walk_finds_a_slug_in_each_way_it_is_written() -> None:
    source = """
class Gone(NotFound):
    type_slug = "a-class"
class Typed(AppError):
    type_slug: str = "an-annotated-class"
raise RuleViolation("x", type_slug="a-keyword")
problem(404, "a-problem", "t", "d")
run.problem(sheet, row, key, msg, "a-row")
rule_error("a-schema-rule", "m")
{404: "a-table"}.get(code, "a-default")
"""
    assert _slugs_in(ast.parse(source)) == {
        "a-class",
        "an-annotated-class",
        "a-keyword",
        "a-problem",
        "a-row",
        "a-schema-rule",
        "a-table",
        "a-default",
    }


def test_numbers_are_written_with_a_decimal_comma_and_a_thousands_point() -> None:
    assert [number_text(v) for v in (86.6, 100.0, 1024, 0.5, 1234567.891, -4.5)] == [
        "86,6",
        "100",
        "1.024",
        "0,5",
        "1.234.567,89",
        "-4,5",
    ]
    assert number_text(12.34, 1) == "12,3"
