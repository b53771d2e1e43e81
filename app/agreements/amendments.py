"""Amendments (adendum): drafting one, its validity rule, and what is in effect once signed."""

from collections.abc import Sequence
from datetime import date
from typing import Any, Protocol

from sqlalchemy.orm import selectinload
from sqlmodel import Session, col, select

from app.agreements.errors import AgreementNotFound
from app.agreements.history import record
from app.agreements.locking import claim_agreement
from app.agreements.models import (
    Agreement,
    AgreementKind,
    AgreementStatus,
    ScopeItem,
    ScopeWithdrawal,
)
from app.agreements.parties import insert_parties, parties_of
from app.agreements.schemas import AmendmentIn, AmendmentSummary, ScopeItemPublic
from app.agreements.search import store_search_documents
from app.agreements.status import (
    FULLY_SIGNED,
    IN_FORCE,
    current_status,
    fully_signed_condition,
    signed_on_expression,
    status_expression,
)
from app.agreements.validity import bounds_of
from app.core.errors import Conflict, RuleViolation, field_error
from app.core.responses import trusted


def check_amendment_validity(
    session: Session, *, base: Agreement, valid_until: date | None, today: date
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
            errors=[field_error("valid_until", msg="before valid_from")],
        )
    if base.parent_id is not None:
        nk = session.get(Agreement, base.parent_id)
        assert nk is not None
        nk_bounds = bounds_of(session, nk, today)
        if nk_bounds.valid_until and valid_until > nk_bounds.valid_until:
            raise RuleViolation(
                f"An amendment cannot extend a PKS past its NK '{nk.title}', valid until "
                f"{nk_bounds.valid_until}; amend or renew the NK first.",
                type_slug="amendment-past-nk",
                errors=[field_error("valid_until", msg=f"after the NK's {nk_bounds.valid_until}")],
            )


def check_amendment(
    *, session: Session, agreement_id: int, amendment_in: AmendmentIn, today: date
) -> Agreement:
    """The rules of an adendum, read only: a signed NK or PKS in force, a change stated, items
    of its ruang lingkup, its own parties (a console's first step shows a refusal before it
    asks to confirm)."""
    base = session.get(Agreement, agreement_id)
    if base is None:
        raise AgreementNotFound(agreement_id)
    status = current_status(session, agreement_id, today)
    if base.kind == AgreementKind.amendment or status not in IN_FORCE:
        raise Conflict(
            f"Only a signed NK or PKS in force can be amended; agreement {agreement_id} is "
            f"{'an amendment' if base.kind == AgreementKind.amendment else status.value}.",
            type_slug="cannot-amend",
        )
    if not (
        amendment_in.valid_until
        or amendment_in.scope_items_added
        or amendment_in.scope_item_ids_withdrawn
    ):
        raise RuleViolation(
            "An amendment states what changes: a new valid_until, scope items added or withdrawn.",
            type_slug="amendment-changes-nothing",
        )
    check_amendment_validity(session, base=base, valid_until=amendment_in.valid_until, today=today)
    current_items = {item.id for item in scope_in_effect_rows(session, agreement_id, today)}
    stray = [i for i in amendment_in.scope_item_ids_withdrawn if i not in current_items]
    if stray:
        raise RuleViolation(
            f"Not items of the agreement's current ruang lingkup: {stray}.",
            type_slug="scope-item-not-in-agreement",
            errors=[field_error("scope_item_ids_withdrawn", msg=f"unknown: {stray}")],
        )
    given = {p.organization_id for p in amendment_in.parties}
    strangers = given - {p.organization_id for p in parties_of(session, agreement_id)}
    if strangers:
        raise RuleViolation(
            f"Organizations {sorted(strangers)} are not parties of agreement {agreement_id}.",
            type_slug="signer-not-a-party",
            errors=[field_error("parties", msg="not a party of the agreement")],
        )
    return base


def create_amendment(
    *, session: Session, agreement_id: int, amendment_in: AmendmentIn, today: date
) -> int:
    """Draft an adendum of a signed NK or PKS; it takes effect once fully signed."""
    claim_agreement(session, agreement_id=agreement_id)
    check_amendment(
        session=session, agreement_id=agreement_id, amendment_in=amendment_in, today=today
    )
    base_parties = parties_of(session, agreement_id)
    given = {p.organization_id: p for p in amendment_in.parties}
    amendment = Agreement(
        kind=AgreementKind.amendment,
        title=amendment_in.title,
        description=amendment_in.description,
        amends_id=agreement_id,
        valid_until=amendment_in.valid_until,
        drafted_on=today,
    )
    session.add(amendment)
    session.flush()
    assert amendment.id is not None
    insert_parties(
        session,
        [
            {
                **(
                    given[party.organization_id].model_dump(exclude={"organization_id"})
                    if party.organization_id in given
                    else {}
                ),
                "agreement_id": amendment.id,
                "organization_id": party.organization_id,
                "position": party.position,
            }
            for party in base_parties
        ],
    )
    session.add_all(
        ScopeItem(
            agreement_id=amendment.id, position=i, title=item.title, description=item.description
        )
        for i, item in enumerate(amendment_in.scope_items_added, start=1)
    )
    session.add_all(
        ScopeWithdrawal(amendment_id=amendment.id, scope_item_id=item_id)
        for item_id in dict.fromkeys(amendment_in.scope_item_ids_withdrawn)
    )
    store_search_documents(session, [amendment.id])
    record(session, amendment.id, "created", kind="amendment", amends_id=agreement_id)
    record(
        session,
        agreement_id,
        "amendment_created",
        amendment_id=amendment.id,
        title=amendment.title,
        valid_until=amendment.valid_until,
    )
    session.commit()
    return amendment.id


def note_amendment_in_effect(session: Session, amendment: Agreement, today: date) -> None:
    """Once an amendment is fully signed, the agreement it amends records that it took effect."""
    assert amendment.id is not None and amendment.amends_id is not None
    if current_status(session, amendment.id, today) in FULLY_SIGNED:
        record(
            session,
            amendment.amends_id,
            "amended",
            amendment_id=amendment.id,
            title=amendment.title,
            valid_until=amendment.valid_until,
        )


Amendments = dict[int, list[tuple[AmendmentSummary, list[ScopeItem]]]]


class ScopeItemFacts(Protocol):
    """What the scope rule reads of an item: a stored ScopeItem or a row selected for a read."""

    @property
    def id(self) -> int | None: ...
    @property
    def title(self) -> str: ...
    @property
    def description(self) -> str | None: ...
    @property
    def source_item_id(self) -> int | None: ...


def amendment_summary(
    amendment: Agreement | Any,
    *,
    status: str,
    signed_on: date | None,
    fully_signed: bool,
    added: Sequence[ScopeItemFacts],
    withdrawn: list[int],
) -> AmendmentSummary:
    """An amendment in brief; it is in effect once fully signed, unless ended or withdrawn.
    Built without validation: every value comes typed from the database."""
    assert amendment.id is not None
    return trusted(
        AmendmentSummary,
        id=amendment.id,
        title=amendment.title,
        status=AgreementStatus(status),
        signed_on=signed_on,
        in_effect=bool(fully_signed)
        and amendment.terminated_on is None
        and amendment.cancelled_at is None,
        valid_until=amendment.valid_until,
        scope_items_added=[i.title for i in added],
        scope_item_ids_withdrawn=withdrawn,
    )


def amendments_of(session: Session, agreement_ids: list[int], today: date) -> Amendments:
    """The amendments of each agreement, oldest first, with the items each adds."""
    if not agreement_ids:
        return {}
    rows = session.exec(
        select(
            Agreement,
            status_expression(Agreement, today),
            signed_on_expression(Agreement),
            fully_signed_condition(Agreement),
        )
        .where(col(Agreement.amends_id).in_(agreement_ids))
        .options(selectinload(Agreement.scope_items))  # type: ignore[arg-type]
        .order_by(col(Agreement.id))
    ).all()
    if not rows:
        return {}
    withdrawals: dict[int, list[int]] = {}
    for amendment_id, item_id in session.exec(
        select(ScopeWithdrawal.amendment_id, ScopeWithdrawal.scope_item_id)
        .where(col(ScopeWithdrawal.amendment_id).in_([a.id for a, *_ in rows]))
        .order_by(col(ScopeWithdrawal.id))
    ):
        withdrawals.setdefault(amendment_id, []).append(item_id)
    result: Amendments = {}
    for amendment, status, signed_on, fully_signed in rows:
        assert amendment.id is not None and amendment.amends_id is not None
        summary = amendment_summary(
            amendment,
            status=status,
            signed_on=signed_on,
            fully_signed=fully_signed,
            added=amendment.scope_items,
            withdrawn=withdrawals.get(amendment.id, []),
        )
        result.setdefault(amendment.amends_id, []).append((summary, list(amendment.scope_items)))
    return result


def _item_public(
    item: ScopeItemFacts, position: int, added_by: int | None = None
) -> ScopeItemPublic:
    return trusted(
        ScopeItemPublic,
        id=item.id or 0,
        position=position,
        title=item.title,
        description=item.description,
        source_item_id=item.source_item_id,
        from_nk=item.source_item_id is not None,
        added_by_amendment_id=added_by,
    )


def scope_in_effect(
    items: Sequence[ScopeItemFacts],
    amendments: Sequence[tuple[AmendmentSummary, Sequence[ScopeItemFacts]]],
) -> list[ScopeItemPublic]:
    """Items as signed, less those withdrawn, plus those added, by amendments in effect."""
    in_effect = [(a, added) for a, added in amendments if a.in_effect]
    withdrawn = {i for a, _ in in_effect for i in a.scope_item_ids_withdrawn}
    kept = [item for item in items if item.id not in withdrawn]
    result = [_item_public(item, n) for n, item in enumerate(kept, start=1)]
    for amendment, added in in_effect:
        result.extend(
            _item_public(item, len(result) + 1, amendment.id)
            for item in added
            if item.id not in withdrawn
        )
    return result


def scope_in_effect_rows(session: Session, agreement_id: int, today: date) -> list[ScopeItem]:
    """The scope items in effect (amendments applied), as stored rows."""
    items = list(
        session.exec(
            select(ScopeItem)
            .where(ScopeItem.agreement_id == agreement_id)
            .order_by(col(ScopeItem.position))
        )
    )
    amendments = amendments_of(session, [agreement_id], today).get(agreement_id, [])
    rows = {item.id: item for item in items}
    for _, added in amendments:
        rows.update({item.id: item for item in added})
    effective = scope_in_effect(items, amendments)
    return [rows[item.id] for item in effective]
