"""Every enum value has its Indonesian label, in one place (app/labels.py)."""

import importlib
import pkgutil
from datetime import date
from enum import StrEnum

import app
import app.models  # noqa: F401  (the domains' models, as the brief's walk starts)
from app.agreements.models import AgreementKind
from app.labels import LABELS, day_text, label, labels_of
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
