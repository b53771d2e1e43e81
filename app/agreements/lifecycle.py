"""Status derivation and transitions of an agreement, in one place.

Status is never stored. It is computed from stored facts (finalized_at, each party's signature,
the validity dates) by one SQL expression, so that the list filter, pagination and every
representation agree by construction:

    draft ─finalize─▶ awaiting_signatures ─sign─▶ partially_signed ─sign─▶ signed/active/expired
      ▲                        │
      └───────reopen───────────┘   (only while nobody has signed)

Once every party has signed: `expired` if today is past `valid_until`; `signed` if validity has not
started yet (it starts on `valid_from`, or on the agreement's `signed_on` when that is empty);
otherwise `active`.
"""

from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlalchemy.orm.util import AliasedClass
from sqlmodel import col

from app.agreements.models import Agreement, AgreementParty, AgreementStatus

AgreementEntity = type[Agreement] | AliasedClass[Agreement]

# Statuses in which every party has signed.
FULLY_SIGNED = (AgreementStatus.signed, AgreementStatus.active, AgreementStatus.expired)
# Statuses in which a party may sign.
OPEN_FOR_SIGNATURE = (AgreementStatus.awaiting_signatures, AgreementStatus.partially_signed)


def _party_aggregate(entity: AgreementEntity, aggregate: Any, *where: Any) -> Any:
    party = aliased(AgreementParty)
    return (
        sa.select(aggregate(party))
        .where(col(party.agreement_id) == entity.id, *(condition(party) for condition in where))
        .correlate(entity)
        .scalar_subquery()
    )


def unsigned_count_expression(entity: AgreementEntity) -> Any:
    """How many parties of the agreement have not signed."""
    return _party_aggregate(
        entity,
        lambda _p: sa.func.count(),
        lambda p: p.signature_recorded_at.is_(None),
    )


def signed_count_expression(entity: AgreementEntity) -> Any:
    """How many parties of the agreement have signed."""
    return _party_aggregate(
        entity,
        lambda _p: sa.func.count(),
        lambda p: p.signature_recorded_at.is_not(None),
    )


def last_signature_expression(entity: AgreementEntity) -> Any:
    """The latest recorded signing date among the parties (dates not recorded are skipped)."""
    return _party_aggregate(entity, lambda p: sa.func.max(p.signed_on))


def signed_on_expression(entity: AgreementEntity) -> Any:
    """The agreement's signed_on: the day the last party signed; null until all have signed."""
    return sa.case(
        (
            sa.and_(
                col(entity.finalized_at).is_not(None),
                unsigned_count_expression(entity) == 0,
            ),
            last_signature_expression(entity),
        ),
        else_=sa.null(),
    )


def status_expression(entity: AgreementEntity, today: date) -> Any:
    """The agreement's status on `today`, as a SQL expression over its stored facts."""
    starts_on = sa.func.coalesce(entity.valid_from, last_signature_expression(entity))
    return sa.case(
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
            sa.and_(col(entity.valid_until).is_not(None), col(entity.valid_until) < today),
            sa.literal(AgreementStatus.expired.value),
        ),
        (
            sa.and_(starts_on.is_not(None), starts_on > today),
            sa.literal(AgreementStatus.signed.value),
        ),
        else_=sa.literal(AgreementStatus.active.value),
    )
