"""Stages before the draft (tahapan): configuration, moves with required documents, overrun
stages as deadlines that remind once, every move in the history; agreements recorded after the
fact are not held."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.documents.router import get_document_store
from app.documents.storage import DocumentStore
from app.main import app
from tests.conftest import TODAY, key_for
from tests.helpers import assert_problem, create_agreement, finalize, sign
from tests.world import Kalsel, nk_body, pks_body

BASE = "/api/v1/agreements"
STAGES = "/api/v1/stages"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n" + bytes(range(256)) * 4 + b"\n%%EOF\n"
NK_PENJAJAKAN = ["application_letter", "terms_of_reference", "profile", "legal_standing"]


@pytest.fixture
def store(tmp_path: Path, client: TestClient) -> Iterator[DocumentStore]:
    document_store = DocumentStore(root=tmp_path / "documents", max_bytes=64 * 1024)
    app.dependency_overrides[get_document_store] = lambda: document_store
    yield document_store


def attach(client: TestClient, agreement_id: int, document_type: str) -> dict[str, Any]:
    # Each upload a file of its own: the same bytes are kept once per agreement.
    content = PDF + document_type.encode()
    response = client.post(
        f"{BASE}/{agreement_id}/documents",
        files={"file": (f"{document_type}.pdf", content, "application/pdf")},
        data={"document_type": document_type},
    )
    assert response.status_code == 201, response.text
    assert response.json()["document_type"] == document_type
    return dict(response.json())


def start(client: TestClient, agreement_id: int, on: str | None = None) -> dict[str, Any]:
    response = client.post(
        f"{BASE}/{agreement_id}/stage/start", json={"started_on": on} if on else None
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


def advance(client: TestClient, agreement_id: int) -> Any:
    return client.post(f"{BASE}/{agreement_id}/stage/advance")


def stage_code(client: TestClient, agreement_id: int) -> str | None:
    stage = client.get(f"{BASE}/{agreement_id}/stage").json()["stage"]
    return None if stage is None else str(stage["code"])


class TestStageDefinitions:
    def test_the_defaults_follow_peraturan_ori_55_2022_and_sikap(self, client: TestClient) -> None:
        stages = client.get(STAGES).json()
        assert [s["code"] for s in stages] == [
            "penjajakan",
            "perundingan",
            "penyusunan_rancangan",
            "finalisasi",
            "penandatanganan",
        ]
        assert all(s["days"] == {"nk": 30, "pks": 45, "amendment": 21} for s in stages)
        assert all(s["warn_days_before"] == 2 for s in stages)
        assert stages[0]["required_documents"]["nk"] == NK_PENJAJAKAN
        assert stages[0]["required_documents"]["pks"] == ["application_letter"]
        assert stages[2]["required_documents"]["pks"] == ["draft"]
        assert [s["lifecycle"] for s in stages] == [False, False, False, True, True]

    def test_an_admin_changes_limits_and_documents_and_it_is_audited(
        self, client: TestClient, session: Session
    ) -> None:
        response = client.patch(
            f"{STAGES}/perundingan",
            json={"days": {"pks": 60}, "required_documents": {"pks": ["draft", "draft"]}},
        )
        assert response.status_code == 200, response.text
        assert response.json()["days"] == {"pks": 60}
        assert response.json()["required_documents"] == {"pks": ["draft"]}

    def test_only_admins_configure_and_the_lifecycle_stays_on(
        self, client: TestClient, session: Session, kalsel: Kalsel
    ) -> None:
        assert_problem(
            client.patch(f"{STAGES}/finalisasi", json={"enabled": False}),
            422,
            "lifecycle-stage-fixed",
        )
        assert_problem(client.patch(f"{STAGES}/tidak_ada", json={}), 404, "stage-not-found")
        editor = key_for(session, "editor", kalsel.province)
        assert_problem(
            client.patch(
                f"{STAGES}/penjajakan", json={"enabled": False}, headers={"X-API-Key": editor}
            ),
            403,
        )
        assert client.get(STAGES, headers={"X-API-Key": editor}).status_code == 200


class TestMoves:
    def test_a_missing_required_document_refuses_to_advance_and_is_named(
        self, client: TestClient, kalsel: Kalsel, store: DocumentStore
    ) -> None:
        nk = create_agreement(client, **nk_body(kalsel))
        state = start(client, nk["id"])
        assert state["stage"]["code"] == "penjajakan"
        assert state["missing"] == NK_PENJAJAKAN and not state["may_advance"]
        attach(client, nk["id"], "application_letter")
        attach(client, nk["id"], "profile")

        problem = assert_problem(advance(client, nk["id"]), 422, "stage-documents-missing")
        assert [e["loc"] for e in problem["errors"]] == [
            ["documents", "terms_of_reference"],
            ["documents", "legal_standing"],
        ]
        assert "terms_of_reference" in problem["detail"]
        assert stage_code(client, nk["id"]) == "penjajakan"  # nothing moved

        attach(client, nk["id"], "terms_of_reference")
        attach(client, nk["id"], "legal_standing")
        moved = advance(client, nk["id"])
        assert moved.status_code == 200, moved.text
        assert moved.json()["stage"]["code"] == "perundingan"

    def test_from_penjajakan_to_signature_every_move_in_the_history(
        self, client: TestClient, kalsel: Kalsel, store: DocumentStore
    ) -> None:
        nk = create_agreement(client, **nk_body(kalsel))
        start(client, nk["id"])
        assert_problem(
            client.post(f"{BASE}/{nk['id']}/finalize"), 422, "stages-not-done"
        )  # not before the stages are done
        for document_type in NK_PENJAJAKAN:
            attach(client, nk["id"], document_type)
        assert advance(client, nk["id"]).status_code == 200  # → perundingan
        assert advance(client, nk["id"]).status_code == 200  # → penyusunan rancangan
        problem = assert_problem(advance(client, nk["id"]), 422, "stage-documents-missing")
        assert problem["errors"][0]["loc"] == ["documents", "draft"]
        back = client.post(
            f"{BASE}/{nk['id']}/stage/return", json={"reason": "Ruang lingkup dirundingkan ulang"}
        )
        assert back.status_code == 200, back.text
        assert back.json()["stage"]["code"] == "perundingan"
        assert advance(client, nk["id"]).status_code == 200
        attach(client, nk["id"], "draft")
        at_finalisasi = advance(client, nk["id"]).json()
        assert at_finalisasi["stage"]["code"] == "finalisasi"
        assert not at_finalisasi["may_advance"]
        assert_problem(advance(client, nk["id"]), 409, "stage-not-movable")

        finalize(client, nk["id"])
        signing = client.get(f"{BASE}/{nk['id']}/stage").json()
        assert signing["stage"]["code"] == "penandatanganan"
        assert signing["entered_on"] == TODAY.isoformat()
        assert signing["due_on"] == "2026-12-23" and signing["days_left"] == 30
        assert signing["timing"] == "on_time"
        sign(client, nk["id"], kalsel.ori, TODAY.isoformat())
        sign(client, nk["id"], kalsel.province, TODAY.isoformat())
        done = client.get(f"{BASE}/{nk['id']}/stage").json()
        assert done["tracked"] and done["stage"] is None
        assert {s["state"] for s in done["steps"]} == {"done"}

        history = client.get(f"{BASE}/{nk['id']}/history", params={"limit": 100}).json()
        moves = [
            (e["action"], e["details"].get("from"), e["details"].get("to"))
            for e in reversed(history["items"])
            if e["action"].startswith("stage_")
        ]
        assert moves == [
            ("stage_started", None, None),
            ("stage_advanced", "penjajakan", "perundingan"),
            ("stage_advanced", "perundingan", "penyusunan_rancangan"),
            ("stage_returned", "penyusunan_rancangan", "perundingan"),
            ("stage_advanced", "perundingan", "penyusunan_rancangan"),
            ("stage_advanced", "penyusunan_rancangan", "finalisasi"),
        ]
        returned = next(e for e in history["items"] if e["action"] == "stage_returned")
        assert returned["details"]["reason"] == "Ruang lingkup dirundingkan ulang"

    def test_going_back_needs_a_stage_before_and_a_reason(
        self, client: TestClient, kalsel: Kalsel
    ) -> None:
        nk = create_agreement(client, **nk_body(kalsel))
        start(client, nk["id"])
        url = f"{BASE}/{nk['id']}/stage/return"
        assert_problem(client.post(url, json={}), 422, "validation-error")
        assert_problem(client.post(url, json={"reason": "Ulang"}), 409, "no-earlier-stage")
        assert_problem(client.post(f"{BASE}/{nk['id']}/stage/start"), 409, "stages-already-started")

    def test_a_switched_off_stage_is_skipped(
        self, client: TestClient, kalsel: Kalsel, store: DocumentStore
    ) -> None:
        client.patch(f"{STAGES}/perundingan", json={"enabled": False})
        nk = create_agreement(client, **nk_body(kalsel))
        start(client, nk["id"], "2026-11-01")
        for document_type in NK_PENJAJAKAN:
            attach(client, nk["id"], document_type)
        assert advance(client, nk["id"]).json()["stage"]["code"] == "penyusunan_rancangan"

    def test_a_surat_kuasa_is_asked_only_when_a_party_signs_on_authority(
        self, client: TestClient, kalsel: Kalsel, signed_nk: dict[str, Any], store: DocumentStore
    ) -> None:
        plain = create_agreement(client, **pks_body(kalsel, signed_nk["id"]))
        on_authority = create_agreement(
            client,
            **pks_body(
                kalsel,
                signed_nk["id"],
                kalsel.dinkes,
                title="PKS dengan Dinas Kesehatan",
                parties=[
                    {"organization_id": kalsel.office},
                    {
                        "organization_id": kalsel.dinkes,
                        "signing_authority": "Surat Kuasa Gubernur Kalimantan Selatan "
                        "Nomor 100/123/2022",
                    },
                ],
            ),
        )
        for pks in (plain, on_authority):
            start(client, pks["id"])
            attach(client, pks["id"], "application_letter")
            advance(client, pks["id"])
            advance(client, pks["id"])
            attach(client, pks["id"], "draft")
            assert advance(client, pks["id"]).json()["stage"]["code"] == "finalisasi"
        assert finalize(client, plain["id"])["status"] == "awaiting_signatures"
        state = client.get(f"{BASE}/{on_authority['id']}/stage").json()
        assert state["missing"] == ["power_of_attorney"]
        problem = assert_problem(
            client.post(f"{BASE}/{on_authority['id']}/finalize"), 422, "stage-documents-missing"
        )
        assert problem["errors"][0]["loc"] == ["documents", "power_of_attorney"]
        attach(client, on_authority["id"], "power_of_attorney")
        assert finalize(client, on_authority["id"])["status"] == "awaiting_signatures"

    def test_moves_need_an_editor_of_a_party(
        self, client: TestClient, session: Session, kalsel: Kalsel
    ) -> None:
        nk = create_agreement(client, **nk_body(kalsel))
        start(client, nk["id"])
        outsider = key_for(session, "editor", kalsel.kalteng)
        viewer = key_for(session, "viewer", kalsel.province)
        for key in (outsider, viewer):
            assert_problem(
                client.post(f"{BASE}/{nk['id']}/stage/advance", headers={"X-API-Key": key}), 403
            )
        party_editor = key_for(session, "editor", kalsel.province)
        refused = client.post(
            f"{BASE}/{nk['id']}/stage/advance", headers={"X-API-Key": party_editor}
        )
        assert_problem(refused, 422, "stage-documents-missing")  # allowed, documents missing


class TestAgreementsRecordedBefore:
    def test_are_not_held_by_the_stages(self, client: TestClient, kalsel: Kalsel) -> None:
        nk = create_agreement(client, **nk_body(kalsel))
        state = client.get(f"{BASE}/{nk['id']}/stage").json()
        assert state == {**state, "tracked": False, "stage": None, "missing": [], "steps": []}
        assert_problem(advance(client, nk["id"]), 409, "not-in-stages")
        finalize(client, nk["id"])
        sign(client, nk["id"], kalsel.ori, "2026-11-20")
        assert sign(client, nk["id"], kalsel.province, "2026-11-20")["status"] == "active"

    def test_a_signed_agreement_cannot_start_them(
        self, client: TestClient, signed_nk: dict[str, Any]
    ) -> None:
        assert_problem(client.post(f"{BASE}/{signed_nk['id']}/stage/start"), 409, "not-a-draft")
