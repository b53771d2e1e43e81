"""Renewal (perpanjangan): the successor draft of a signed agreement, and re-linking PKS."""

from datetime import date

import sqlalchemy as sa
from sqlmodel import Session, col, select

from app.agreements.amendments import scope_in_effect_rows
from app.agreements.errors import AgreementNotFound
from app.agreements.history import record, record_many
from app.agreements.locking import claim_agreement
from app.agreements.models import Agreement, AgreementKind, AgreementStatus, ScopeItem
from app.agreements.parties import (
    check_stored_offices_in_region,
    check_stored_parties_under_nk,
    insert_parties,
    live_pks_held,
    parties_of,
    party_ids_by_agreement,
)
from app.agreements.renewal.schemas import RelinkIn, RenewIn
from app.agreements.search import store_search_documents
from app.agreements.status import IN_FORCE, agreement_facts, current_status, is_live
from app.agreements.validity import bounds_of, check_validity
from app.core.errors import Conflict, RuleViolation, field_error
from app.core.types import utcnow


def check_renewal(
    *, session: Session, agreement_id: int, renew_in: RenewIn, today: date
) -> Agreement:
    """The rules of a renewal, read only: a signed NK or PKS not renewed yet, and a validity
    that fits its NK (a console's confirmation step asks before it writes)."""
    base = session.get(Agreement, agreement_id)
    if base is None:
        raise AgreementNotFound(agreement_id)
    status = current_status(session, agreement_id, today)
    if base.kind == AgreementKind.amendment or status not in (*IN_FORCE, AgreementStatus.expired):
        raise Conflict(
            f"Only a signed NK or PKS can be renewed; agreement {agreement_id} is {status.value}.",
            type_slug="cannot-renew",
        )
    existing = session.exec(
        select(Agreement.id).where(
            Agreement.supersedes_id == agreement_id, col(Agreement.cancelled_at).is_(None)
        )
    ).first()
    if existing is not None:
        raise Conflict(
            f"Agreement {agreement_id} is already renewed by agreement {existing}.",
            type_slug="already-renewed",
            successor_id=existing,
        )
    nk = session.get(Agreement, base.parent_id) if base.parent_id is not None else None
    check_validity(
        valid_from=renew_in.valid_from,
        valid_until=renew_in.valid_until,
        parent=bounds_of(session, nk, today) if nk is not None else None,
    )
    return base


def renew_agreement(*, session: Session, agreement_id: int, renew_in: RenewIn, today: date) -> int:
    """Create the successor draft of a signed NK or PKS, linked both ways."""
    claim_agreement(session, agreement_id=agreement_id)
    base = check_renewal(session=session, agreement_id=agreement_id, renew_in=renew_in, today=today)
    successor = Agreement(
        kind=base.kind,
        title=renew_in.title or base.title,
        description=renew_in.description if renew_in.description is not None else base.description,
        parent_id=base.parent_id,
        supersedes_id=agreement_id,
        valid_from=renew_in.valid_from,
        valid_until=renew_in.valid_until,
        drafted_on=today,
    )
    session.add(successor)
    session.flush()
    assert successor.id is not None
    insert_parties(
        session,
        [
            {
                "agreement_id": successor.id,
                "organization_id": p.organization_id,
                "position": p.position,
                "signing_authority": p.signing_authority,
            }
            for p in parties_of(session, agreement_id)
        ],
    )
    session.add_all(
        ScopeItem(
            agreement_id=successor.id,
            position=i,
            title=item.title,
            description=item.description,
            source_item_id=item.source_item_id,
        )
        for i, item in enumerate(scope_in_effect_rows(session, agreement_id, today), start=1)
    )
    store_search_documents(session, [successor.id])
    record(session, successor.id, "created", kind=base.kind.value, supersedes_id=agreement_id)
    record(session, agreement_id, "renewed", successor_id=successor.id)
    session.commit()
    return successor.id


def relink_pks(*, session: Session, nk_id: int, relink_in: RelinkIn, today: date) -> list[int]:
    """Move PKS of the NK this one renews under it, all or nothing."""
    nk = claim_agreement(session, agreement_id=nk_id)  # also holds the new NK against races
    if nk.kind != AgreementKind.nk or nk.supersedes_id is None:
        raise RuleViolation(
            f"Agreement {nk_id} is not the renewal of an NK; PKS are re-linked to a renewed NK.",
            type_slug="not-a-renewed-nk",
        )
    old_ids = list(
        session.exec(select(Agreement.id).where(Agreement.parent_id == nk.supersedes_id))
    )
    facts = agreement_facts(session, [i for i in old_ids if i is not None], today)
    live = [i for i, f in facts.items() if is_live(f.status)]
    wanted = relink_in.pks_ids if relink_in.pks_ids is not None else sorted(live)
    errors = [
        field_error("pks_ids", i, msg=f"agreement {pks_id} is not a PKS of NK {nk.supersedes_id}")
        for i, pks_id in enumerate(wanted)
        if pks_id not in facts
    ]
    bounds = bounds_of(session, nk, today)
    parties = party_ids_by_agreement(session, [p for p in wanted if p in facts])
    moving = set(wanted)
    for i, pks_id in enumerate(wanted):
        if pks_id not in facts:
            continue
        try:
            check_stored_parties_under_nk(session, agreement_id=pks_id, nk=nk)
            check_stored_offices_in_region(session, agreement_id=pks_id, location=("pks_ids", i))
            # A PKS carried over began under the old NK; only its end must fit the new one.
            check_validity(valid_from=None, valid_until=facts[pks_id].valid_until, parent=bounds)
        except RuleViolation as refusal:
            errors.append(field_error("pks_ids", i, msg=f"PKS {pks_id}: {refusal.detail}"))
            continue
        if is_live(facts[pks_id].status):
            held = live_pks_held(
                session,
                nk_id=nk_id,
                organization_ids=parties[pks_id],
                today=today,
                exclude=moving,
            )
            for org_id, (other, other_status) in held.items():
                errors.append(
                    field_error(
                        "pks_ids",
                        i,
                        msg=f"PKS {pks_id}: organization {org_id} already holds PKS {other} "
                        f"under NK {nk_id} ({other_status})",
                    )
                )
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
