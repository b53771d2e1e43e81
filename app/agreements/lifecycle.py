"""The transitions of an agreement: finalize, reopen, sign, cancel and terminate.

Which status allows which transition is decided here, against the sets in status.py.
"""

from collections.abc import Callable
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from app.agreements.amendments import note_amendment_in_effect
from app.agreements.errors import AgreementNotFound
from app.agreements.history import record, record_many
from app.agreements.locking import claim_agreement
from app.agreements.models import Agreement, AgreementKind, AgreementStatus
from app.agreements.parties import (
    PartyFacts,
    check_numbers_unique,
    parties_of,
    record_signature,
)
from app.agreements.record_dates import check_dates_of_record, pull_back_to_signature
from app.agreements.schemas import (
    AgreementSummary,
    BulkSignatureIn,
    CancelIn,
    SignatureIn,
    TerminateIn,
)
from app.agreements.status import (
    ENDED,
    FULLY_SIGNED,
    OPEN_FOR_SIGNATURE,
    UNSIGNED,
    current_status,
    facts_of,
    is_live,
    status_expression,
    store_validity_facts,
)
from app.core.errors import AppError, Conflict, Forbidden, RuleViolation, field_error
from app.core.types import utcnow
from app.drafts.service import keep_final_text
from app.organizations.models import Organization
from app.stages.service import check_may_complete_signing, check_may_finalize


def _readable(status: AgreementStatus) -> str:
    return status.value.replace("_", " ")


def finalize_agreement(
    *,
    session: Session,
    agreement_id: int,
    today: date,
    finalized_on: date | None = None,
    keep_text: bool = True,
) -> None:
    """Finalisasi draft: the text is agreed (on `finalized_on`, default today) and the
    agreement awaits signatures.

    `keep_text=False` records a finalisation that happened outside the registry (seeding,
    imports): the template rendered today is not the text the parties agreed, so no final
    text is kept, `final_text_sha256` stays null and the history says nothing about a text."""
    agreement = claim_agreement(session, agreement_id=agreement_id)
    status = current_status(session, agreement_id, today)
    if status != AgreementStatus.draft:
        raise Conflict(
            f"Only a draft can be finalized; agreement {agreement_id} is {status.value}.",
            type_slug="not-a-draft",
        )
    check_may_finalize(session, agreement)
    day = finalized_on or today
    # A draft has no signature: the order to keep is drafted_on <= day <= today.
    check_dates_of_record(
        drafted_on=agreement.drafted_on, finalized_on=day, first_signed=None, today=today
    )
    agreement.finalized_at = utcnow()
    agreement.finalized_on = day
    session.add(agreement)
    store_validity_facts(session, [agreement_id])
    if keep_text:
        # The final text as agreed, rendered from its kind's template and kept with its hash.
        agreement.final_text_sha256 = keep_final_text(session, agreement_id, today)
        record(
            session,
            agreement_id,
            "finalized",
            finalized_on=day,
            final_text_sha256=agreement.final_text_sha256,
        )
    else:
        record(session, agreement_id, "finalized", finalized_on=day)
    session.commit()


def reopen_agreement(*, session: Session, agreement_id: int, today: date) -> None:
    """Take an agreement that nobody has signed back to draft."""
    agreement = claim_agreement(session, agreement_id=agreement_id)
    status = current_status(session, agreement_id, today)
    if status != AgreementStatus.awaiting_signatures:
        why = {
            AgreementStatus.draft: "it is still a draft",
            AgreementStatus.cancelled: "it is cancelled",
        }.get(status, "a party has signed")
        raise Conflict(
            f"Only an agreement that awaits its first signature can be reopened; {why} "
            f"(status {status.value}).",
            type_slug="cannot-reopen",
        )
    was_finalized_on = agreement.finalized_on
    agreement.finalized_at = None
    agreement.finalized_on = None
    agreement.final_text_sha256 = None
    session.add(agreement)
    store_validity_facts(session, [agreement_id])
    record(session, agreement_id, "reopened", was_finalized_on=was_finalized_on)
    session.commit()


def cancel_agreement(
    *, session: Session, agreement_id: int, cancel_in: CancelIn, today: date
) -> None:
    """Withdraw an agreement nobody has signed: `cancelled`, kept with its history."""
    agreement = claim_agreement(session, agreement_id=agreement_id)
    status = current_status(session, agreement_id, today)
    if status not in UNSIGNED:
        raise Conflict(
            f"Only an agreement nobody has signed can be cancelled; agreement {agreement_id} is "
            f"{_readable(status)}. A signed agreement is ended with terminate.",
            type_slug="cannot-cancel",
        )
    agreement.cancelled_at = utcnow()
    agreement.cancellation_reason = cancel_in.reason
    # A cancelled renewal no longer renews anything: the old agreement may be renewed again.
    renewed, agreement.supersedes_id = agreement.supersedes_id, None
    session.add(agreement)
    store_validity_facts(session, [agreement_id, *([renewed] if renewed else [])])
    record(
        session,
        agreement_id,
        "cancelled",
        reason=cancel_in.reason,
        was=status.value,
        **({"was_renewal_of": renewed} if renewed else {}),
    )
    session.commit()


def sign_agreement(
    *, session: Session, agreement_id: int, signature: SignatureIn, today: date
) -> None:
    """Record one party's signature (penandatanganan)."""
    _record_one_signature(session, agreement_id, signature, today)
    session.commit()


def sign_many(
    *,
    session: Session,
    nk_id: int,
    signatures: BulkSignatureIn,
    today: date,
    may_change: Callable[[int], None],
) -> list[int]:
    """Record one morning's signatures of PKS under an NK, all or none; every offender named.

    Each signature follows exactly the rules of one signature (sign_agreement); may_change
    raises Forbidden for a PKS the caller may not change. The PKS signed, in the order given."""
    nk = session.get(Agreement, nk_id)
    if nk is None:
        raise AgreementNotFound(nk_id)
    if nk.kind != AgreementKind.nk:
        raise RuleViolation(
            f"Agreement {nk_id} is a PKS; signatures are recorded in bulk for the PKS of an NK.",
            type_slug="not-an-nk",
        )
    forbidden: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    seen: set[tuple[int, int]] = set()
    signed: list[int] = []
    for index, item in enumerate(signatures.signatures):
        pair = (item.agreement_id, item.organization_id)
        if pair in seen:
            errors.append(
                field_error("signatures", index, msg="the same PKS and party are listed twice")
            )
            continue
        seen.add(pair)
        agreement = session.get(Agreement, item.agreement_id)
        if agreement is None or agreement.parent_id != nk_id:
            errors.append(
                field_error(
                    "signatures",
                    index,
                    "agreement_id",
                    msg=f"agreement {item.agreement_id} is not a PKS of NK {nk_id}",
                )
            )
            continue
        try:
            may_change(item.agreement_id)
        except Forbidden as refusal:
            forbidden.append(field_error("signatures", index, "agreement_id", msg=refusal.detail))
            continue
        try:
            with session.begin_nested():
                _record_one_signature(
                    session,
                    item.agreement_id,
                    # Validated already, field by field of the same types.
                    SignatureIn.model_construct(
                        signed_on=signatures.signed_on,
                        **item.model_dump(exclude={"agreement_id"}),
                    ),
                    today,
                )
        except AppError as refusal:
            field = refusal.errors[0]["loc"][-1] if refusal.errors else "agreement_id"
            errors.append(
                {
                    **field_error("signatures", index, field, msg=refusal.detail),
                    "type": f"/problems/{refusal.type_slug}",
                }
            )
            continue
        signed.append(item.agreement_id)
    if forbidden:
        session.rollback()
        raise Forbidden(
            f"No signature was recorded: {len(forbidden)} of these PKS may not be changed by "
            "the caller. " + "; ".join(e["msg"] for e in forbidden),
            errors=forbidden,
        )
    if errors:
        session.rollback()
        raise RuleViolation(
            f"No signature was recorded: {len(errors)} problem(s). "
            + "; ".join(f"signatures[{e['loc'][2]}]: {e['msg']}" for e in errors),
            type_slug="signatures-refused",
            errors=errors,
        )
    session.commit()
    return signed


def _record_one_signature(
    session: Session, agreement_id: int, signature: SignatureIn, today: date
) -> None:
    agreement = claim_agreement(session, agreement_id=agreement_id)
    status = current_status(session, agreement_id, today)
    if status not in OPEN_FOR_SIGNATURE:
        hint = " Finalize the draft first." if status == AgreementStatus.draft else ""
        raise Conflict(
            f"Agreement {agreement_id} is {status.value}; signatures are recorded only while "
            f"it awaits them.{hint}",
            type_slug="not-open-for-signature",
        )
    parties = parties_of(session, agreement_id)
    party = next((p for p in parties if p.organization_id == signature.organization_id), None)
    if party is None:
        raise RuleViolation(
            f"Organization {signature.organization_id} is not a party to agreement {agreement_id}.",
            type_slug="signer-not-a-party",
            errors=[field_error("organization_id", msg="not a party")],
        )
    organization = session.get(Organization, party.organization_id)
    assert organization is not None and organization.id is not None
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
            errors=[field_error("signed_on", msg="must not be in the future")],
        )
    if all(p.signed for p in parties if p is not party):
        check_may_complete_signing(session, agreement)  # the last signature leaves the stage
    if agreement.parent_id is not None:
        _check_parent_signed(session, agreement.parent_id, signature.signed_on, today)
    if signature.document_number is not None:
        check_numbers_unique(
            session,
            parties=[PartyFacts(party.organization_id, signature.document_number)],
            organizations={organization.id: organization},
            agreement_id=agreement_id,
        )
    record_signature(
        session,
        party,
        signed_on=signature.signed_on,
        fields=signature.model_dump(
            include={"signatory_name", "signatory_title", "document_number"}
        ),
    )
    moved = pull_back_to_signature(agreement, signature.signed_on or today)
    if moved:
        session.add(agreement)
    record(
        session,
        agreement_id,
        "signed",
        organization_id=party.organization_id,
        organization_name=organization.name,
        signed_on=signature.signed_on,
        signatory_name=party.signatory_name,
        signatory_title=party.signatory_title,
        document_number=party.document_number,
        **({"dates_of_record_moved": moved} if moved else {}),
    )
    session.flush()
    if agreement.amends_id is not None:
        note_amendment_in_effect(session, agreement, today)


def _check_parent_signed(
    session: Session, parent_id: int, signed_on: date | None, today: date
) -> None:
    parent = facts_of(session, parent_id, today)
    if parent.status not in FULLY_SIGNED:
        raise Conflict(
            f"A PKS cannot be signed before its NK (agreement {parent_id}) is fully signed; "
            f"the NK is {_readable(parent.status)}.",
            type_slug="parent-not-signed",
        )
    if signed_on is not None and parent.signed_on is not None and signed_on < parent.signed_on:
        raise RuleViolation(
            f"A PKS cannot be signed ({signed_on}) before its NK was ({parent.signed_on}).",
            type_slug="signed-before-parent",
            errors=[field_error("signed_on", msg=f"before the NK's {parent.signed_on}")],
        )


def check_termination(
    *, session: Session, agreement_id: int, terminate_in: TerminateIn, today: date
) -> None:
    """The rules of ending an agreement, read only: one awaiting signatures or in force, ended
    no earlier than it was signed (a console's first step shows a refusal before it asks to
    confirm)."""
    if session.get(Agreement, agreement_id) is None:
        raise AgreementNotFound(agreement_id)
    facts = facts_of(session, agreement_id, today)
    if facts.status == AgreementStatus.draft or not is_live(facts.status):
        hint = " (cancel a draft instead)" if facts.status in UNSIGNED else ""
        raise Conflict(
            f"Agreement {agreement_id} is {_readable(facts.status)}; only an agreement that is "
            f"awaiting signatures or in force can be terminated{hint}.",
            type_slug="cannot-terminate",
        )
    if facts.signed_on is not None and terminate_in.terminated_on < facts.signed_on:
        raise RuleViolation(
            f"terminated_on ({terminate_in.terminated_on}) is before the agreement was signed "
            f"({facts.signed_on}).",
            type_slug="terminated-before-signed",
            errors=[field_error("terminated_on", msg=f"before {facts.signed_on}")],
        )


def live_children(session: Session, nk_id: int, today: date) -> list[AgreementSummary]:
    """The NK's PKS that are still live today, in brief: what terminating it with cascade ends
    too (one statement)."""
    rows = session.exec(
        select(Agreement.id, Agreement.title, status_expression(Agreement, today)).where(
            Agreement.parent_id == nk_id
        )
    ).all()
    return [
        AgreementSummary(id=i, title=t, status=AgreementStatus(s))
        for i, t, s in rows
        if i is not None and AgreementStatus(s) not in ENDED
    ]


def terminate_agreement(
    *, session: Session, agreement_id: int, terminate_in: TerminateIn, today: date
) -> tuple[list[AgreementSummary], bool]:
    """End an agreement from a date; an NK's live PKS are listed, and ended too with cascade."""
    agreement = claim_agreement(session, agreement_id=agreement_id)
    check_termination(
        session=session, agreement_id=agreement_id, terminate_in=terminate_in, today=today
    )
    agreement.terminated_on = terminate_in.terminated_on
    agreement.termination_reason = terminate_in.reason
    session.add(agreement)
    store_validity_facts(session, [agreement_id])  # a terminated amendment no longer extends
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
        affected = live_children(session, agreement_id, today)
        if terminate_in.cascade and affected:
            _terminate_children(session, agreement_id, [a.id for a in affected], terminate_in)
            if terminate_in.terminated_on <= today:
                affected = [
                    a.model_copy(update={"status": AgreementStatus.terminated}) for a in affected
                ]
    session.commit()
    return affected, terminate_in.cascade and bool(affected)


def _terminate_children(
    session: Session, nk_id: int, ids: list[int], terminate_in: TerminateIn
) -> None:
    reason = f"Mengikuti pengakhiran NK {nk_id}: {terminate_in.reason}"
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
        cascaded_from=nk_id,
    )
