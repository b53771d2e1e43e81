"""The stored copy of the signature facts agrees with the party rows, after every kind of change."""

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import Session

from tests.facts import disagreements, stale_validity_facts
from tests.helpers import create_agreement, finalize, sign
from tests.world import Kalsel, nk_body, pks_body


def test_stored_signature_facts_agree_with_the_parties(
    client: TestClient, session: Session, kalsel: Kalsel, signed_nk: dict[str, Any]
) -> None:
    draft = create_agreement(
        client,
        **nk_body(
            kalsel,
            title="Draft",
            parties=[{"organization_id": kalsel.ori}, {"organization_id": kalsel.kalteng}],
        ),
    )
    client.patch(
        f"/api/v1/agreements/{draft['id']}",
        json={
            "version": draft["version"],
            "parties": [
                {"organization_id": kalsel.ori},
                {"organization_id": kalsel.kalteng},
                {"organization_id": kalsel.province},
            ],
        },
    )
    pks = create_agreement(client, **pks_body(kalsel, signed_nk["id"]))
    finalize(client, pks["id"])
    sign(client, pks["id"], kalsel.office, "2022-07-04")
    sign(client, pks["id"], kalsel.diskominfo, None)
    client.post(
        f"/api/v1/agreements/{signed_nk['id']}/derive",
        json={
            "counterpart_organization_id": kalsel.office,
            "organization_ids": [kalsel.dinkes],
            "title": "PKS {organization}",
        },
    )
    client.post(
        f"/api/v1/agreements/{pks['id']}/amendments",
        json={"title": "Adendum", "valid_until": "2030-01-01"},
    )
    client.post(f"/api/v1/agreements/{signed_nk['id']}/renew", json={"valid_until": "2031-01-01"})
    assert len(session.execute(text("SELECT id FROM agreement")).all()) >= 6
    assert disagreements(session) == []


def ids_with(client: TestClient, nk_id: int, **filters: str) -> set[int]:
    page = client.get(
        "/api/v1/agreements", params={"parent_id": nk_id, "limit": 200, **filters}
    ).json()
    return {a["id"] for a in page["items"]}


def test_stored_validity_facts_follow_amendments_and_renewals(
    client: TestClient, session: Session, kalsel: Kalsel, signed_nk: dict[str, Any]
) -> None:
    """What is read from the stored validity facts (the amended end, superseded or not) changes
    when, and only when, an amendment or a renewal is fully signed or ends; lists and the
    detail agree at every step."""
    nk = signed_nk["id"]
    pks = create_agreement(
        client, **pks_body(kalsel, nk, valid_from="2022-07-04", valid_until="2026-12-31")
    )
    finalize(client, pks["id"])
    sign(client, pks["id"], kalsel.office, "2022-07-04")
    sign(client, pks["id"], kalsel.diskominfo, "2022-07-04")
    assert pks["id"] in ids_with(client, nk, status="active", expiring_before="2027-01-31")

    amendment = client.post(
        f"/api/v1/agreements/{pks['id']}/amendments",
        json={"title": "Adendum I", "valid_until": "2027-12-31"},
    ).json()
    finalize(client, amendment["id"])
    sign(client, amendment["id"], kalsel.office, "2026-11-01")
    # Half signed: the PKS still lapses at the end of 2026.
    assert pks["id"] in ids_with(client, nk, expiring_before="2027-01-31")
    assert stale_validity_facts(session) == []
    sign(client, amendment["id"], kalsel.diskominfo, "2026-11-02")
    assert pks["id"] not in ids_with(client, nk, expiring_before="2027-01-31")
    assert pks["id"] in ids_with(client, nk, status="active", expiring_before="2027-12-31")
    assert client.get(f"/api/v1/agreements/{pks['id']}").json()["valid_until"] == "2027-12-31"
    assert stale_validity_facts(session) == []

    renewal = client.post(
        f"/api/v1/agreements/{pks['id']}/renew",
        json={"valid_from": "2027-01-01", "valid_until": "2029-12-31"},
    ).json()
    finalize(client, renewal["id"])
    sign(client, renewal["id"], kalsel.office, "2026-11-10")
    sign(client, renewal["id"], kalsel.diskominfo, "2026-11-11")
    # The renewal is signed but starts in 2027: the PKS stays active until then.
    assert pks["id"] in ids_with(client, nk, status="active")
    assert pks["id"] not in ids_with(client, nk, status="superseded")
    assert renewal["id"] in ids_with(client, nk, status="signed")
    assert stale_validity_facts(session) == []

    response = client.post(
        f"/api/v1/agreements/{amendment['id']}/terminate",
        json={"terminated_on": "2026-11-20", "reason": "Adendum dicabut"},
    )
    assert response.status_code == 200, response.text
    # The terminated amendment no longer extends the PKS: back to its own end, 2026-12-31.
    assert pks["id"] in ids_with(client, nk, status="active", expiring_before="2027-01-31")
    assert client.get(f"/api/v1/agreements/{pks['id']}").json()["valid_until"] == "2026-12-31"
    assert stale_validity_facts(session) == []
