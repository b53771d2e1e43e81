"""Rules for obligations: who owes, by when, and what comes next when one is done."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from dateutil.relativedelta import relativedelta
from sqlalchemy.orm import aliased
from sqlmodel import Session, and_, col, or_, select

from app.agreements.models import Agreement, ScopeItem
from app.agreements.parties import outside_parties
from app.agreements.status import ENDED, AgreementFacts, facts_of
from app.audit.service import record_audit
from app.core.errors import Conflict, NotFound, RuleViolation, field_error
from app.core.locking import claim_version
from app.core.pagination import count_of, decode_cursor, encode_cursor, invalid_cursor
from app.core.responses import trusted
from app.core.schemas import MAX_ID
from app.core.types import utcnow
from app.obligations.models import MONTHS, Obligation, ObligationStatus, Recurrence
from app.obligations.schemas import (
    CompleteIn,
    ObligationCreate,
    ObligationPublic,
    ObligationUpdate,
    WaiveIn,
)
from app.organizations.models import Organization


def occurrence_due_on(series_start: date, recurrence: Recurrence, occurrence: int) -> date:
    """The due date of occurrence n of a series, counted from its first due date.

    Counting from the start keeps month ends right: 31 January, 28/29 February, 31 March.
    """
    if recurrence == Recurrence.none:
        return series_start
    return series_start + relativedelta(months=MONTHS[recurrence] * occurrence)


def status_conditions(today: date) -> dict[ObligationStatus, Any]:
    """The one rule of an obligation's status on `today`: one condition per status, exclusive of
    each other. Written as plain comparisons, so that a filter by status can use an index (the
    open and overdue ones: the partial index of open obligations by due date)."""
    still_open = sa.and_(
        col(Obligation.completed_on).is_(None), col(Obligation.waived_at).is_(None)
    )
    return {
        ObligationStatus.done: col(Obligation.completed_on).is_not(None),
        ObligationStatus.waived: sa.and_(
            col(Obligation.completed_on).is_(None), col(Obligation.waived_at).is_not(None)
        ),
        ObligationStatus.overdue: sa.and_(still_open, col(Obligation.due_on) < today),
        ObligationStatus.open: sa.and_(still_open, col(Obligation.due_on) >= today),
    }


def status_expression_of(today: date) -> Any:
    """An obligation's status on `today`, as SQL (from status_conditions)."""
    return sa.case(
        *[
            (condition, sa.literal(status.value))
            for status, condition in status_conditions(today).items()
        ],
        else_=sa.literal(ObligationStatus.open.value),
    )


def _check_rules(
    session: Session,
    *,
    agreement: AgreementFacts,
    responsible_organization_id: int,
    due_on: date,
    recurrence: Recurrence,
    repeat_until: date | None,
    scope_item_id: int | None,
) -> None:
    """Who owes and by when: a party or an organization under one, within the validity."""
    agreement_id = agreement.agreement.id
    assert agreement_id is not None
    errors: list[dict[str, Any]] = []
    if agreement.valid_until is not None and due_on > agreement.valid_until:
        errors.append(
            field_error(
                "due_on",
                msg=f"after the agreement's validity, which ends on {agreement.valid_until}",
            )
        )
    if agreement.starts_on is not None and due_on < agreement.starts_on:
        errors.append(
            field_error(
                "due_on",
                msg=f"before the agreement is in force, from {agreement.starts_on} "
                + ("(valid_from)" if agreement.agreement.valid_from else "(the day it was signed)"),
            )
        )
    if repeat_until is not None:
        if recurrence == Recurrence.none:
            errors.append(field_error("repeat_until", msg="needs a recurrence"))
        elif repeat_until < due_on:
            errors.append(field_error("repeat_until", msg="before due_on"))
    if scope_item_id is not None:
        owner = session.exec(
            select(ScopeItem.agreement_id).where(ScopeItem.id == scope_item_id)
        ).first()
        if owner != agreement_id:
            errors.append(
                field_error("scope_item_id", msg="not an item of this agreement's ruang lingkup")
            )
    organization = session.get(Organization, responsible_organization_id)
    if organization is None:
        errors.append(
            field_error("responsible_organization_id", msg="no organization with this id")
        )
    elif outside_parties(session, agreement_id, [responsible_organization_id]):
        errors.append(
            field_error(
                "responsible_organization_id",
                msg=f"'{organization.name}' is not a party of the agreement nor under one",
            )
        )
    if errors:
        raise RuleViolation(
            "The obligation breaks a rule: "
            + "; ".join(f"{e['loc'][-1]} {e['msg']}" for e in errors)
            + ".",
            type_slug="obligation-rule",
            errors=errors,
        )


def create_obligation(
    *, session: Session, agreement_id: int, obligation_in: ObligationCreate, today: date
) -> int:
    """Record what a party owes under an agreement."""
    agreement = facts_of(session, agreement_id, today)
    if agreement.status in ENDED:
        raise Conflict(
            f"Agreement {agreement_id} is {agreement.status.value}; it can take no new "
            "obligations.",
            type_slug="agreement-ended",
        )
    _check_rules(
        session,
        agreement=agreement,
        **obligation_in.model_dump(
            include={
                "responsible_organization_id",
                "due_on",
                "recurrence",
                "repeat_until",
                "scope_item_id",
            }
        ),
    )
    obligation = Obligation(
        agreement_id=agreement_id, series_start=obligation_in.due_on, **obligation_in.model_dump()
    )
    session.add(obligation)
    session.flush()
    assert obligation.id is not None
    record_audit(session, "obligation", obligation.id, "created", **obligation_in.model_dump())
    session.commit()
    assert obligation.id is not None
    return obligation.id


def _open_or_refuse(session: Session, obligation_id: int) -> Obligation:
    obligation = session.get(Obligation, obligation_id)
    if obligation is None:
        raise NotFound(f"No obligation with id {obligation_id}.", type_slug="obligation-not-found")
    if obligation.completed_on is not None or obligation.waived_at is not None:
        state = "done" if obligation.completed_on is not None else "waived"
        raise Conflict(
            f"Obligation {obligation_id} is already {state}.", type_slug="obligation-closed"
        )
    return obligation


def update_obligation(
    *, session: Session, obligation_id: int, obligation_in: ObligationUpdate, today: date
) -> None:
    """Change an open obligation (with the version the client read)."""
    obligation = _open_or_refuse(session, obligation_id)
    claim_version(session, Obligation, obligation_id, obligation_in.version, "Obligation")
    session.refresh(obligation)
    data = obligation_in.model_dump(exclude_unset=True, exclude={"version"})
    merged = {**obligation.model_dump(), **data}
    _check_rules(
        session,
        agreement=facts_of(session, obligation.agreement_id, today),
        **{
            k: merged[k]
            for k in (
                "responsible_organization_id",
                "due_on",
                "recurrence",
                "repeat_until",
                "scope_item_id",
            )
        },
    )
    if "due_on" in data and obligation.occurrence == 0:
        obligation.series_start = data["due_on"]
    changed = {
        k: {"old": getattr(obligation, k), "new": v}
        for k, v in data.items()
        if getattr(obligation, k) != v
    }
    record_audit(session, "obligation", obligation_id, "updated", changes=changed)
    obligation.sqlmodel_update(data)
    obligation.updated_at = utcnow()
    session.add(obligation)
    session.commit()


def _close(session: Session, obligation_id: int, values: dict[str, Any]) -> Obligation:
    """Close an open obligation in one conditional UPDATE, so two staff cannot both close it."""
    _open_or_refuse(session, obligation_id)
    result = session.execute(
        sa.update(Obligation)
        .where(
            col(Obligation.id) == obligation_id,
            col(Obligation.completed_on).is_(None),
            col(Obligation.waived_at).is_(None),
        )
        .values(**values, version=col(Obligation.version) + 1, updated_at=utcnow())
    )
    if result.rowcount == 0:  # type: ignore[attr-defined]
        raise Conflict(
            f"Obligation {obligation_id} was closed by someone else just now.",
            type_slug="obligation-closed",
        )
    obligation = session.get(Obligation, obligation_id, populate_existing=True)
    assert obligation is not None
    return obligation


def _open_next(session: Session, obligation: Obligation, today: date) -> int | None:
    """The next occurrence of a recurring series, unless past repeat_until or the validity."""
    if obligation.recurrence == Recurrence.none:
        return None
    opened = session.exec(select(Obligation.id).where(Obligation.previous_id == obligation.id))
    if opened.first() is not None:  # done again after reopening: its successor is open already
        return None
    occurrence = obligation.occurrence + 1
    due_on = occurrence_due_on(obligation.series_start, obligation.recurrence, occurrence)
    agreement = facts_of(session, obligation.agreement_id, today)
    if (
        (obligation.repeat_until and due_on > obligation.repeat_until)
        or (agreement.valid_until and due_on > agreement.valid_until)
        or agreement.status in ENDED
    ):
        return None
    following = Obligation(
        agreement_id=obligation.agreement_id,
        title=obligation.title,
        description=obligation.description,
        responsible_organization_id=obligation.responsible_organization_id,
        due_on=due_on,
        recurrence=obligation.recurrence,
        repeat_until=obligation.repeat_until,
        scope_item_id=obligation.scope_item_id,
        series_start=obligation.series_start,
        occurrence=occurrence,
        previous_id=obligation.id,
    )
    session.add(following)
    session.flush()
    return following.id


def mark_done(
    session: Session, obligation_id: int, completed_on: date, note: str | None, today: date
) -> int | None:
    """Close an open obligation as done in the caller's transaction (no commit): once, whoever
    else tries at the same moment; a recurring one opens its next occurrence (returned)."""
    if completed_on > today:
        raise RuleViolation(
            f"completed_on {completed_on} is in the future (today is {today}).",
            type_slug="completed-in-future",
            errors=[field_error("completed_on", msg="must not be in the future")],
        )
    obligation = _close(
        session, obligation_id, {"completed_on": completed_on, "completion_note": note}
    )
    next_id = _open_next(session, obligation, today)
    record_audit(
        session,
        "obligation",
        obligation_id,
        "completed",
        completed_on=completed_on,
        note=note,
        next_id=next_id,
    )
    return next_id


def reopen(session: Session, obligation_id: int, reason: str) -> bool:
    """Open a done obligation again (its completion was found not to hold), in the caller's
    transaction; a next occurrence already opened stays. False if it was not done."""
    result = session.execute(
        sa.update(Obligation)
        .where(col(Obligation.id) == obligation_id, col(Obligation.completed_on).is_not(None))
        .values(
            completed_on=None,
            completion_note=None,
            version=col(Obligation.version) + 1,
            updated_at=utcnow(),
        )
    )
    if result.rowcount == 0:  # type: ignore[attr-defined]
        return False
    record_audit(session, "obligation", obligation_id, "reopened", reason=reason)
    return True


def complete_obligation(
    *, session: Session, obligation_id: int, complete_in: CompleteIn, today: date
) -> int | None:
    """Mark an obligation done; a recurring one opens its next occurrence. Returns that id."""
    next_id = mark_done(session, obligation_id, complete_in.completed_on, complete_in.note, today)
    session.commit()
    return next_id


def waive_obligation(
    *, session: Session, obligation_id: int, waive_in: WaiveIn, today: date
) -> int | None:
    """Waive this occurrence (it is not owed); a recurring series goes on with the next one."""
    obligation = _close(
        session, obligation_id, {"waived_at": utcnow(), "waiver_reason": waive_in.reason}
    )
    next_id = _open_next(session, obligation, today)
    record_audit(
        session, "obligation", obligation_id, "waived", reason=waive_in.reason, next_id=next_id
    )
    session.commit()
    return next_id


# What an obligation is shown with (ObligationPublic): its own columns but its series' start,
# its status on a day, its agreement's title, its organization's name, its successor.
_FOLLOWING = aliased(Obligation, name="following_obligation")
_SHOWN: tuple[Any, ...] = (
    Obligation.id,
    Obligation.agreement_id,
    Obligation.title,
    Obligation.description,
    Obligation.responsible_organization_id,
    Obligation.due_on,
    Obligation.recurrence,
    Obligation.repeat_until,
    Obligation.scope_item_id,
    Obligation.occurrence,
    Obligation.previous_id,
    Obligation.completed_on,
    Obligation.completion_note,
    Obligation.waived_at,
    Obligation.waiver_reason,
    Obligation.version,
    Obligation.created_at,
    Obligation.updated_at,
)


@lru_cache(maxsize=8)
def _public_query(today: date) -> Any:
    """SELECT of obligations as shown on `today`, plain columns (no ORM objects), built once a
    day: building it and its cache key cost more than the database takes to run it."""
    return (
        sa.select(
            *(col(column) for column in _SHOWN),
            status_expression_of(today).label("status"),
            col(Agreement.title).label("agreement_title"),
            col(Organization.name).label("responsible_organization_name"),
            col(_FOLLOWING.id).label("next_id"),
        )
        .join(Agreement, col(Agreement.id) == Obligation.agreement_id)
        .join(Organization, col(Organization.id) == Obligation.responsible_organization_id)
        .outerjoin(_FOLLOWING, col(_FOLLOWING.previous_id) == Obligation.id)
    )


_PUBLIC_FIELDS = tuple(ObligationPublic.model_fields)


def _public(row: Any) -> ObligationPublic:
    """The obligation of a row of _public_query (not validated again: every value comes typed
    from the database; the tests compare it with the full validation)."""
    values = row._mapping
    return trusted(
        ObligationPublic,
        **{
            name: ObligationStatus(values[name]) if name == "status" else values[name]
            for name in _PUBLIC_FIELDS
        },
    )


def get_obligation(*, session: Session, obligation_id: int, today: date) -> ObligationPublic:
    """One obligation with its status today, or NotFound."""
    row = session.execute(_public_query(today).where(Obligation.id == obligation_id)).first()
    if row is None:
        raise NotFound(f"No obligation with id {obligation_id}.", type_slug="obligation-not-found")
    return _public(row)


# The filters whose values vary from request to request: statements are built once per day and
# combination of the filters given, their values parameters (`read_<name>`).
_VALUED = ("agreement_id", "organization_id", "due_before", "due_after")


@dataclass(frozen=True)
class ObligationFilters:
    """The filters of the obligation list and of its exports."""

    agreement_id: int | None = None
    organization_id: int | None = None
    status: ObligationStatus | None = None
    due_before: date | None = None
    due_after: date | None = None

    def shape(self) -> tuple[Any, ...]:
        """What a statement of these filters depends on: the status, the filters given."""
        return self.status, tuple(name for name in _VALUED if getattr(self, name) is not None)

    def values(self) -> dict[str, Any]:
        """The parameters of the filters given, for a statement of their shape."""
        return {f"read_{name}": getattr(self, name) for name in self.shape()[1]}

    def matching(self, today: date) -> Any:
        """SELECT of the ids of the obligations that match, the values bound."""
        conditions = _conditions(self.shape(), today)
        return select(col(Obligation.id)).where(*conditions).params(self.values())


@lru_cache(maxsize=64)
def _conditions(shape: tuple[Any, ...], today: date) -> tuple[Any, ...]:
    """The conditions of filters of this shape, their values as parameters (`values()`)."""
    status, given = shape
    conditions: list[Any] = []
    if "agreement_id" in given:
        conditions.append(Obligation.agreement_id == sa.bindparam("read_agreement_id"))
    if "organization_id" in given:
        conditions.append(
            Obligation.responsible_organization_id == sa.bindparam("read_organization_id")
        )
    if status is not None:
        conditions.append(status_conditions(today)[status])
    if "due_before" in given:
        conditions.append(col(Obligation.due_on) <= sa.bindparam("read_due_before"))
    if "due_after" in given:
        conditions.append(col(Obligation.due_on) >= sa.bindparam("read_due_after"))
    return tuple(conditions)


@dataclass(frozen=True)
class ObligationCursor:
    """Where a page of the obligation list ended (keyset paging): the due date and the id of its
    last obligation, in the list's one order (by due date, ties by id). The next page is what
    comes after that row; the exports read batch after batch the same way."""

    due_on: date
    id: int

    def token(self) -> str:
        """The opaque `next_cursor` clients send back as `cursor`."""
        return encode_cursor(["obligation", self.due_on.isoformat(), self.id])

    @classmethod
    def parse(cls, token: str) -> "ObligationCursor":
        """The position a `cursor` names; `invalid-cursor` otherwise."""
        values = decode_cursor(token)
        if len(values) != 3 or values[0] != "obligation":
            raise invalid_cursor("it is not a token of this list")
        _, due_on, last_id = values
        if type(last_id) is not int or not 1 <= last_id <= MAX_ID:
            raise invalid_cursor("it names no obligation")
        try:
            return cls(date.fromisoformat(due_on), last_id)
        except (TypeError, ValueError):
            raise invalid_cursor("it is not a token of this list") from None

    def values(self) -> dict[str, Any]:
        """The parameters of its condition (_after)."""
        return {"read_after_due_on": self.due_on, "read_after_id": self.id}


@lru_cache(maxsize=1)
def _after() -> Any:
    """The obligations after a cursor's position (ObligationCursor.values) in the list's order."""
    due_on = sa.bindparam("read_after_due_on", type_=sa.Date())
    return or_(
        col(Obligation.due_on) > due_on,
        and_(col(Obligation.due_on) == due_on, col(Obligation.id) > sa.bindparam("read_after_id")),
    )


LIST_ORDER = (col(Obligation.due_on), col(Obligation.id))


def list_obligations_page(
    *,
    session: Session,
    today: date,
    filters: ObligationFilters,
    limit: int,
    offset: int = 0,
    count: bool = False,
    after: ObligationCursor | None = None,
) -> tuple[list[ObligationPublic], int | None, ObligationCursor | None]:
    """A page of obligations by due date (after the cursor's row, if given, then skipping
    `offset`); when `count`, how many match in all (a statement of its own, over every match,
    unless the page tells it);
    and where the next page starts, None at the end. One row more than the page tells whether
    another follows."""
    values = {**filters.values(), "read_limit": limit + 1, "read_offset": offset}
    if after is not None:
        values.update(after.values())
    statement = _page_statement(filters.shape(), after is not None, today)
    session.flush()  # run on the session's connection, after its pending changes
    rows = session.connection().execute(statement, values).all()
    page = [_public(row) for row in rows[:limit]]
    following = ObligationCursor(page[-1].due_on, page[-1].id) if len(rows) > limit else None
    total: int | None = None
    if count:
        # Counted only when the page cannot tell it (as `paginate` does): a page by offset
        # that ends the list and is not empty past the start holds the rest of the total.
        if after is None and following is None and (page or offset == 0):
            total = offset + len(page)
        else:
            total = count_of(session, filters.matching(today))
    return page, total, following


@lru_cache(maxsize=256)
def _page_statement(shape: tuple[Any, ...], keyset: bool, today: date) -> Any:
    """A page of the list for filters of this shape (after a cursor's row when `keyset`), its
    values as parameters; built once per day and shape."""
    # The page's ids first (from the partial index of open obligations by due date, for the
    # overdue ones), then their agreements, organizations and successors: the joins for the
    # rows of the page only, not for every row of a due date the order runs through.
    chosen = (
        select(col(Obligation.id))
        .where(*_conditions(shape, today), *([_after()] if keyset else []))
        .order_by(*LIST_ORDER)
        .limit(sa.bindparam("read_limit"))
        .offset(sa.bindparam("read_offset"))
    )
    return _public_query(today).where(col(Obligation.id).in_(chosen)).order_by(*LIST_ORDER)


def list_obligations(
    *, session: Session, today: date, filters: ObligationFilters, limit: int, offset: int
) -> tuple[list[ObligationPublic], int]:
    """Obligations by due date, filtered, and how many match in all (list_obligations_page
    with its count, without its cursor)."""
    items, total, _ = list_obligations_page(
        session=session, today=today, filters=filters, limit=limit, offset=offset, count=True
    )
    assert total is not None
    return items, total


def iter_obligations(
    *, session: Session, today: date, filters: ObligationFilters, batch: int = 1000
) -> Iterator[ObligationPublic]:
    """Every matching obligation by due date, read batch by batch (keyset on due date and id),
    so that an export of a million holds one batch in memory."""
    after: ObligationCursor | None = None
    while True:
        values = {**filters.values(), "read_limit": batch, "read_offset": 0}
        if after is not None:
            values.update(after.values())
        statement = _page_statement(filters.shape(), after is not None, today)
        rows = session.execute(statement, values).all()
        for row in rows:
            yield _public(row)
        if len(rows) < batch:
            return
        last_row = _public(rows[-1])
        after = ObligationCursor(last_row.due_on, last_row.id)
        session.expunge_all()
