"""Monitoring and evaluation (monev): one evaluation per agreement and period, due yearly for
every agreement in force, in the deadlines and reminders until recorded."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection

from tests.helpers import assert_problem, create_agreement
from tests.world import Kalsel, nk_body

BODY = {
    "period": "2025",
    "score": 3,
    "findings": "Pendampingan dilaksanakan dua kali.",
    "obstacles": "Pergantian pejabat penghubung.",
    "follow_up": "Menetapkan pejabat penghubung tetap.",
    "recommendation": "continue",
}


@pytest.fixture
def seeded_pks(seeded_connection: Connection, client: TestClient) -> dict[str, Any]:
    nk = client.get("/api/v1/agreements", params={"number": "053/NK-PEMOTDA/2021"}).json()
    pks = client.get("/api/v1/agreements", params={"parent_id": nk["items"][0]["id"]}).json()
    return dict(pks["items"][0])


def evaluate(client: TestClient, agreement_id: int, **change: Any) -> Any:
    return client.post(f"/api/v1/agreements/{agreement_id}/evaluations", json=BODY | change)


def test_an_evaluation_is_recorded_once_per_period(
    client: TestClient, seeded_pks: dict[str, Any]
) -> None:
    created = evaluate(client, seeded_pks["id"])
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["period"], body["year"], body["score"]) == ("2025", 2025, 3)
    assert body["score_meaning"].startswith("Baik")
    again = assert_problem(evaluate(client, seeded_pks["id"], score=1), 409)
    assert again["type"] == "/problems/duplicate-evaluation"
    assert again["existing_id"] == body["id"]
    half = evaluate(client, seeded_pks["id"], period="2026-H1", recommendation="revise")
    assert half.status_code == 201, half.text
    listed = client.get(f"/api/v1/agreements/{seeded_pks['id']}/evaluations").json()
    assert [e["period"] for e in listed] == ["2026-H1", "2025"]
    history = client.get(f"/api/v1/agreements/{seeded_pks['id']}/history").json()["items"]
    assert history[0]["action"] == "evaluated" and history[0]["details"]["period"] == "2026-H1"


@pytest.mark.parametrize(
    ("change", "status", "slug"),
    [
        ({"period": "2027"}, 422, "evaluation-period-in-future"),
        ({"period": "2021"}, 422, "evaluation-before-signing"),  # signed July 2022
        ({"period": "2023-H3"}, 422, "validation-error"),
        ({"score": 5}, 422, "validation-error"),
        ({"findings": " "}, 422, "validation-error"),
        ({"recommendation": "pause"}, 422, "validation-error"),
    ],
)
def test_a_wrong_evaluation_is_refused(
    client: TestClient, seeded_pks: dict[str, Any], change: dict[str, Any], status: int, slug: str
) -> None:
    assert_problem(evaluate(client, seeded_pks["id"], **change), status, slug)


def test_only_a_signed_agreement_is_evaluated(client: TestClient, kalsel: Kalsel) -> None:
    draft = create_agreement(client, **nk_body(kalsel))
    assert_problem(evaluate(client, draft["id"]), 409, "not-signed-yet")
    assert_problem(evaluate(client, 999999), 404)


def test_the_yearly_evaluation_is_a_deadline_until_recorded(
    client: TestClient, seeded_pks: dict[str, Any]
) -> None:
    def due() -> list[dict[str, Any]]:
        return [
            d
            for d in client.get("/api/v1/deadlines", params={"limit": 200}).json()["items"]
            if d["type"] == "evaluation_due" and d["agreement"]["id"] == seeded_pks["id"]
        ]

    [deadline] = due()
    assert deadline["due_on"] == "2026-12-31" and deadline["overdue"] is False
    assert deadline["title"].startswith("Evaluasi tahunan (monev) 2026 PKS")
    assert {o["id"] for o in deadline["organizations"]} == {
        p["organization_id"] for p in seeded_pks["parties"]
    }
    assert evaluate(client, seeded_pks["id"], period="2026").status_code == 201
    assert due() == []
