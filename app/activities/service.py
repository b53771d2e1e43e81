"""Reporting activities (realisasi kegiatan), their evidence and their verification by another
party; reading them, one by one or as pages."""

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any, BinaryIO

import sqlalchemy as sa
from sqlmodel import Session, col, select

from app.activities.models import Activity, ActivityDocument, ActivityScopeItem, Verification
from app.activities.schemas import (
    ActivityCreate,
    ActivityDocumentPublic,
    ActivityPublic,
    VerdictIn,
)
from app.agreements.amendments import scope_in_effect_rows
from app.agreements.history import record
from app.agreements.parties import party_ids
from app.agreements.validity import signed_facts
from app.audit.service import record_audit
from app.core.actor import actor_of
from app.core.db import among_parameter, read_param
from app.core.errors import Conflict, NotFound, RuleViolation, field_error
from app.core.pagination import PAGE_LIMIT, PAGE_OFFSET, paginate_prebuilt
from app.core.types import utcnow
from app.documents.service import store_once
from app.documents.storage import DocumentStore
from app.obligations.models import Obligation
from app.obligations.service import mark_done, reopen
from app.organizations.models import Organization
from app.users.access import require_party_editor, require_verifier
from app.users.auth import Caller

# Reported and not rejected: what counts as implemented.
COUNTED = (Verification.pending, Verification.verified)


def _obligation_fulfilled(
    session: Session, agreement_id: int, activity_in: ActivityCreate
) -> Obligation | None:
    if activity_in.obligation_id is None:
        return None
    obligation = session.get(Obligation, activity_in.obligation_id)
    if obligation is None or obligation.agreement_id != agreement_id:
        raise RuleViolation(
            f"obligation_id {activity_in.obligation_id} is not an obligation of agreement "
            f"{agreement_id}.",
            type_slug="obligation-of-another-agreement",
            errors=[field_error("obligation_id", msg="not an obligation of this agreement")],
        )
    if obligation.responsible_organization_id != activity_in.organization_id:
        raise RuleViolation(
            f"Obligation {obligation.id} is owed by organization "
            f"{obligation.responsible_organization_id}, not by the reporting party "
            f"{activity_in.organization_id}.",
            type_slug="obligation-of-another-party",
            errors=[field_error("obligation_id", msg="owed by another party")],
        )
    return obligation


def _check_report(
    session: Session, caller: Caller, agreement_id: int, activity_in: ActivityCreate, today: date
) -> list[int]:
    """The rules of a report; returns the ruang lingkup item ids it implements."""
    facts = signed_facts(session, agreement_id, today, "reported on")
    held_from, held_to = activity_in.period
    date_field = "held_on" if activity_in.held_on is not None else "held_to"
    if held_to > today:
        raise RuleViolation(
            f"{date_field} {held_to} is in the future (today is {today}); report an activity "
            "once it was held.",
            type_slug="activity-in-future",
            errors=[field_error(date_field, msg="must not be in the future")],
        )
    if facts.signed_on is not None and held_from < facts.signed_on:
        first_field = "held_on" if activity_in.held_on is not None else "held_from"
        raise RuleViolation(
            f"{first_field} {held_from} is before agreement {agreement_id} was signed "
            f"({facts.signed_on}).",
            type_slug="activity-before-signing",
            errors=[field_error(first_field, msg=f"not before {facts.signed_on}")],
        )
    ended = min(
        (d for d in (facts.valid_until, facts.agreement.terminated_on) if d is not None),
        default=None,
    )
    if ended is not None and held_from > ended:
        raise RuleViolation(
            f"The activity began {held_from}, after agreement {agreement_id} ended ({ended}).",
            type_slug="activity-after-end",
            errors=[field_error(date_field, msg=f"not after {ended}")],
        )
    parties = party_ids(session, agreement_id)
    if activity_in.organization_id not in parties:
        raise RuleViolation(
            f"organization_id {activity_in.organization_id} is not a party of agreement "
            f"{agreement_id} (parties: {sorted(parties)}).",
            type_slug="reporter-not-a-party",
            errors=[field_error("organization_id", msg="not a party of this agreement")],
        )
    require_party_editor(session, caller, [activity_in.organization_id])
    wanted = list(dict.fromkeys(activity_in.scope_item_ids))
    obligation = _obligation_fulfilled(session, agreement_id, activity_in)
    if obligation is not None and obligation.scope_item_id is not None:
        wanted = list(dict.fromkeys([*wanted, obligation.scope_item_id]))
    in_effect = {item.id for item in scope_in_effect_rows(session, agreement_id, held_to)}
    unknown = [i for i in wanted if i not in in_effect]
    if unknown:
        raise RuleViolation(
            f"scope_item_ids {unknown} are not ruang lingkup items of agreement {agreement_id} "
            f"in effect on {held_to} (those are {sorted(i for i in in_effect if i)}).",
            type_slug="unknown-scope-item",
            errors=[field_error("scope_item_ids", msg="not an item of this agreement's scope")],
        )
    return wanted


def create_activity(
    *,
    session: Session,
    caller: Caller,
    agreement_id: int,
    activity_in: ActivityCreate,
    today: date,
) -> ActivityPublic:
    """Record a report in one transaction; fulfilling an obligation completes it exactly once
    (a second report of the same occurrence, at the same moment or later, is refused)."""
    scope_item_ids = _check_report(session, caller, agreement_id, activity_in, today)
    held_from, held_to = activity_in.period
    next_id = None
    if activity_in.obligation_id is not None:
        # First, so that of two reports of one occurrence at once the second waits on the
        # first's conditional UPDATE and is refused (409), before it writes anything.
        next_id = mark_done(
            session,
            activity_in.obligation_id,
            held_to,
            f"Realisasi kegiatan: {activity_in.title}",
            today,
        )
    activity = Activity(
        agreement_id=agreement_id,
        organization_id=activity_in.organization_id,
        title=activity_in.title,
        held_from=held_from,
        held_to=held_to,
        description=activity_in.description,
        participants=activity_in.participants,
        obligation_id=activity_in.obligation_id,
    )
    session.add(activity)
    session.flush()
    assert activity.id is not None
    session.add_all(
        ActivityScopeItem(activity_id=activity.id, scope_item_id=i) for i in scope_item_ids
    )
    details = {
        "activity_id": activity.id,
        "title": activity.title,
        "organization_id": activity.organization_id,
        "held_from": held_from,
        "held_to": held_to,
        "scope_item_ids": scope_item_ids,
        "obligation_id": activity.obligation_id,
        "next_obligation_id": next_id,
    }
    record_audit(session, "activity", activity.id, "reported", **details)
    record(session, agreement_id, "activity_reported", **details)
    session.commit()
    return get_activity(session=session, agreement_id=agreement_id, activity_id=activity.id)


def _activity_of(session: Session, agreement_id: int, activity_id: int) -> Activity:
    activity = session.get(Activity, activity_id)
    if activity is None or activity.agreement_id != agreement_id:
        raise NotFound(
            f"Agreement {agreement_id} has no activity {activity_id}.",
            type_slug="activity-not-found",
        )
    return activity


def verify_activity(
    *,
    session: Session,
    caller: Caller,
    agreement_id: int,
    activity_id: int,
    verdict_in: VerdictIn,
) -> ActivityPublic:
    """Another party's verdict. A rejection lets go of the obligation the report fulfilled and
    opens it again; a rejected report may be verified later (after more evidence), a verified
    one rejected (a correction); each verdict is kept in the activity's history."""
    activity = _activity_of(session, agreement_id, activity_id)
    judged_for = require_verifier(session, caller, agreement_id, activity.organization_id)
    if activity.verification == verdict_in.verdict:
        raise Conflict(
            f"Activity {activity_id} is {activity.verification.value} already.",
            type_slug="same-verdict",
        )
    values: dict[str, Any] = {
        "verification": verdict_in.verdict,
        "verdict_note": verdict_in.note,
        "verdict_by": actor_of(session).name,
        "verdict_organization_id": judged_for,
        "verdict_at": utcnow(),
        "updated_at": utcnow(),
        "version": col(Activity.version) + 1,
    }
    reopened = False
    released = activity.obligation_id
    if verdict_in.verdict == Verification.rejected and released is not None:
        values["obligation_id"] = None
        reopened = reopen(
            session, released, f"Realisasi kegiatan {activity_id} was rejected: {verdict_in.note}"
        )
    # Conditional on the state read, so two verdicts given at once do not both apply.
    result = session.execute(
        sa.update(Activity)
        .where(
            col(Activity.id) == activity_id,
            col(Activity.verification) == activity.verification,
        )
        .values(**values)
    )
    if result.rowcount == 0:  # type: ignore[attr-defined]
        session.rollback()
        raise Conflict(
            f"Activity {activity_id} was judged by someone else just now; read it again.",
            type_slug="verdict-given-meanwhile",
        )
    details = {
        "activity_id": activity_id,
        "verdict": verdict_in.verdict.value,
        "note": verdict_in.note,
        "judged_for": judged_for,
        "obligation_reopened": released if reopened else None,
    }
    record_audit(session, "activity", activity_id, verdict_in.verdict.value, **details)
    record(session, agreement_id, f"activity_{verdict_in.verdict.value}", **details)
    session.commit()
    return get_activity(session=session, agreement_id=agreement_id, activity_id=activity_id)


def attach_evidence(
    *,
    session: Session,
    caller: Caller,
    store: DocumentStore,
    agreement_id: int,
    activity_id: int,
    source: BinaryIO,
    filename: str | None,
    declared_type: str | None,
) -> tuple[ActivityPublic, bool]:
    """Keep an evidence file of a report (the reporting party's editors), with the upload
    rules of signed documents."""
    activity = _activity_of(session, agreement_id, activity_id)
    require_party_editor(session, caller, [activity.organization_id])

    def recorded(document: ActivityDocument) -> None:
        record_audit(
            session,
            "activity",
            activity_id,
            "evidence_attached",
            document_id=document.id,
            filename=document.filename,
            sha256=document.sha256,
        )

    _, created = store_once(
        session=session,
        store=store,
        model=ActivityDocument,
        owner={"activity_id": activity_id},
        source=source,
        filename=filename,
        declared_type=declared_type,
        recorded=recorded,
    )
    return get_activity(
        session=session, agreement_id=agreement_id, activity_id=activity_id
    ), created


def evidence_of(
    *, session: Session, agreement_id: int, activity_id: int, document_id: int
) -> ActivityDocument:
    """One evidence document of an activity, or NotFound."""
    _activity_of(session, agreement_id, activity_id)
    document = session.get(ActivityDocument, document_id)
    if document is None or document.activity_id != activity_id:
        raise NotFound(
            f"Activity {activity_id} has no document {document_id}.",
            type_slug="document-not-found",
        )
    return document


def activities_public(
    session: Session, activities: list[Activity], names: dict[int, str] | None = None
) -> list[ActivityPublic]:
    """Public views of many activities in three more queries, whatever their number (two when
    the reporters' `names` came with the activities)."""
    ids = [a.id for a in activities]
    if not ids:
        return []
    if names is None:
        names = dict(
            session.execute(
                sa.select(col(Organization.id), col(Organization.name)).where(
                    col(Organization.id).in_({a.organization_id for a in activities})
                )
            ).all()
        )
    scope: dict[int, list[int]] = {i: [] for i in ids if i is not None}
    for activity_id, item_id in session.execute(
        sa.select(col(ActivityScopeItem.activity_id), col(ActivityScopeItem.scope_item_id))
        .where(col(ActivityScopeItem.activity_id).in_(ids))
        .order_by(col(ActivityScopeItem.scope_item_id))
    ):
        scope[activity_id].append(item_id)
    documents: dict[int, list[ActivityDocumentPublic]] = {i: [] for i in ids if i is not None}
    for document in session.exec(
        select(ActivityDocument)
        .where(col(ActivityDocument.activity_id).in_(ids))
        .order_by(col(ActivityDocument.id))
    ):
        documents[document.activity_id].append(ActivityDocumentPublic.model_validate(document))
    return [
        ActivityPublic.model_validate(
            {
                **a.model_dump(),
                "organization_name": names.get(a.organization_id, ""),
                "scope_item_ids": scope[a.id or 0],
                "documents": documents[a.id or 0],
            }
        )
        for a in activities
    ]


def get_activity(*, session: Session, agreement_id: int, activity_id: int) -> ActivityPublic:
    activity = _activity_of(session, agreement_id, activity_id)
    session.refresh(activity)
    return activities_public(session, [activity])[0]


@dataclass(frozen=True)
class ActivityFilters:
    agreement_id: int | None = None
    organization_ids: list[int] | None = None
    scope_item_id: int | None = None
    held_from: date | None = None
    held_to: date | None = None
    verification: Verification | None = None

    def shape(self) -> tuple[str, ...]:
        """What a statement of these filters depends on: the filters given (not their values)."""
        return tuple(name for name in _FILTERED if getattr(self, name) is not None)

    def values(self) -> dict[str, Any]:
        """The parameters of the filters given (`read_<name>`), for a statement of their shape."""
        return {f"read_{name}": getattr(self, name) for name in self.shape()}


_FILTERED = (
    "agreement_id",
    "organization_ids",
    "scope_item_id",
    "held_from",
    "held_to",
    "verification",
)


@lru_cache(maxsize=128)
def _activity_statements(shape: tuple[str, ...], dialect: str) -> tuple[Any, Any]:
    """The activities matching filters of this shape (their values as parameters), and a page
    of them with their reporters' names, the latest held first: built once per shape."""
    found: list[Any] = []
    if "agreement_id" in shape:
        found.append(col(Activity.agreement_id) == read_param("agreement_id"))
    if "organization_ids" in shape:
        found.append(
            among_parameter(col(Activity.organization_id), "read_organization_ids", dialect)
        )
    if "scope_item_id" in shape:
        found.append(
            sa.exists().where(
                col(ActivityScopeItem.activity_id) == Activity.id,
                col(ActivityScopeItem.scope_item_id) == read_param("scope_item_id"),
            )
        )
    # Overlapping the period: held at some time within it.
    if "held_from" in shape:
        found.append(col(Activity.held_to) >= read_param("held_from", type_=sa.Date()))
    if "held_to" in shape:
        found.append(col(Activity.held_from) <= read_param("held_to", type_=sa.Date()))
    if "verification" in shape:
        found.append(col(Activity.verification) == read_param("verification"))
    matching = select(Activity).where(*found)
    page = (
        matching.add_columns(col(Organization.name))
        .outerjoin(Organization, col(Organization.id) == col(Activity.organization_id))
        .order_by(col(Activity.held_from).desc(), col(Activity.id).desc())
        .limit(sa.bindparam(PAGE_LIMIT))
        .offset(sa.bindparam(PAGE_OFFSET))
    )
    return matching, page


def list_activities(
    *, session: Session, filters: ActivityFilters, limit: int, offset: int
) -> tuple[list[ActivityPublic], int]:
    """Matching activities, the latest held first, with their reporters' names (one join)."""
    matching, page = _activity_statements(filters.shape(), session.get_bind().dialect.name)
    rows, total = paginate_prebuilt(
        session, page, filters.values(), limit=limit, offset=offset, counted=matching
    )
    names = {activity.organization_id: name for activity, name in rows if name is not None}
    return activities_public(session, [activity for activity, _ in rows], names), total
