"""Bulk signing: one morning's signatures of many PKS under an NK in one call, all or nothing."""

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.seeding import load_seeds
from tests import seed_variants
from tests.conftest import TODAY, key_for
from tests.helpers import assert_problem, create_agreement, finalize
from tests.world import Kalsel, pks_body

BASE = "/api/v1/agreements"


def bulk(client: TestClient, nk: int, signed_on: str | None, signatures: list[Any]) -> Any:
    return client.post(
        f"{BASE}/{nk}/pks-signatures", json={"signed_on": signed_on, "signatures": signatures}
    )


def kalsel_awaiting_signatures(session: Session, tmp_path: Path) -> None:
    """The seeded real cases, but the 21 Kalsel PKS finalised and not yet signed."""
    load_seeds(
        session=session, today=TODAY, directory=seed_variants.kalsel_awaiting_signatures(tmp_path)
    )


def test_the_21_kalsel_pks_are_signed_in_one_call(
    client: TestClient, session: Session, tmp_path: Path, count_statements: Any
) -> None:
    kalsel_awaiting_signatures(session, tmp_path)
    nk = client.get(BASE, params={"number": "053/NK-PEMOTDA/2021"}).json()["items"][0]
    pks = client.get(BASE, params={"parent_id": nk["id"], "limit": 50}).json()["items"]
    assert len(pks) == 21
    assert {p["status"] for p in pks} == {"awaiting_signatures"}
    signatures = [
        {"agreement_id": p["id"], "organization_id": party["organization_id"]}
        for p in pks
        for party in p["parties"]
    ]
    assert len(signatures) == 42

    with count_statements() as statements:
        response = bulk(client, nk["id"], "2022-07-04", signatures)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["recorded"] == 42
    assert body["signed_on"] == "2022-07-04"
    assert {a["id"] for a in body["agreements"]} == {p["id"] for p in pks}
    assert {a["status"] for a in body["agreements"]} == {"active"}
    assert len(statements) < 42 * 40  # bounded per signature

    after = client.get(BASE, params={"parent_id": nk["id"], "limit": 50}).json()["items"]
    assert {a["status"] for a in after} == {"active"}
    assert {a["signed_on"] for a in after} == {"2022-07-04"}
    # Each signature is in each PKS's history, as if recorded one by one.
    history = client.get(f"{BASE}/{pks[0]['id']}/history").json()
    assert [e["action"] for e in history["items"]].count("signed") == 2


def test_one_bad_entry_records_nothing_and_every_offender_is_named(
    client: TestClient, kalsel: Kalsel, signed_nk: dict[str, Any]
) -> None:
    nk = signed_nk["id"]
    good = create_agreement(client, **pks_body(kalsel, nk))["id"]
    finalize(client, good)
    draft = create_agreement(client, **pks_body(kalsel, nk, kalsel.dinkes))["id"]
    other_nk = create_agreement(
        client, **{**pks_body(kalsel, nk), "kind": "nk", "parent_id": None, "title": "NK lain"}
    )["id"]

    response = bulk(
        client,
        nk,
        "2022-07-04",
        [
            {"agreement_id": good, "organization_id": kalsel.office},  # fine
            {"agreement_id": good, "organization_id": kalsel.dinkes},  # not a party
            {"agreement_id": draft, "organization_id": kalsel.dinkes},  # a draft
            {"agreement_id": other_nk, "organization_id": kalsel.office},  # not a PKS of this NK
            {"agreement_id": good, "organization_id": kalsel.office},  # listed twice
            {"agreement_id": 999999, "organization_id": kalsel.office},  # no such agreement
        ],
    )
    body = assert_problem(response, 422, "signatures-refused")
    named = {tuple(e["loc"][:3]): e for e in body["errors"]}
    assert set(named) == {("body", "signatures", i) for i in (1, 2, 3, 4, 5)}
    assert named[("body", "signatures", 1)]["type"] == "/problems/signer-not-a-party"
    assert named[("body", "signatures", 2)]["type"] == "/problems/not-open-for-signature"
    assert "not a PKS of NK" in named[("body", "signatures", 3)]["msg"]
    assert "twice" in named[("body", "signatures", 4)]["msg"]
    assert "5 problem(s)" in body["detail"]

    # Nothing was recorded, not even the one good signature.
    pks = client.get(f"{BASE}/{good}").json()
    assert pks["status"] == "awaiting_signatures"
    assert not any(p["signed"] for p in pks["parties"])
    history = client.get(f"{BASE}/{good}/history").json()
    assert "signed" not in [e["action"] for e in history["items"]]


def test_the_rules_of_one_signature_hold_in_bulk(
    client: TestClient, kalsel: Kalsel, signed_nk: dict[str, Any]
) -> None:
    nk = signed_nk["id"]
    pks = create_agreement(client, **pks_body(kalsel, nk))["id"]
    finalize(client, pks)
    one = [{"agreement_id": pks, "organization_id": kalsel.office}]

    future = assert_problem(bulk(client, nk, "2099-01-01", one), 422)
    assert future["errors"][0]["loc"] == ["body", "signatures", 0, "signed_on"]
    before_nk = assert_problem(bulk(client, nk, "2021-01-01", one), 422)
    assert before_nk["errors"][0]["type"] == "/problems/signed-before-parent"

    assert bulk(client, nk, "2022-07-04", one).status_code == 200
    again = assert_problem(bulk(client, nk, "2022-07-04", one), 422)
    assert again["errors"][0]["type"] == "/problems/already-signed"


def test_the_caller_must_be_allowed_to_change_every_pks(
    client: TestClient, session: Session, kalsel: Kalsel, signed_nk: dict[str, Any]
) -> None:
    nk = signed_nk["id"]
    mine = create_agreement(client, **pks_body(kalsel, nk))["id"]
    theirs = create_agreement(client, **pks_body(kalsel, nk, kalsel.dinkes))["id"]
    finalize(client, mine)
    finalize(client, theirs)
    diskominfo_editor = key_for(session, "editor", kalsel.diskominfo)
    response = client.post(
        f"{BASE}/{nk}/pks-signatures",
        headers={"X-API-Key": diskominfo_editor},
        json={
            "signed_on": "2022-07-04",
            "signatures": [
                {"agreement_id": mine, "organization_id": kalsel.diskominfo},
                {"agreement_id": theirs, "organization_id": kalsel.dinkes},
            ],
        },
    )
    body = assert_problem(response, 403)
    assert [e["loc"][:3] for e in body["errors"]] == [["body", "signatures", 1]]
    assert not any(p["signed"] for p in client.get(f"{BASE}/{mine}").json()["parties"])


def test_the_path_names_an_nk(
    client: TestClient, kalsel: Kalsel, signed_nk: dict[str, Any]
) -> None:
    pks = create_agreement(client, **pks_body(kalsel, signed_nk["id"]))["id"]
    one = [{"agreement_id": pks, "organization_id": kalsel.office}]
    assert_problem(bulk(client, pks, "2022-07-04", one), 422, "not-an-nk")
    assert_problem(bulk(client, 999999, "2022-07-04", one), 404)
    empty = assert_problem(bulk(client, signed_nk["id"], "2022-07-04", []), 422)
    assert empty["errors"][0]["loc"] == ["body", "signatures"]
