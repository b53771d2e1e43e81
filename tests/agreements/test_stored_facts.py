"""The stored copy of the signature facts agrees with the party rows, after every kind of change."""

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import Session

from app.seeding import load_seeds
from tests.conftest import TODAY
from tests.helpers import create_agreement, finalize, sign
from tests.world import Kalsel, nk_body, pks_body

FROM_ROWS = text(
    """
    SELECT a.id, a.parties_signed, a.parties_unsigned, a.last_signed_on,
           (SELECT count(*) FROM agreement_party p
             WHERE p.agreement_id = a.id AND p.signature_recorded_at IS NOT NULL),
           (SELECT count(*) FROM agreement_party p
             WHERE p.agreement_id = a.id AND p.signature_recorded_at IS NULL),
           (SELECT max(p.signed_on) FROM agreement_party p WHERE p.agreement_id = a.id)
    FROM agreement a
    """
)


def disagreements(session: Session) -> list[Any]:
    rows = session.execute(FROM_ROWS).all()
    assert rows
    return [r for r in rows if (r[1], r[2], str(r[3])) != (r[4], r[5], str(r[6]))]


def test_stored_signature_facts_agree_with_the_parties(
    client: TestClient, session: Session, kalsel: Kalsel, signed_nk: dict[str, Any]
) -> None:
    load_seeds(session=session, today=TODAY)
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
    assert disagreements(session) == []
