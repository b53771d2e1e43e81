"""The deadlines as an RFC 5545 calendar feed, with stable UIDs so staff subscribe once."""

import hashlib
import threading
from datetime import date, datetime, timedelta

from cachetools import LRUCache
from icalendar import Alarm, Calendar, Event

from app.labels import label
from app.reminders.schemas import DeadlinePublic

# Alarms of an all-day event are relative to its start (midnight): the morning at 08:00.
MORNING = timedelta(hours=8)


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


def calendar_feed(
    deadlines: list[DeadlinePublic], now: datetime, alarm_days_before: list[int]
) -> bytes:
    """One VEVENT per deadline (all-day, on its due date), overdue ones marked; each upcoming
    one carries an alarm at every reminder point (days before, at 08:00) and on the day."""
    feed = Calendar()
    feed.add("prodid", "-//Registry of cooperation agreements//NK PKS//ID")
    feed.add("version", "2.0")
    feed.add("x-wr-calname", "Tenggat kerja sama (NK/PKS)")
    for deadline in deadlines:
        event = Event()
        event.add("uid", f"{deadline.key}@kerja-sama-registry")
        event.add("dtstamp", now)
        event.add("dtstart", deadline.due_on)
        event.add("dtend", deadline.due_on + timedelta(days=1))
        event.add("summary", event_summary(deadline))
        parties = ", ".join(o.name for o in deadline.organizations)
        note = (
            f"\nHari libur/akhir pekan: {deadline.non_working_day}"
            if deadline.non_working_day
            else ""
        )
        event.add(
            "description",
            f"{deadline.title}\n{deadline.agreement.title}\nPihak: {parties}{note}",
        )
        event.add("categories", [label(deadline.type)])
        if not deadline.overdue:
            for days in sorted({d for d in alarm_days_before if d > 0}, reverse=True) + [0]:
                alarm = Alarm()
                alarm.add("action", "DISPLAY")
                when = "hari ini" if days == 0 else f"{days} hari lagi"
                alarm.add("description", f"Tenggat {when}: {deadline.title}")
                alarm.add("trigger", MORNING - timedelta(days=days))
                event.add_component(alarm)
        feed.add_component(event)
    return bytes(feed.to_ical())


# Rendered feeds by validator, per process: calendar programs poll a subscribed feed all day, and
# rendering thousands of events costs far more than finding the deadlines. Bounded by bytes.
_RENDERED: LRUCache[str, bytes] = LRUCache(maxsize=64 * 1024 * 1024, getsizeof=len)
_RENDERED_LOCK = threading.Lock()


def feed_etag(deadlines: list[DeadlinePublic], alarm_days_before: list[int], day: date) -> str:
    """The feed's validator (an HTTP ETag): the same deadlines, alarms and day, the same tag."""
    digest = hashlib.sha256(repr((day.isoformat(), sorted(alarm_days_before))).encode())
    for deadline in deadlines:
        digest.update(deadline.model_dump_json().encode())
    return f'"{digest.hexdigest()[:32]}"'


def rendered_feed(
    etag: str, deadlines: list[DeadlinePublic], now: datetime, alarm_days_before: list[int]
) -> bytes:
    """calendar_feed, rendered once per validator (DTSTAMP: when it was first rendered)."""
    with _RENDERED_LOCK:
        found = _RENDERED.get(etag)
    if found is None:
        found = calendar_feed(deadlines, now, alarm_days_before)
        with _RENDERED_LOCK:
            _RENDERED[etag] = found
    return found
