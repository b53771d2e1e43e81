"""After signing: amendments (adendum), renewal, re-linking PKS, and termination."""

from datetime import date

import sqlalchemy as sa
from sqlmodel import Session, col, select

from app.agreements.history import record, record_many
from app.agreements.lifecycle import (
    ENDED,
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
    ScopeWithdrawal,
)
from app.agreements.queries import current_status, effective_scope
from app.agreements.rules import (
    bounds_of,
    check_amendment_validity,
    check_stored_parties_under_nk,
    check_validity,
    parties_of,
)
from app.agreements.schemas import (
    AgreementSummary,
    AmendmentIn,
    RelinkIn,
    RenewIn,
    TerminateIn,
)
from app.agreements.service import claim_agreement
from app.core.errors import Conflict, RuleViolation
from app.core.types import utcnow

IN_FORCE = (AgreementStatus.signed, AgreementStatus.active)


def create_amendment(
    *, session: Session, agreement_id: int, amendment_in: AmendmentIn, today: date
) -> int:
    """Draft an adendum of a signed NK or PKS; it takes effect once fully signed."""
    base = claim_agreement(session, agreement_id=agreement_id)
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
    check_amendment_validity(session, base=base, valid_until=amendment_in.valid_until)
    current_items = {item.id for item in effective_scope(session, agreement_id, today)}
    stray = [i for i in amendment_in.scope_item_ids_withdrawn if i not in current_items]
    if stray:
        raise RuleViolation(
            f"Not items of the agreement's current ruang lingkup: {stray}.",
            type_slug="scope-item-not-in-agreement",
            errors=[{"loc": ["body", "scope_item_ids_withdrawn"], "msg": f"unknown: {stray}"}],
        )
    base_parties = parties_of(session, agreement_id)
    given = {p.organization_id: p for p in amendment_in.parties}
    strangers = set(given) - {p.organization_id for p in base_parties}
    if strangers:
        raise RuleViolation(
            f"Organizations {sorted(strangers)} are not parties of agreement {agreement_id}.",
            type_slug="signer-not-a-party",
            errors=[{"loc": ["body", "parties"], "msg": "not a party of the agreement"}],
        )
    amendment = Agreement(
        kind=AgreementKind.amendment,
        title=amendment_in.title,
        description=amendment_in.description,
        amends_id=agreement_id,
        valid_until=amendment_in.valid_until,
    )
    session.add(amendment)
    session.flush()
    assert amendment.id is not None
    for party in base_parties:
        extra = given[party.organization_id].model_dump() if party.organization_id in given else {}
        extra.pop("organization_id", None)
        session.add(
            AgreementParty(
                agreement_id=amendment.id,
                organization_id=party.organization_id,
                position=party.position,
                **extra,
            )
        )
    store_signature_facts(session, [amendment.id])
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


def renew_agreement(*, session: Session, agreement_id: int, renew_in: RenewIn, today: date) -> int:
    """Create the successor draft of a signed NK or PKS, linked both ways."""
    base = claim_agreement(session, agreement_id=agreement_id)
    status = current_status(session, agreement_id, today)
    if base.kind == AgreementKind.amendment or status not in (*IN_FORCE, AgreementStatus.expired):
        raise Conflict(
            f"Only a signed NK or PKS can be renewed; agreement {agreement_id} is {status.value}.",
            type_slug="cannot-renew",
        )
    existing = session.exec(
        select(Agreement.id).where(Agreement.supersedes_id == agreement_id)
    ).first()
    if existing is not None:
        raise Conflict(
            f"Agreement {agreement_id} is already renewed by agreement {existing}.",
            type_slug="already-renewed",
            successor_id=existing,
        )
    if base.parent_id is not None:
        nk = session.get(Agreement, base.parent_id)
        assert nk is not None
        check_validity(
            valid_from=renew_in.valid_from,
            valid_until=renew_in.valid_until,
            parent=bounds_of(session, nk),
        )
    else:
        check_validity(
            valid_from=renew_in.valid_from, valid_until=renew_in.valid_until, parent=None
        )
    successor = Agreement(
        kind=base.kind,
        title=renew_in.title or base.title,
        description=renew_in.description if renew_in.description is not None else base.description,
        parent_id=base.parent_id,
        supersedes_id=agreement_id,
        valid_from=renew_in.valid_from,
        valid_until=renew_in.valid_until,
    )
    session.add(successor)
    session.flush()
    assert successor.id is not None
    session.add_all(
        AgreementParty(
            agreement_id=successor.id,
            organization_id=p.organization_id,
            position=p.position,
            signing_authority=p.signing_authority,
        )
        for p in parties_of(session, agreement_id)
    )
    store_signature_facts(session, [successor.id])
    session.add_all(
        ScopeItem(
            agreement_id=successor.id,
            position=i,
            title=item.title,
            description=item.description,
            source_item_id=item.source_item_id,
        )
        for i, item in enumerate(effective_scope(session, agreement_id, today), start=1)
    )
    record(session, successor.id, "created", kind=base.kind.value, supersedes_id=agreement_id)
    record(session, agreement_id, "renewed", successor_id=successor.id)
    session.commit()
    return successor.id


def relink_pks(*, session: Session, nk_id: int, relink_in: RelinkIn, today: date) -> list[int]:
    """Move PKS of the NK this one renews under it, all or nothing."""
    nk = claim_agreement(session, agreement_id=nk_id)
    if nk.kind != AgreementKind.nk or nk.supersedes_id is None:
        raise RuleViolation(
            f"Agreement {nk_id} is not the renewal of an NK; PKS are re-linked to a renewed NK.",
            type_slug="not-a-renewed-nk",
        )
    status = status_expression(Agreement, today)
    rows = session.exec(
        select(Agreement, status).where(Agreement.parent_id == nk.supersedes_id)
    ).all()
    candidates = {a.id: a for a, s in rows if a.id is not None}
    live = [a.id for a, s in rows if a.id is not None and AgreementStatus(s) not in ENDED]
    wanted = relink_in.pks_ids if relink_in.pks_ids is not None else live
    errors = [
        {
            "loc": ["body", "pks_ids", i],
            "msg": f"agreement {pks_id} is not a PKS of NK {nk.supersedes_id}",
        }
        for i, pks_id in enumerate(wanted)
        if pks_id not in candidates
    ]
    bounds = bounds_of(session, nk)
    for i, pks_id in enumerate(wanted):
        pks = candidates.get(pks_id)
        if pks is None:
            continue
        try:
            check_stored_parties_under_nk(session, agreement_id=pks_id, nk=nk)
            # A PKS carried over began under the old NK; only its end must fit the new one.
            check_validity(valid_from=None, valid_until=pks.valid_until, parent=bounds)
        except RuleViolation as refusal:
            errors.append({"loc": ["body", "pks_ids", i], "msg": f"PKS {pks_id}: {refusal.detail}"})
    if errors:
        raise RuleViolation(
            f"No PKS was re-linked: {len(errors)} problem(s).",
            type_slug="relink-refused",
            errors=errors,
        )
    if wanted:
        session.execute(
            sa.update(Agreement)
            .where(col(Agreement.id).in_(wanted))
            .values(parent_id=nk_id, version=col(Agreement.version) + 1, updated_at=utcnow())
        )
        record_many(session, list(wanted), "relinked", from_nk=nk.supersedes_id, to_nk=nk_id)
    record(session, nk_id, "pks_relinked", pks_ids=list(wanted), from_nk=nk.supersedes_id)
    session.commit()
    return list(wanted)


def terminate_agreement(
    *, session: Session, agreement_id: int, terminate_in: TerminateIn, today: date
) -> tuple[list[AgreementSummary], bool]:
    """End an agreement from a date; an NK's live PKS are listed, and ended too with cascade."""
    agreement = claim_agreement(session, agreement_id=agreement_id)
    status = current_status(session, agreement_id, today)
    if status in (AgreementStatus.draft, *ENDED):
        raise Conflict(
            f"Agreement {agreement_id} is {status.value}; only an agreement that is awaiting "
            "signatures or in force can be terminated (reopen a draft instead).",
            type_slug="cannot-terminate",
        )
    signed_on = session.exec(
        select(signed_on_expression(Agreement)).where(Agreement.id == agreement_id)
    ).one()
    if signed_on is not None and terminate_in.terminated_on < signed_on:
        raise RuleViolation(
            f"terminated_on ({terminate_in.terminated_on}) is before the agreement was signed "
            f"({signed_on}).",
            type_slug="terminated-before-signed",
            errors=[{"loc": ["body", "terminated_on"], "msg": f"before {signed_on}"}],
        )
    agreement.terminated_on = terminate_in.terminated_on
    agreement.termination_reason = terminate_in.reason
    session.add(agreement)
    record(
        session,
        agreement_id,
        "terminated",
        terminated_on=terminate_in.terminated_on,
        reason=terminate_in.reason,
        cascade=terminate_in.cascade,
    )
    affected: list[AgreementSummary] = []
    if agreement.kind == AgreementKind.nk:
        pks_status = status_expression(Agreement, today)
        rows = session.exec(
            select(Agreement.id, Agreement.title, pks_status).where(
                Agreement.parent_id == agreement_id
            )
        ).all()
        affected = [
            AgreementSummary(id=i, title=t, status=AgreementStatus(s))
            for i, t, s in rows
            if i is not None and AgreementStatus(s) not in ENDED
        ]
        if terminate_in.cascade and affected:
            ids = [a.id for a in affected]
            reason = f"Mengikuti pengakhiran NK {agreement_id}: {terminate_in.reason}"
            session.execute(
                sa.update(Agreement)
                .where(col(Agreement.id).in_(ids))
                .values(
                    terminated_on=terminate_in.terminated_on,
                    termination_reason=reason,
                    version=col(Agreement.version) + 1,
                    updated_at=utcnow(),
                )
            )
            record_many(
                session,
                ids,
                "terminated",
                terminated_on=terminate_in.terminated_on,
                reason=reason,
                cascaded_from=agreement_id,
            )
            if terminate_in.terminated_on <= today:
                affected = [
                    a.model_copy(update={"status": AgreementStatus.terminated}) for a in affected
                ]
    session.commit()
    return affected, terminate_in.cascade and bool(affected)
