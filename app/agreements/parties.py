"""Every rule about an agreement's parties (para pihak), and the only writer of party rows.

Who may be a party, "a party of the agreement or an organization under one", a Perwakilan in
its own province only, document numbers, one live PKS per SKPD under an NK, and the stored copy
of the signature facts: every write of a party goes through `insert_parties`, `replace_parties`
or `record_signature`, which keep that copy right.
"""

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from app.agreements.models import Agreement, AgreementParty
from app.agreements.search import store_search_documents
from app.agreements.status import (
    agreement_facts,
    expire_loaded,
    is_live,
    store_validity_facts,
)
from app.core.db import among
from app.core.errors import Conflict, RuleViolation, field_error
from app.core.types import utcnow
from app.organizations.models import Organization, OrganizationKind
from app.organizations.service import ancestry, organizations_by_id, provinces_of

# After finalisasi these party fields stay open until that party signs.
# What stays open after finalisasi, until that party signs.
PARTY_OPEN_FIELDS = (
    "document_number",
    "signatory_name",
    "signatory_title",
    "signing_authority",
    "pending_reason",
)


@dataclass(frozen=True)
class PartyFacts:
    """What the rules need to know of one party."""

    organization_id: int
    document_number: str | None


def facts_of(parties: Sequence[Any]) -> list[PartyFacts]:
    """What the rules need of parties, given as request bodies or as stored rows."""
    return [PartyFacts(p.organization_id, p.document_number) for p in parties]


# --- reading -----------------------------------------------------------------------------------


def parties_of(session: Session, agreement_id: int) -> list[AgreementParty]:
    """The parties of an agreement, in order."""
    return list(
        session.exec(
            select(AgreementParty)
            .where(AgreementParty.agreement_id == agreement_id)
            .order_by(col(AgreementParty.position))
        )
    )


def party_ids_by_agreement(
    session: Session, agreement_ids: Iterable[int] | sa.Select[Any]
) -> dict[int, tuple[int, ...]]:
    """The organizations that are parties of each agreement, in party order. The agreements are
    ids, or a SELECT of ids (thousands of them: the database joins instead of taking a list)."""
    chosen: Any
    result: dict[int, list[int]]
    if isinstance(agreement_ids, sa.Select):
        chosen, result = agreement_ids, {}
    else:
        chosen = set(agreement_ids)
        if not chosen:
            return {}
        result = {i: [] for i in chosen}
    among_chosen = (
        col(AgreementParty.agreement_id).in_(chosen)
        if isinstance(chosen, sa.Select)
        else among(session, col(AgreementParty.agreement_id), chosen)
    )
    for agreement_id, organization_id in session.exec(
        select(AgreementParty.agreement_id, AgreementParty.organization_id)
        .where(among_chosen)
        .order_by(col(AgreementParty.agreement_id), col(AgreementParty.position))
    ):
        result.setdefault(agreement_id, []).append(organization_id)
    return {k: tuple(v) for k, v in result.items()}


def party_ids(session: Session, agreement_id: int) -> set[int]:
    """The organizations that are parties of one agreement."""
    return set(party_ids_by_agreement(session, [agreement_id])[agreement_id])


def outside_parties(
    session: Session, agreement_id: int, organization_ids: Iterable[int]
) -> set[int]:
    """Those of the organizations that are neither a party of the agreement nor under one
    (an SKPD is under its provincial government, a Perwakilan under Ombudsman RI)."""
    parties = party_ids(session, agreement_id)
    lineage = ancestry(session, organization_ids)
    return {org_id for org_id, line in lineage.items() if not line & parties}


# --- checks ------------------------------------------------------------------------------------


def check_parties(
    session: Session, *, parties: Sequence[PartyFacts], parent: Agreement | None
) -> dict[int, Organization]:
    """At least two parties, each once, each known; a PKS party sits under a party of its NK;
    a regional office acts in its own province."""
    if len(parties) < 2:
        raise RuleViolation(
            "An agreement has at least two parties (para pihak).",
            type_slug="too-few-parties",
            errors=[field_error("parties", msg="at least two parties")],
        )
    seen: dict[int, int] = {}
    errors = []
    for index, party in enumerate(parties):
        if party.organization_id in seen:
            errors.append(
                field_error(
                    "parties",
                    index,
                    "organization_id",
                    msg=f"organization {party.organization_id} is already party "
                    f"{seen[party.organization_id] + 1}",
                )
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
            "Unknown organization: "
            + ", ".join(f"{org_id} (party {i + 1})" for i, org_id in missing)
            + ".",
            type_slug="unknown-organization",
            errors=[
                field_error("parties", i, "organization_id", msg="no organization with this id")
                for i, _ in missing
            ],
        )
    if parent is not None:
        check_parties_under_nk(session, organizations=organizations, parties=parties, nk=parent)
    check_offices_in_region(
        session,
        organizations,
        {p.organization_id: ("parties", i, "organization_id") for i, p in enumerate(parties)},
    )
    return organizations


def check_parties_under_nk(
    session: Session,
    *,
    organizations: dict[int, Organization],
    parties: Sequence[PartyFacts],
    nk: Agreement,
) -> None:
    """Every party of a PKS is a party of its NK or lies under one in the organization tree."""
    assert nk.id is not None
    outside = outside_parties(session, nk.id, [p.organization_id for p in parties])
    offenders = [
        (index, organizations[p.organization_id])
        for index, p in enumerate(parties)
        if p.organization_id in outside
    ]
    if offenders:
        names = "; ".join(f"'{o.name}' (id {o.id}, party {i + 1})" for i, o in offenders)
        raise RuleViolation(
            f"Every party of a PKS must be a party of its NK '{nk.title}' or an organization "
            f"under one (an SKPD under its government, a Perwakilan under its institution). "
            f"Not so: {names}.",
            type_slug="pks-party-outside-nk",
            errors=[
                field_error(
                    "parties",
                    index,
                    "organization_id",
                    msg=f"'{o.name}' is not under a party of the NK",
                )
                for index, o in offenders
            ],
        )


@dataclass(frozen=True)
class RegionConflict:
    """A regional office that may not be party with another organization, and why."""

    office: Organization
    other: Organization | None  # None: the office's own region is not set
    reason: str


def office_region_conflicts(
    session: Session, organizations: Mapping[int, Organization]
) -> list[RegionConflict]:
    """A regional office (a Perwakilan) acts in its own province: every other party that lies
    in a province lies in the office's region (`region_id`). An office whose region is not set
    is no party until an admin sets it: the rule could not be checked, and a PKS with the wrong
    Perwakilan is worse than one registered a day later. Parties of no province (Ombudsman RI,
    a university) are not concerned."""
    offices = [o for o in organizations.values() if o.kind == OrganizationKind.regional_office]
    if not offices:
        return []
    conflicts = [
        RegionConflict(
            office,
            None,
            f"the region of '{office.name}' (region_id: the province it acts in) is not set; "
            "an admin sets it before the office becomes a party",
        )
        for office in offices
        if office.region_id is None
    ]
    if conflicts:
        return conflicts
    provinces = provinces_of(session, organizations)
    names = organizations_by_id(
        session, {p for p in [*provinces.values(), *(o.region_id for o in offices)] if p}
    )

    def province(org_id: int | None) -> str:
        return f"'{names[org_id].name}'" if org_id in names else "?"

    return [
        RegionConflict(
            office,
            other,
            f"'{office.name}' acts in the province of {province(office.region_id)}, while "
            f"'{other.name}' lies in that of {province(provinces[other.id])}",
        )
        for office in offices
        for other in organizations.values()
        if other.id is not None
        and other.id != office.id
        and provinces.get(other.id) is not None
        and provinces[other.id] != office.region_id
    ]


def check_offices_in_region(
    session: Session,
    organizations: Mapping[int, Organization],
    locations: Mapping[int, tuple[Any, ...]],
) -> None:
    """The parties keep the regional office rule (office_region_conflicts), or 422 naming each
    conflict; `locations` gives each organization's field for `errors` (e.g. `("parties", 0,
    "organization_id")`)."""
    conflicts = office_region_conflicts(session, organizations)
    if not conflicts:
        return
    if conflicts[0].other is None:
        raise RuleViolation(
            "A regional office (Perwakilan) is a party only once its province is known: "
            + "; ".join(c.reason for c in conflicts)
            + ".",
            type_slug="regional-office-without-region",
            errors=[
                field_error(*locations[c.office.id or 0], msg="a regional office without region")
                for c in conflicts
            ],
        )
    errors = []
    for conflict in conflicts:
        other = conflict.other
        assert other is not None and other.id is not None
        errors.append(
            field_error(
                *locations[other.id],
                msg=f"'{other.name}' lies outside the province of '{conflict.office.name}'",
            )
        )
    raise RuleViolation(
        "A regional office (Perwakilan) is a party only with organizations of its own province: "
        + "; ".join(c.reason for c in conflicts)
        + ".",
        type_slug="party-outside-office-region",
        errors=errors,
    )


def check_stored_offices_in_region(
    session: Session, *, agreement_id: int, location: tuple[Any, ...]
) -> None:
    """The stored parties of an agreement keep the regional office rule (a PKS re-linked or
    renewed); every problem located at `location`."""
    ids = party_ids(session, agreement_id)
    organizations = organizations_by_id(session, ids)
    check_offices_in_region(session, organizations, dict.fromkeys(ids, location))


def check_stored_parties_under_nk(session: Session, *, agreement_id: int, nk: Agreement) -> None:
    """The stored parties of a PKS still sit under the parties of this NK."""
    facts = facts_of(parties_of(session, agreement_id))
    organizations = organizations_by_id(session, [f.organization_id for f in facts])
    check_parties_under_nk(session, organizations=organizations, parties=facts, nk=nk)


def pks_holders(session: Session, nk_id: int, organization_ids: Iterable[int]) -> set[int]:
    """The organizations that *hold* a PKS under this NK when they are its party: every party
    except the institution's side (organizations under a state-institution party of the NK,
    such as the Perwakilan under Ombudsman RI, which is party to all of them)."""
    institutions = {
        org.id
        for org in organizations_by_id(session, party_ids(session, nk_id)).values()
        if org.kind == OrganizationKind.state_institution
    }
    lineage = ancestry(session, organization_ids)
    return {org_id for org_id, line in lineage.items() if not line & institutions}


def live_pks_held(
    session: Session,
    *,
    nk_id: int,
    organization_ids: Collection[int],
    today: date,
    exclude: Collection[int] = (),
) -> dict[int, tuple[int, str]]:
    """For each holder among the organizations, a live PKS it already holds under the NK
    (id and status), leaving out the agreements in `exclude` (a renewal's predecessor, the PKS
    being changed). Call it with the NK locked (locking.lock_agreement), so that two requests
    cannot both pass."""
    holders = pks_holders(session, nk_id, organization_ids)
    if not holders:
        return {}
    rows = session.exec(
        select(AgreementParty.organization_id, Agreement.id)
        .join(Agreement, col(Agreement.id) == AgreementParty.agreement_id)
        .where(
            Agreement.parent_id == nk_id,
            col(AgreementParty.organization_id).in_(holders),
            col(Agreement.id).not_in(list(exclude)),
        )
        .order_by(col(Agreement.id))
    ).all()
    facts = agreement_facts(session, {pks_id for _, pks_id in rows if pks_id}, today)
    held: dict[int, tuple[int, str]] = {}
    for org_id, pks_id in rows:
        if pks_id is not None and is_live(facts[pks_id].status):
            held.setdefault(org_id, (pks_id, facts[pks_id].status.value))
    return held


def check_one_live_pks(
    session: Session,
    *,
    nk_id: int,
    organizations: dict[int, Organization],
    today: date,
    exclude: Collection[int] = (),
) -> None:
    """A new or changed PKS under the NK: none of its holders may hold another live one."""
    held = live_pks_held(
        session, nk_id=nk_id, organization_ids=list(organizations), today=today, exclude=exclude
    )
    if held:
        names = "; ".join(
            f"'{organizations[org].name}' already holds PKS {pks_id} ({status})"
            for org, (pks_id, status) in held.items()
        )
        raise Conflict(
            f"An SKPD holds at most one live PKS under an NK: {names}. Cancel or terminate that "
            "one first, or renew it.",
            type_slug="pks-already-held",
            existing_agreement_ids=sorted({pks_id for pks_id, _ in held.values()}),
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


@lru_cache(maxsize=8192)
def number_mismatch(document_number: str, signed_on: date) -> str | None:
    """Why a number's month (Roman numeral) or year does not match its signing date, if so.

    A number may be reserved before signing, so this is a warning for staff, never a refusal.
    Kept per number and day (every read of a list asks it of each party).
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


# --- writing -----------------------------------------------------------------------------------


def store_signature_facts(session: Session, agreement_ids: Sequence[int]) -> None:
    """Recompute the stored copy of the signature facts from the party rows.

    The only writer of parties_signed, parties_unsigned and last_signed_on; the writers of
    parties below call it in their own transaction, after flushing their change.
    """
    if not agreement_ids:
        return
    session.flush()
    party = sa.table(
        "agreement_party",
        sa.column("agreement_id"),
        sa.column("signature_recorded_at"),
        sa.column("signed_on"),
    )

    def aggregate(value: Any, *where: Any) -> Any:
        return (
            sa.select(value)
            .where(party.c.agreement_id == Agreement.id, *where)
            .correlate(Agreement)
            .scalar_subquery()
        )

    session.execute(
        sa.update(Agreement)
        .where(col(Agreement.id).in_(list(agreement_ids)))
        .values(
            parties_signed=aggregate(sa.func.count(), party.c.signature_recorded_at.is_not(None)),
            parties_unsigned=aggregate(sa.func.count(), party.c.signature_recorded_at.is_(None)),
            last_signed_on=aggregate(sa.func.max(party.c.signed_on)),
        )
        .execution_options(synchronize_session=False)
    )
    expire_loaded(session, agreement_ids, ["parties_signed", "parties_unsigned", "last_signed_on"])
    # A signature can complete an amendment or a renewal: the validity they change follows.
    store_validity_facts(session, agreement_ids)


def insert_parties(session: Session, rows: list[dict[str, Any]]) -> None:
    """Add parties (each a dict of AgreementParty columns) in one batched INSERT."""
    if not rows:
        return
    session.execute(sa.insert(AgreementParty), rows)
    store_signature_facts(session, sorted({row["agreement_id"] for row in rows}))


def replace_parties(
    session: Session,
    agreement_id: int,
    existing: list[AgreementParty],
    wanted: Sequence[dict[str, Any]],
) -> None:
    """Make the parties those of `wanted` (dicts with organization_id and open fields), in order."""
    by_org = {p.organization_id: p for p in existing}
    keep = {p["organization_id"] for p in wanted}
    for party in existing:
        if party.organization_id not in keep:
            session.delete(party)
    for position, data in enumerate(wanted, start=1):
        found = by_org.get(data["organization_id"])
        if found is None:
            session.add(AgreementParty(agreement_id=agreement_id, position=position, **data))
        else:
            found.sqlmodel_update(data)
            found.position = position
            session.add(found)
    store_signature_facts(session, [agreement_id])


def record_signature(
    session: Session, party: AgreementParty, *, signed_on: date | None, fields: dict[str, Any]
) -> None:
    """Record that a party signed (with the open fields it brought along)."""
    for field, value in fields.items():
        if value is not None:
            setattr(party, field, value)
    party.signed_on = signed_on
    party.signature_recorded_at = utcnow()
    party.pending_reason = None  # it signed: nothing pends
    session.add(party)
    store_signature_facts(session, [party.agreement_id])
    if fields.get("document_number") is not None:  # a number given at signing is searched too
        store_search_documents(session, [party.agreement_id])


def party_record(party: Any) -> dict[str, Any]:
    """A party as history keeps it: the organization and its open fields."""
    return {
        "organization_id": party.organization_id,
        **{f: getattr(party, f, None) for f in PARTY_OPEN_FIELDS},
    }


def party_changes(
    before: Sequence[dict[str, Any]], after: Sequence[dict[str, Any]]
) -> dict[str, Any]:
    """What changed among the parties: added, removed, and each field changed per party."""
    old = {p["organization_id"]: p for p in before}
    new = {p["organization_id"]: p for p in after}
    result: dict[str, Any] = {}
    added = [org for org in new if org not in old]
    removed = [org for org in old if org not in new]
    if added:
        result["added"] = added
    if removed:
        result["removed"] = removed
    changed = {
        str(org): {
            field: {"old": old[org].get(field), "new": new[org].get(field)}
            for field in PARTY_OPEN_FIELDS
            if old[org].get(field) != new[org].get(field)
        }
        for org in new
        if org in old
    }
    changed = {org: fields for org, fields in changed.items() if fields}
    if changed:
        result["changed"] = changed
    if [p["organization_id"] for p in before if p["organization_id"] in new] != [
        p["organization_id"] for p in after if p["organization_id"] in old
    ]:
        result["order"] = [p["organization_id"] for p in after]
    return result
