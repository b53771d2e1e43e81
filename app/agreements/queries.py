"""Reading agreements: one query shape for one agreement and for lists, with bounded statements."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import aliased, selectinload
from sqlmodel import Session, col, func, select

from app.agreements.lifecycle import signed_on_expression, status_expression
from app.agreements.models import (
    Agreement,
    AgreementKind,
    AgreementParty,
    AgreementStatus,
)
from app.agreements.rules import number_mismatch
from app.agreements.schemas import (
    AgreementPublic,
    AgreementSummary,
    AgreementWarning,
    PartyPublic,
    ScopeItemPublic,
)
from app.core.errors import NotFound


@dataclass
class AgreementView:
    """An agreement with what is derived from it on a given day."""

    agreement: Agreement
    status: AgreementStatus
    signed_on: date | None
    parent: AgreementSummary | None
    children_count: int | None


@dataclass(frozen=True)
class AgreementFilters:
    """The list filters staff can combine."""

    kind: AgreementKind | None = None
    status: AgreementStatus | None = None
    parent_id: int | None = None
    organization_id: int | None = None
    number: str | None = None
    q: str | None = None
    expiring_before: date | None = None

    def conditions(self, today: date) -> list[Any]:
        conditions: list[Any] = []
        if self.kind is not None:
            conditions.append(Agreement.kind == self.kind)
        if self.status is not None:
            conditions.append(status_expression(Agreement, today) == self.status.value)
        if self.parent_id is not None:
            conditions.append(Agreement.parent_id == self.parent_id)
        if self.organization_id is not None:
            conditions.append(_has_party(AgreementParty.organization_id == self.organization_id))
        if self.number is not None:
            conditions.append(
                _has_party(
                    func.lower(AgreementParty.document_number) == self.number.strip().lower()
                )
            )
        if self.q is not None:
            conditions.append(col(Agreement.title).icontains(self.q, autoescape=True))
        if self.expiring_before is not None:
            conditions.append(col(Agreement.valid_until).is_not(None))
            conditions.append(col(Agreement.valid_until) <= self.expiring_before)
        return conditions


def _has_party(condition: Any) -> Any:
    return (
        select(AgreementParty.id)
        .where(AgreementParty.agreement_id == Agreement.id, condition)
        .correlate(Agreement)
        .exists()
    )


def _load(session: Session, where: Sequence[Any], today: date, **page: Any) -> list[AgreementView]:
    query = (
        select(
            Agreement,
            status_expression(Agreement, today).label("status"),
            signed_on_expression(Agreement).label("signed_on"),
        )
        .where(*where)
        .options(
            selectinload(Agreement.parties).joinedload(AgreementParty.organization),  # type: ignore[arg-type]
            selectinload(Agreement.scope_items),  # type: ignore[arg-type]
        )
        .order_by(col(Agreement.id).desc())
    )
    if page:
        query = query.limit(page["limit"]).offset(page["offset"])
    rows = session.exec(query).all()
    parents = _parent_summaries(session, {a.parent_id for a, _, _ in rows if a.parent_id}, today)
    children = _children_counts(
        session, [a.id for a, _, _ in rows if a.kind == AgreementKind.nk and a.id]
    )
    return [
        AgreementView(
            agreement=agreement,
            status=AgreementStatus(status),
            signed_on=signed_on,
            parent=parents.get(agreement.parent_id) if agreement.parent_id else None,
            children_count=children.get(agreement.id or 0, 0)
            if agreement.kind == AgreementKind.nk
            else None,
        )
        for agreement, status, signed_on in rows
    ]


def _parent_summaries(
    session: Session, parent_ids: set[int], today: date
) -> dict[int, AgreementSummary]:
    if not parent_ids:
        return {}
    parent = aliased(Agreement)
    rows = session.exec(
        select(parent.id, parent.title, status_expression(parent, today)).where(
            col(parent.id).in_(parent_ids)
        )
    )
    return {
        pid: AgreementSummary(id=pid, title=title, status=AgreementStatus(status))
        for pid, title, status in rows
        if pid is not None
    }


def _children_counts(session: Session, nk_ids: list[int]) -> dict[int, int]:
    if not nk_ids:
        return {}
    rows = session.exec(
        select(Agreement.parent_id, func.count())
        .where(col(Agreement.parent_id).in_(nk_ids))
        .group_by(col(Agreement.parent_id))
    )
    return {pid: count for pid, count in rows if pid is not None}


def get_agreement_view(*, session: Session, agreement_id: int, today: date) -> AgreementView:
    """One agreement with parties, scope, status and parent, or NotFound."""
    views = _load(session, [Agreement.id == agreement_id], today)
    if not views:
        raise NotFound(f"No agreement with id {agreement_id}.", type_slug="agreement-not-found")
    return views[0]


def list_agreement_views(
    *, session: Session, filters: AgreementFilters, today: date, limit: int, offset: int
) -> tuple[list[AgreementView], int]:
    """A page of agreements matching the filters, newest first, and how many match in all."""
    conditions = filters.conditions(today)
    total = session.exec(select(func.count()).select_from(Agreement).where(*conditions)).one()
    return _load(session, conditions, today, limit=limit, offset=offset), total


def current_status(session: Session, agreement_id: int, today: date) -> AgreementStatus:
    """The status of one agreement today."""
    status = session.exec(
        select(status_expression(Agreement, today)).where(Agreement.id == agreement_id)
    ).one()
    return AgreementStatus(status)


def _warnings(view: AgreementView) -> list[AgreementWarning]:
    warnings = []
    for party in view.agreement.parties:
        if party.document_number and party.signed_on:
            mismatch = number_mismatch(party.document_number, party.signed_on)
            if mismatch:
                warnings.append(
                    AgreementWarning(
                        code="number_date_mismatch",
                        message=f"{party.organization.name}: {mismatch}.",
                    )
                )
    return warnings


def to_public(view: AgreementView) -> AgreementPublic:
    """The representation clients see."""
    agreement = view.agreement
    assert agreement.id is not None
    return AgreementPublic(
        id=agreement.id,
        kind=agreement.kind,
        status=view.status,
        title=agreement.title,
        description=agreement.description,
        parent_id=agreement.parent_id,
        parent=view.parent,
        children_count=view.children_count,
        valid_from=agreement.valid_from,
        valid_until=agreement.valid_until,
        pks_due_on=agreement.pks_due_on,
        signed_on=view.signed_on,
        finalized_at=agreement.finalized_at,
        version=agreement.version,
        created_at=agreement.created_at,
        updated_at=agreement.updated_at,
        parties=[
            PartyPublic(
                organization_id=p.organization_id,
                organization_name=p.organization.name,
                position=p.position,
                document_number=p.document_number,
                signatory_name=p.signatory_name,
                signatory_title=p.signatory_title,
                signing_authority=p.signing_authority,
                signed=p.signed,
                signed_on=p.signed_on,
                signature_recorded_at=p.signature_recorded_at,
            )
            for p in agreement.parties
        ],
        scope_items=[
            ScopeItemPublic(
                id=s.id or 0,
                position=s.position,
                title=s.title,
                description=s.description,
                source_item_id=s.source_item_id,
                from_nk=s.source_item_id is not None,
            )
            for s in agreement.scope_items
        ],
        warnings=_warnings(view),
    )
