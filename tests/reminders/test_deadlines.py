"""Deadlines in one list, flagged on non-working days, and the same as a calendar feed."""

from datetime import date, timedelta
from typing import Any

from fastapi.testclient import TestClient
from icalendar import Calendar
from sqlmodel import Session

from app.reminders.deadlines import non_working_reason
from app.seeding import load_seeds
from tests.conftest import TODAY
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
    items = client.get("/api/v1/deadlines").json()
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
    wider = client.get("/api/v1/deadlines", params={"to": "2027-06-30"}).json()
    assert ("agreement_expiry", "2027-06-30") in [(d["type"], d["due_on"]) for d in wider]
    assert w["far"] in [d["obligation_id"] for d in wider]


def test_weekends_and_public_holidays_are_flagged(client: TestClient, kalsel: Kalsel) -> None:
    world(client, kalsel)
    flags = {d["due_on"]: d["non_working_day"] for d in client.get("/api/v1/deadlines").json()}
    assert flags["2026-11-29"] == "Minggu (Sunday)"
    assert flags["2027-01-01"] and "Tahun Baru" in flags["2027-01-01"]
    assert flags["2026-12-15"] is None
    assert non_working_reason(date(2026, 8, 17)) is not None  # Hari Kemerdekaan
    assert non_working_reason(date(2026, 11, 23)) is None


def test_filter_by_organization_and_bad_windows(client: TestClient, kalsel: Kalsel) -> None:
    world(client, kalsel)
    mine = client.get("/api/v1/deadlines", params={"organization_id": kalsel.dinkes}).json()
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
    client: TestClient, session: Session
) -> None:
    """The 21 Kalsel PKS's "Pendampingan secara berkala" are 21 distinguishable events."""
    load_seeds(session=session, today=TODAY)
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
