"""The read shape of agreements (issue 22): one agreement in at most three statements, a page in
at most four (three and its total), whatever its length; the answer built once, without
validation, and equal to what the full rules give, on random agreements with amendments,
renewals, terminations and undated signatures."""

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.agreements.amendments import amendments_of, scope_in_effect
from app.agreements.models import Agreement, AgreementKind, ScopeItem
from app.agreements.parties import number_mismatch, parties_of
from app.agreements.schemas import AgreementPublic
from app.agreements.status import ENDED, facts_of
from app.organizations.models import Organization
from tests.conftest import TODAY
from tests.helpers import create_agreement, create_org, finalize, sign, sign_all
from tests.world import Kalsel, nk_body, pks_body

BASE = "/api/v1/agreements"
MAX_READ_ONE = 3  # the agreements with their amendments, the parties, the scope items
MAX_READ_PAGE = 4  # the same, and the total


# From the signing day or a given one; open-ended, lapsed, running or starting later.
VALIDITIES = [
    (None, None),
    ("2022-07-04", "2025-12-31"),
    ("2022-07-04", "2028-12-31"),
    (None, "2028-12-31"),
    ("2027-01-01", "2028-12-31"),
]


@dataclass
class World:
    ids: list[int]  # every agreement, amendments and renewals included


def _ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    return dict(response.json())


def _maybe_day(rng: random.Random, day: str) -> str | None:
    """A signing day, or none: the source says the party signed but not when."""
    return None if rng.random() < 0.3 else day


def build_world(client: TestClient, kalsel: Kalsel, seed: int) -> World:
    """An NK in force with PKS in every state, amended, renewed and terminated at random, and a
    terminated NK with a PKS still live under it (the warning `parent_inactive`)."""
    rng = random.Random(seed)
    nk = create_agreement(client, **nk_body(kalsel, valid_from="2021-10-28"))
    sign_all(client, nk, _maybe_day(rng, "2021-10-28"))
    ids = [nk["id"]]
    # Every stage once at least, in a random order; the first signed PKS is surely amended,
    # the second surely renewed, the rest at random.
    stages = ["draft", "cancelled", "finalized", "partial", "signed", "signed", "signed", "signed"]
    rng.shuffle(stages)
    signed_so_far = 0
    for n, stage in enumerate(stages):
        agency = create_org(client, f"Dinas {seed}-{n}", "regional_agency", kalsel.province)
        month, year = rng.choice([("VII", "2022"), ("I", "2021")])  # I/2021: a mismatch
        valid_from, valid_until = rng.choice(VALIDITIES)
        if stage == "signed" and signed_so_far < 2:
            valid_from, valid_until = "2022-07-04", "2028-12-31"
        pks = create_agreement(
            client,
            **pks_body(
                kalsel,
                nk["id"],
                agency=agency,
                title=f"PKS {seed}-{n}",
                valid_from=valid_from,
                valid_until=valid_until,
                parties=[
                    {
                        "organization_id": kalsel.office,
                        "document_number": f"{n}/PKS/{month}/{year}",
                    },
                    {"organization_id": agency, "signatory_name": "Kepala Dinas"},
                ],
                scope_items=[{"title": f"Ruang lingkup {i}"} for i in range(rng.randint(0, 3))],
            ),
        )
        ids.append(pks["id"])
        if stage == "cancelled":
            _ok(client.post(f"{BASE}/{pks['id']}/cancel", json={"reason": "Draf ganda"}))
            continue
        if stage == "draft":
            continue
        finalize(client, pks["id"])
        if stage == "finalized":
            continue
        sign(client, pks["id"], kalsel.office, _maybe_day(rng, "2022-07-04"))
        if stage == "partial":
            continue
        sign(client, pks["id"], agency, _maybe_day(rng, "2022-07-04"))
        signed_so_far += 1
        ids.extend(_later_life(client, rng, pks["id"], surely=signed_so_far))
    nk2 = create_agreement(
        client,
        **nk_body(
            kalsel,
            title="NK Kalimantan Tengah",
            parties=[{"organization_id": kalsel.ori}, {"organization_id": kalsel.kalteng}],
        ),
    )
    sign_all(client, nk2, "2023-01-10")
    orphan = create_agreement(
        client,
        **pks_body(
            kalsel,
            nk2["id"],
            title="PKS Kalteng",
            parties=[{"organization_id": kalsel.ori}, {"organization_id": kalsel.kalteng_agency}],
        ),
    )
    sign_all(client, orphan, _maybe_day(rng, "2023-02-01"))
    _ok(
        client.post(
            f"{BASE}/{nk2['id']}/terminate",
            json={"terminated_on": "2025-06-30", "reason": "Diakhiri"},
        )
    )
    ids += [nk2["id"], orphan["id"]]
    return World(ids=ids)


def _later_life(client: TestClient, rng: random.Random, pks_id: int, surely: int) -> list[int]:
    """Amendments, a renewal, a termination of a signed PKS, at random (`surely` 1: a signed
    amendment withdrawing an item; 2: a signed renewal); the ids created."""
    created: list[int] = []
    current = _ok(client.get(f"{BASE}/{pks_id}"))
    for number in range(1 if surely == 1 else rng.randint(0, 2)):
        if current["status"] not in ("signed", "active"):
            break
        withdraw = surely == 1 or rng.random() < 0.5
        withdrawn = [i["id"] for i in current["scope_items"][:1]] if withdraw else []
        amendment = _ok(
            client.post(
                f"{BASE}/{pks_id}/amendments",
                json={
                    "title": f"Adendum {number + 1}",
                    "valid_until": rng.choice([None, "2029-06-30"]),
                    "scope_items_added": [{"title": f"Tambahan {number + 1}"}],
                    "scope_item_ids_withdrawn": withdrawn,
                },
            ),
            201,
        )
        created.append(amendment["id"])
        if surely == 1 or rng.random() < 0.7:
            sign_all(client, amendment, _maybe_day(rng, "2026-11-20"))
        current = _ok(client.get(f"{BASE}/{pks_id}"))
    if surely == 2 or (current["status"] in ("signed", "active") and rng.random() < 0.4):
        successor = _ok(
            client.post(
                f"{BASE}/{pks_id}/renew",
                json={"valid_from": rng.choice(["2026-01-28", "2027-06-01"])},
            ),
            201,
        )
        created.append(successor["id"])
        if surely == 2 or rng.random() < 0.6:
            sign_all(client, successor, _maybe_day(rng, "2026-01-20"))
    elif current["status"] in ("signed", "active") and rng.random() < 0.5:
        _ok(
            client.post(
                f"{BASE}/{pks_id}/terminate",
                json={
                    "terminated_on": rng.choice(["2026-01-27", "2027-01-27"]),
                    "reason": "Diakhiri lebih awal",
                },
            )
        )
    return created


def full_rules(session: Session, agreement_id: int) -> dict[str, Any]:
    """The agreement as the full rules give it: ORM objects, each derivation by its own query,
    and the answer validated by pydantic, field by field."""
    session.expire_all()
    agreement = session.get(Agreement, agreement_id)
    assert agreement is not None
    facts = facts_of(session, agreement_id, TODAY)
    parent = facts_of(session, agreement.parent_id, TODAY) if agreement.parent_id else None
    own_items = list(
        session.exec(
            select(ScopeItem)
            .where(ScopeItem.agreement_id == agreement_id)
            .order_by(col(ScopeItem.position))
        )
    )
    amendments = amendments_of(session, [agreement_id], TODAY).get(agreement_id, [])
    parties = parties_of(session, agreement_id)
    names = {p.organization_id: session.get(Organization, p.organization_id) for p in parties}
    warnings = []
    if parent is not None and parent.status in ENDED and facts.status not in ENDED:
        warnings.append(
            {
                "code": "parent_inactive",
                "message": f"Its NK '{parent.agreement.title}' is {parent.status.value}; this "
                "PKS no longer rests on an NK in force. Terminate it, or re-link it to the NK's "
                "renewal.",
            }
        )
    for p in parties:
        mismatch = (
            number_mismatch(p.document_number, p.signed_on)
            if p.document_number and p.signed_on
            else None
        )
        if mismatch:
            name = names[p.organization_id]
            assert name is not None
            warnings.append(
                {"code": "number_date_mismatch", "message": f"{name.name}: {mismatch}."}
            )
    children = session.exec(select(Agreement.id).where(Agreement.parent_id == agreement_id)).all()
    successor = session.exec(
        select(Agreement.id).where(Agreement.supersedes_id == agreement_id)
    ).first()
    body = {
        **agreement.model_dump(
            include={
                "id",
                "kind",
                "title",
                "description",
                "parent_id",
                "amends_id",
                "supersedes_id",
                "valid_from",
                "pks_due_on",
                "planned_signing_on",
                "terminated_on",
                "termination_reason",
                "cancelled_at",
                "cancellation_reason",
                "finalized_at",
                "drafted_on",
                "finalized_on",
                "final_text_sha256",
                "public_listing",
                "version",
                "created_at",
                "updated_at",
            }
        ),
        "status": facts.status,
        "parent": (
            {"id": agreement.parent_id, "title": parent.agreement.title, "status": parent.status}
            if parent
            else None
        ),
        "superseded_by_id": successor,
        "children_count": len(children) if agreement.kind == AgreementKind.nk else None,
        "valid_until": facts.valid_until,
        "valid_until_as_signed": agreement.valid_until,
        "signed_on": facts.signed_on,
        "parties": [
            {
                **p.model_dump(exclude={"id", "agreement_id"}),
                "organization_name": names[p.organization_id].name,  # type: ignore[union-attr]
                "signed": p.signed,
            }
            for p in parties
        ],
        "scope_items": [i.model_dump() for i in scope_in_effect(own_items, amendments)],
        "amendments": [summary.model_dump() for summary, _ in amendments],
        "warnings": warnings,
    }
    return AgreementPublic.model_validate(body).model_dump(mode="json")


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_fast_shape_is_what_the_full_rules_give(
    client: TestClient, session: Session, kalsel: Kalsel, seed: int
) -> None:
    world = build_world(client, kalsel, seed)
    page = client.get(BASE, params={"limit": 200})
    assert page.status_code == 200
    listed = {a["id"]: a for a in page.json()["items"]}
    assert set(world.ids) <= set(listed)
    seen: dict[str, set[Any]] = {k: set() for k in ("status", "warnings", "amended", "renewed")}
    for agreement_id in world.ids:
        response = client.get(f"{BASE}/{agreement_id}")
        assert response.status_code == 200
        # The bytes sent pass the full validation of the documented model...
        AgreementPublic.model_validate_json(response.content)
        # ...and say what the full rules say, in the detail and in the list alike.
        expected = full_rules(session, agreement_id)
        assert response.json() == expected, agreement_id
        assert listed[agreement_id] == expected, agreement_id
        seen["status"].add(expected["status"])
        seen["warnings"].update(w["code"] for w in expected["warnings"])
        seen["amended"].update(
            a["id"]
            for a in expected["amendments"]
            if a["in_effect"] and a["scope_item_ids_withdrawn"]
        )
        if expected["superseded_by_id"]:
            seen["renewed"].add(agreement_id)
    # The random world does reach the cases the shape has to get right.
    assert {"draft", "cancelled", "awaiting_signatures", "partially_signed", "terminated"} <= (
        seen["status"]
    ), seen
    assert "parent_inactive" in seen["warnings"], seen
    assert seen["amended"] and seen["renewed"], seen


def _reads(statements: list[str]) -> list[str]:
    """The statements of a read, less the API key's look-up (the caller, not the agreement)."""
    return [s for s in statements if "FROM api_key" not in s]


def test_one_agreement_in_three_statements(
    client: TestClient, kalsel: Kalsel, count_statements: Callable[[], Any]
) -> None:
    world = build_world(client, kalsel, 4)
    for agreement_id in world.ids:
        with count_statements() as statements:
            assert client.get(f"{BASE}/{agreement_id}").status_code == 200
        assert len(_reads(statements)) <= MAX_READ_ONE, (agreement_id, statements)


def test_a_page_in_four_statements_at_one_row_and_at_fifty(
    client: TestClient, kalsel: Kalsel, count_statements: Callable[[], Any]
) -> None:
    for n in range(40):  # older than the world, so that the newest 50 hold all of it
        create_agreement(
            client,
            **nk_body(
                kalsel,
                title=f"NK tambahan {n}",
                parties=[{"organization_id": kalsel.ori}, {"organization_id": kalsel.province}],
            ),
        )
    world = build_world(client, kalsel, 5)
    assert len(world.ids) >= 10
    for limit in (1, 50):
        with count_statements() as statements:
            page = client.get(BASE, params={"limit": limit})
        assert page.status_code == 200
        assert len(page.json()["items"]) == limit
        assert len(_reads(statements)) <= MAX_READ_PAGE, (limit, statements)
        with count_statements() as statements:  # the next page, by its cursor
            following = client.get(
                BASE, params={"limit": limit, "cursor": page.json()["next_cursor"]}
            )
        assert following.status_code == 200
        assert following.json()["items"]
        assert len(_reads(statements)) <= MAX_READ_PAGE, (limit, statements)
