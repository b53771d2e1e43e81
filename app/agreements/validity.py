"""The rules of an agreement's shape and validity: kind and parent, the validity window."""

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from app.agreements.models import Agreement, AgreementKind
from app.agreements.status import SIGNED_ONCE, AgreementFacts, facts_of
from app.core.errors import Conflict, RuleViolation, field_error


def check_kind_and_parent(
    session: Session, *, kind: AgreementKind, parent_id: int | None
) -> Agreement | None:
    """A PKS needs an NK as parent; an NK has none. Returns the parent."""
    if kind == AgreementKind.amendment:
        raise RuleViolation(
            "An amendment (adendum) is made from the agreement it amends: "
            "POST /api/v1/agreements/{id}/amendments.",
            type_slug="amendment-via-its-agreement",
            errors=[field_error("kind", msg="use the amendments endpoint")],
        )
    if kind == AgreementKind.nk:
        if parent_id is not None:
            raise RuleViolation(
                "An NK (Nota Kesepahaman) is the umbrella agreement and has no parent; "
                "leave parent_id empty.",
                type_slug="nk-has-no-parent",
                errors=[field_error("parent_id", msg="an nk has no parent")],
            )
        return None
    if parent_id is None:
        raise RuleViolation(
            "A PKS (Perjanjian Kerja Sama) is derived from an NK: parent_id is required.",
            type_slug="pks-needs-parent",
            errors=[field_error("parent_id", msg="required for a pks")],
        )
    parent = session.get(Agreement, parent_id)
    if parent is None:
        raise RuleViolation(
            f"parent_id {parent_id} names no agreement.",
            type_slug="unknown-parent-agreement",
            errors=[field_error("parent_id", msg="no agreement with this id")],
        )
    if parent.kind != AgreementKind.nk:
        raise RuleViolation(
            f"The parent of a PKS must be an NK; agreement {parent_id} is a {parent.kind.upper()}.",
            type_slug="pks-parent-not-nk",
            errors=[field_error("parent_id", msg="must be an nk")],
        )
    return parent


@dataclass(frozen=True)
class Bounds:
    """An agreement's validity as it stands (valid_until as amended)."""

    title: str
    valid_from: date | None
    valid_until: date | None


def bounds_of(session: Session, agreement: Agreement, today: date) -> Bounds:
    """The validity of an agreement with its fully signed amendments applied."""
    assert agreement.id is not None
    facts = facts_of(session, agreement.id, today)
    return Bounds(agreement.title, agreement.valid_from, facts.valid_until)


def check_validity(
    *, valid_from: date | None, valid_until: date | None, parent: Agreement | Bounds | None
) -> None:
    """valid_from ≤ valid_until, and a PKS lies inside its NK where the NK's bounds are known."""
    if valid_from and valid_until and valid_from > valid_until:
        raise RuleViolation(
            f"valid_from ({valid_from}) is after valid_until ({valid_until}).",
            type_slug="validity-order",
            errors=[field_error("valid_until", msg="must not be before valid_from")],
        )
    if parent is None:
        return
    errors = []
    if parent.valid_from and valid_from and valid_from < parent.valid_from:
        errors.append(field_error("valid_from", msg=f"before the NK's {parent.valid_from}"))
    if parent.valid_until and valid_until and valid_until > parent.valid_until:
        errors.append(field_error("valid_until", msg=f"after the NK's {parent.valid_until}"))
    if errors:
        raise RuleViolation(
            f"A PKS must lie within the validity of its NK '{parent.title}' "
            f"({parent.valid_from or '…'} to {parent.valid_until or '…'}).",
            type_slug="pks-validity-outside-nk",
            errors=errors,
        )


def check_pks_due_on(*, kind: AgreementKind, pks_due_on: date | None) -> None:
    """Only an NK has a date by which its PKS should be signed."""
    if pks_due_on is not None and kind != AgreementKind.nk:
        raise RuleViolation(
            "pks_due_on is the date by which the PKS of an NK should be signed; a PKS has none.",
            type_slug="pks-due-on-nk-only",
            errors=[field_error("pks_due_on", msg="only for an nk")],
        )


def signed_facts(session: Session, agreement_id: int, today: date, doing: str) -> AgreementFacts:
    """The facts of an NK or PKS that every party has signed (in force now or once): what is
    evaluated and reported on. `doing` names the act for the message ("evaluated")."""
    facts = facts_of(session, agreement_id, today)
    if facts.agreement.kind == AgreementKind.amendment:
        raise RuleViolation(
            f"An adendum is {doing} with the agreement it amends "
            f"(agreement {facts.agreement.amends_id}).",
            type_slug="adendum-goes-with-its-agreement",
        )
    if facts.status not in SIGNED_ONCE:
        raise Conflict(
            f"Agreement {agreement_id} is {facts.status.value.replace('_', ' ')}; an agreement "
            f"is {doing} once every party has signed it.",
            type_slug="not-signed-yet",
        )
    return facts
