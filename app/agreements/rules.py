"""The registry's rules for an agreement's shape, parties, numbers and validity."""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from app.agreements.lifecycle import effective_valid_until_expression
from app.agreements.models import Agreement, AgreementKind, AgreementParty
from app.core.errors import Conflict, RuleViolation
from app.organizations.models import Organization
from app.organizations.service import ancestry, organizations_by_id


@dataclass(frozen=True)
class PartyFacts:
    """What the rules need to know of one party."""

    organization_id: int
    document_number: str | None


def _loc(*parts: Any) -> list[Any]:
    return ["body", *parts]


def check_kind_and_parent(
    session: Session, *, kind: AgreementKind, parent_id: int | None
) -> Agreement | None:
    """A PKS needs an NK as parent; an NK has none. Returns the parent."""
    if kind == AgreementKind.amendment:
        raise RuleViolation(
            "An amendment (adendum) is made from the agreement it amends: "
            "POST /api/v1/agreements/{id}/amendments.",
            type_slug="amendment-via-its-agreement",
            errors=[{"loc": _loc("kind"), "msg": "use the amendments endpoint"}],
        )
    if kind == AgreementKind.nk:
        if parent_id is not None:
            raise RuleViolation(
                "An NK (Nota Kesepahaman) is the umbrella agreement and has no parent; "
                "leave parent_id empty.",
                type_slug="nk-has-no-parent",
                errors=[{"loc": _loc("parent_id"), "msg": "an nk has no parent"}],
            )
        return None
    if parent_id is None:
        raise RuleViolation(
            "A PKS (Perjanjian Kerja Sama) is derived from an NK: parent_id is required.",
            type_slug="pks-needs-parent",
            errors=[{"loc": _loc("parent_id"), "msg": "required for a pks"}],
        )
    parent = session.get(Agreement, parent_id)
    if parent is None:
        raise RuleViolation(
            f"parent_id {parent_id} names no agreement.",
            type_slug="unknown-parent-agreement",
            errors=[{"loc": _loc("parent_id"), "msg": "no agreement with this id"}],
        )
    if parent.kind != AgreementKind.nk:
        raise RuleViolation(
            f"The parent of a PKS must be an NK; agreement {parent_id} is a {parent.kind.upper()}.",
            type_slug="pks-parent-not-nk",
            errors=[{"loc": _loc("parent_id"), "msg": "must be an nk"}],
        )
    return parent


@dataclass(frozen=True)
class Bounds:
    """An agreement's validity as it stands (valid_until as amended)."""

    title: str
    valid_from: date | None
    valid_until: date | None


def bounds_of(session: Session, agreement: Agreement) -> Bounds:
    """The validity of an agreement with its fully signed amendments applied."""
    valid_until = session.exec(
        select(effective_valid_until_expression(Agreement)).where(Agreement.id == agreement.id)
    ).one()
    return Bounds(agreement.title, agreement.valid_from, valid_until)


def check_validity(
    *, valid_from: date | None, valid_until: date | None, parent: Agreement | Bounds | None
) -> None:
    """valid_from ≤ valid_until, and a PKS lies inside its NK where the NK's bounds are known."""
    if valid_from and valid_until and valid_from > valid_until:
        raise RuleViolation(
            f"valid_from ({valid_from}) is after valid_until ({valid_until}).",
            type_slug="validity-order",
            errors=[{"loc": _loc("valid_until"), "msg": "must not be before valid_from"}],
        )
    if parent is None:
        return
    errors = []
    if parent.valid_from and valid_from and valid_from < parent.valid_from:
        errors.append({"loc": _loc("valid_from"), "msg": f"before the NK's {parent.valid_from}"})
    if parent.valid_until and valid_until and valid_until > parent.valid_until:
        errors.append({"loc": _loc("valid_until"), "msg": f"after the NK's {parent.valid_until}"})
    if errors:
        raise RuleViolation(
            f"A PKS must lie within the validity of its NK '{parent.title}' "
            f"({parent.valid_from or '…'} to {parent.valid_until or '…'}).",
            type_slug="pks-validity-outside-nk",
            errors=errors,
        )


def check_amendment_validity(
    session: Session, *, base: Agreement, valid_until: date | None
) -> None:
    """An amendment's new valid_until follows the start of its agreement, and a PKS's stays
    within its NK."""
    if valid_until is None:
        return
    if base.valid_from and valid_until < base.valid_from:
        raise RuleViolation(
            f"The new valid_until ({valid_until}) is before the agreement starts "
            f"({base.valid_from}).",
            type_slug="validity-order",
            errors=[{"loc": _loc("valid_until"), "msg": "before valid_from"}],
        )
    if base.parent_id is not None:
        nk = session.get(Agreement, base.parent_id)
        assert nk is not None
        nk_bounds = bounds_of(session, nk)
        if nk_bounds.valid_until and valid_until > nk_bounds.valid_until:
            raise RuleViolation(
                f"An amendment cannot extend a PKS past its NK '{nk.title}', valid until "
                f"{nk_bounds.valid_until}; amend or renew the NK first.",
                type_slug="amendment-past-nk",
                errors=[
                    {"loc": _loc("valid_until"), "msg": f"after the NK's {nk_bounds.valid_until}"}
                ],
            )


def check_pks_due_on(*, kind: AgreementKind, pks_due_on: date | None) -> None:
    """Only an NK has a date by which its PKS should be signed."""
    if pks_due_on is not None and kind != AgreementKind.nk:
        raise RuleViolation(
            "pks_due_on is the date by which the PKS of an NK should be signed; a PKS has none.",
            type_slug="pks-due-on-nk-only",
            errors=[{"loc": _loc("pks_due_on"), "msg": "only for an nk"}],
        )


def check_parties(
    session: Session, *, parties: Sequence[PartyFacts], parent: Agreement | None
) -> dict[int, Organization]:
    """At least two parties, each once, each known; a PKS party sits under a party of its NK."""
    if len(parties) < 2:
        raise RuleViolation(
            "An agreement has at least two parties (para pihak).",
            type_slug="too-few-parties",
            errors=[{"loc": _loc("parties"), "msg": "at least two parties"}],
        )
    seen: dict[int, int] = {}
    errors = []
    for index, party in enumerate(parties):
        if party.organization_id in seen:
            errors.append(
                {
                    "loc": _loc("parties", index, "organization_id"),
                    "msg": f"organization {party.organization_id} is already party "
                    f"{seen[party.organization_id]}",
                }
            )
        seen.setdefault(party.organization_id, index)
    if errors:
        raise RuleViolation(
            "Each organization is a party once.", type_slug="duplicate-party", errors=errors
        )
    organizations = organizations_by_id(session, seen)
    missing = [
        (i, p.organization_id)
        for i, p in enumerate(parties)
        if p.organization_id not in organizations
    ]
    if missing:
        raise RuleViolation(
            "Unknown organization: " + ", ".join(str(org_id) for _, org_id in missing) + ".",
            type_slug="unknown-organization",
            errors=[
                {
                    "loc": _loc("parties", i, "organization_id"),
                    "msg": "no organization with this id",
                }
                for i, _ in missing
            ],
        )
    if parent is not None:
        check_parties_under_nk(session, organizations=organizations, parties=parties, nk=parent)
    return organizations


def parties_of(session: Session, agreement_id: int) -> list[AgreementParty]:
    """The parties of an agreement, in order."""
    return list(
        session.exec(
            select(AgreementParty)
            .where(AgreementParty.agreement_id == agreement_id)
            .order_by(col(AgreementParty.position))
        )
    )


def facts_of(parties: Sequence[Any]) -> list[PartyFacts]:
    """What the rules need of parties, given as request bodies or as stored rows."""
    return [PartyFacts(p.organization_id, p.document_number) for p in parties]


def check_stored_parties_under_nk(session: Session, *, agreement_id: int, nk: Agreement) -> None:
    """The stored parties of a PKS still sit under the parties of this NK."""
    facts = facts_of(parties_of(session, agreement_id))
    organizations = organizations_by_id(session, [f.organization_id for f in facts])
    check_parties_under_nk(session, organizations=organizations, parties=facts, nk=nk)


def nk_party_ids(session: Session, nk_id: int) -> set[int]:
    """The organizations that are parties of an NK."""
    return set(
        session.exec(
            select(AgreementParty.organization_id).where(AgreementParty.agreement_id == nk_id)
        )
    )


def check_parties_under_nk(
    session: Session,
    *,
    organizations: dict[Any, Organization],
    parties: Sequence[PartyFacts],
    nk: Agreement,
) -> None:
    """Every party of a PKS is a party of its NK or lies under one in the organization tree."""
    assert nk.id is not None
    nk_parties = nk_party_ids(session, nk.id)
    lineage = ancestry(session, [p.organization_id for p in parties])
    offenders = [
        (index, organizations[p.organization_id])
        for index, p in enumerate(parties)
        if not lineage[p.organization_id] & nk_parties
    ]
    if offenders:
        names = "; ".join(f"'{o.name}' (id {o.id})" for _, o in offenders)
        raise RuleViolation(
            f"Every party of a PKS must be a party of its NK '{nk.title}' or an organization "
            f"under one (an SKPD under its government, a Perwakilan under its institution). "
            f"Not so: {names}.",
            type_slug="pks-party-outside-nk",
            errors=[
                {
                    "loc": _loc("parties", index, "organization_id"),
                    "msg": f"'{o.name}' is not under a party of the NK",
                }
                for index, o in offenders
            ],
        )


def check_numbers_unique(
    session: Session,
    *,
    parties: Sequence[PartyFacts],
    organizations: dict[int, Organization],
    agreement_id: int | None,
) -> None:
    """A document number is unique for the organization that issued it (case-insensitive)."""
    wanted = {
        (p.organization_id, p.document_number.lower()): p
        for p in parties
        if p.document_number is not None
    }
    if not wanted:
        return
    query = (
        select(AgreementParty, Agreement.title)
        .join(Agreement, col(Agreement.id) == AgreementParty.agreement_id)
        .where(
            col(AgreementParty.organization_id).in_({org for org, _ in wanted}),
            sa.func.lower(AgreementParty.document_number).in_({num for _, num in wanted}),
        )
    )
    if agreement_id is not None:
        query = query.where(AgreementParty.agreement_id != agreement_id)
    for existing, title in session.exec(query):
        key = (existing.organization_id, (existing.document_number or "").lower())
        if key in wanted:
            org = organizations[existing.organization_id]
            raise Conflict(
                f"Number '{existing.document_number}' of '{org.name}' is already used by "
                f"agreement {existing.agreement_id} '{title}'. A number identifies one document "
                f"of the party that issued it.",
                type_slug="duplicate-document-number",
                existing_agreement_id=existing.agreement_id,
            )


ROMAN_MONTHS = {
    numeral: month
    for month, numeral in enumerate(
        ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"], start=1
    )
}
YEAR = re.compile(r"^(19|20)\d\d$")


def number_mismatch(document_number: str, signed_on: date) -> str | None:
    """Why a number's month (Roman numeral) or year does not match its signing date, if so.

    A number may be reserved before signing, so this is a warning for staff, never a refusal.
    """
    segments = [s.strip().upper() for s in document_number.split("/")]
    numerals = [s for s in segments if s in ROMAN_MONTHS]
    years = [int(s) for s in segments if YEAR.match(s)]
    if numerals and ROMAN_MONTHS[numerals[-1]] != signed_on.month:
        return (
            f"the number '{document_number}' carries month {numerals[-1]}, "
            f"but it was signed on {signed_on.isoformat()}"
        )
    if years and years[-1] != signed_on.year:
        return (
            f"the number '{document_number}' carries year {years[-1]}, "
            f"but it was signed on {signed_on.isoformat()}"
        )
    return None
