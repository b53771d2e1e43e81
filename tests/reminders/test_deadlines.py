"""Deadlines in one list, flagged on non-working days, and the same as a calendar feed."""

from datetime import date, datetime, time, timedelta
from typing import Any

from dateutil.rrule import rrulestr
from fastapi.testclient import TestClient
from icalendar import Calendar
from sqlalchemy import Connection

from app.obligations.models import Recurrence
from app.obligations.service import occurrence_due_on
from app.reminders.deadlines import non_working_reason
from tests.helpers import assert_problem, create_agreement, create_obligation, finalize, sign
from tests.world import Kalsel, nk_body


def world(client: TestClient, kalsel: Kalsel) -> dict[str, Any]:
    nk = create_agreement(
        client, **nk_body(kalsel, valid_until="2027-06-30", pks_due_on="2026-12-15")
    )
    finalize(client, nk["id"])
    sign(client, nk["id"], kalsel.ori, "2021-10-28")
    sign(client, nk["id"], kalsel.province, "2021-10-28")
    return {
        "nk": nk,
        "late": create_obligation(
            client, nk["id"], kalsel.dinkes, "2026-10-01", "Laporan triwulan III"
        ),
        "independence": create_obligation(
            client, nk["id"], kalsel.ori, "2027-01-01", "Laporan tahunan"
        ),
        "sunday": create_obligation(client, nk["id"], kalsel.ori, "2026-11-29", "Rapat monev"),
        "far": create_obligation(
            client, nk["id"], kalsel.ori, "2027-03-15", "Di luar jendela 90 hari"
        ),
    }


def test_overdue_first_then_by_date_with_types(client: TestClient, kalsel: Kalsel) -> None:
    w = world(client, kalsel)
    items = client.get("/api/v1/deadlines").json()["items"]
    assert [(d["type"], d["due_on"]) for d in items] == [
        ("obligation_due", "2026-10-01"),
        ("obligation_due", "2026-11-29"),
        ("pks_due", "2026-12-15"),
        ("evaluation_due", "2026-12-31"),  # the NK's yearly monev
        ("obligation_due", "2027-01-01"),
    ]
    assert items[0]["overdue"] is True and items[0]["obligation_id"] == w["late"]
    assert [o["name"] for o in items[0]["organizations"]] == ["Dinas Kesehatan"]
    assert items[2]["organizations"][1]["name"] == "Pemerintah Provinsi Kalimantan Selatan"
    wider = client.get("/api/v1/deadlines", params={"to": "2027-06-30"}).json()["items"]
    assert ("agreement_expiry", "2027-06-30") in [(d["type"], d["due_on"]) for d in wider]
    assert w["far"] in [d["obligation_id"] for d in wider]


def test_weekends_and_public_holidays_are_flagged(client: TestClient, kalsel: Kalsel) -> None:
    world(client, kalsel)
    flags = {
        d["due_on"]: d["non_working_day"] for d in client.get("/api/v1/deadlines").json()["items"]
    }
    assert flags["2026-11-29"] == "Minggu (Sunday)"
    assert flags["2027-01-01"] and "Tahun Baru" in flags["2027-01-01"]
    assert flags["2026-12-15"] is None
    assert non_working_reason(date(2026, 8, 17)) is not None  # Hari Kemerdekaan
    assert non_working_reason(date(2026, 11, 23)) is None


def test_filter_by_organization_and_bad_windows(client: TestClient, kalsel: Kalsel) -> None:
    world(client, kalsel)
    mine = client.get("/api/v1/deadlines", params={"organization_id": kalsel.dinkes}).json()[
        "items"
    ]
    assert [d["title"] for d in mine] == ["Laporan triwulan III"]
    assert_problem(
        client.get("/api/v1/deadlines", params={"from": "2026-12-01", "to": "2026-11-01"}), 422
    )
    assert_problem(client.get("/api/v1/deadlines", params={"to": "2035-01-01"}), 422)
    assert_problem(client.get("/api/v1/deadlines", params={"from": "kemarin"}), 422)


def test_calendar_parses_back_with_stable_uids(client: TestClient, kalsel: Kalsel) -> None:
    w = world(client, kalsel)
    response = client.get("/api/v1/calendar.ics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    feed = Calendar.from_ical(response.content)
    events = {str(e["uid"]): e for e in feed.walk("VEVENT")}
    late_uid = f"obligation:{w['late']}:2026-10-01@kerja-sama-registry"
    assert late_uid in events
    assert events[late_uid].decoded("dtstart") == date(2026, 10, 1)
    assert str(events[late_uid]["summary"]).startswith("[TERLAMBAT]")
    assert f"expiry:{w['nk']['id']}:2027-06-30@kerja-sama-registry" in events
    again = Calendar.from_ical(client.get("/api/v1/calendar.ics").content)
    assert {str(e["uid"]) for e in again.walk("VEVENT")} == set(events)
    mine = Calendar.from_ical(
        client.get("/api/v1/calendar.ics", params={"organization_id": kalsel.dinkes}).content
    )
    assert [str(e["uid"]) for e in mine.walk("VEVENT")] == [late_uid]


def test_calendar_answers_not_modified_until_a_deadline_changes(
    client: TestClient, kalsel: Kalsel
) -> None:
    """A subscribed calendar polls with If-None-Match: 304 and no body while the feed is the same;
    a new deadline gives a new ETag and the full feed."""
    w = world(client, kalsel)
    first = client.get("/api/v1/calendar.ics")
    etag = first.headers["etag"]
    assert first.status_code == 200 and etag.startswith('"')
    assert first.headers["cache-control"] == "private, no-cache"
    same = client.get("/api/v1/calendar.ics", headers={"If-None-Match": etag})
    assert same.status_code == 304 and same.content == b"" and same.headers["etag"] == etag
    # Another organization's feed is another feed.
    mine = client.get("/api/v1/calendar.ics", params={"organization_id": kalsel.dinkes})
    assert mine.status_code == 200 and mine.headers["etag"] != etag

    create_obligation(client, w["nk"]["id"], kalsel.dinkes, "2026-12-20", "Laporan baru")
    changed = client.get("/api/v1/calendar.ics", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag
    uids = {str(e["uid"]) for e in Calendar.from_ical(changed.content).walk("VEVENT")}
    assert len(uids) == len(Calendar.from_ical(first.content).walk("VEVENT")) + 1


def test_calendar_events_name_who_and_which_agreement_and_carry_alarms(
    seeded_connection: Connection, client: TestClient
) -> None:
    """The 21 Kalsel PKS's "Pendampingan secara berkala" are 21 distinguishable events."""
    feed = Calendar.from_ical(client.get("/api/v1/calendar.ics").content)
    events = [e for e in feed.walk("VEVENT") if "Pendampingan" in str(e["summary"])]
    summaries = [str(e["summary"]) for e in events]
    assert len(summaries) >= 21
    assert len(set(summaries)) == len(summaries)  # no two read the same
    inspektorat = [s for s in summaries if "Inspektorat" in s]
    assert inspektorat and "(PKS " in inspektorat[0]

    upcoming = next(e for e in events if not str(e["summary"]).startswith("[TERLAMBAT]"))
    triggers = sorted(a.decoded("trigger") for a in upcoming.walk("VALARM"))
    assert triggers == [
        timedelta(hours=8) - timedelta(days=30),
        timedelta(hours=8) - timedelta(days=7),
        timedelta(hours=8) - timedelta(days=1),
        timedelta(hours=8),
    ]
    assert {str(a["action"]) for a in upcoming.walk("VALARM")} == {"DISPLAY"}
    overdue = [e for e in feed.walk("VEVENT") if str(e["summary"]).startswith("[TERLAMBAT]")]
    assert all(not e.walk("VALARM") for e in overdue)  # no alarm for what has passed


class TestDeadlinePages:
    """A Perwakilan's deadlines run to thousands nationwide: they come in pages, after counts
    over every page, in the same order (overdue first)."""

    def test_pages_join_up_in_order_after_the_counts(
        self, client: TestClient, kalsel: Kalsel
    ) -> None:
        world(client, kalsel)
        every = client.get("/api/v1/deadlines", params={"limit": 200}).json()
        assert every["total"] == 5 and len(every["items"]) == 5
        paged: list[Any] = []
        for offset in (0, 2, 4):
            page = client.get("/api/v1/deadlines", params={"limit": 2, "offset": offset}).json()
            assert (page["total"], page["limit"], page["offset"]) == (5, 2, offset)
            assert page["counts"] == every["counts"]  # over every page, not this one
            paged += page["items"]
        assert paged == every["items"]
        assert paged[0]["overdue"] is True

        counts = every["counts"]
        assert counts["by_type"] == {
            "obligation_due": 3,
            "agreement_expiry": 0,
            "pks_due": 1,
            "planned_signing": 0,
            "evaluation_due": 1,
            "stage_due": 0,
        }
        assert counts["overdue"] == 1
        # 29 Nov 2026 is a Sunday (week of Monday 23 Nov); 31 Dec and 1 Jan share a week.
        assert counts["by_week"] == [
            {"week_start": "2026-11-23", "count": 1},
            {"week_start": "2026-12-14", "count": 1},
            {"week_start": "2026-12-28", "count": 2},
        ]
        assert list(every)[:2] == ["total", "counts"]  # the summary before the items

    def test_default_and_largest_page_and_the_counts_follow_the_filters(
        self, client: TestClient, kalsel: Kalsel
    ) -> None:
        world(client, kalsel)
        first = client.get("/api/v1/deadlines").json()
        assert (first["limit"], first["offset"]) == (50, 0)
        assert client.get("/api/v1/deadlines", params={"offset": 5}).json()["items"] == []
        mine = client.get("/api/v1/deadlines", params={"organization_id": kalsel.dinkes}).json()
        assert mine["total"] == 1 and mine["counts"]["overdue"] == 1
        assert mine["counts"]["by_week"] == []
        assert_problem(client.get("/api/v1/deadlines", params={"limit": 201}), 422)
        assert_problem(client.get("/api/v1/deadlines", params={"offset": -1}), 422)


def recurring(
    client: TestClient, agreement_id: int, org: int, due_on: str, recurrence: str, **extra: Any
) -> int:
    response = client.post(
        f"/api/v1/agreements/{agreement_id}/obligations",
        json={
            "title": "Pendampingan secara berkala",
            "responsible_organization_id": org,
            "due_on": due_on,
            "recurrence": recurrence,
            **extra,
        },
    )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def feed_events(client: TestClient, **params: Any) -> dict[str, Any]:
    response = client.get("/api/v1/calendar.ics", params=params)
    assert response.status_code == 200, response.text
    return {str(e["uid"]): e for e in Calendar.from_ical(response.content).walk("VEVENT")}


def occurrences(event: Any) -> list[date]:
    """The days a calendar program shows for an event, its RRULE expanded."""
    start = event.decoded("dtstart")
    if "rrule" not in event:
        return [start]
    rule = rrulestr(event["rrule"].to_ical().decode(), dtstart=datetime.combine(start, time()))
    return [moment.date() for moment in rule]


class TestRecurringObligationsInTheCalendar:
    """Pendampingan secara berkala is quarterly: the feed shows every occurrence in its window,
    as one recurring event, on the days the registry will open them."""

    def test_a_quarterly_series_repeats_to_the_end_of_its_agreement(
        self, client: TestClient, kalsel: Kalsel
    ) -> None:
        w = world(client, kalsel)  # the NK is valid until 30 June 2027
        series = recurring(client, w["nk"]["id"], kalsel.dinkes, "2026-12-31", "quarterly")
        events = feed_events(client)
        event = events[f"obligation:{series}:2026-12-31@kerja-sama-registry"]
        # 31 December, 31 March, then 30 June (June has no 31st), and no later than validity.
        expected = [date(2026, 12, 31), date(2027, 3, 31), date(2027, 6, 30)]
        assert occurrences(event) == expected
        assert expected == [
            occurrence_due_on(date(2026, 12, 31), Recurrence.quarterly, n) for n in range(3)
        ]
        assert (event["rrule"]["FREQ"], event["rrule"]["INTERVAL"]) == (["MONTHLY"], [3])
        assert len(event.walk("VALARM")) == 4  # each occurrence gets the reminder alarms
        assert "Berulang: triwulanan, sampai 30 Juni 2027" in str(event["description"])
        one_off = events[f"obligation:{w['sunday']}:2026-11-29@kerja-sama-registry"]
        assert "rrule" not in one_off  # a single obligation stays a single event

    def test_the_series_stops_at_repeat_until_and_at_the_feeds_window(
        self, client: TestClient, kalsel: Kalsel
    ) -> None:
        w = world(client, kalsel)
        monthly = recurring(
            client, w["nk"]["id"], kalsel.dinkes, "2027-01-31", "monthly", repeat_until="2027-05-15"
        )
        uid = f"obligation:{monthly}:2027-01-31@kerja-sama-registry"
        assert occurrences(feed_events(client)[uid]) == [
            date(2027, 1, 31),
            date(2027, 2, 28),
            date(2027, 3, 31),
            date(2027, 4, 30),
        ]
        assert occurrences(feed_events(client, to="2027-03-15")[uid]) == [
            date(2027, 1, 31),
            date(2027, 2, 28),
        ]
        alone = feed_events(client, to="2027-02-15")[uid]  # nothing after it in the window
        assert "rrule" not in alone

    def test_an_overdue_occurrence_stays_late_and_the_series_goes_on(
        self, client: TestClient, kalsel: Kalsel
    ) -> None:
        w = world(client, kalsel)
        series = recurring(client, w["nk"]["id"], kalsel.dinkes, "2026-10-15", "monthly")
        events = feed_events(client)
        late = events[f"obligation:{series}:2026-10-15@kerja-sama-registry"]
        assert str(late["summary"]).startswith("[TERLAMBAT]")
        assert "rrule" not in late and not late.walk("VALARM")
        following = events[f"obligation:{series}:2026-10-15:following@kerja-sama-registry"]
        assert not str(following["summary"]).startswith("[TERLAMBAT]")
        days = occurrences(following)
        # From the first occurrence in the window (today is 23 November 2026) to the NK's end.
        assert days[0] == date(2026, 12, 15) and days[-1] == date(2027, 6, 15)
        assert len(days) == 7 and following.walk("VALARM")

    def test_a_new_repeat_until_changes_the_feeds_etag(
        self, client: TestClient, kalsel: Kalsel
    ) -> None:
        w = world(client, kalsel)
        series = recurring(client, w["nk"]["id"], kalsel.dinkes, "2026-12-31", "quarterly")
        first = client.get("/api/v1/calendar.ics")
        obligation = client.get(f"/api/v1/obligations/{series}").json()
        changed = client.patch(
            f"/api/v1/obligations/{series}",
            json={"version": obligation["version"], "repeat_until": "2027-04-01"},
        )
        assert changed.status_code == 200, changed.text
        again = client.get("/api/v1/calendar.ics", headers={"If-None-Match": first.headers["etag"]})
        assert again.status_code == 200
        uid = f"obligation:{series}:2026-12-31@kerja-sama-registry"
        events = {str(e["uid"]): e for e in Calendar.from_ical(again.content).walk("VEVENT")}
        assert occurrences(events[uid]) == [date(2026, 12, 31), date(2027, 3, 31)]
