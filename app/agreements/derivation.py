"""From one NK to many PKS: derive them in one call, and see which SKPD hold one (coverage)."""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from app.agreements.history import record, record_many
from app.agreements.lifecycle import (
    FULLY_SIGNED,
    signed_on_expression,
    status_expression,
    store_signature_facts,
)
from app.agreements.models import (
    Agreement,
    AgreementKind,
    AgreementParty,
    AgreementStatus,
    ScopeItem,
)
from app.agreements.rules import bounds_of, check_validity, nk_party_ids
from app.agreements.schemas import DeriveIn
from app.agreements.service import claim_agreement
from app.core.errors import NotFound, RuleViolation
from app.core.types import utcnow
from app.organizations.models import GOVERNMENT_KINDS, Organization, OrganizationKind
from app.organizations.service import ancestry, organizations_by_id

# A PKS that no longer binds anyone; an agency holding only such a PKS may get a new one.
NOT_LIVE = (AgreementStatus.expired,)


def _nk_or_refuse(session: Session, nk_id: int) -> Agreement:
    nk = session.get(Agreement, nk_id)
    if nk is None:
        raise NotFound(f"No agreement with id {nk_id}.", type_slug="agreement-not-found")
    if nk.kind != AgreementKind.nk:
        raise RuleViolation(
            f"Agreement {nk_id} is a PKS; PKS are derived from, and covered by, an NK.",
            type_slug="nk-only",
        )
    return nk


def _live_pks_by_organization(
    session: Session, nk_id: int, organization_ids: list[int], today: date
) -> dict[int, tuple[int, AgreementStatus]]:
    status = status_expression(Agreement, today)
    rows = session.exec(
        select(AgreementParty.organization_id, Agreement.id, status)
        .join(Agreement, col(Agreement.id) == AgreementParty.agreement_id)
        .where(
            Agreement.parent_id == nk_id,
            col(AgreementParty.organization_id).in_(organization_ids),
        )
        .order_by(col(Agreement.id))
    )
    return {
        org_id: (pks_id, AgreementStatus(s))
        for org_id, pks_id, s in rows
        if pks_id is not None and AgreementStatus(s) not in NOT_LIVE
    }


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
                {"loc": ["body", "scope_item_ids", i], "msg": "not an item of this NK"}
                for i, _ in unknown
            ],
        )
    chosen = set(wanted)
    return [item for item in items if item.id in chosen]


def _offenders(
    session: Session, nk: Agreement, derive_in: DeriveIn, today: date
) -> tuple[dict[int, Organization], list[dict[str, Any]]]:
    """Every organization that cannot get a PKS, each with its reason (all named at once)."""
    assert nk.id is not None
    ids = derive_in.organization_ids
    everyone = [*ids, derive_in.counterpart_organization_id]
    organizations = organizations_by_id(session, everyone)
    lineage = ancestry(session, organizations)
    nk_parties = nk_party_ids(session, nk.id)
    live = _live_pks_by_organization(session, nk.id, ids, today)
    errors: list[dict[str, Any]] = []
    seen: set[int] = set()

    def reason(org_id: int) -> str | None:
        org = organizations.get(org_id)
        if org is None:
            return f"organization {org_id} is unknown"
        if not lineage[org_id] & nk_parties:
            return f"'{org.name}' is not a party of the NK nor under one"
        return None

    for index, org_id in enumerate(ids):
        why = reason(org_id)
        if why is None and org_id in seen:
            why = f"organization {org_id} is listed twice"
        if why is None and org_id == derive_in.counterpart_organization_id:
            why = f"'{organizations[org_id].name}' is the counterpart"
        if why is None and org_id in live:
            pks_id, status = live[org_id]
            why = (
                f"'{organizations[org_id].name}' already holds PKS {pks_id} under this NK "
                f"({status.value})"
            )
        seen.add(org_id)
        if why:
            errors.append({"loc": ["body", "organization_ids", index], "msg": why})
    why = reason(derive_in.counterpart_organization_id)
    if why:
        errors.append({"loc": ["body", "counterpart_organization_id"], "msg": why})
    return organizations, errors


def derive_pks(
    *, session: Session, nk_id: int, derive_in: DeriveIn, today: date
) -> list[tuple[int, int, str]]:
    """Create one draft PKS per organization under an NK, all or nothing.

    Returns (id, organization_id, title) of each, in the order of organization_ids.
    """
    nk = _nk_or_refuse(session, nk_id)
    claim_agreement(session, agreement_id=nk_id)  # serializes derivations from the same NK
    check_validity(
        valid_from=derive_in.valid_from,
        valid_until=derive_in.valid_until,
        parent=bounds_of(session, nk),
    )
    scope = _chosen_scope(session, nk_id, derive_in.scope_item_ids)
    organizations, errors = _offenders(session, nk, derive_in, today)
    if errors:
        raise RuleViolation(
            f"No PKS was created: {len(errors)} problem(s). " + "; ".join(e["msg"] for e in errors),
            type_slug="derive-refused",
            errors=errors,
        )
    now = utcnow()
    titles = [
        derive_in.title.replace("{organization}", organizations[org_id].name)
        for org_id in derive_in.organization_ids
    ]
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
                    "created_at": now,
                    "updated_at": now,
                }
                for title in titles
            ],
        )
        if pks_id is not None
    ]
    # Parties and scope items need no ORM identity: bulk INSERTs, batched by the driver.
    session.execute(
        sa.insert(AgreementParty),
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
    store_signature_facts(session, ids)
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
    record_many(session, ids, "created", kind="pks", derived_from_nk=nk_id)
    record(session, nk_id, "pks_derived", pks_ids=ids, organization_ids=derive_in.organization_ids)
    session.commit()
    return list(zip(ids, derive_in.organization_ids, titles, strict=True))


@dataclass
class AgencyCoverage:
    """One SKPD and the PKS it holds under the NK, if any."""

    organization: Organization
    pks_id: int | None
    status: AgreementStatus | None
    signed_on: date | None
    overdue: bool


@dataclass
class GovernmentCoverage:
    organization: Organization
    agencies: list[AgencyCoverage] = field(default_factory=list)


def coverage_of(
    *, session: Session, nk_id: int, as_of: date
) -> tuple[Agreement, AgreementStatus, list[GovernmentCoverage]]:
    """For each government party of an NK, its SKPD and the PKS each holds under the NK."""
    nk = _nk_or_refuse(session, nk_id)
    governments = list(
        session.exec(
            select(Organization)
            .join(AgreementParty, col(AgreementParty.organization_id) == Organization.id)
            .where(
                AgreementParty.agreement_id == nk_id,
                col(Organization.kind).in_(GOVERNMENT_KINDS),
            )
            .order_by(col(AgreementParty.position))
        )
    )
    agencies = list(
        session.exec(
            select(Organization)
            .where(
                col(Organization.parent_id).in_([g.id for g in governments]),
                Organization.kind == OrganizationKind.regional_agency,
            )
            .order_by(col(Organization.name))
        )
    )
    held: dict[int, tuple[int, AgreementStatus, date | None]] = {}
    rows = session.exec(
        select(
            AgreementParty.organization_id,
            Agreement.id,
            status_expression(Agreement, as_of),
            signed_on_expression(Agreement),
        )
        .join(Agreement, col(Agreement.id) == AgreementParty.agreement_id)
        .where(
            Agreement.parent_id == nk_id,
            col(AgreementParty.organization_id).in_([a.id for a in agencies]),
        )
        .order_by(col(Agreement.id))
    )
    for org_id, pks_id, status, signed_on in rows:
        if pks_id is None:
            continue
        current = held.get(org_id)
        # The newest live PKS wins; an expired one shows only when there is nothing else.
        if current is None or AgreementStatus(status) not in NOT_LIVE:
            held[org_id] = (pks_id, AgreementStatus(status), signed_on)
    past_due = nk.pks_due_on is not None and as_of > nk.pks_due_on
    by_government = {g.id: GovernmentCoverage(organization=g) for g in governments}
    for agency in agencies:
        pks_id, status, signed_on = held.get(agency.id or 0, (None, None, None))
        by_government[agency.parent_id].agencies.append(
            AgencyCoverage(
                organization=agency,
                pks_id=pks_id,
                status=status,
                signed_on=signed_on,
                overdue=past_due and status not in FULLY_SIGNED,
            )
        )
    nk_status = AgreementStatus(
        session.exec(select(status_expression(Agreement, as_of)).where(Agreement.id == nk_id)).one()
    )
    return nk, nk_status, list(by_government.values())
