"""Writing agreements: create, change, finalize, reopen and sign, each one transaction."""

from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from app.agreements.history import changes, record
from app.agreements.lifecycle import (
    FULLY_SIGNED,
    OPEN_FOR_SIGNATURE,
    signed_on_expression,
    store_signature_facts,
)
from app.agreements.models import (
    Agreement,
    AgreementKind,
    AgreementParty,
    AgreementStatus,
    ScopeItem,
)
from app.agreements.queries import current_status
from app.agreements.rules import (
    PartyFacts,
    bounds_of,
    check_amendment_validity,
    check_kind_and_parent,
    check_numbers_unique,
    check_parties,
    check_pks_due_on,
    check_stored_parties_under_nk,
    check_validity,
    facts_of,
    parties_of,
)
from app.agreements.schemas import (
    AgreementCreate,
    AgreementUpdate,
    PartyIn,
    ScopeItemIn,
    SignatureIn,
)
from app.core.errors import Conflict, NotFound, RuleViolation
from app.core.types import utcnow
from app.organizations.models import Organization

# After finalisasi draft these are frozen; numbers and signatories stay open until a party signs.
FROZEN_FIELDS = ("title", "parent_id", "valid_from", "valid_until")
PARTY_OPEN_FIELDS = ("document_number", "signatory_name", "signatory_title", "signing_authority")


def claim_agreement(
    session: Session, *, agreement_id: int, expected_version: int | None = None
) -> Agreement:
    """Start a change: raise the version (checking the one the client read) and lock the row.

    The conditional UPDATE is the optimistic lock, and on PostgreSQL it holds the row until commit,
    so the rule checks that follow cannot race with another change to the same agreement.
    """
    statement = (
        sa.update(Agreement)
        .where(col(Agreement.id) == agreement_id)
        .values(version=col(Agreement.version) + 1, updated_at=utcnow())
    )
    if expected_version is not None:
        statement = statement.where(col(Agreement.version) == expected_version)
    result = session.execute(statement)
    if result.rowcount == 0:  # type: ignore[attr-defined]
        current = session.exec(
            select(Agreement.version).where(Agreement.id == agreement_id)
        ).first()
        if current is None:
            raise NotFound(f"No agreement with id {agreement_id}.", type_slug="agreement-not-found")
        raise Conflict(
            f"Agreement {agreement_id} was changed by someone else: you sent version "
            f"{expected_version}, the current version is {current}. Reload it and apply your "
            "change again.",
            type_slug="stale-version",
            current_version=current,
        )
    agreement = session.get(Agreement, agreement_id, populate_existing=True)
    assert agreement is not None
    return agreement


def _new_party(agreement_id: int, position: int, party: PartyIn) -> AgreementParty:
    return AgreementParty(agreement_id=agreement_id, position=position, **party.model_dump())


def _new_scope_item(agreement_id: int, position: int, item: ScopeItemIn) -> ScopeItem:
    return ScopeItem(agreement_id=agreement_id, position=position, **item.model_dump())


def create_agreement(*, session: Session, agreement_in: AgreementCreate) -> int:
    """Create an NK or PKS in draft with its parties and scope; returns its id."""
    parent = check_kind_and_parent(
        session, kind=agreement_in.kind, parent_id=agreement_in.parent_id
    )
    check_validity(
        valid_from=agreement_in.valid_from,
        valid_until=agreement_in.valid_until,
        parent=bounds_of(session, parent) if parent else None,
    )
    check_pks_due_on(kind=agreement_in.kind, pks_due_on=agreement_in.pks_due_on)
    facts = facts_of(agreement_in.parties)
    organizations = check_parties(session, parties=facts, parent=parent)
    check_numbers_unique(session, parties=facts, organizations=organizations, agreement_id=None)
    agreement = Agreement.model_validate(
        agreement_in.model_dump(exclude={"parties", "scope_items"})
    )
    session.add(agreement)
    session.flush()
    assert agreement.id is not None
    session.add_all(
        _new_party(agreement.id, position, party)
        for position, party in enumerate(agreement_in.parties, start=1)
    )
    session.add_all(
        _new_scope_item(agreement.id, position, item)
        for position, item in enumerate(agreement_in.scope_items, start=1)
    )
    store_signature_facts(session, [agreement.id])
    record(
        session,
        agreement.id,
        "created",
        kind=agreement.kind.value,
        title=agreement.title,
        parent_id=agreement.parent_id,
        parties=[p.organization_id for p in agreement_in.parties],
        scope_items=len(agreement_in.scope_items),
    )
    session.commit()
    return agreement.id


def _load_parts(
    session: Session, agreement_id: int
) -> tuple[list[AgreementParty], list[ScopeItem]]:
    parties = parties_of(session, agreement_id)
    items = list(
        session.exec(
            select(ScopeItem)
            .where(ScopeItem.agreement_id == agreement_id)
            .order_by(col(ScopeItem.position))
        )
    )
    return parties, items


def update_agreement(
    *, session: Session, agreement_id: int, agreement_in: AgreementUpdate, today: date
) -> None:
    """Change an agreement: anything in draft; after finalisasi only open party fields."""
    agreement = claim_agreement(
        session, agreement_id=agreement_id, expected_version=agreement_in.version
    )
    data: dict[str, Any] = agreement_in.model_dump(exclude_unset=True, exclude={"version"})
    parties, items = _load_parts(session, agreement_id)
    status = current_status(session, agreement_id, today)
    if status != AgreementStatus.draft:
        _refuse_frozen_changes(agreement, parties, items, agreement_in, data, status)
    elif agreement.kind == AgreementKind.amendment:
        if data.get("parent_id") is not None:
            raise RuleViolation(
                "An amendment has no parent: it amends the agreement in amends_id.",
                type_slug="amendment-has-no-parent",
                errors=[{"loc": ["body", "parent_id"], "msg": "an amendment has no parent"}],
            )
        _refuse_amendment_party_change(parties, agreement_in)
        base = session.get(Agreement, agreement.amends_id)
        assert base is not None
        check_amendment_validity(
            session, base=base, valid_until=data.get("valid_until", agreement.valid_until)
        )
    else:
        parent = check_kind_and_parent(
            session, kind=agreement.kind, parent_id=data.get("parent_id", agreement.parent_id)
        )
        check_validity(
            valid_from=data.get("valid_from", agreement.valid_from),
            valid_until=data.get("valid_until", agreement.valid_until),
            parent=bounds_of(session, parent) if parent else None,
        )
    new_parties = agreement_in.parties
    if new_parties is not None:
        facts = facts_of(new_parties)
        parent = session.get(Agreement, data.get("parent_id", agreement.parent_id) or 0)
        organizations = check_parties(session, parties=facts, parent=parent)
        check_numbers_unique(
            session, parties=facts, organizations=organizations, agreement_id=agreement_id
        )
        _replace_parties(session, agreement_id, parties, new_parties)
        store_signature_facts(session, [agreement_id])
    elif "parent_id" in data:
        facts = facts_of(parties)
        parent = session.get(Agreement, data["parent_id"])
        check_parties(session, parties=facts, parent=parent)
    scalar_fields = [f for f in data if f not in ("parties", "scope_items")]
    before: dict[str, Any] = {f: getattr(agreement, f) for f in scalar_fields}
    if agreement_in.parties is not None:
        before["parties"] = [_party_record(p) for p in parties]
        data["parties"] = [p.model_dump() for p in agreement_in.parties]
    if agreement_in.scope_items is not None:
        before["scope_items"] = [{"title": i.title, "description": i.description} for i in items]
        data["scope_items"] = [i.model_dump() for i in agreement_in.scope_items]
        _replace_scope_items(session, agreement_id, items, agreement_in.scope_items)
    if data.get("pks_due_on") is not None:
        check_pks_due_on(kind=agreement.kind, pks_due_on=data["pks_due_on"])
    for field in ("title", "description", "parent_id", "valid_from", "valid_until", "pks_due_on"):
        if field in data:
            setattr(agreement, field, data[field])
    session.add(agreement)
    session.flush()
    if agreement.kind == AgreementKind.nk:
        _check_children_still_fit(session, agreement)
    record(session, agreement_id, "updated", changes=changes(before, data))
    session.commit()


def _refuse_amendment_party_change(
    parties: list[AgreementParty], agreement_in: AgreementUpdate
) -> None:
    if agreement_in.parties is not None and [p.organization_id for p in agreement_in.parties] != [
        p.organization_id for p in parties
    ]:
        raise Conflict(
            "An amendment (adendum) is signed by the parties of the agreement it amends; its "
            "parties cannot change.",
            type_slug="amendment-parties-fixed",
        )


def _party_record(party: AgreementParty) -> dict[str, Any]:
    return {
        "organization_id": party.organization_id,
        **{f: getattr(party, f) for f in PARTY_OPEN_FIELDS},
    }


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
                    frozen.append(f"parties.{index}.{changed[0]} (that party has signed)")
    if frozen:
        raise Conflict(
            f"The agreement is {status.value.replace('_', ' ')}: after finalisasi its title, "
            "parent, parties, scope (ruang lingkup) and validity are frozen; only a party's "
            "number and signatory may still be filled in until it signs. Reopen it (while "
            f"nobody has signed) to change more. Refused: {', '.join(frozen)}.",
            type_slug="agreement-frozen",
            fields=frozen,
        )


def _replace_parties(
    session: Session,
    agreement_id: int,
    existing: list[AgreementParty],
    wanted: list[PartyIn],
) -> None:
    by_org = {p.organization_id: p for p in existing}
    keep = {p.organization_id for p in wanted}
    for party in existing:
        if party.organization_id not in keep:
            session.delete(party)
    for position, party_in in enumerate(wanted, start=1):
        found = by_org.get(party_in.organization_id)
        if found is None:
            session.add(_new_party(agreement_id, position, party_in))
        else:
            found.sqlmodel_update(party_in.model_dump())
            found.position = position
            session.add(found)


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


def finalize_agreement(*, session: Session, agreement_id: int, today: date) -> None:
    """Finalisasi draft: the text is agreed and the agreement awaits signatures."""
    agreement = claim_agreement(session, agreement_id=agreement_id)
    status = current_status(session, agreement_id, today)
    if status != AgreementStatus.draft:
        raise Conflict(
            f"Only a draft can be finalized; agreement {agreement_id} is {status.value}.",
            type_slug="not-a-draft",
        )
    agreement.finalized_at = utcnow()
    session.add(agreement)
    record(session, agreement_id, "finalized")
    session.commit()


def reopen_agreement(*, session: Session, agreement_id: int, today: date) -> None:
    """Take an agreement that nobody has signed back to draft."""
    agreement = claim_agreement(session, agreement_id=agreement_id)
    status = current_status(session, agreement_id, today)
    if status != AgreementStatus.awaiting_signatures:
        why = "it is still a draft" if status == AgreementStatus.draft else "a party has signed"
        raise Conflict(
            f"Only an agreement that awaits its first signature can be reopened; {why} "
            f"(status {status.value}).",
            type_slug="cannot-reopen",
        )
    agreement.finalized_at = None
    session.add(agreement)
    record(session, agreement_id, "reopened")
    session.commit()


def sign_agreement(
    *, session: Session, agreement_id: int, signature: SignatureIn, today: date
) -> None:
    """Record one party's signature (penandatanganan)."""
    agreement = claim_agreement(session, agreement_id=agreement_id)
    status = current_status(session, agreement_id, today)
    if status not in OPEN_FOR_SIGNATURE:
        hint = " Finalize the draft first." if status == AgreementStatus.draft else ""
        raise Conflict(
            f"Agreement {agreement_id} is {status.value}; signatures are recorded only while "
            f"it awaits them.{hint}",
            type_slug="not-open-for-signature",
        )
    parties, _ = _load_parts(session, agreement_id)
    party = next((p for p in parties if p.organization_id == signature.organization_id), None)
    if party is None:
        raise RuleViolation(
            f"Organization {signature.organization_id} is not a party to agreement {agreement_id}.",
            type_slug="signer-not-a-party",
            errors=[{"loc": ["body", "organization_id"], "msg": "not a party"}],
        )
    organization = session.get(Organization, party.organization_id)
    assert organization is not None
    if party.signed:
        raise Conflict(
            f"'{organization.name}' has already signed agreement {agreement_id}"
            + (f" on {party.signed_on}." if party.signed_on else "."),
            type_slug="already-signed",
        )
    if signature.signed_on is not None and signature.signed_on > today:
        raise RuleViolation(
            f"signed_on {signature.signed_on} is in the future (today is {today}).",
            type_slug="signature-in-future",
            errors=[{"loc": ["body", "signed_on"], "msg": "must not be in the future"}],
        )
    if agreement.parent_id is not None:
        _check_parent_signed(session, agreement.parent_id, signature.signed_on, today)
    if signature.document_number is not None:
        check_numbers_unique(
            session,
            parties=[PartyFacts(party.organization_id, signature.document_number)],
            organizations={organization.id or 0: organization},
            agreement_id=agreement_id,
        )
    for field in ("signatory_name", "signatory_title", "document_number"):
        value = getattr(signature, field)
        if value is not None:
            setattr(party, field, value)
    party.signed_on = signature.signed_on
    party.signature_recorded_at = utcnow()
    session.add(party)
    store_signature_facts(session, [agreement_id])
    record(
        session,
        agreement_id,
        "signed",
        organization_id=party.organization_id,
        organization_name=organization.name,
        signed_on=signature.signed_on,
        signatory_name=party.signatory_name,
        document_number=party.document_number,
    )
    session.flush()
    if agreement.amends_id is not None:
        note_amendment_in_effect(session, agreement, today)
    session.commit()


def _check_parent_signed(
    session: Session, parent_id: int, signed_on: date | None, today: date
) -> None:
    parent_status = current_status(session, parent_id, today)
    if parent_status not in FULLY_SIGNED:
        raise Conflict(
            f"A PKS cannot be signed before its NK (agreement {parent_id}) is fully signed; "
            f"the NK is {parent_status.value.replace('_', ' ')}.",
            type_slug="parent-not-signed",
        )
    parent_signed_on = session.exec(
        select(signed_on_expression(Agreement)).where(Agreement.id == parent_id)
    ).one()
    if signed_on is not None and parent_signed_on is not None and signed_on < parent_signed_on:
        raise RuleViolation(
            f"A PKS cannot be signed ({signed_on}) before its NK was ({parent_signed_on}).",
            type_slug="signed-before-parent",
            errors=[{"loc": ["body", "signed_on"], "msg": f"before the NK's {parent_signed_on}"}],
        )
