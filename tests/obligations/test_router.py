"""Obligations: who owes what by when, recurrence at month ends, completing and waiving."""

from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.obligations.models import Recurrence
from app.obligations.service import occurrence_due_on
from tests.helpers import assert_problem, create_agreement, sign_all
from tests.world import Kalsel, nk_body, pks_body

BASE = "/api/v1"


def signed_pks(client: TestClient, kalsel: Kalsel, nk_id: int, **overrides: Any) -> dict[str, Any]:
    return sign_all(
        client, create_agreement(client, **pks_body(kalsel, nk_id, **overrides)), "2022-07-04"
    )


def oblige(client: TestClient, agreement_id: int, **body: Any) -> Any:
    return client.post(f"{BASE}/agreements/{agreement_id}/obligations", json=body)


def created(client: TestClient, agreement_id: int, **body: Any) -> dict[str, Any]:
    response = oblige(client, agreement_id, **body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def complete(client: TestClient, obligation_id: int, on: str = "2026-11-20") -> dict[str, Any]:
    response = client.post(
        f"{BASE}/obligations/{obligation_id}/complete", json={"completed_on": on}
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


@pytest.mark.parametrize(
    ("start", "recurrence", "n", "expected"),
    [
        (date(2026, 1, 31), Recurrence.monthly, 1, date(2026, 2, 28)),
        (date(2024, 1, 31), Recurrence.monthly, 1, date(2024, 2, 29)),
        (date(2026, 1, 31), Recurrence.monthly, 2, date(2026, 3, 31)),
        (date(2026, 1, 31), Recurrence.monthly, 3, date(2026, 4, 30)),
        (date(2025, 11, 30), Recurrence.quarterly, 1, date(2026, 2, 28)),
        (date(2025, 11, 30), Recurrence.quarterly, 2, date(2026, 5, 30)),
        (date(2024, 2, 29), Recurrence.annual, 1, date(2025, 2, 28)),
        (date(2024, 2, 29), Recurrence.annual, 4, date(2028, 2, 29)),
        (date(2026, 8, 31), Recurrence.semiannual, 1, date(2027, 2, 28)),
    ],
)
def test_next_due_dates_are_calendar_correct(
    start: date, recurrence: Recurrence, n: int, expected: date
) -> None:
    assert occurrence_due_on(start, recurrence, n) == expected


class TestCreate:
    def test_pendampingan_quarterly_by_the_perwakilan(
        self, client: TestClient, kalsel: Kalsel, signed_nk: dict[str, Any]
    ) -> None:
        pks = signed_pks(
            client, kalsel, signed_nk["id"], scope_items=[{"title": "Pendampingan secara berkala"}]
        )
        body = created(
            client,
            pks["id"],
            title="Pendampingan secara berkala",
            responsible_organization_id=kalsel.office,
            due_on="2027-01-04",
            recurrence="quarterly",
            scope_item_id=pks["scope_items"][0]["id"],
        )
        assert body["status"] == "open" and body["occurrence"] == 0
        assert body["responsible_organization_name"].startswith("Ombudsman RI Perwakilan")
        assert body["agreement_title"] == pks["title"]
        assert client.get(f"{BASE}/obligations/{body['id']}").json() == body

    def test_rules(self, client: TestClient, kalsel: Kalsel) -> None:
        nk = create_agreement(client, **nk_body(kalsel, valid_until="2026-10-27"))
        other = create_agreement(
            client,
            **nk_body(
                kalsel,
                title="Lain",
                parties=[{"organization_id": kalsel.ori}, {"organization_id": kalsel.kalteng}],
            ),
        )
        cases: list[tuple[dict[str, Any], str]] = [
            ({"responsible_organization_id": kalsel.kalteng_agency}, "responsible_organization_id"),
            ({"responsible_organization_id": 99999}, "responsible_organization_id"),
            ({"due_on": "2026-10-28"}, "due_on"),
            ({"repeat_until": "2026-06-01"}, "repeat_until"),
            ({"recurrence": "monthly", "repeat_until": "2025-01-01"}, "repeat_until"),
            ({"scope_item_id": other["scope_items"][0]["id"]}, "scope_item_id"),
        ]
        for change, field in cases:
            body = {
                "title": "Laporan",
                "responsible_organization_id": kalsel.dinkes,
                "due_on": "2026-03-31",
                **change,
            }
            problem = assert_problem(oblige(client, nk["id"], **body), 422, "obligation-rule")
            assert field in [e["loc"][-1] for e in problem["errors"]], (change, problem)
        ok = oblige(
            client,
            nk["id"],
            title="Laporan",
            responsible_organization_id=kalsel.dinkes,
            due_on="2026-10-27",
        )
        assert ok.status_code == 201
        assert_problem(
            oblige(
                client, 4242, title="X", responsible_organization_id=kalsel.ori, due_on="2026-01-01"
            ),
            404,
        )
        for bad in ({"title": ""}, {"due_on": "soon"}, {"recurrence": "weekly"}, {"extra": 1}):
            body = {
                "title": "X",
                "responsible_organization_id": kalsel.ori,
                "due_on": "2026-01-01",
                **bad,
            }
            assert_problem(oblige(client, nk["id"], **body), 422)

    def test_an_ended_agreement_takes_no_obligations(
        self, client: TestClient, kalsel: Kalsel, signed_nk: dict[str, Any]
    ) -> None:
        client.post(
            f"{BASE}/agreements/{signed_nk['id']}/terminate",
            json={"terminated_on": "2026-01-01", "reason": "selesai"},
        )
        response = oblige(
            client,
            signed_nk["id"],
            title="X",
            responsible_organization_id=kalsel.ori,
            due_on="2026-12-01",
        )
        assert_problem(response, 409, "agreement-ended")


class TestCompleteAndWaive:
    def test_monthly_series_keeps_month_ends(
        self, client: TestClient, kalsel: Kalsel, signed_nk: dict[str, Any]
    ) -> None:
        first = created(
            client,
            signed_nk["id"],
            title="Laporan bulanan",
            responsible_organization_id=kalsel.province,
            due_on="2026-01-31",
            recurrence="monthly",
        )
        done = complete(client, first["id"], "2026-01-30")
        assert done["status"] == "done" and done["next_id"] is not None
        second = client.get(f"{BASE}/obligations/{done['next_id']}").json()
        assert (second["due_on"], second["occurrence"], second["previous_id"]) == (
            "2026-02-28",
            1,
            first["id"],
        )
        third_id = complete(client, second["id"], "2026-02-27")["next_id"]
        assert client.get(f"{BASE}/obligations/{third_id}").json()["due_on"] == "2026-03-31"

    def test_series_stops_at_repeat_until_and_at_the_end_of_validity(
        self, client: TestClient, kalsel: Kalsel
    ) -> None:
        nk = create_agreement(client, **nk_body(kalsel, valid_until="2026-06-30"))
        until = created(
            client,
            nk["id"],
            title="A",
            responsible_organization_id=kalsel.ori,
            due_on="2026-01-15",
            recurrence="monthly",
            repeat_until="2026-02-10",
        )
        assert complete(client, until["id"], "2026-01-15")["next_id"] is None
        validity = created(
            client,
            nk["id"],
            title="B",
            responsible_organization_id=kalsel.ori,
            due_on="2026-04-30",
            recurrence="quarterly",
        )
        assert complete(client, validity["id"], "2026-04-30")["next_id"] is None

    def test_close_once_and_not_in_the_future(
        self, client: TestClient, kalsel: Kalsel, signed_nk: dict[str, Any]
    ) -> None:
        item = created(
            client,
            signed_nk["id"],
            title="A",
            responsible_organization_id=kalsel.ori,
            due_on="2026-12-01",
            recurrence="monthly",
        )
        url = f"{BASE}/obligations/{item['id']}"
        assert_problem(client.post(f"{url}/complete", json={"completed_on": "2026-11-24"}), 422)
        complete(client, item["id"])
        assert_problem(
            client.post(f"{url}/complete", json={"completed_on": "2026-11-20"}),
            409,
            "obligation-closed",
        )
        assert_problem(client.post(f"{url}/waive", json={"reason": "x"}), 409)
        assert_problem(client.patch(url, json={"version": 99, "title": "Y"}), 409)
        listed = client.get(
            f"{BASE}/obligations", params={"agreement_id": signed_nk["id"], "count": "true"}
        ).json()
        assert listed["total"] == 2  # one successor, not two

    def test_waiving_keeps_the_series_going(
        self, client: TestClient, kalsel: Kalsel, signed_nk: dict[str, Any]
    ) -> None:
        item = created(
            client,
            signed_nk["id"],
            title="A",
            responsible_organization_id=kalsel.ori,
            due_on="2026-11-30",
            recurrence="quarterly",
        )
        waived = client.post(f"{BASE}/obligations/{item['id']}/waive", json={"reason": "Digabung"})
        assert waived.json()["status"] == "waived" and waived.json()["waiver_reason"] == "Digabung"
        nxt = client.get(f"{BASE}/obligations/{waived.json()['next_id']}").json()
        assert nxt["due_on"] == "2027-02-28"
        assert_problem(
            client.post(f"{BASE}/obligations/{item['id']}/waive", json={"reason": ""}), 422
        )


def test_list_filters(client: TestClient, kalsel: Kalsel, signed_nk: dict[str, Any]) -> None:
    nk = signed_nk["id"]
    late = created(
        client,
        nk,
        title="Terlambat",
        responsible_organization_id=kalsel.dinkes,
        due_on="2026-10-01",
    )
    soon = created(
        client, nk, title="Segera", responsible_organization_id=kalsel.ori, due_on="2026-12-01"
    )
    done = created(
        client, nk, title="Selesai", responsible_organization_id=kalsel.ori, due_on="2026-11-01"
    )
    complete(client, done["id"])

    def ids(**params: Any) -> list[int]:
        return [o["id"] for o in client.get(f"{BASE}/obligations", params=params).json()["items"]]

    assert ids(status="overdue") == [late["id"]]
    assert ids(status="open") == [soon["id"]]
    assert ids(status="done") == [done["id"]]
    assert ids(organization_id=kalsel.dinkes) == [late["id"]]
    assert ids(due_before="2026-11-15") == [late["id"], done["id"]]
    assert ids(due_after="2026-11-15") == [soon["id"]]
    assert ids(agreement_id=nk, limit=1, offset=1) == [done["id"]]
    assert_problem(client.get(f"{BASE}/obligations", params={"status": "late"}), 422)
    assert_problem(client.get(f"{BASE}/obligations/0"), 422)
    assert_problem(client.get(f"{BASE}/obligations/777"), 404)
    url = f"{BASE}/obligations/{soon['id']}"
    moved = client.patch(url, json={"version": soon["version"], "due_on": "2026-12-02"})
    assert moved.json()["due_on"] == "2026-12-02"
    assert_problem(
        client.patch(url, json={"version": moved.json()["version"], "due_on": None}), 422
    )


class TestBeforeInForce:
    def test_due_before_the_signing_day_is_refused_when_validity_starts_on_signing(
        self, client: TestClient, kalsel: Kalsel, signed_nk: dict[str, Any]
    ) -> None:
        pks = signed_pks(client, kalsel, signed_nk["id"])  # no valid_from: in force from 4 July
        response = oblige(
            client,
            pks["id"],
            title="Laporan",
            responsible_organization_id=kalsel.diskominfo,
            due_on="2022-07-01",
        )
        body = assert_problem(response, 422, "obligation-rule")
        assert body["errors"][0]["loc"] == ["body", "due_on"]
        assert "2022-07-04" in body["errors"][0]["msg"]

    def test_due_before_valid_from_is_refused(
        self, client: TestClient, kalsel: Kalsel, signed_nk: dict[str, Any]
    ) -> None:
        pks = signed_pks(client, kalsel, signed_nk["id"], valid_from="2022-08-01")
        response = oblige(
            client,
            pks["id"],
            title="Laporan",
            responsible_organization_id=kalsel.diskominfo,
            due_on="2022-07-15",
        )
        assert_problem(response, 422, "obligation-rule")

    def test_due_on_the_first_day_in_force_is_accepted(
        self, client: TestClient, kalsel: Kalsel, signed_nk: dict[str, Any]
    ) -> None:
        pks = signed_pks(client, kalsel, signed_nk["id"])
        created(
            client,
            pks["id"],
            title="Laporan",
            responsible_organization_id=kalsel.diskominfo,
            due_on="2022-07-04",
        )
