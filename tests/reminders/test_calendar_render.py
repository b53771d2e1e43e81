"""The calendar feed is joined from its events as rendered once each (a Perwakilan's feed has
thousands, and icalendar takes milliseconds per event): byte for byte what icalendar writes for
the whole calendar, with the DTSTAMP of its own render, also when its events were rendered for
an earlier feed."""

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta

from fastapi.testclient import TestClient
from icalendar import Calendar
from sqlmodel import Session

from app.core.config import settings
from app.reminders import calendar
from app.reminders.calendar import Repetition
from app.reminders.deadlines import public_deadlines
from app.reminders.schemas import DeadlinePublic
from tests.helpers import create_obligation
from tests.reminders.test_deadlines import world
from tests.world import Kalsel

TODAY = date(2026, 11, 23)


def whole(
    deadlines: list[DeadlinePublic], now: datetime, repeating: Mapping[str, Repetition]
) -> bytes:
    """The calendar as icalendar writes it in one piece (what calendar_feed did before)."""
    feed = Calendar()
    feed.add("prodid", "-//Registry of cooperation agreements//NK PKS//ID")
    feed.add("version", "2.0")
    feed.add("x-wr-calname", "Tenggat kerja sama (NK/PKS)")
    alarms = settings.REMINDER_DAYS_BEFORE
    for d in deadlines:
        repetition = repeating.get(d.key)
        together = repetition is not None and repetition.in_step and not d.overdue
        feed.add_component(
            calendar._event(
                d,
                now,
                uid=d.key,
                starts=d.due_on,
                summary=calendar.event_summary(d),
                alarm_days_before=None if d.overdue else alarms,
                repetition=repetition if together else None,
            )
        )
        if repetition is not None and not together:
            feed.add_component(
                calendar._event(
                    d,
                    now,
                    uid=f"{d.key}:following",
                    starts=repetition.next_due_on,
                    summary=calendar.event_summary(d.model_copy(update={"overdue": False})),
                    alarm_days_before=alarms,
                    repetition=repetition,
                )
            )
    return bytes(feed.to_ical())


def test_the_feed_is_what_icalendar_writes_whole(
    session: Session, client: TestClient, kalsel: Kalsel
) -> None:
    w = world(client, kalsel)
    response = client.post(
        f"/api/v1/agreements/{w['nk']['id']}/obligations",
        json={
            "title": "Pendampingan berkala; laporan, \\ catatan",
            "responsible_organization_id": kalsel.ori,
            "due_on": "2026-01-31",
            "recurrence": "monthly",
        },
    )
    assert response.status_code == 201, response.text
    create_obligation(client, w["nk"]["id"], kalsel.ori, "2026-12-31", "Laporan " + "panjang " * 30)
    end = TODAY + timedelta(days=365)
    found = public_deadlines(session, start=TODAY, end=end, today=TODAY)
    repeating = calendar.repetitions(session, found, start=TODAY, until=end)
    assert repeating and len(found) > 5
    for now in (datetime(2026, 11, 23, 1, 2, 3, tzinfo=UTC), datetime(2026, 11, 24, tzinfo=UTC)):
        feed = calendar.calendar_feed(found, now, settings.REMINDER_DAYS_BEFORE, repeating)
        assert feed == whole(found, now, repeating)
