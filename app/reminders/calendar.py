"""The deadlines as an RFC 5545 calendar feed, with stable UIDs so staff subscribe once."""

from datetime import datetime, timedelta

from icalendar import Calendar, Event

from app.reminders.schemas import DeadlinePublic


def calendar_feed(deadlines: list[DeadlinePublic], now: datetime) -> bytes:
    """One VEVENT per deadline (all-day, on its due date), overdue ones marked."""
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
        event.add("summary", ("[TERLAMBAT] " if deadline.overdue else "") + deadline.title)
        parties = ", ".join(o.name for o in deadline.organizations)
        note = (
            f"\nHari libur/akhir pekan: {deadline.non_working_day}"
            if deadline.non_working_day
            else ""
        )
        event.add("description", f"{deadline.agreement.title}\nPihak: {parties}{note}")
        event.add("categories", [deadline.type.value])
        feed.add_component(event)
    return bytes(feed.to_ical())
