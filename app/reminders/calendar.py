"""The deadlines as an RFC 5545 calendar feed, with stable UIDs so staff subscribe once;
recurring obligations as recurring events (RRULE) over the feed's window."""

import hashlib
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from cachetools import LRUCache
from icalendar import Alarm, Calendar, Event
from sqlmodel import Session, col

from app.agreements.models import Agreement
from app.agreements.status import effective_valid_until_expression
from app.core.config import Settings
from app.core.db import among
from app.labels import day_text, label
from app.obligations.models import MONTHS, Obligation, Recurrence
from app.obligations.service import occurrence_due_on
from app.reminders.deadlines import change_marks, public_deadlines
from app.reminders.schemas import DeadlinePublic
from app.stats.cache import TimedCache

# Alarms of an all-day event are relative to its start (midnight): the morning at 08:00.
MORNING = timedelta(hours=8)
UID_DOMAIN = "kerja-sama-registry"


@dataclass(frozen=True)
class Repetition:
    """How an open recurring obligation goes on after the occurrence now open: the occurrences
    `_open_next` will open, every `months` months on the series' day of the month (the last day
    of a shorter month), from `next_due_on` to `until`."""

    recurrence: Recurrence
    months: int
    day: int
    next_due_on: date
    until: date
    # The open occurrence is on its series' own date (not moved by hand), so one event with the
    # rule holds it and the ones after it.
    in_step: bool


def repetitions(
    session: Session, deadlines: Sequence[DeadlinePublic], start: date, until: date
) -> dict[str, Repetition]:
    """The recurring obligations among the deadlines (by deadline key) that have occurrences
    after the open one in the window [start, until], up to their repeat_until and their
    agreement's valid_until (where `_open_next` stops opening them)."""
    keys = {d.obligation_id: d.key for d in deadlines if d.obligation_id is not None}
    if not keys:
        return {}
    rows = session.execute(
        sa.select(
            col(Obligation.id),
            col(Obligation.recurrence),
            col(Obligation.series_start),
            col(Obligation.occurrence),
            col(Obligation.due_on),
            col(Obligation.repeat_until),
            effective_valid_until_expression(Agreement),
        )
        .join(Agreement, col(Agreement.id) == Obligation.agreement_id)
        .where(
            among(session, col(Obligation.id), keys),
            col(Obligation.recurrence) != Recurrence.none,
        )
    ).all()
    found = {}
    for obligation_id, recurrence, series_start, n, due_on, repeat_until, valid_until in rows:
        recurrence = Recurrence(recurrence)
        last = min(d for d in (until, repeat_until, valid_until) if d is not None)
        in_step = due_on == occurrence_due_on(series_start, recurrence, n)
        # After an overdue one, the arrears are not repeated: the series goes on in the window.
        following = occurrence_due_on(series_start, recurrence, n + 1)
        while following < start:
            n += 1
            following = occurrence_due_on(series_start, recurrence, n + 1)
        if following <= last:
            found[keys[obligation_id]] = Repetition(
                recurrence=recurrence,
                months=MONTHS[recurrence],
                day=series_start.day,
                next_due_on=following,
                until=last,
                in_step=in_step,
            )
    return found


def recurrence_rule(repetition: Repetition) -> dict[str, Any]:
    """The RRULE of a series. Occurrences are counted from the series' first due date and a
    day the month lacks becomes its last day (31 January, 28 February, 31 March), as
    `occurrence_due_on` counts them: BYMONTHDAY=28..31 with BYSETPOS=-1 says exactly that."""
    rule: dict[str, Any] = {"freq": "monthly", "interval": repetition.months}
    if repetition.day > 28:
        rule["bymonthday"] = list(range(28, repetition.day + 1))
        rule["bysetpos"] = -1
    else:
        rule["bymonthday"] = repetition.day
    rule["until"] = repetition.until
    return rule


def event_summary(deadline: DeadlinePublic) -> str:
    """What a calendar shows in one line: the deadline, who it concerns, and which agreement.
    Without them, the 21 Kalsel PKS's deadlines would read 21 times the same."""
    concerned = {o.id for o in deadline.organizations}
    who = ", ".join(o.name for o in deadline.organizations)
    others = ", ".join(p.name for p in deadline.parties if p.id not in concerned)
    agreement = f"{label(deadline.agreement.kind)} {deadline.agreement.id}"
    overdue = "[TERLAMBAT] " if deadline.overdue else ""
    partner = f" dengan {others}" if others else ""
    return f"{overdue}{deadline.title} — {who}{partner} ({agreement})"


def _alarms(event: Event, title: str, alarm_days_before: list[int]) -> None:
    for days in sorted({d for d in alarm_days_before if d > 0}, reverse=True) + [0]:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        when = "hari ini" if days == 0 else f"{days} hari lagi"
        alarm.add("description", f"Tenggat {when}: {title}")
        alarm.add("trigger", MORNING - timedelta(days=days))
        event.add_component(alarm)


def _event(
    deadline: DeadlinePublic,
    now: datetime,
    *,
    uid: str,
    starts: date,
    summary: str,
    alarm_days_before: list[int] | None,
    repetition: Repetition | None,
) -> Event:
    event = Event()
    event.add("uid", f"{uid}@{UID_DOMAIN}")
    event.add("dtstamp", now)
    event.add("dtstart", starts)
    event.add("dtend", starts + timedelta(days=1))
    event.add("summary", summary)
    parties = ", ".join(o.name for o in deadline.organizations)
    note = (
        f"\nHari libur/akhir pekan ({day_text(starts)}): {deadline.non_working_day}"
        if deadline.non_working_day and starts == deadline.due_on
        else ""
    )
    repeats = (
        f"\nBerulang: {label(repetition.recurrence).lower()}, sampai {day_text(repetition.until)}"
        if repetition is not None
        else ""
    )
    event.add(
        "description",
        f"{deadline.title}\n{deadline.agreement.title}\nPihak: {parties}{note}{repeats}",
    )
    event.add("categories", [label(deadline.type)])
    if repetition is not None:
        event.add("rrule", recurrence_rule(repetition))
    if alarm_days_before is not None:
        own = deadline.days_before
        _alarms(event, deadline.title, alarm_days_before if own is None else own)
    return event


# Each event as rendered, by what it is made of, per process: a feed that changed (a write, a new
# day) mostly holds events rendered before, and icalendar takes milliseconds per event (a
# Perwakilan has thousands). Rendered with a stand-in DTSTAMP, put in when the feed is joined.
# Bounded by bytes.
_EVENTS: LRUCache[tuple[Any, ...], bytes] = LRUCache(maxsize=64 * 1024 * 1024, getsizeof=len)
_EVENTS_LOCK = threading.Lock()
_STAND_IN = datetime(1900, 1, 1, tzinfo=UTC)


def _stamp_line(when: datetime) -> bytes:
    """The DTSTAMP line of an event (a line of its own: the CRLFs around it are never a fold,
    which is a CRLF and a space, nor in a text value, where a line break is escaped)."""
    event = Event()
    event.add("dtstamp", when)
    lines = event.to_ical().split(b"\r\n")
    return b"\r\n" + next(line for line in lines if line.startswith(b"DTSTAMP")) + b"\r\n"


def _rendered_event(
    deadline: DeadlinePublic,
    *,
    uid: str,
    starts: date,
    summary: str,
    alarm_days_before: list[int] | None,
    repetition: Repetition | None,
) -> bytes:
    """One VEVENT as icalendar renders it, with the stand-in DTSTAMP; kept in _EVENTS."""
    key = (
        deadline.model_dump_json(),
        uid,
        starts,
        summary,
        None if alarm_days_before is None else tuple(alarm_days_before),
        repetition,
    )
    with _EVENTS_LOCK:
        found = _EVENTS.get(key)
    if found is None:
        found = bytes(
            _event(
                deadline,
                _STAND_IN,
                uid=uid,
                starts=starts,
                summary=summary,
                alarm_days_before=alarm_days_before,
                repetition=repetition,
            ).to_ical()
        )
        with _EVENTS_LOCK:
            _EVENTS[key] = found
    return found


def calendar_feed(
    deadlines: list[DeadlinePublic],
    now: datetime,
    alarm_days_before: list[int],
    repeating: Mapping[str, Repetition] | None = None,
) -> bytes:
    """One VEVENT per deadline (all-day, on its due date), overdue ones marked; each upcoming
    one carries an alarm at every reminder point (days before, at 08:00) and on the day.
    A recurring obligation (`repeating`, by deadline key) repeats (RRULE) up to its last
    occurrence in the window; while its open occurrence is overdue (or was moved off the
    series' date), that one stays a single event and the occurrences after it are one
    recurring event of their own. The bytes icalendar writes for the whole calendar, joined from
    its events as rendered once each (`_rendered_event`)."""
    repeating = repeating or {}
    feed = Calendar()
    feed.add("prodid", "-//Registry of cooperation agreements//NK PKS//ID")
    feed.add("version", "2.0")
    feed.add("x-wr-calname", "Tenggat kerja sama (NK/PKS)")
    events: list[bytes] = []
    for deadline in deadlines:
        repetition = repeating.get(deadline.key)
        together = repetition is not None and repetition.in_step and not deadline.overdue
        events.append(
            _rendered_event(
                deadline,
                uid=deadline.key,
                starts=deadline.due_on,
                summary=event_summary(deadline),
                alarm_days_before=None if deadline.overdue else alarm_days_before,
                repetition=repetition if together else None,
            )
        )
        if repetition is not None and not together:
            events.append(
                _rendered_event(
                    deadline,
                    uid=f"{deadline.key}:following",
                    starts=repetition.next_due_on,
                    summary=event_summary(deadline.model_copy(update={"overdue": False})),
                    alarm_days_before=alarm_days_before,
                    repetition=repetition,
                )
            )
    end = b"END:VCALENDAR\r\n"
    empty = bytes(feed.to_ical())
    assert empty.endswith(end)
    stand_in, stamp = _stamp_line(_STAND_IN), _stamp_line(now)
    return b"".join([empty[: -len(end)], *[e.replace(stand_in, stamp, 1) for e in events], end])


# Rendered feeds by validator, per process: calendar programs poll a subscribed feed all day, and
# rendering thousands of events costs far more than finding the deadlines. Bounded by bytes.
_RENDERED: LRUCache[str, bytes] = LRUCache(maxsize=64 * 1024 * 1024, getsizeof=len)
_RENDERED_LOCK = threading.Lock()


def feed_etag(
    deadlines: list[DeadlinePublic],
    alarm_days_before: list[int],
    day: date,
    repeating: Mapping[str, Repetition] | None = None,
) -> str:
    """The feed's validator (an HTTP ETag): the same deadlines, repetitions, alarms and day, the
    same tag."""
    repeats = sorted((key, repr(r)) for key, r in (repeating or {}).items())
    digest = hashlib.sha256(repr((day.isoformat(), sorted(alarm_days_before), repeats)).encode())
    for deadline in deadlines:
        digest.update(deadline.model_dump_json().encode())
    return f'"{digest.hexdigest()[:32]}"'


def rendered_feed(
    etag: str,
    deadlines: list[DeadlinePublic],
    now: datetime,
    alarm_days_before: list[int],
    repeating: Mapping[str, Repetition] | None = None,
) -> bytes:
    """calendar_feed, rendered once per validator (DTSTAMP: when it was first rendered)."""
    with _RENDERED_LOCK:
        found = _RENDERED.get(etag)
    if found is None:
        found = calendar_feed(deadlines, now, alarm_days_before, repeating)
        with _RENDERED_LOCK:
            _RENDERED[etag] = found
    return found


# The feeds' validators by what they depend on besides the data, kept CALENDAR_CACHE_SECONDS per
# process: calendar programs poll all day, and a 304 must not cost finding every deadline.
validators: TimedCache[str] = TimedCache()


@dataclass(frozen=True)
class FeedAnswer:
    etag: str
    body: bytes | None  # None: not modified (the If-None-Match named this feed)


def calendar_answer(
    session: Session,
    *,
    start: date,
    end: date,
    today: date,
    now: datetime,
    organization_id: int | None,
    settings: Settings,
    if_none_match: list[str],
) -> FeedAnswer:
    """The feed of a window (and organization), or "not modified".

    The validator depends on the deadlines, their repetitions, the alarms and the day; finding
    it means finding every deadline. It is kept per process for CALENDAR_CACHE_SECONDS under a
    key of the window, the day, the settings and the newest history and audit events
    (`change_marks`), so while nothing is written a poll costs one statement; a write through the
    services shows at once, and so does a new day (it is in the key); a change made around the
    services (in the database directly) within CALENDAR_CACHE_SECONDS. The database connection
    is given back before a feed is rendered (thousands of events for a Perwakilan).
    """
    key = (
        organization_id,
        start,
        end,
        today,
        tuple(sorted(settings.REMINDER_DAYS_BEFORE)),
        settings.EVALUATION_DUE_MONTH,
        settings.EVALUATIONS_FROM_YEAR,
        change_marks(session),
    )
    rendered: list[bytes] = []

    def compute() -> str:
        found = public_deadlines(
            session,
            start=start,
            end=end,
            today=today,
            organization_id=organization_id,
            settings=settings,
        )
        repeating = repetitions(session, found, start=start, until=end)
        session.close()  # nothing more to read: the pool gets the connection back now
        etag = feed_etag(found, settings.REMINDER_DAYS_BEFORE, today, repeating)
        if etag not in if_none_match:
            rendered.append(
                rendered_feed(etag, found, now, settings.REMINDER_DAYS_BEFORE, repeating)
            )
        return etag

    max_age = timedelta(seconds=settings.CALENDAR_CACHE_SECONDS)
    etag = validators.get(key, now=now, max_age=max_age, compute=compute)
    if etag in if_none_match:
        return FeedAnswer(etag, None)
    if rendered:
        return FeedAnswer(etag, rendered[0])
    with _RENDERED_LOCK:
        kept = _RENDERED.get(etag)
    if kept is not None:
        session.close()
        return FeedAnswer(etag, kept)
    # Known validator, feed no longer kept (the bytes' cache is bounded): render it again.
    validators.clear_key(key)
    return calendar_answer(
        session,
        start=start,
        end=end,
        today=today,
        now=now,
        organization_id=organization_id,
        settings=settings,
        if_none_match=if_none_match,
    )
