"""An agreement's status: every status set, the one meaning of "live", and the SQL that derives it.

Status is never stored. It is computed from stored facts (cancelled_at, finalized_at, each party's
signature, the validity dates) by one SQL expression, so that list filters, pagination and every
representation agree by construction:

    draft ─finalize─▶ awaiting_signatures ─sign─▶ partially_signed ─sign─▶ signed/active/expired
      ▲  │                     │  │
      │  └──cancel──▶ cancelled ◀─┘ (while nobody has signed)
      └───────reopen───────────┘   (only while nobody has signed)

Once every party has signed: `superseded` once its renewal is in force; `expired` if the day is
past `valid_until` (as amended by fully signed amendments); `signed` if validity has not started
yet (it starts on `valid_from`, or on the agreement's `signed_on` when that is empty); otherwise
`active`. From `terminated_on` on, an agreement is `terminated`, whatever else holds.

Facts can be read as they stood on a past day (`SignatureFacts(as_of=...)`): a signature dated
after that day does not count, a draft finalised later is still a draft, and an agreement drafted
later does not exist. Those days are the dates of record staff give (`drafted_on`,
`finalized_on`, each signature's `signed_on`), never when the record was entered here: the 21
Kalsel PKS registered in 2026 still await their signatures as of 3 July 2022.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlalchemy.orm.util import AliasedClass
from sqlmodel import Session, col

from app.agreements.errors import AgreementNotFound
from app.agreements.models import Agreement, AgreementParty, AgreementStatus

AgreementEntity = type[Agreement] | AliasedClass[Agreement]

S = AgreementStatus
# Nobody has signed yet: the text may still be withdrawn (cancel).
UNSIGNED = (S.draft, S.awaiting_signatures)
# A party may sign.
OPEN_FOR_SIGNATURE = (S.awaiting_signatures, S.partially_signed)
# Live, but some party has still to sign: where a planned signing day can pass.
NOT_FULLY_SIGNED = (S.draft, S.awaiting_signatures, S.partially_signed)
# Every party has signed.
FULLY_SIGNED = (S.signed, S.active, S.expired, S.superseded)
# Binding now or from a later start: may be amended, takes deadlines and reminders.
IN_FORCE = (S.signed, S.active)
# Signed by every party at some point: evaluated, and reported on, for the time it bound.
SIGNED_ONCE = (*FULLY_SIGNED, S.terminated)
# Binds no one any more. Everything else is *live*: it binds, or will once signed.
ENDED = (S.expired, S.terminated, S.superseded, S.cancelled)
LIVE = tuple(s for s in S if s not in ENDED)


def is_live(status: AgreementStatus | None) -> bool:
    """Binds or will bind: the one meaning of "live" (a PKS per SKPD, relinking, coverage)."""
    return status is not None and status not in ENDED


@dataclass(frozen=True)
class SignatureFacts:
    """How the signature facts of an agreement are read.

    `as_of=None`: the stored copy on the agreement row (kept by parties.store_signature_facts),
    which is what every read of the present uses. A past day: recomputed from the party rows,
    counting only signatures dated on or before that day (an undated one from the day it was
    recorded).
    """

    as_of: date | None = None

    @property
    def _day_after(self) -> datetime:
        assert self.as_of is not None
        return datetime.combine(self.as_of + timedelta(days=1), time(), tzinfo=UTC)

    def _counted(self, party: Any) -> Any:
        return sa.and_(
            col(party.signature_recorded_at).is_not(None),
            sa.or_(
                col(party.signed_on) <= self.as_of,
                sa.and_(
                    col(party.signed_on).is_(None),
                    col(party.signature_recorded_at) < self._day_after,
                ),
            ),
        )

    def _aggregate(self, entity: AgreementEntity, value: Any, *where: Any) -> Any:
        party = aliased(AgreementParty)
        return (
            sa.select(value(party))
            .where(col(party.agreement_id) == entity.id, *[w(party) for w in where])
            .correlate(entity)
            .scalar_subquery()
        )

    def signed(self, entity: AgreementEntity) -> Any:
        """How many parties have signed."""
        if self.as_of is None:
            return col(entity.parties_signed)
        return self._aggregate(entity, lambda _p: sa.func.count(), self._counted)

    def unsigned(self, entity: AgreementEntity) -> Any:
        """How many parties have not signed."""
        if self.as_of is None:
            return col(entity.parties_unsigned)
        return self._aggregate(entity, lambda _p: sa.func.count(), lambda p: ~self._counted(p))

    def last_signed_on(self, entity: AgreementEntity) -> Any:
        """The latest recorded signing date among the parties (dates not recorded skipped)."""
        if self.as_of is None:
            return col(entity.last_signed_on)
        return self._aggregate(entity, lambda p: sa.func.max(p.signed_on), self._counted)

    def finalized(self, entity: AgreementEntity) -> Any:
        """Finalisasi draft done (as of the day: its day of record, finalized_on, had come;
        never later than the first signature, which lifecycle keeps so). Never NULL, so that
        its negation holds for a draft."""
        if self.as_of is None:
            return col(entity.finalized_at).is_not(None)
        return sa.and_(
            col(entity.finalized_on).is_not(None), col(entity.finalized_on) <= self.as_of
        )

    def cancelled(self, entity: AgreementEntity) -> Any:
        """Withdrawn (as of the day: by then). Never NULL, so that its negation holds for an
        agreement never cancelled."""
        if self.as_of is None:
            return col(entity.cancelled_at).is_not(None)
        return sa.and_(
            col(entity.cancelled_at).is_not(None), col(entity.cancelled_at) < self._day_after
        )

    def known(self, entity: AgreementEntity) -> Any:
        """The agreement existed on the day: its drafting had begun (drafted_on, a date of
        record; never the day it was registered here)."""
        if self.as_of is None:
            return sa.true()
        return col(entity.drafted_on) <= self.as_of


PRESENT = SignatureFacts()

# The expressions below are built once per (entity, day, facts) and reused: building one (new
# aliases, columns adapted to them) costs far more than running it. They are immutable, so
# sharing them between requests and threads is safe; pass the Agreement class or a long-lived
# alias, not an alias made per call, or the cache cannot help.


def facts_for(as_of: date, today: date) -> SignatureFacts:
    """The stored facts for today or later; facts reconstructed for a past day."""
    return PRESENT if as_of >= today else SignatureFacts(as_of=as_of)


@lru_cache(maxsize=256)
def fully_signed_condition(entity: AgreementEntity, facts: SignatureFacts = PRESENT) -> Any:
    """Finalized, and no party left to sign."""
    return sa.and_(facts.finalized(entity), facts.unsigned(entity) == 0)


@lru_cache(maxsize=256)
def signed_on_expression(entity: AgreementEntity, facts: SignatureFacts = PRESENT) -> Any:
    """The agreement's signed_on: the day the last party signed; null until all have signed."""
    return sa.case(
        (fully_signed_condition(entity, facts), facts.last_signed_on(entity)), else_=sa.null()
    )


@lru_cache(maxsize=256)
def starts_on_expression(entity: AgreementEntity, facts: SignatureFacts = PRESENT) -> Any:
    """The first day of validity: valid_from, or else the day the last party signed."""
    return sa.func.coalesce(entity.valid_from, signed_on_expression(entity, facts))


def amended_valid_until_from_rows(entity: AgreementEntity, facts: SignatureFacts = PRESENT) -> Any:
    """valid_until as amended, from the amendment rows: the newest fully signed amendment that
    sets one wins (adendum)."""
    amendment = aliased(Agreement)
    amended = (
        sa.select(col(amendment.valid_until))
        .where(
            col(amendment.amends_id) == entity.id,
            col(amendment.valid_until).is_not(None),
            col(amendment.terminated_on).is_(None),
            col(amendment.cancelled_at).is_(None),
            fully_signed_condition(amendment, facts),
        )
        .order_by(col(amendment.id).desc())
        .limit(1)
        .correlate(entity)
        .scalar_subquery()
    )
    return sa.func.coalesce(amended, entity.valid_until)


@lru_cache(maxsize=256)
def effective_valid_until_expression(
    entity: AgreementEntity, facts: SignatureFacts = PRESENT
) -> Any:
    """valid_until as amended: the stored copy for the present, recomputed for a past day."""
    if facts.as_of is None:
        return col(entity.effective_valid_until)
    return amended_valid_until_from_rows(entity, facts)


# A renewal in force that gives no first day (no valid_from, signing days not recorded)
# supersedes from the start of time.
ALWAYS = date(1, 1, 1)


def superseded_from_rows(entity: AgreementEntity, facts: SignatureFacts = PRESENT) -> Any:
    """The day its renewal takes effect, from the renewal's row: null until a renewal is fully
    signed (and not cancelled); its valid_from, else the day its last party signed."""
    successor = aliased(Agreement)
    return (
        sa.select(
            sa.func.min(
                sa.func.coalesce(
                    successor.valid_from,
                    facts.last_signed_on(successor),
                    sa.literal(ALWAYS, sa.Date),
                )
            )
        )
        .where(
            col(successor.supersedes_id) == entity.id,
            sa.not_(facts.cancelled(successor)),
            fully_signed_condition(successor, facts),
        )
        .correlate(entity)
        .scalar_subquery()
    )


def expire_loaded(session: Session, agreement_ids: Iterable[int], fields: list[str]) -> None:
    """Forget these stored fields of the agreements loaded in the session (rewritten in SQL)."""
    wanted = set(agreement_ids)
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Agreement) and obj.id in wanted:
            session.expire(obj, fields)


BATCH = 5_000  # agreements per UPDATE: an IN list both databases take


@lru_cache(maxsize=1)
def _stored_fact_values() -> dict[str, Any]:
    """The two stored facts as expressions over an agreement's rows: built once (building them
    cost more than running the update; SQLAlchemy expressions are immutable and reusable)."""
    return {
        "effective_valid_until": amended_valid_until_from_rows(Agreement),
        "superseded_from": superseded_from_rows(Agreement),
    }


def store_validity_facts(session: Session, agreement_ids: Sequence[int]) -> None:
    """Recompute the stored effective_valid_until and superseded_from of these agreements and
    of those they amend or renew (whose validity they change).

    The only writer of both; called after every change of what they are computed from (the
    signature facts, validity dates, finalisation, cancellation, termination, new agreements).
    """
    if not agreement_ids:
        return
    session.flush()
    wanted = set(agreement_ids)
    for start in range(0, len(agreement_ids), BATCH):
        batch = list(agreement_ids[start : start + BATCH])
        linked = session.execute(
            sa.select(col(Agreement.amends_id), col(Agreement.supersedes_id)).where(
                col(Agreement.id).in_(batch)
            )
        ).all()
        ids = set(batch) | {i for pair in linked for i in pair if i is not None}
        wanted |= ids
        session.execute(
            sa.update(Agreement)
            .where(col(Agreement.id).in_(sorted(ids)))
            .values(**_stored_fact_values())
            .execution_options(synchronize_session=False)
        )
    expire_loaded(session, wanted, ["effective_valid_until", "superseded_from"])


@lru_cache(maxsize=256)
def in_force_successor_condition(
    entity: AgreementEntity, today: date, facts: SignatureFacts = PRESENT
) -> Any:
    """Its renewal is fully signed and its validity has started."""
    if facts.as_of is None:
        return col(entity.superseded_from) <= today
    return superseded_from_rows(entity, facts) <= today


@lru_cache(maxsize=256)
def status_expression(entity: AgreementEntity, today: date, facts: SignatureFacts = PRESENT) -> Any:
    """The agreement's status on `today`, as a SQL expression over its stored facts."""
    starts_on = sa.func.coalesce(entity.valid_from, facts.last_signed_on(entity))
    valid_until = effective_valid_until_expression(entity, facts)
    return sa.case(
        (facts.cancelled(entity), sa.literal(S.cancelled.value)),
        (
            sa.and_(col(entity.terminated_on).is_not(None), col(entity.terminated_on) <= today),
            sa.literal(S.terminated.value),
        ),
        (sa.not_(facts.finalized(entity)), sa.literal(S.draft.value)),
        (facts.signed(entity) == 0, sa.literal(S.awaiting_signatures.value)),
        (facts.unsigned(entity) > 0, sa.literal(S.partially_signed.value)),
        (in_force_successor_condition(entity, today, facts), sa.literal(S.superseded.value)),
        # (A NULL date compares as not true, so no IS NOT NULL is needed; each test of the
        # amended validity is a subquery per row, so it is written once.)
        (valid_until < today, sa.literal(S.expired.value)),
        (starts_on > today, sa.literal(S.signed.value)),
        else_=sa.literal(S.active.value),
    )


@dataclass(frozen=True)
class AgreementFacts:
    """What is derived from an agreement's stored facts on a given day."""

    agreement: Agreement
    status: AgreementStatus
    signed_on: date | None
    starts_on: date | None
    valid_until: date | None


def agreement_facts(
    session: Session, ids: Iterable[int], as_of: date, facts: SignatureFacts = PRESENT
) -> dict[int, AgreementFacts]:
    """Status, signed_on and the effective validity of each agreement, in one query."""
    wanted = set(ids)
    if not wanted:
        return {}
    rows = session.execute(
        sa.select(
            Agreement,
            status_expression(Agreement, as_of, facts),
            signed_on_expression(Agreement, facts),
            starts_on_expression(Agreement, facts),
            effective_valid_until_expression(Agreement, facts),
        ).where(col(Agreement.id).in_(wanted))
    ).all()
    return {
        agreement.id: AgreementFacts(agreement, AgreementStatus(status), signed, starts, until)
        for agreement, status, signed, starts, until in rows
    }


def facts_of(session: Session, agreement_id: int, as_of: date) -> AgreementFacts:
    """The facts of one agreement, or AgreementNotFound."""
    found = agreement_facts(session, [agreement_id], as_of).get(agreement_id)
    if found is None:
        raise AgreementNotFound(agreement_id)
    return found


def current_status(session: Session, agreement_id: int, today: date) -> AgreementStatus:
    """The status of one agreement today."""
    return facts_of(session, agreement_id, today).status


@dataclass(frozen=True)
class _Plain:
    """Plain comparisons of an agreement's stored facts on a day: what the status expression
    tests, one test at a time, as an index and the planner can use them."""

    entity: AgreementEntity
    live: Any  # not cancelled
    not_terminated: Any
    finalized: Any
    none_signed: Any
    some_unsigned: Any
    superseded: Any
    not_superseded: Any
    expired: Any
    not_expired: Any

    @property
    def all_signed(self) -> Any:
        """Not cancelled nor terminated, finalised, signed by every party (at least one)."""
        return sa.and_(
            self.live,
            self.not_terminated,
            self.finalized,
            col(self.entity.parties_unsigned) == 0,
            col(self.entity.parties_signed) > 0,
        )


@lru_cache(maxsize=256)
def _plain(entity: AgreementEntity, today: date) -> _Plain:
    valid_until = col(entity.effective_valid_until)
    superseded_from = col(entity.superseded_from)
    return _Plain(
        entity=entity,
        live=col(entity.cancelled_at).is_(None),
        not_terminated=sa.or_(
            col(entity.terminated_on).is_(None), col(entity.terminated_on) > today
        ),
        finalized=col(entity.finalized_at).is_not(None),
        none_signed=col(entity.parties_signed) == 0,
        some_unsigned=col(entity.parties_unsigned) > 0,
        # (A NULL date is neither: "not" is spelled out, for the index of valid_until.)
        superseded=superseded_from <= today,
        not_superseded=sa.or_(superseded_from.is_(None), superseded_from > today),
        expired=valid_until < today,
        not_expired=sa.or_(valid_until.is_(None), valid_until >= today),
    )


@lru_cache(maxsize=256)
def status_condition(entity: AgreementEntity, status: AgreementStatus, today: date) -> Any:
    """SQL: the agreement has this status today, in plain comparisons of its stored facts: the
    status expression's tests in its order, those before the status's own negated. Without the
    expression, the planner estimates how many match (compared with the expression's CASE, it
    guessed 97 active agreements of 100,000 for 20,000, and chose a parallel scan that spent
    10 ms starting workers to read 250 rows) and an index serves it; tests/facts.py checks
    after every test, on many days, that each agreement meets its status's and no other's."""
    p = _plain(entity, today)
    starts_on = sa.func.coalesce(entity.valid_from, col(entity.last_signed_on))
    started = sa.or_(starts_on.is_(None), starts_on <= today)
    in_force = sa.and_(p.all_signed, p.not_superseded, p.not_expired)
    conditions: dict[AgreementStatus, Any] = {
        S.cancelled: sa.not_(p.live),
        S.terminated: sa.and_(p.live, sa.not_(p.not_terminated)),
        S.draft: sa.and_(p.live, p.not_terminated, sa.not_(p.finalized)),
        S.awaiting_signatures: sa.and_(p.live, p.not_terminated, p.finalized, p.none_signed),
        S.partially_signed: sa.and_(
            p.live, p.not_terminated, p.finalized, col(entity.parties_signed) > 0, p.some_unsigned
        ),
        S.superseded: sa.and_(p.all_signed, p.superseded),
        S.expired: sa.and_(p.all_signed, p.not_superseded, p.expired),
        S.signed: sa.and_(in_force, starts_on > today),
        S.active: sa.and_(in_force, started),
    }
    return conditions[status]


@lru_cache(maxsize=256)
def in_force_condition(entity: AgreementEntity, today: date) -> Any:
    """SQL: the agreement is in force today (its status is in IN_FORCE, signed or active), in
    plain comparisons of its stored facts: the status expression's tests in its order (not
    cancelled, not terminated, finalised, every party signed, not superseded, not expired).
    Without the expression, the planner estimates it and an index serves it (effective
    valid_until); tests/facts.py checks after every test that it agrees with the expression."""
    p = _plain(entity, today)
    return sa.and_(p.all_signed, p.not_superseded, p.not_expired)


@lru_cache(maxsize=256)
def live_condition(entity: AgreementEntity, today: date) -> Any:
    """SQL: the agreement is live today (its status is not in ENDED), in plain comparisons of
    its stored facts, as in_force_condition (and checked as it is): not cancelled, not
    terminated, and, once every party has signed, neither superseded nor expired."""
    p = _plain(entity, today)
    return sa.and_(
        p.live,
        p.not_terminated,
        sa.or_(
            sa.not_(p.finalized),
            p.none_signed,
            p.some_unsigned,
            sa.and_(p.not_superseded, p.not_expired),
        ),
    )
