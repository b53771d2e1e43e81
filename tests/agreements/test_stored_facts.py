"""The stored copy of the signature facts agrees with the party rows, after every kind of change."""

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import Session

from tests.facts import disagreements
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
