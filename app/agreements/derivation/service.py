"""From one NK to many PKS: derive them in one call, and see which SKPD hold one (coverage)."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from app.agreements.derivation.schemas import (
    AgencyCoveragePublic,
    CoveragePublic,
    CoveredPks,
    DerivedPks,
    DeriveIn,
    DeriveResult,
    GovernmentCoveragePublic,
)
from app.agreements.errors import AgreementNotFound
from app.agreements.history import record, record_many
from app.agreements.locking import claim_agreement
from app.agreements.models import (
    Agreement,
    AgreementKind,
    AgreementParty,
    AgreementStatus,
    ScopeItem,
)
from app.agreements.parties import (
    insert_parties,
    live_pks_held,
    office_region_conflicts,
    outside_parties,
)
from app.agreements.record_dates import check_dates_of_record
from app.agreements.search import store_search_documents
from app.agreements.status import (
    ENDED,
    FULLY_SIGNED,
    LIVE,
    facts_for,
    is_live,
    signed_on_expression,
    status_expression,
)
from app.agreements.validity import bounds_of, check_validity
from app.core.db import among_parameter, run_prebuilt
from app.core.errors import RuleViolation, field_error
from app.core.responses import trusted
from app.core.schemas import TITLE_MAX
from app.core.types import utcnow
from app.organizations.models import GOVERNMENT_KINDS, Organization, OrganizationKind
from app.organizations.service import organizations_by_id


def _nk_or_refuse(session: Session, nk_id: int) -> Agreement:
    nk = session.get(Agreement, nk_id)
    if nk is None:
        raise AgreementNotFound(nk_id)
    return _refuse_unless_nk(nk)


def _refuse_unless_nk(nk: Any) -> Any:
    """The agreement (or a row with its id and kind) when it is an NK; refused otherwise."""
    if nk.kind != AgreementKind.nk:
        raise RuleViolation(
            f"Agreement {nk.id} is a {nk.kind.value.upper()}; PKS are derived from, and covered "
            "by, an NK.",
            type_slug="nk-only",
        )
    return nk


def _chosen_scope(session: Session, nk_id: int, wanted: list[int] | None) -> list[ScopeItem]:
    items = list(
        session.exec(
            select(ScopeItem)
            .where(ScopeItem.agreement_id == nk_id)
            .order_by(col(ScopeItem.position))
        )
    )
    if wanted is None:
        return items
    known = {item.id for item in items}
    unknown = [(i, item_id) for i, item_id in enumerate(wanted) if item_id not in known]
    if unknown:
        raise RuleViolation(
            "These scope items are not items of the NK's ruang lingkup: "
            + ", ".join(str(item_id) for _, item_id in unknown)
            + ".",
            type_slug="scope-item-not-in-nk",
            errors=[
                field_error("scope_item_ids", i, msg="not an item of this NK") for i, _ in unknown
            ],
        )
    chosen = set(wanted)
    return [item for item in items if item.id in chosen]


def title_for(template: str, organization_name: str) -> str:
    """A derived PKS's title: the template with {organization} as the SKPD's name."""
    return template.replace("{organization}", organization_name)


def _offenders(
    session: Session, nk: Agreement, derive_in: DeriveIn, today: date
) -> tuple[dict[int, Organization], list[dict[str, Any]]]:
    """Every organization that cannot get a PKS, each with its reason (all named at once)."""
    assert nk.id is not None
    ids = derive_in.organization_ids
    counterpart = derive_in.counterpart_organization_id
    organizations = organizations_by_id(session, [*ids, counterpart])
    outside = outside_parties(session, nk.id, organizations)
    live = live_pks_held(session, nk_id=nk.id, organization_ids=list(organizations), today=today)
    # The counterpart (a Perwakilan) acts in its own province: each SKPD lies in it.
    in_other_province = {
        (c.other or c.office).id: c.reason for c in office_region_conflicts(session, organizations)
    }
    errors: list[dict[str, Any]] = []
    seen: set[int] = set()

    def reason(org_id: int) -> tuple[str, str] | None:
        """Why this organization cannot take part: (problem type, message), or None."""
        org = organizations.get(org_id)
        if org is None:
            return "unknown-organization", f"organization {org_id} is unknown"
        if org_id in outside:
            return "pks-party-outside-nk", f"'{org.name}' is not a party of the NK nor under one"
        if org_id in in_other_province:
            return "party-outside-office-region", in_other_province[org_id]
        if org_id in live:
            pks_id, status = live[org_id]
            return (
                "pks-already-held",
                f"'{org.name}' already holds PKS {pks_id} under this NK ({status})",
            )
        return None

    def entry(why: tuple[str, str], *loc: Any) -> dict[str, Any]:
        # Each offender with its own problem type, as a bulk signing names them.
        return {**field_error(*loc, msg=why[1]), "type": f"/problems/{why[0]}"}

    for index, org_id in enumerate(ids):
        why = reason(org_id)
        if why is None and org_id in seen:
            why = "duplicate-party", f"organization {org_id} is listed twice"
        if why is None and org_id == counterpart:
            why = "duplicate-party", f"'{organizations[org_id].name}' is the counterpart"
        if why is None and len(title_for(derive_in.title, organizations[org_id].name)) > TITLE_MAX:
            why = (
                "title-too-long",
                f"the title for '{organizations[org_id].name}' would be longer than "
                f"{TITLE_MAX} characters",
            )
        seen.add(org_id)
        if why:
            errors.append(entry(why, "organization_ids", index))
    why = reason(counterpart)
    if why:
        errors.append(entry(why, "counterpart_organization_id"))
    return organizations, errors


def derive_pks(*, session: Session, nk_id: int, derive_in: DeriveIn, today: date) -> DeriveResult:
    """Create one draft PKS per organization under an NK, all or nothing, in the order of
    organization_ids, each drafted on `derive_in.drafted_on` (a date of record; default today)."""
    nk = _nk_or_refuse(session, nk_id)
    claim_agreement(session, agreement_id=nk_id)  # serializes PKS added under the same NK
    check_validity(
        valid_from=derive_in.valid_from,
        valid_until=derive_in.valid_until,
        parent=bounds_of(session, nk, today),
    )
    drafted_on = derive_in.drafted_on or today
    check_dates_of_record(drafted_on=drafted_on, finalized_on=None, first_signed=None, today=today)
    scope = _chosen_scope(session, nk_id, derive_in.scope_item_ids)
    organizations, errors = _offenders(session, nk, derive_in, today)
    if errors:
        raise RuleViolation(
            f"No PKS was created: {len(errors)} problem(s). " + "; ".join(e["msg"] for e in errors),
            type_slug="derive-refused",
            errors=errors,
        )
    now = utcnow()
    titles = [title_for(derive_in.title, organizations[o].name) for o in derive_in.organization_ids]
    # One batched INSERT ... RETURNING; ids come back in the order of the rows sent.
    # (PostgreSQL sends it as one batch; SQLite, which cannot promise that order, row by row,
    # in-process.)
    ids = [
        pks_id
        for pks_id in session.scalars(
            sa.insert(Agreement).returning(col(Agreement.id), sort_by_parameter_order=True),
            [
                {
                    "kind": AgreementKind.pks,
                    "title": title,
                    "description": derive_in.description,
                    "parent_id": nk_id,
                    "valid_from": derive_in.valid_from,
                    "valid_until": derive_in.valid_until,
                    "version": 1,
                    "drafted_on": drafted_on,
                    "created_at": now,
                    "updated_at": now,
                }
                for title in titles
            ],
        )
        if pks_id is not None
    ]
    insert_parties(
        session,
        [
            row
            for pks_id, org_id in zip(ids, derive_in.organization_ids, strict=True)
            for row in (
                {
                    "agreement_id": pks_id,
                    "position": 1,
                    "organization_id": derive_in.counterpart_organization_id,
                },
                {"agreement_id": pks_id, "position": 2, "organization_id": org_id},
            )
        ],
    )
    if scope:
        session.execute(
            sa.insert(ScopeItem),
            [
                {
                    "agreement_id": pks_id,
                    "position": position,
                    "title": item.title,
                    "description": item.description,
                    "source_item_id": item.id,
                }
                for pks_id in ids
                for position, item in enumerate(scope, start=1)
            ],
        )
    store_search_documents(session, ids)
    record_many(session, ids, "created", kind="pks", derived_from_nk=nk_id)
    record(session, nk_id, "pks_derived", pks_ids=ids, organization_ids=derive_in.organization_ids)
    session.commit()
    created = [
        # Freshly derived PKS are drafts by definition (not finalized).
        DerivedPks(id=pks_id, organization_id=org, title=title, status=AgreementStatus.draft)
        for pks_id, org, title in zip(ids, derive_in.organization_ids, titles, strict=True)
    ]
    return DeriveResult(nk_id=nk_id, count=len(created), created=created)


def coverage_of(*, session: Session, nk_id: int, as_of: date, today: date) -> CoveragePublic:
    """For each government party of an NK, its SKPD and the PKS each holds under the NK, as they
    stood on `as_of` (a signature dated later does not count; a PKS not yet known is absent)."""
    return coverages_of(session=session, nk_ids=[nk_id], as_of=as_of, today=today)[nk_id]


@lru_cache(maxsize=64)
def _coverage_statements(as_of: date, today: date, dialect: str) -> tuple[Any, Any, Any, Any]:
    """coverages_of's four statements, plain columns, built once per day asked and database:
    the NK (`read_nk_ids`) with their status, their government parties, those governments'
    SKPD (`read_government_ids`), and the PKS under the NK held by those SKPD."""
    facts = facts_for(as_of, today)
    nk_ids = among_parameter(col(Agreement.id), "read_nk_ids", dialect)
    nks = sa.select(
        col(Agreement.id),
        col(Agreement.kind),
        col(Agreement.pks_due_on),
        status_expression(Agreement, as_of, facts).label("status"),
    ).where(nk_ids)
    parties = (
        sa.select(col(AgreementParty.agreement_id), col(Organization.id), col(Organization.name))
        .join(AgreementParty, col(AgreementParty.organization_id) == Organization.id)
        .where(
            among_parameter(col(AgreementParty.agreement_id), "read_nk_ids", dialect),
            col(Organization.kind).in_(GOVERNMENT_KINDS),
        )
        .order_by(col(AgreementParty.agreement_id), col(AgreementParty.position))
    )
    is_agency_of_party = sa.and_(
        among_parameter(col(Organization.parent_id), "read_government_ids", dialect),
        col(Organization.kind) == OrganizationKind.regional_agency,
    )
    agencies = (
        sa.select(col(Organization.id), col(Organization.name), col(Organization.parent_id))
        .where(is_agency_of_party)
        .order_by(col(Organization.name))
    )
    held = (
        sa.select(
            col(AgreementParty.organization_id),
            col(Agreement.parent_id),
            col(Agreement.id),
            status_expression(Agreement, as_of, facts),
            signed_on_expression(Agreement, facts),
        )
        .join(Agreement, col(Agreement.id) == AgreementParty.agreement_id)
        .join(Organization, col(Organization.id) == AgreementParty.organization_id)
        .where(
            among_parameter(col(Agreement.parent_id), "read_nk_ids", dialect),
            is_agency_of_party,
            facts.known(Agreement),
        )
        .order_by(col(Agreement.id).desc())
    )
    return nks, parties, agencies, held


def coverages_of(
    *, session: Session, nk_ids: Sequence[int], as_of: date, today: date
) -> dict[int, CoveragePublic]:
    """The coverage of each of these NK (as `coverage_of`), in four statements however many they
    are: the NK with their status, their government parties, those governments' SKPD, and the
    PKS under the NK held by those SKPD. Refuses an id that is not an NK."""
    if not nk_ids:
        return {}
    nks, parties, agencies_statement, pks_statement = _coverage_statements(
        as_of, today, session.get_bind().dialect.name
    )
    ids = {"read_nk_ids": list(nk_ids)}
    found = {nk.id: (nk, AgreementStatus(nk.status)) for nk in run_prebuilt(session, nks, ids)}
    for nk_id in nk_ids:
        if nk_id not in found:
            raise AgreementNotFound(nk_id)
        _refuse_unless_nk(found[nk_id][0])
    governments: dict[int, list[Any]] = {nk_id: [] for nk_id in nk_ids}
    for government in run_prebuilt(session, parties, ids):
        governments[government.agreement_id].append(government)
    # The SKPD as plain rows (there may be hundreds): nothing of them is changed here.
    of_parties = {"read_government_ids": list({g.id for gs in governments.values() for g in gs})}
    agencies_of: dict[int | None, list[Any]] = {}
    for agency in run_prebuilt(session, agencies_statement, of_parties):
        agencies_of.setdefault(agency.parent_id, []).append(agency)
    # Newest first, per NK and SKPD (an SKPD under another NK's government is never looked up).
    held: dict[tuple[int, int], list[CoveredPks]] = {}
    for org_id, nk_id, pks_id, status, signed_on in run_prebuilt(
        session, pks_statement, {**ids, **of_parties}
    ):
        if pks_id is None or nk_id is None:
            continue
        status = AgreementStatus(status)
        warnings = ["parent_inactive"] if found[nk_id][1] in ENDED and is_live(status) else []
        held.setdefault((nk_id, org_id), []).append(
            trusted(CoveredPks, id=pks_id, status=status, signed_on=signed_on, warnings=warnings)
        )
    result = {}
    for nk_id in nk_ids:
        nk, nk_status = found[nk_id]
        past_due = nk.pks_due_on is not None and as_of > nk.pks_due_on
        counts: dict[str, int] = {}
        by_government = {
            g.id: GovernmentCoveragePublic(
                organization_id=g.id or 0, organization_name=g.name, agencies=[]
            )
            for g in governments[nk_id]
        }
        agencies = sorted(
            (a for g in governments[nk_id] for a in agencies_of.get(g.id, [])),
            key=lambda a: a.name,
        )
        for agency in agencies:
            agreements = held.get((nk_id, agency.id), [])
            # The live PKS counts; without one, the newest it held.
            pks = next(
                (p for p in agreements if is_live(p.status)), agreements[0] if agreements else None
            )
            overdue = past_due and (pks is None or pks.status not in FULLY_SIGNED)
            key = pks.status.value if pks else "none"
            counts[key] = counts.get(key, 0) + 1
            counts["overdue"] = counts.get("overdue", 0) + int(overdue)
            by_government[agency.parent_id].agencies.append(
                trusted(
                    AgencyCoveragePublic,
                    organization_id=agency.id,
                    organization_name=agency.name,
                    pks=pks,
                    agreements=agreements,
                    overdue=overdue,
                )
            )
        result[nk_id] = CoveragePublic(
            nk_id=nk_id,
            nk_status=nk_status,
            as_of=as_of,
            pks_due_on=nk.pks_due_on,
            counts=counts,
            governments=list(by_government.values()),
        )
    return result


@dataclass(frozen=True)
class CoverageTotals:
    """The headline of a coverage: how many SKPD, how many hold a live PKS (signed or on its
    way), how many a fully signed one, how many are overdue."""

    agencies: int
    holding: int
    signed: int
    overdue: int


def coverage_totals(counts: Mapping[str, int]) -> CoverageTotals:
    """The totals of a coverage's `counts` (per status, `none`, and `overdue`)."""
    return CoverageTotals(
        agencies=sum(n for key, n in counts.items() if key != "overdue"),
        holding=sum(counts.get(s.value, 0) for s in LIVE),
        signed=sum(counts.get(s.value, 0) for s in FULLY_SIGNED),
        overdue=counts.get("overdue", 0),
    )
