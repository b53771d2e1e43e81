"""Status derivation and transitions of an agreement, in one place.

Status is never stored. It is computed from stored facts (finalized_at, each party's signature,
the validity dates) by one SQL expression, so that the list filter, pagination and every
representation agree by construction:

    draft ─finalize─▶ awaiting_signatures ─sign─▶ partially_signed ─sign─▶ signed/active/expired
      ▲                        │
      └───────reopen───────────┘   (only while nobody has signed)

Once every party has signed: `superseded` once its renewal is in force; `expired` if today is past
`valid_until` (as amended by fully signed amendments); `signed` if validity has not started yet
(it starts on `valid_from`, or on the agreement's `signed_on` when that is empty); otherwise
`active`. From `terminated_on` on, an agreement is `terminated`, whatever else holds.
"""

from collections.abc import Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlalchemy.orm.util import AliasedClass
from sqlmodel import Session, col

from app.agreements.models import Agreement, AgreementStatus

AgreementEntity = type[Agreement] | AliasedClass[Agreement]

# Statuses in which every party has signed.
FULLY_SIGNED = (
    AgreementStatus.signed,
    AgreementStatus.active,
    AgreementStatus.expired,
    AgreementStatus.superseded,
)
# Statuses in which an agreement binds no one any more.
ENDED = (AgreementStatus.expired, AgreementStatus.terminated, AgreementStatus.superseded)
# Statuses in which a party may sign.
OPEN_FOR_SIGNATURE = (AgreementStatus.awaiting_signatures, AgreementStatus.partially_signed)


def unsigned_count_expression(entity: AgreementEntity) -> Any:
    """How many parties of the agreement have not signed."""
    return col(entity.parties_unsigned)


def signed_count_expression(entity: AgreementEntity) -> Any:
    """How many parties of the agreement have signed."""
    return col(entity.parties_signed)


def last_signature_expression(entity: AgreementEntity) -> Any:
    """The latest recorded signing date among the parties (dates not recorded are skipped)."""
    return col(entity.last_signed_on)


def store_signature_facts(session: Session, agreement_ids: Sequence[int]) -> None:
    """Recompute the stored copy of the signature facts from the party rows.

    The only writer of parties_signed, parties_unsigned and last_signed_on: every service that
    adds, removes or signs parties calls it in its own transaction, after flushing its change.
    """
    if not agreement_ids:
        return
    session.flush()
    party = sa.table(
        "agreement_party",
        sa.column("agreement_id"),
        sa.column("signature_recorded_at"),
        sa.column("signed_on"),
    )

    def aggregate(value: Any, *where: Any) -> Any:
        return (
            sa.select(value)
            .where(party.c.agreement_id == Agreement.id, *where)
            .correlate(Agreement)
            .scalar_subquery()
        )

    session.execute(
        sa.update(Agreement)
        .where(col(Agreement.id).in_(list(agreement_ids)))
        .values(
            parties_signed=aggregate(sa.func.count(), party.c.signature_recorded_at.is_not(None)),
            parties_unsigned=aggregate(sa.func.count(), party.c.signature_recorded_at.is_(None)),
            last_signed_on=aggregate(sa.func.max(party.c.signed_on)),
        )
        .execution_options(synchronize_session=False)
    )
    wanted = set(agreement_ids)
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Agreement) and obj.id in wanted:
            session.expire(obj, ["parties_signed", "parties_unsigned", "last_signed_on"])


def fully_signed_condition(entity: AgreementEntity) -> Any:
    """Finalized, and no party left to sign."""
    return sa.and_(col(entity.finalized_at).is_not(None), unsigned_count_expression(entity) == 0)


def signed_on_expression(entity: AgreementEntity) -> Any:
    """The agreement's signed_on: the day the last party signed; null until all have signed."""
    return sa.case(
        (fully_signed_condition(entity), last_signature_expression(entity)),
        else_=sa.null(),
    )


def effective_valid_until_expression(entity: AgreementEntity) -> Any:
    """valid_until as amended: the newest fully signed amendment that sets one wins (adendum)."""
    amendment = aliased(Agreement)
    amended = (
        sa.select(col(amendment.valid_until))
        .where(
            col(amendment.amends_id) == entity.id,
            col(amendment.valid_until).is_not(None),
            col(amendment.terminated_on).is_(None),
            fully_signed_condition(amendment),
        )
        .order_by(col(amendment.id).desc())
        .limit(1)
        .correlate(entity)
        .scalar_subquery()
    )
    return sa.func.coalesce(amended, entity.valid_until)


def in_force_successor_condition(entity: AgreementEntity, today: date) -> Any:
    """Its renewal is fully signed and its validity has started."""
    successor = aliased(Agreement)
    starts_on = sa.func.coalesce(successor.valid_from, last_signature_expression(successor))
    return (
        sa.select(col(successor.id))
        .where(
            col(successor.supersedes_id) == entity.id,
            fully_signed_condition(successor),
            sa.or_(starts_on.is_(None), starts_on <= today),
        )
        .correlate(entity)
        .exists()
    )


def status_expression(entity: AgreementEntity, today: date) -> Any:
    """The agreement's status on `today`, as a SQL expression over its stored facts."""
    starts_on = sa.func.coalesce(entity.valid_from, last_signature_expression(entity))
    valid_until = effective_valid_until_expression(entity)
    return sa.case(
        (
            sa.and_(col(entity.terminated_on).is_not(None), col(entity.terminated_on) <= today),
            sa.literal(AgreementStatus.terminated.value),
        ),
        (col(entity.finalized_at).is_(None), sa.literal(AgreementStatus.draft.value)),
        (
            signed_count_expression(entity) == 0,
            sa.literal(AgreementStatus.awaiting_signatures.value),
        ),
        (
            unsigned_count_expression(entity) > 0,
            sa.literal(AgreementStatus.partially_signed.value),
        ),
        (
            in_force_successor_condition(entity, today),
            sa.literal(AgreementStatus.superseded.value),
        ),
        # (A NULL date compares as not true, so no IS NOT NULL is needed; each test of the
        # amended validity is a subquery per row, so it is written once.)
        (valid_until < today, sa.literal(AgreementStatus.expired.value)),
        (starts_on > today, sa.literal(AgreementStatus.signed.value)),
        else_=sa.literal(AgreementStatus.active.value),
    )
