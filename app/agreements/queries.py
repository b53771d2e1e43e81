"""Reading agreements: one query shape for one agreement and for lists, with bounded statements."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, func, select, union_all

from app.agreements.amendments import amendment_summary, scope_in_effect
from app.agreements.errors import AgreementNotFound
from app.agreements.models import (
    Agreement,
    AgreementKind,
    AgreementParty,
    AgreementStatus,
    ScopeItem,
    ScopeWithdrawal,
)
from app.agreements.parties import number_mismatch
from app.agreements.schemas import (
    AgreementPublic,
    AgreementSummary,
    AgreementWarning,
    AmendmentSummary,
    PartyPublic,
)
from app.agreements.search import search_condition, search_pattern
from app.agreements.status import (
    ENDED,
    effective_valid_until_expression,
    fully_signed_condition,
    signed_on_expression,
    status_condition,
    status_expression,
)
from app.core.db import among_parameter, read_param, records, run_prebuilt
from app.core.pagination import decode_cursor, encode_cursor, invalid_cursor
from app.core.responses import trusted
from app.core.schemas import MAX_ID
from app.organizations.models import Organization

# The filters whose values vary from request to request. Statements are built once per
# combination of the filters given (their values are parameters, `read_<name>`) and reused:
# building a statement and its cache key cost more than the database takes to run it.
_VALUED = (
    "parent_id",
    "organization_id",
    "number",
    "q",
    "expiring_before",
    "unsigned_by",
    "signed_by",
)


@dataclass(frozen=True)
class AgreementFilters:
    """The list filters staff can combine."""

    kind: AgreementKind | None = None
    status: AgreementStatus | None = None
    parent_id: int | None = None
    organization_id: int | None = None
    number: str | None = None
    q: str | None = None
    expiring_before: date | None = None
    unsigned_by: int | None = None
    signed_by: int | None = None
    # The public list (app/public): NK and PKS opted in and signed by every party.
    publicly_listed: bool = False

    def shape(self) -> tuple[Any, ...]:
        """What the statement depends on: the filters given (not their values)."""
        given = tuple(name for name in _VALUED if getattr(self, name) is not None)
        return (self.kind, self.status, self.publicly_listed, given)

    def values(self) -> dict[str, Any]:
        """The parameters of the filters given, for a statement of their shape."""
        values: dict[str, Any] = {}
        for name in _VALUED:
            value = getattr(self, name)
            if value is None:
                continue
            if name == "number":
                value = value.strip().lower()
            elif name == "q":
                value = search_pattern(value)
            values[f"read_{name}"] = value
        return values

    def matching(self, today: date) -> Any:
        """SELECT of the ids of the agreements that match, the values bound (for a statement of
        one's own; the reads here run prebuilt ones with `values()`)."""
        conditions = _conditions(self.shape(), today)
        return select(Agreement.id).where(*conditions).params(self.values())


@lru_cache(maxsize=512)
def _conditions(shape: tuple[Any, ...], today: date) -> tuple[Any, ...]:
    """The conditions of filters of this shape, their values as parameters (`values()`)."""
    kind, status, publicly_listed, given = shape
    conditions: list[Any] = []
    if publicly_listed:
        conditions.append(col(Agreement.public_listing).is_(True))
        conditions.append(col(Agreement.kind).in_([AgreementKind.nk, AgreementKind.pks]))
        conditions.append(fully_signed_condition(Agreement))
    if kind is not None:
        conditions.append(Agreement.kind == kind)
    if status is not None:
        conditions.append(status_condition(Agreement, status, today))
    if "parent_id" in given:
        conditions.append(Agreement.parent_id == read_param("parent_id"))
    if "organization_id" in given:
        conditions.append(
            _has_party(AgreementParty.organization_id == read_param("organization_id"))
        )
    if "number" in given:
        conditions.append(
            _has_party(func.lower(AgreementParty.document_number) == read_param("number"))
        )
    if "q" in given:
        conditions.append(search_condition(read_param("q")))
    if "unsigned_by" in given:
        conditions.append(
            _has_party(
                AgreementParty.organization_id == read_param("unsigned_by"),
                col(AgreementParty.signed_on).is_(None),
            )
        )
    if "signed_by" in given:
        conditions.append(
            _has_party(
                AgreementParty.organization_id == read_param("signed_by"),
                col(AgreementParty.signed_on).is_not(None),
            )
        )
    if "expiring_before" in given:
        conditions.append(
            effective_valid_until_expression(Agreement) <= read_param("expiring_before")
        )
    return tuple(conditions)


def _has_party(*conditions: Any) -> Any:
    return (
        select(AgreementParty.id)
        .where(AgreementParty.agreement_id == Agreement.id, *conditions)
        .correlate(Agreement)
        .exists()
    )


class AgreementSort(StrEnum):
    """Orders of a list of agreements."""

    newest = "newest"  # the most recently registered first
    valid_until = "valid_until"  # what lapses first, first; open-ended ones last
    signed_on = "signed_on"  # the most recently signed first; unsigned ones last
    alphabetical = "title"  # A to Z, case ignored


def _sort_key(sort: AgreementSort) -> Any:
    """What a sort orders by before the id (newest: the id alone, None)."""
    if sort is AgreementSort.valid_until:
        return effective_valid_until_expression(Agreement)
    if sort is AgreementSort.signed_on:
        return signed_on_expression(Agreement)
    if sort is AgreementSort.alphabetical:
        return func.lower(Agreement.title)
    return None


def _order(sort: AgreementSort) -> list[Any]:
    """The order of a sort; the id (newest first) breaks ties, so the order is total and a
    cursor can continue it."""
    newest = col(Agreement.id).desc()
    key = _sort_key(sort)
    if sort is AgreementSort.valid_until:
        return [key.asc().nulls_last(), newest]
    if sort is AgreementSort.signed_on:
        return [key.desc().nulls_last(), newest]
    if sort is AgreementSort.alphabetical:
        return [key.asc(), newest]
    return [newest]


@dataclass(frozen=True)
class ListCursor:
    """Where a page of the agreement list ended (keyset paging): its sort, the sort key and the
    id of its last agreement. The next page is what comes after that row in the same order."""

    sort: AgreementSort
    key: date | str | None
    id: int

    def token(self) -> str:
        """The opaque `next_cursor` clients send back as `cursor`."""
        key = self.key.isoformat() if isinstance(self.key, date) else self.key
        return encode_cursor([self.sort.value, key, self.id])

    @classmethod
    def parse(cls, token: str, sort: AgreementSort) -> "ListCursor":
        """The position a `cursor` names, for a list in this sort; `invalid-cursor` otherwise."""
        values = decode_cursor(token)
        if len(values) != 3:
            raise invalid_cursor("it is not a token of this list")
        sort_value, key, last_id = values
        if sort_value != sort.value:
            raise invalid_cursor(f"it continues sort={sort_value}, not sort={sort.value}")
        if type(last_id) is not int or not 1 <= last_id <= MAX_ID:
            raise invalid_cursor("it names no agreement")
        if sort is AgreementSort.newest:
            if key is not None:
                raise invalid_cursor("it is not a token of this list")
            return cls(sort, None, last_id)
        if sort is AgreementSort.alphabetical:
            if not isinstance(key, str):
                raise invalid_cursor("it is not a token of this list")
            return cls(sort, key, last_id)
        if key is None:
            return cls(sort, None, last_id)
        try:
            return cls(sort, date.fromisoformat(key), last_id)
        except (TypeError, ValueError):
            raise invalid_cursor("it is not a token of this list") from None

    def shape(self) -> tuple[AgreementSort, bool]:
        """What its condition depends on: the sort, and whether it ended at the nulls."""
        return self.sort, self.key is None

    def values(self) -> dict[str, Any]:
        """The parameters of its condition."""
        if self.key is None:
            return {"read_after_id": self.id}
        return {"read_after_key": self.key, "read_after_id": self.id}


@lru_cache(maxsize=64)
def _after(shape: tuple[AgreementSort, bool]) -> Any:
    """The rows after a cursor's position in its order (nulls last, ties by id, newest first),
    the position as parameters (ListCursor.values)."""
    sort, at_nulls = shape
    after_id = col(Agreement.id) < read_param("after_id")
    key = _sort_key(sort)
    if key is None:
        return after_id
    if at_nulls:  # at the nulls, which come last: only later nulls remain
        return sa.and_(key.is_(None), after_id)
    position = read_param("after_key")
    ties = sa.and_(key == position, after_id)
    if sort is AgreementSort.valid_until:
        return sa.or_(key > position, ties, key.is_(None))
    if sort is AgreementSort.signed_on:
        return sa.or_(key < position, ties, key.is_(None))
    return sa.or_(key > position, ties)


# The read shape, in three statements whatever the page's length:
#   1. the page's agreements and their amendments, each with its status, validity and signing
#      day derived from its stored facts, its NK's summary, its PKS count and its renewal;
#   2. the parties of the page, with their organizations' names;
#   3. the scope items of the page and of its amendments, with the withdrawals of each.
# Plain rows, no ORM objects; the answer is built once with model_construct (every value comes
# typed from the database) and written by pydantic's serializer, which refuses a wrong type.
_PARENT = aliased(Agreement, name="parent_agreement")
_CHILD = aliased(Agreement, name="child_agreement")
_SUCCESSOR = aliased(Agreement, name="successor_agreement")
_AMENDMENT = aliased(Agreement, name="page_amendment")
_OWN_COLUMNS: tuple[Any, ...] = (
    Agreement.id,
    Agreement.kind,
    Agreement.title,
    Agreement.description,
    Agreement.parent_id,
    Agreement.amends_id,
    Agreement.supersedes_id,
    Agreement.valid_from,
    Agreement.valid_until,
    Agreement.pks_due_on,
    Agreement.planned_signing_on,
    Agreement.terminated_on,
    Agreement.termination_reason,
    Agreement.cancelled_at,
    Agreement.cancellation_reason,
    Agreement.finalized_at,
    Agreement.drafted_on,
    Agreement.finalized_on,
    Agreement.final_text_sha256,
    Agreement.public_listing,
    Agreement.version,
    Agreement.created_at,
    Agreement.updated_at,
)


def _successor_of(agreement_id: Any) -> Any:
    """SELECT of the agreement that renews this one (superseded_by_id)."""
    return select(_SUCCESSOR.id).where(col(_SUCCESSOR.supersedes_id) == agreement_id)


def superseded_by_id(session: Session, agreement_id: int) -> int | None:
    """The agreement that renews this one, as its read shape's superseded_by_id gives it (one
    small statement, for a page that needs only that of another agreement)."""
    statement = _successor_statement()
    return run_prebuilt(
        session, statement, {"read_agreement_id": agreement_id}
    ).scalar_one_or_none()


@lru_cache(maxsize=1)
def _successor_statement() -> Any:
    return _successor_of(read_param("agreement_id")).limit(1)


# What statement 1 reads (its `page`), each a SELECT of ids with its values as parameters:
# one agreement (`read_agreement_id`), given ids (`read_ids`), or a page of the list (its filters,
# cursor, `read_limit` and `read_offset`).
_ONE = ("one",)
_IDS = ("ids",)


def _chosen(what: tuple[Any, ...], today: date, sort: AgreementSort, dialect: str) -> Any:
    if what == _ONE:
        return select(Agreement.id).where(col(Agreement.id) == read_param("agreement_id"))
    if what == _IDS:
        return select(Agreement.id).where(_among(col(Agreement.id), "ids", dialect))
    _, filters, after = what
    keyset = [_after(after)] if after is not None else []
    # The page's ids in a subquery: the database derives status and validity for the rows of
    # the page only, not for every row an OFFSET skips.
    return (
        select(Agreement.id)
        .where(*_conditions(filters, today), *keyset)
        .order_by(*_order(sort))
        .limit(read_param("limit"))
        .offset(read_param("offset"))
    )


def _among(column: Any, name: str, dialect: str) -> Any:
    """column IN the ids of the parameter `read_<name>` of a prebuilt statement."""
    return among_parameter(column, f"read_{name}", dialect)


@lru_cache(maxsize=512)
def _agreement_statement(
    what: tuple[Any, ...], today: date, sort: AgreementSort, dialect: str
) -> Any:
    """Statement 1: the chosen agreements (`on_page`) and their amendments, in the order asked;
    built once per day, sort, kind of choice and database."""
    page = _chosen(what, today, sort, dialect).cte("page")
    on_page = select(page.c.id)
    wanted = union_all(on_page, select(_AMENDMENT.id).where(col(_AMENDMENT.amends_id).in_(on_page)))
    children = (
        select(func.count())
        .select_from(_CHILD)
        .where(col(_CHILD.parent_id) == Agreement.id)
        .correlate(Agreement)
        .scalar_subquery()
    )
    successor = _successor_of(Agreement.id).correlate(Agreement).scalar_subquery()
    return (
        sa.select(
            *_OWN_COLUMNS,
            col(Agreement.id).in_(on_page).label("on_page"),
            status_expression(Agreement, today).label("status"),
            signed_on_expression(Agreement).label("signed_on"),
            effective_valid_until_expression(Agreement).label("effective_valid_until"),
            fully_signed_condition(Agreement).label("fully_signed"),
            sa.case((col(Agreement.kind) == AgreementKind.nk, children), else_=sa.null()).label(
                "children_count"
            ),
            successor.label("superseded_by_id"),
            col(_PARENT.title).label("parent_title"),
            status_expression(_PARENT, today).label("parent_status"),
            (_sort_key(sort) if sort is not AgreementSort.newest else sa.null()).label("sort_key"),
        )
        .outerjoin(_PARENT, col(_PARENT.id) == Agreement.parent_id)
        .where(col(Agreement.id).in_(wanted))
        .order_by(*_order(sort))
    )


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def _agreement_rows(
    session: Session,
    what: tuple[Any, ...],
    values: dict[str, Any],
    today: date,
    sort: AgreementSort,
) -> list[Any]:
    """Statement 1 (see _agreement_statement), with the values of its choice."""
    statement = _agreement_statement(what, today, sort, _dialect(session))
    return records(run_prebuilt(session, statement, values))


@lru_cache(maxsize=4)
def _party_statement(dialect: str) -> Any:
    return (
        sa.select(
            col(AgreementParty.agreement_id),
            col(AgreementParty.organization_id),
            col(Organization.name).label("organization_name"),
            col(AgreementParty.position),
            col(AgreementParty.document_number),
            col(AgreementParty.signatory_name),
            col(AgreementParty.signatory_title),
            col(AgreementParty.signing_authority),
            col(AgreementParty.pending_reason),
            col(AgreementParty.signed_on),
            col(AgreementParty.signature_recorded_at),
        )
        .join(Organization, col(Organization.id) == AgreementParty.organization_id)
        .where(_among(col(AgreementParty.agreement_id), "ids", dialect))
        .order_by(col(AgreementParty.agreement_id), col(AgreementParty.position))
    )


def _party_rows(session: Session, agreement_ids: list[int]) -> dict[int, list[Any]]:
    """Statement 2: the parties of the agreements, in order, with their organizations' names."""
    parties: dict[int, list[Any]] = {i: [] for i in agreement_ids}
    if not agreement_ids:
        return parties
    statement = _party_statement(_dialect(session))
    for row in records(run_prebuilt(session, statement, {"read_ids": agreement_ids})):
        parties[row.agreement_id].append(row)
    return parties


@lru_cache(maxsize=4)
def _scope_statement(dialect: str) -> Any:
    return (
        sa.select(
            col(ScopeItem.agreement_id),
            col(ScopeItem.id),
            col(ScopeItem.title),
            col(ScopeItem.description),
            col(ScopeItem.source_item_id),
            col(ScopeWithdrawal.id).label("withdrawal_id"),
            col(ScopeWithdrawal.amendment_id).label("withdrawn_by"),
        )
        .outerjoin(ScopeWithdrawal, col(ScopeWithdrawal.scope_item_id) == ScopeItem.id)
        .where(_among(col(ScopeItem.agreement_id), "ids", dialect))
        .order_by(col(ScopeItem.agreement_id), col(ScopeItem.position), col(ScopeWithdrawal.id))
    )


def _scope_rows(
    session: Session, agreement_ids: list[int]
) -> tuple[dict[int, list[Any]], dict[int, list[int]]]:
    """Statement 3: the scope items of the agreements, in order, and the items each amendment
    among them withdraws (by withdrawal, oldest first)."""
    items: dict[int, list[Any]] = {i: [] for i in agreement_ids}
    if not agreement_ids:
        return items, {}
    statement = _scope_statement(_dialect(session))
    rows = records(run_prebuilt(session, statement, {"read_ids": agreement_ids}))
    withdrawals: list[tuple[int, int, int]] = []
    seen: set[int] = set()
    for row in rows:
        if row.id not in seen:
            seen.add(row.id)
            items[row.agreement_id].append(row)
        if row.withdrawal_id is not None:
            withdrawals.append((row.withdrawal_id, row.withdrawn_by, row.id))
    withdrawn: dict[int, list[int]] = {}
    for _, amendment_id, item_id in sorted(withdrawals):
        withdrawn.setdefault(amendment_id, []).append(item_id)
    return items, withdrawn


def _load(
    session: Session,
    what: tuple[Any, ...],
    values: dict[str, Any],
    today: date,
    sort: AgreementSort = AgreementSort.newest,
) -> list[AgreementPublic]:
    """The agreements chosen (one, or given ids: `_chosen`) as clients see them, in the order
    asked: three statements, whatever their number."""
    rows = _agreement_rows(session, what, values, today, sort)
    return _build(session, rows, [row for row in rows if row.on_page])


def _build(session: Session, rows: list[Any], page: list[Any]) -> list[AgreementPublic]:
    """The agreements of `page` as clients see them, from the rows of statement 1 (`page` and
    the amendments among `rows`), with statements 2 and 3."""
    if not page:
        return []
    all_ids = [row.id for row in rows]
    parties = _party_rows(session, [row.id for row in page])
    items, withdrawn = _scope_rows(session, all_ids)
    amendments: dict[int, list[tuple[AmendmentSummary, list[Any]]]] = {}
    for row in rows:  # in the order asked; amendments oldest first below
        if row.amends_id is not None:
            summary = amendment_summary(
                row,
                status=row.status,
                signed_on=row.signed_on,
                fully_signed=row.fully_signed,
                added=items[row.id],
                withdrawn=withdrawn.get(row.id, []),
            )
            amendments.setdefault(row.amends_id, []).append((summary, items[row.id]))
    for own in amendments.values():
        own.sort(key=lambda pair: pair[0].id)
    return [
        _public(row, parties[row.id], items[row.id], amendments.get(row.id, [])) for row in page
    ]


def _public(
    row: Any,
    parties: list[Any],
    items: list[Any],
    amendments: list[tuple[AmendmentSummary, list[Any]]],
) -> AgreementPublic:
    """The representation clients see, from the rows of the read shape (not validated again:
    the values come typed from the database; tests compare it with the full validation)."""
    status = AgreementStatus(row.status)
    parent = (
        trusted(
            AgreementSummary,
            id=row.parent_id,
            title=row.parent_title,
            status=AgreementStatus(row.parent_status),
        )
        if row.parent_id is not None
        else None
    )
    return trusted(
        AgreementPublic,
        id=row.id,
        kind=AgreementKind(row.kind),
        status=status,
        title=row.title,
        description=row.description,
        parent_id=row.parent_id,
        parent=parent,
        amends_id=row.amends_id,
        supersedes_id=row.supersedes_id,
        superseded_by_id=row.superseded_by_id,
        children_count=row.children_count,
        valid_from=row.valid_from,
        valid_until=row.effective_valid_until,
        valid_until_as_signed=row.valid_until,
        pks_due_on=row.pks_due_on,
        planned_signing_on=row.planned_signing_on,
        signed_on=row.signed_on,
        terminated_on=row.terminated_on,
        termination_reason=row.termination_reason,
        cancelled_at=row.cancelled_at,
        cancellation_reason=row.cancellation_reason,
        finalized_at=row.finalized_at,
        drafted_on=row.drafted_on,
        finalized_on=row.finalized_on,
        final_text_sha256=row.final_text_sha256,
        public_listing=row.public_listing,
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
        parties=[
            trusted(
                PartyPublic,
                organization_id=p.organization_id,
                organization_name=p.organization_name,
                position=p.position,
                document_number=p.document_number,
                signatory_name=p.signatory_name,
                signatory_title=p.signatory_title,
                signing_authority=p.signing_authority,
                pending_reason=p.pending_reason,
                signed=p.signature_recorded_at is not None,
                signed_on=p.signed_on,
                signature_recorded_at=p.signature_recorded_at,
            )
            for p in parties
        ],
        scope_items=scope_in_effect(items, amendments),
        amendments=[summary for summary, _ in amendments],
        warnings=_warnings(status, parent, parties),
    )


def _warnings(
    status: AgreementStatus, parent: AgreementSummary | None, parties: list[Any]
) -> list[AgreementWarning]:
    warnings = []
    if parent is not None and parent.status in ENDED and status not in ENDED:
        warnings.append(
            trusted(
                AgreementWarning,
                code="parent_inactive",
                message=f"Its NK '{parent.title}' is {parent.status.value}; this PKS no longer "
                "rests on an NK in force. Terminate it, or re-link it to the NK's renewal.",
            )
        )
    for party in parties:
        if party.document_number and party.signed_on:
            mismatch = number_mismatch(party.document_number, party.signed_on)
            if mismatch:
                warnings.append(
                    trusted(
                        AgreementWarning,
                        code="number_date_mismatch",
                        message=f"{party.organization_name}: {mismatch}.",
                    )
                )
    return warnings


def _parent_summaries(
    session: Session, parent_ids: set[int], today: date
) -> dict[int, AgreementSummary]:
    if not parent_ids:
        return {}
    rows = session.exec(
        select(Agreement.id, Agreement.title, status_expression(Agreement, today)).where(
            col(Agreement.id).in_(parent_ids)
        )
    )
    return {
        pid: AgreementSummary(id=pid, title=title, status=AgreementStatus(status))
        for pid, title, status in rows
        if pid is not None
    }


def agreement_summaries(
    *, session: Session, agreement_ids: list[int], today: date
) -> list[AgreementSummary]:
    """Agreements in brief (id, title, status today), in the order of the ids given."""
    found = _parent_summaries(session, set(agreement_ids), today)
    return [found[i] for i in agreement_ids if i in found]


def agreement_public(*, session: Session, agreement_id: int, today: date) -> AgreementPublic:
    """One agreement as clients see it, or AgreementNotFound."""
    found = _load(session, _ONE, {"read_agreement_id": agreement_id}, today)
    if not found:
        raise AgreementNotFound(agreement_id)
    return found[0]


def _page_rows(
    session: Session,
    *,
    filters: AgreementFilters,
    today: date,
    limit: int,
    offset: int,
    sort: AgreementSort,
    count: bool,
    after: ListCursor | None,
) -> tuple[list[Any], list[Any], int | None, ListCursor | None]:
    """Statement 1 of a page (its rows and their amendments, and the page's rows among them),
    the total when `count`, and where the next page starts (list_agreements_page)."""
    # One row more than the page tells whether another page follows (it is read in statement 1
    # only, not built).
    what = ("page", filters.shape(), after.shape() if after is not None else None)
    values = {**filters.values(), "read_limit": limit + 1, "read_offset": offset}
    if after is not None:
        values.update(after.values())
    rows = _agreement_rows(session, what, values, today, sort)
    page = [row for row in rows if row.on_page]
    following = None
    if len(page) > limit:
        page = page[:limit]
        following = ListCursor(sort, page[-1].sort_key, page[-1].id)
    total = None
    if count:
        # The last page of an offset list (not empty, or the first) tells the total; otherwise
        # it is counted.
        if after is None and following is None and (page or offset == 0):
            total = offset + len(page)
        else:
            total = count_agreements(session=session, filters=filters, today=today)
    return rows, page, total, following


def list_agreements_page(
    *,
    session: Session,
    filters: AgreementFilters,
    today: date,
    limit: int,
    offset: int = 0,
    sort: AgreementSort = AgreementSort.newest,
    count: bool = False,
    after: ListCursor | None = None,
) -> tuple[list[AgreementPublic], int | None, ListCursor | None]:
    """A page of agreements as clients see them, in the order asked (after the cursor's row,
    if given, then skipping `offset`); when `count`, how many match in all (a pass over every
    match: a statement of its own); and where the next page starts, None at the end."""
    rows, page, total, following = _page_rows(
        session,
        filters=filters,
        today=today,
        limit=limit,
        offset=offset,
        sort=sort,
        count=count,
        after=after,
    )
    return _build(session, rows, page), total, following


@dataclass(frozen=True)
class AgreementLine:
    """An agreement as a list of them shows it (the console's Perjanjian): what
    AgreementPublic says of it, less its scope, amendments, history and warnings."""

    id: int
    kind: AgreementKind
    title: str
    status: AgreementStatus
    valid_from: date | None
    valid_until: date | None  # as extended by amendments in effect (AgreementPublic's)
    document_numbers: list[str]  # the parties' numbers, in the parties' order


def list_agreement_lines(
    *,
    session: Session,
    filters: AgreementFilters,
    today: date,
    limit: int,
    offset: int,
    sort: AgreementSort = AgreementSort.newest,
) -> tuple[list[AgreementLine], int]:
    """A page of agreements as list_agreements_public finds them (the same statement 1 and
    statement 2), as lines, with how many match in all: no scope is read or built."""
    _, page, total, _ = _page_rows(
        session,
        filters=filters,
        today=today,
        limit=limit,
        offset=offset,
        sort=sort,
        count=True,
        after=None,
    )
    return _lines(session, page), total or 0


def agreement_lines(
    *, session: Session, filters: AgreementFilters, today: date, limit: int, sort: AgreementSort
) -> list[AgreementLine]:
    """The first `limit` agreements as list_agreement_lines finds them, as lines, uncounted:
    two statements (an NK's page lists its PKS so: title and status, no scope)."""
    _, page, _, _ = _page_rows(
        session,
        filters=filters,
        today=today,
        limit=limit,
        offset=0,
        sort=sort,
        count=False,
        after=None,
    )
    return _lines(session, page)


def agreement_line(*, session: Session, agreement_id: int, today: date) -> AgreementLine:
    """One agreement as a line (as agreement_public reads it, less what a line leaves out):
    two statements."""
    rows = _agreement_rows(
        session, _ONE, {"read_agreement_id": agreement_id}, today, AgreementSort.newest
    )
    page = [row for row in rows if row.on_page]
    if not page:
        raise AgreementNotFound(agreement_id)
    return _lines(session, page)[0]


def _lines(session: Session, page: list[Any]) -> list[AgreementLine]:
    """The rows of statement 1 as lines, with their parties' numbers (statement 2)."""
    parties = _party_rows(session, [row.id for row in page])
    return [
        AgreementLine(
            id=row.id,
            kind=AgreementKind(row.kind),
            title=row.title,
            status=AgreementStatus(row.status),
            valid_from=row.valid_from,
            valid_until=row.effective_valid_until,
            document_numbers=[p.document_number for p in parties[row.id] if p.document_number],
        )
        for row in page
    ]


def count_agreements(*, session: Session, filters: AgreementFilters, today: date) -> int:
    """How many agreements match the filters (a pass over every match)."""
    statement = _count_statement(filters.shape(), today)
    return int(run_prebuilt(session, statement, filters.values()).scalar_one())


@lru_cache(maxsize=256)
def _count_statement(shape: tuple[Any, ...], today: date) -> Any:
    matching = select(Agreement.id).where(*_conditions(shape, today))
    return sa.select(func.count()).select_from(matching.subquery())


@lru_cache(maxsize=256)
def _ids_statement(shape: tuple[Any, ...], today: date, sort: AgreementSort) -> Any:
    return select(Agreement.id).where(*_conditions(shape, today)).order_by(*_order(sort))


def list_agreements_public(
    *,
    session: Session,
    filters: AgreementFilters,
    today: date,
    limit: int,
    offset: int,
    sort: AgreementSort = AgreementSort.newest,
    count: bool = False,
) -> tuple[list[AgreementPublic], int | None]:
    """A page of agreements as clients see them, in the order asked, and, when `count`, how
    many match in all (list_agreements_page without its cursor)."""
    items, total, _ = list_agreements_page(
        session=session,
        filters=filters,
        today=today,
        limit=limit,
        offset=offset,
        sort=sort,
        count=count,
    )
    return items, total


def iter_agreements_public(
    *,
    session: Session,
    filters: AgreementFilters,
    today: date,
    sort: AgreementSort = AgreementSort.newest,
    chunk: int = 500,
) -> Iterator[AgreementPublic]:
    """Every matching agreement in the order asked, loaded chunk by chunk: the ids first (one
    query), then each chunk with the statements of one page. For exports."""
    ids = list(
        run_prebuilt(
            session, _ids_statement(filters.shape(), today, sort), filters.values()
        ).scalars()
    )
    for start in range(0, len(ids), chunk):
        part = ids[start : start + chunk]
        found = {a.id: a for a in _load(session, _IDS, {"read_ids": part}, today)}
        for agreement_id in part:
            yield found[agreement_id]
