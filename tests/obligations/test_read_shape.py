"""The obligations as read (plain columns, built without validation: app/obligations/service.py)
are what the full rules give: each row through the ORM and the documented model's validation,
with its status on the day (done, waived, overdue, open) and its successor."""

from datetime import date
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.agreements.models import Agreement
from app.obligations.models import Obligation, ObligationStatus
from app.obligations.schemas import ObligationPublic
from app.organizations.models import Organization
from tests.conftest import TODAY
from tests.reminders.test_deadlines import world
from tests.world import Kalsel

BASE = "/api/v1/obligations"


def full_rules(session: Session, obligation: Obligation, today: date) -> dict[str, Any]:
    """One obligation as the rules say, validated by the documented model."""
    if obligation.completed_on is not None:
        status = ObligationStatus.done
    elif obligation.waived_at is not None:
        status = ObligationStatus.waived
    elif obligation.due_on < today:
        status = ObligationStatus.overdue
    else:
        status = ObligationStatus.open
    following = session.exec(select(Obligation.id).where(Obligation.previous_id == obligation.id))
    agreement = session.get(Agreement, obligation.agreement_id)
    organization = session.get(Organization, obligation.responsible_organization_id)
    assert agreement is not None and organization is not None
    body = {
        **obligation.model_dump(exclude={"series_start"}),
        "status": status,
        "agreement_title": agreement.title,
        "responsible_organization_name": organization.name,
        "next_id": following.first(),
    }
    return ObligationPublic.model_validate(body).model_dump(mode="json")


def test_the_list_and_one_obligation_are_what_the_full_rules_give(
    client: TestClient, session: Session, kalsel: Kalsel
) -> None:
    w = world(client, kalsel)
    recurring = client.post(
        f"/api/v1/agreements/{w['nk']['id']}/obligations",
        json={
            "title": "Laporan semesteran",
            "responsible_organization_id": kalsel.dinkes,
            "due_on": "2026-06-30",
            "recurrence": "semiannual",
        },
    )
    assert recurring.status_code == 201, recurring.text
    done = client.post(
        f"{BASE}/{recurring.json()['id']}/complete",
        json={"completed_on": "2026-06-29", "note": "Terkirim."},
    )
    assert done.status_code == 200, done.text
    waived = client.post(f"{BASE}/{w['far']}/waive", json={"reason": "Tidak diperlukan lagi."})
    assert waived.status_code == 200, waived.text
    listed = client.get(BASE, params={"limit": 200})
    assert listed.status_code == 200, listed.text
    items = listed.json()["items"]
    session.expire_all()
    assert {item["status"] for item in items} == {"done", "waived", "overdue", "open"}
    assert any(item["next_id"] for item in items)
    for item in items:
        obligation = session.get(Obligation, item["id"])
        assert obligation is not None
        expected = full_rules(session, obligation, TODAY)
        assert item == expected
        one = client.get(f"{BASE}/{item['id']}")
        assert one.status_code == 200, one.text
        ObligationPublic.model_validate_json(one.content)
        assert one.json() == expected
