"""Reading agreements: one query shape for one agreement and for lists, with bounded statements."""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from sqlalchemy.orm import selectinload
from sqlmodel import Session, col, func, or_, select

from app.agreements.amendments import amendments_of, scope_in_effect
from app.agreements.errors import AgreementNotFound
from app.agreements.models import (
    Agreement,
    AgreementKind,
    AgreementParty,
    AgreementStatus,
    ScopeItem,
)
from app.agreements.parties import number_mismatch
from app.agreements.schemas import (
    AgreementPublic,
    AgreementSummary,
    AgreementWarning,
    AmendmentSummary,
    PartyPublic,
    ScopeItemPublic,
)
from app.agreements.status import (
    ENDED,
    effective_valid_until_expression,
    signed_on_expression,
    status_condition,
    status_expression,
)
from app.core.pagination import count_of
from app.core.text import contains_folded
from app.organizations.models import Organization


@dataclass
class AgreementView:
    """An agreement with what is derived from it on a given day."""

    agreement: Agreement
    status: AgreementStatus
    signed_on: date | None
    valid_until: date | None
    parent: AgreementSummary | None
    children_count: int | None
    amendments: list[AmendmentSummary] = field(default_factory=list)
    scope: list[ScopeItemPublic] = field(default_factory=list)
    superseded_by_id: int | None = None


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
    unsigned_by: int | None = None
    signed_by: int | None = None

    def conditions(self, today: date) -> list[Any]:
        conditions: list[Any] = []
        if self.kind is not None:
            conditions.append(Agreement.kind == self.kind)
        if self.status is not None:
            conditions.append(status_condition(Agreement, self.status, today))
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
            conditions.append(_matches(self.q))
        if self.unsigned_by is not None:
            conditions.append(
                _has_party(
                    AgreementParty.organization_id == self.unsigned_by,
                    col(AgreementParty.signed_on).is_(None),
                )
            )
        if self.signed_by is not None:
            conditions.append(
                _has_party(
                    AgreementParty.organization_id == self.signed_by,
                    col(AgreementParty.signed_on).is_not(None),
                )
            )
        if self.expiring_before is not None:
            conditions.append(effective_valid_until_expression(Agreement) <= self.expiring_before)
        return conditions


def _has_party(*conditions: Any) -> Any:
    return (
        select(AgreementParty.id)
        .where(AgreementParty.agreement_id == Agreement.id, *conditions)
        .correlate(Agreement)
        .exists()
    )


def _matches(text: str) -> Any:
    """`q`: any part of the title, of any party's number, of a party's name or short name
    (accents and case ignored), or of a ruang lingkup item's title or description."""
    party_named = (
        select(AgreementParty.id)
        .join(Organization, col(Organization.id) == AgreementParty.organization_id)
        .where(
            AgreementParty.agreement_id == Agreement.id,
            contains_folded(Organization.search_text, text),
        )
        .correlate(Agreement)
        .exists()
    )
    in_scope = (
        select(ScopeItem.id)
        .where(
            ScopeItem.agreement_id == Agreement.id,
            or_(
                contains_folded(ScopeItem.title, text),
                contains_folded(ScopeItem.description, text),
            ),
        )
        .correlate(Agreement)
        .exists()
    )
    return or_(
        contains_folded(Agreement.title, text),
        _has_party(contains_folded(AgreementParty.document_number, text)),
        party_named,
        in_scope,
    )


class AgreementSort(StrEnum):
    """Orders of a list of agreements."""

    newest = "newest"  # the most recently registered first
    valid_until = "valid_until"  # what lapses first, first; open-ended ones last
    signed_on = "signed_on"  # the most recently signed first; unsigned ones last
    alphabetical = "title"  # A to Z, case ignored


def _order(sort: AgreementSort) -> list[Any]:
    newest = col(Agreement.id).desc()
    if sort is AgreementSort.valid_until:
        return [effective_valid_until_expression(Agreement).asc().nulls_last(), newest]
    if sort is AgreementSort.signed_on:
        return [signed_on_expression(Agreement).desc().nulls_last(), newest]
    if sort is AgreementSort.alphabetical:
        return [func.lower(Agreement.title).asc(), newest]
    return [newest]


def _load(
    session: Session,
    where: Sequence[Any],
    today: date,
    sort: AgreementSort = AgreementSort.newest,
    **page: Any,
) -> list[AgreementView]:
    if page:
        # The page's ids first, in a subquery: the database then derives status and validity
        # for the rows of the page only, not for every row an OFFSET skips.
        chosen = (
            select(Agreement.id)
            .where(*where)
            .order_by(*_order(sort))
            .limit(page["limit"])
            .offset(page["offset"])
            .correlate(None)
        )
        where = [col(Agreement.id).in_(chosen)]
    query = (
        select(
            Agreement,
            status_expression(Agreement, today).label("status"),
            signed_on_expression(Agreement).label("signed_on"),
            effective_valid_until_expression(Agreement).label("valid_until"),
        )
        .where(*where)
        .options(
            selectinload(Agreement.parties).joinedload(AgreementParty.organization),  # type: ignore[arg-type]
            selectinload(Agreement.scope_items),  # type: ignore[arg-type]
        )
        .order_by(*_order(sort))
    )
    rows = session.exec(query).all()
    ids = [a.id for a, *_ in rows if a.id is not None]
    parents = _parent_summaries(session, {a.parent_id for a, *_ in rows if a.parent_id}, today)
    children = _children_counts(
        session, [a.id for a, *_ in rows if a.kind == AgreementKind.nk and a.id]
    )
    amendments = amendments_of(session, ids, today)
    successors = _successors(session, ids)
    views = []
    for agreement, status, signed_on, valid_until in rows:
        assert agreement.id is not None
        own = amendments.get(agreement.id, [])
        views.append(
            AgreementView(
                agreement=agreement,
                status=AgreementStatus(status),
                signed_on=signed_on,
                valid_until=valid_until,
                parent=parents.get(agreement.parent_id) if agreement.parent_id else None,
                children_count=children.get(agreement.id, 0)
                if agreement.kind == AgreementKind.nk
                else None,
                amendments=[summary for summary, _ in own],
                scope=scope_in_effect(agreement.scope_items, own),
                superseded_by_id=successors.get(agreement.id),
            )
        )
    return views


def _successors(session: Session, agreement_ids: list[int]) -> dict[int, int]:
    if not agreement_ids:
        return {}
    rows = session.exec(
        select(Agreement.supersedes_id, Agreement.id).where(
            col(Agreement.supersedes_id).in_(agreement_ids)
        )
    )
    return {old: new for old, new in rows if old is not None and new is not None}


def _parent_summaries(
    session: Session, parent_ids: set[int], today: date
) -> dict[int, AgreementSummary]:
    if not parent_ids:
        return {}
    rows = session.exec(
        select(Agreement.id, Agreement.title, status_expression(Agreement, today)).where(
            col(Agreement.id).in_(parent_ids)
        )
    )
    return {
        pid: AgreementSummary(id=pid, title=title, status=AgreementStatus(status))
        for pid, title, status in rows
        if pid is not None
    }


def agreement_summaries(
    *, session: Session, agreement_ids: list[int], today: date
) -> list[AgreementSummary]:
    """Agreements in brief (id, title, status today), in the order of the ids given."""
    found = _parent_summaries(session, set(agreement_ids), today)
    return [found[i] for i in agreement_ids if i in found]


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
        raise AgreementNotFound(agreement_id)
    return views[0]


def list_agreement_views(
    *,
    session: Session,
    filters: AgreementFilters,
    today: date,
    limit: int,
    offset: int,
    sort: AgreementSort = AgreementSort.newest,
) -> tuple[list[AgreementView], int]:
    """A page of agreements matching the filters, in the order asked, and how many match."""
    conditions = filters.conditions(today)
    total = count_of(session, select(Agreement.id).where(*conditions))
    return _load(session, conditions, today, sort, limit=limit, offset=offset), total


def iter_agreement_views(
    *,
    session: Session,
    filters: AgreementFilters,
    today: date,
    sort: AgreementSort = AgreementSort.newest,
    chunk: int = 500,
) -> Iterator[AgreementView]:
    """Every matching agreement in the order asked, loaded chunk by chunk: the ids first (one
    query), then each chunk with the statements of one page. For exports."""
    ids = list(
        session.exec(select(Agreement.id).where(*filters.conditions(today)).order_by(*_order(sort)))
    )
    for start in range(0, len(ids), chunk):
        part = [i for i in ids[start : start + chunk] if i is not None]
        views = {v.agreement.id: v for v in _load(session, [col(Agreement.id).in_(part)], today)}
        for agreement_id in part:
            yield views[agreement_id]
        session.expunge_all()


def _warnings(view: AgreementView) -> list[AgreementWarning]:
    warnings = []
    parent = view.parent
    if parent is not None and parent.status in ENDED and view.status not in ENDED:
        warnings.append(
            AgreementWarning(
                code="parent_inactive",
                message=f"Its NK '{parent.title}' is {parent.status.value}; this PKS no longer "
                "rests on an NK in force. Terminate it, or re-link it to the NK's renewal.",
            )
        )
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
        amends_id=agreement.amends_id,
        supersedes_id=agreement.supersedes_id,
        superseded_by_id=view.superseded_by_id,
        children_count=view.children_count,
        valid_from=agreement.valid_from,
        valid_until=view.valid_until,
        valid_until_as_signed=agreement.valid_until,
        pks_due_on=agreement.pks_due_on,
        planned_signing_on=agreement.planned_signing_on,
        signed_on=view.signed_on,
        terminated_on=agreement.terminated_on,
        termination_reason=agreement.termination_reason,
        cancelled_at=agreement.cancelled_at,
        cancellation_reason=agreement.cancellation_reason,
        finalized_at=agreement.finalized_at,
        drafted_on=agreement.drafted_on,
        finalized_on=agreement.finalized_on,
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
                pending_reason=p.pending_reason,
                signed=p.signed,
                signed_on=p.signed_on,
                signature_recorded_at=p.signature_recorded_at,
            )
            for p in agreement.parties
        ],
        scope_items=view.scope,
        amendments=view.amendments,
        warnings=_warnings(view),
    )


def agreement_public(*, session: Session, agreement_id: int, today: date) -> AgreementPublic:
    """One agreement as clients see it, or AgreementNotFound."""
    return to_public(get_agreement_view(session=session, agreement_id=agreement_id, today=today))


def list_agreements_public(
    *,
    session: Session,
    filters: AgreementFilters,
    today: date,
    limit: int,
    offset: int,
    sort: AgreementSort = AgreementSort.newest,
) -> tuple[list[AgreementPublic], int]:
    """A page of agreements as clients see them, and how many match in all."""
    views, total = list_agreement_views(
        session=session, filters=filters, today=today, limit=limit, offset=offset, sort=sort
    )
    return [to_public(v) for v in views], total
