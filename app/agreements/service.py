"""Drafting agreements: register an NK or PKS, and change it, each in one transaction."""

from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from app.agreements.amendments import check_amendment_validity
from app.agreements.history import changes, record
from app.agreements.locking import claim_agreement, lock_agreement
from app.agreements.models import (
    Agreement,
    AgreementKind,
    AgreementParty,
    AgreementStatus,
    ScopeItem,
)
from app.agreements.parties import (
    PARTY_OPEN_FIELDS,
    check_numbers_unique,
    check_one_live_pks,
    check_parties,
    check_stored_parties_under_nk,
    facts_of,
    insert_parties,
    parties_of,
    party_changes,
    party_record,
    replace_parties,
)
from app.agreements.record_dates import check_dates_of_record, first_signature_day
from app.agreements.schemas import AgreementCreate, AgreementUpdate, ScopeItemIn
from app.agreements.search import store_search_documents
from app.agreements.status import current_status, store_validity_facts
from app.agreements.validity import (
    bounds_of,
    check_kind_and_parent,
    check_pks_due_on,
    check_validity,
)
from app.core.errors import Conflict, RuleViolation, field_error

# After finalisasi these are frozen; numbers and signatories stay open until a party signs.
FROZEN_FIELDS = ("title", "parent_id", "valid_from", "valid_until")


def _new_scope_item(agreement_id: int, position: int, item: ScopeItemIn) -> ScopeItem:
    return ScopeItem(agreement_id=agreement_id, position=position, **item.model_dump())


def create_agreement(*, session: Session, agreement_in: AgreementCreate, today: date) -> int:
    """Create an NK or PKS in draft with its parties and scope; returns its id."""
    parent = check_kind_and_parent(
        session, kind=agreement_in.kind, parent_id=agreement_in.parent_id
    )
    if parent is not None:
        assert parent.id is not None
        lock_agreement(session, parent.id)  # one live PKS per SKPD: no two creates at once
    check_validity(
        valid_from=agreement_in.valid_from,
        valid_until=agreement_in.valid_until,
        parent=bounds_of(session, parent, today) if parent else None,
    )
    check_pks_due_on(kind=agreement_in.kind, pks_due_on=agreement_in.pks_due_on)
    drafted_on = agreement_in.drafted_on or today
    check_dates_of_record(drafted_on=drafted_on, finalized_on=None, first_signed=None, today=today)
    facts = facts_of(agreement_in.parties)
    organizations = check_parties(session, parties=facts, parent=parent)
    check_numbers_unique(session, parties=facts, organizations=organizations, agreement_id=None)
    if parent is not None and parent.id is not None:
        check_one_live_pks(session, nk_id=parent.id, organizations=organizations, today=today)
    agreement = Agreement.model_validate(
        {**agreement_in.model_dump(exclude={"parties", "scope_items"}), "drafted_on": drafted_on}
    )
    session.add(agreement)
    session.flush()
    assert agreement.id is not None
    insert_parties(
        session,
        [
            {**party.model_dump(), "agreement_id": agreement.id, "position": position}
            for position, party in enumerate(agreement_in.parties, start=1)
        ],
    )
    session.add_all(
        _new_scope_item(agreement.id, position, item)
        for position, item in enumerate(agreement_in.scope_items, start=1)
    )
    store_search_documents(session, [agreement.id])
    record(
        session,
        agreement.id,
        "created",
        kind=agreement.kind.value,
        title=agreement.title,
        parent_id=agreement.parent_id,
        drafted_on=drafted_on,
        parties=[party_record(p) for p in agreement_in.parties],
        scope_items=len(agreement_in.scope_items),
    )
    session.commit()
    return agreement.id


def _scope_items_of(session: Session, agreement_id: int) -> list[ScopeItem]:
    return list(
        session.exec(
            select(ScopeItem)
            .where(ScopeItem.agreement_id == agreement_id)
            .order_by(col(ScopeItem.position))
        )
    )


def update_agreement(
    *, session: Session, agreement_id: int, agreement_in: AgreementUpdate, today: date
) -> None:
    """Change an agreement: anything in draft; after finalisasi only open party fields."""
    agreement = claim_agreement(
        session, agreement_id=agreement_id, expected_version=agreement_in.version
    )
    data: dict[str, Any] = agreement_in.model_dump(exclude_unset=True, exclude={"version"})
    parties = parties_of(session, agreement_id)
    items = _scope_items_of(session, agreement_id)
    # What the history records as "old": taken before anything below changes the rows.
    before_parties = [party_record(p) for p in parties]
    before_items = [{"title": i.title, "description": i.description} for i in items]
    status = current_status(session, agreement_id, today)
    parent_id = data.get("parent_id", agreement.parent_id)
    if status == AgreementStatus.cancelled:
        raise Conflict(
            f"Agreement {agreement_id} is cancelled; it is kept as it was when withdrawn.",
            type_slug="agreement-cancelled",
        )
    if status != AgreementStatus.draft:
        _refuse_frozen_changes(agreement, parties, items, agreement_in, data, status)
    elif agreement.kind == AgreementKind.amendment:
        _check_amendment_draft(session, agreement, parties, agreement_in, data, today)
    else:
        parent = check_kind_and_parent(session, kind=agreement.kind, parent_id=parent_id)
        check_validity(
            valid_from=data.get("valid_from", agreement.valid_from),
            valid_until=data.get("valid_until", agreement.valid_until),
            parent=bounds_of(session, parent, today) if parent else None,
        )
    new_parties = agreement_in.parties
    if new_parties is not None or "parent_id" in data:
        facts = facts_of(new_parties if new_parties is not None else parties)
        parent = session.get(Agreement, parent_id or 0)
        organizations = check_parties(session, parties=facts, parent=parent)
        check_numbers_unique(
            session, parties=facts, organizations=organizations, agreement_id=agreement_id
        )
        if parent is not None and parent.id is not None and status == AgreementStatus.draft:
            lock_agreement(session, parent.id)
            check_one_live_pks(
                session,
                nk_id=parent.id,
                organizations=organizations,
                today=today,
                exclude=_chain_of(agreement),
            )
    if new_parties is not None:
        replace_parties(session, agreement_id, parties, [p.model_dump() for p in new_parties])
    if data.get("pks_due_on") is not None:
        check_pks_due_on(kind=agreement.kind, pks_due_on=data["pks_due_on"])
    if "drafted_on" in data or "finalized_on" in data:
        _check_dates_of_record_change(agreement, parties, data, status, today)
    scalar = [f for f in data if f not in ("parties", "scope_items")]
    history: dict[str, Any] = changes(
        {f: getattr(agreement, f) for f in scalar}, {f: data[f] for f in scalar}
    )
    if new_parties is not None:
        party_diff = party_changes(before_parties, [party_record(p) for p in new_parties])
        if party_diff:
            history["parties"] = party_diff
    if agreement_in.scope_items is not None:
        after_items = [i.model_dump() for i in agreement_in.scope_items]
        if after_items != before_items:
            history["scope_items"] = {"old": before_items, "new": after_items}
        _replace_scope_items(session, agreement_id, items, agreement_in.scope_items)
    for field in (
        "title",
        "description",
        "parent_id",
        "valid_from",
        "valid_until",
        "pks_due_on",
        "planned_signing_on",
        "drafted_on",
        "finalized_on",
    ):
        if field in data:
            setattr(agreement, field, data[field])
    session.add(agreement)
    if "valid_from" in data or "valid_until" in data:
        store_validity_facts(session, [agreement_id])
    if "title" in data or new_parties is not None or agreement_in.scope_items is not None:
        store_search_documents(session, [agreement_id])
    session.flush()
    if agreement.kind == AgreementKind.nk:
        _check_children_still_fit(session, agreement)
    record(session, agreement_id, "updated", changes=history)
    session.commit()


def _check_dates_of_record_change(
    agreement: Agreement,
    parties: list[AgreementParty],
    data: dict[str, Any],
    status: AgreementStatus,
    today: date,
) -> None:
    """A correction of the dates of record keeps their order; a draft has no finalisasi day."""
    if "finalized_on" in data and status == AgreementStatus.draft:
        raise Conflict(
            f"'{agreement.title}' is still a draft: it has no day of finalisasi to correct. "
            f"Finalize it (POST /api/v1/agreements/{agreement.id}/finalize) with its "
            "finalized_on.",
            type_slug="not-finalized-yet",
            fields=["finalized_on"],
        )
    check_dates_of_record(
        drafted_on=data.get("drafted_on", agreement.drafted_on),
        finalized_on=data.get("finalized_on", agreement.finalized_on),
        first_signed=first_signature_day(parties),
        today=today,
    )


def _chain_of(agreement: Agreement) -> set[int]:
    """The agreement itself and the one it renews: one PKS, whatever its versions."""
    return {i for i in (agreement.id, agreement.supersedes_id) if i is not None}


def _check_amendment_draft(
    session: Session,
    amendment: Agreement,
    parties: list[AgreementParty],
    agreement_in: AgreementUpdate,
    data: dict[str, Any],
    today: date,
) -> None:
    if data.get("parent_id") is not None:
        raise RuleViolation(
            "An amendment has no parent: it amends the agreement in amends_id.",
            type_slug="amendment-has-no-parent",
            errors=[field_error("parent_id", msg="an amendment has no parent")],
        )
    if agreement_in.parties is not None and [p.organization_id for p in agreement_in.parties] != [
        p.organization_id for p in parties
    ]:
        raise Conflict(
            "An amendment (adendum) is signed by the parties of the agreement it amends; its "
            "parties cannot change.",
            type_slug="amendment-parties-fixed",
        )
    base = session.get(Agreement, amendment.amends_id)
    assert base is not None
    check_amendment_validity(
        session, base=base, valid_until=data.get("valid_until", amendment.valid_until), today=today
    )


def _refuse_frozen_changes(
    agreement: Agreement,
    parties: list[AgreementParty],
    items: list[ScopeItem],
    agreement_in: AgreementUpdate,
    data: dict[str, Any],
    status: AgreementStatus,
) -> None:
    frozen = [f for f in FROZEN_FIELDS if f in data and data[f] != getattr(agreement, f)]
    if agreement_in.scope_items is not None and [
        (i.title, i.description) for i in agreement_in.scope_items
    ] != [(i.title, i.description) for i in items]:
        frozen.append("scope_items")
    if agreement_in.parties is not None:
        if [p.organization_id for p in agreement_in.parties] != [
            p.organization_id for p in parties
        ]:
            frozen.append("parties")
        else:
            for index, (new, old) in enumerate(zip(agreement_in.parties, parties, strict=True)):
                changed = [f for f in PARTY_OPEN_FIELDS if getattr(new, f) != getattr(old, f)]
                if changed and old.signed:
                    frozen.append(f"parties.{index}.{changed[0]} (party {index + 1} has signed)")
    if frozen:
        raise Conflict(
            f"The agreement is {status.value.replace('_', ' ')}: after finalisasi its title, "
            "parent, parties, scope (ruang lingkup) and validity are frozen; only a party's "
            "number and signatory may still be filled in until it signs. Reopen it (while "
            f"nobody has signed) to change more. Refused: {', '.join(frozen)}.",
            type_slug="agreement-frozen",
            fields=frozen,
        )


def _replace_scope_items(
    session: Session, agreement_id: int, existing: list[ScopeItem], wanted: list[ScopeItemIn]
) -> None:
    for item in existing:
        session.delete(item)
    session.flush()
    session.add_all(
        _new_scope_item(agreement_id, position, item)
        for position, item in enumerate(wanted, start=1)
    )


def _check_children_still_fit(session: Session, nk: Agreement) -> None:
    """An NK's change must not leave one of its PKS outside its validity or its parties."""
    children = session.exec(select(Agreement).where(Agreement.parent_id == nk.id)).all()
    for child in children:
        check_validity(valid_from=child.valid_from, valid_until=child.valid_until, parent=nk)
        assert child.id is not None
        check_stored_parties_under_nk(session, agreement_id=child.id, nk=nk)
