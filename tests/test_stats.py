"""The front page's figures on the seeded real cases."""

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.seeding import load_seeds
from tests.conftest import TODAY


def test_the_registry_at_a_glance(client: TestClient, session: Session) -> None:
    empty = client.get("/api/v1/stats")
    assert empty.status_code == 200, empty.text
    assert empty.json()["compliance_latest"] is None and empty.json()["coverage"] == []

    load_seeds(session=session, today=TODAY)
    body = client.get("/api/v1/stats").json()
    assert body["as_of"] == TODAY.isoformat()
    assert body["agreements"]["pks"] == {"active": 21}
    assert body["agreements"]["nk"]["partially_signed"] == 1  # Kalteng, Kotawaringin Barat
    assert sum(body["agreements"]["nk"].values()) == 3
    years = {y["year"]: y for y in body["signed_per_year"]}
    assert years[2021] == {"year": 2021, "nk": 1, "pks": 0}
    assert years[2022] == {"year": 2022, "nk": 1, "pks": 21}
    kalsel = next(c for c in body["coverage"] if c["with_signed_pks"] == 21)
    assert kalsel["agencies"] == 22  # the Biro Pemerintahan dan Kerja Sama holds none
    assert body["nk_in_force"] == len(body["coverage"]) == 2
    # Every agreement in force owes its 2026 monev by 31 December.
    assert body["evaluations"] == {"due": 23, "overdue": 0}
    assert body["compliance_latest"] == {"year": 2023, "green": 14, "yellow": 1, "red": 0}
