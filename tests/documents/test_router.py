"""Signed documents: upload, list, byte-exact download; refusals leave nothing behind."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from app.documents.models import AgreementDocument
from app.documents.router import get_document_store
from app.documents.service import clean_filename
from app.documents.storage import DocumentStore
from app.main import app
from tests.helpers import assert_problem, create_agreement
from tests.world import Kalsel, nk_body

BASE = "/api/v1/agreements"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(64)


@pytest.fixture
def store(tmp_path: Path, client: TestClient) -> Iterator[DocumentStore]:
    document_store = DocumentStore(root=tmp_path / "documents", max_bytes=64 * 1024)
    app.dependency_overrides[get_document_store] = lambda: document_store
    yield document_store


def stored_files(store: DocumentStore) -> list[Path]:
    return [p for p in store.root.rglob("*") if p.is_file()] if store.root.exists() else []


def upload(client: TestClient, agreement_id: int, content: bytes, name: str, mime: str) -> Any:
    return client.post(f"{BASE}/{agreement_id}/documents", files={"file": (name, content, mime)})


def test_upload_list_and_download_byte_for_byte(
    client: TestClient, kalsel: Kalsel, store: DocumentStore
) -> None:
    nk = create_agreement(client, **nk_body(kalsel))
    response = upload(client, nk["id"], PDF, "NK 30-ORI-MoU-X-2021.pdf", "application/pdf")
    assert response.status_code == 201, response.text
    document = response.json()
    assert document["content_type"] == "application/pdf"
    assert document["size_bytes"] == len(PDF)
    assert len(document["sha256"]) == 64
    assert [d["id"] for d in client.get(f"{BASE}/{nk['id']}/documents").json()] == [document["id"]]

    download = client.get(f"{BASE}/{nk['id']}/documents/{document['id']}")
    assert download.status_code == 200
    assert download.content == PDF
    assert download.headers["content-type"] == "application/pdf"
    assert quote("NK 30-ORI-MoU-X-2021.pdf") in download.headers["content-disposition"]
    history = client.get(f"{BASE}/{nk['id']}/history").json()["items"]
    assert history[0]["action"] == "document_attached"


def test_type_is_judged_from_the_bytes(
    client: TestClient, kalsel: Kalsel, store: DocumentStore, session: Session
) -> None:
    nk = create_agreement(client, **nk_body(kalsel))
    assert (
        upload(client, nk["id"], PNG, "scan.png", "application/octet-stream").json()["content_type"]
        == "image/png"
    )
    assert_problem(
        upload(client, nk["id"], b"MZ\x90\x00" + bytes(100), "nk.pdf", "application/pdf"),
        415,
        "document-type-not-allowed",
    )
    assert_problem(upload(client, nk["id"], PNG, "nk.pdf", "application/pdf"), 415)
    assert_problem(upload(client, nk["id"], b"", "empty.pdf", "application/pdf"), 415)
    assert len(stored_files(store)) == 1
    count = session.exec(select(func.count()).select_from(AgreementDocument)).one()
    assert count == 1


def test_oversize_upload_leaves_no_file_and_no_row(
    client: TestClient, kalsel: Kalsel, store: DocumentStore, session: Session
) -> None:
    nk = create_agreement(client, **nk_body(kalsel))
    big = PDF + bytes(store.max_bytes)
    assert_problem(
        upload(client, nk["id"], big, "big.pdf", "application/pdf"), 413, "document-too-large"
    )
    assert stored_files(store) == []
    assert session.exec(select(func.count()).select_from(AgreementDocument)).one() == 0
    assert client.get(f"{BASE}/{nk['id']}/history").json()["total"] == 1  # only "created"


def test_unknown_agreement_or_document_and_missing_file(
    client: TestClient, kalsel: Kalsel, store: DocumentStore
) -> None:
    assert_problem(upload(client, 9999, PDF, "x.pdf", "application/pdf"), 404)
    assert stored_files(store) == []
    nk = create_agreement(client, **nk_body(kalsel))
    assert_problem(client.get(f"{BASE}/{nk['id']}/documents/5"), 404, "document-not-found")
    assert_problem(client.post(f"{BASE}/{nk['id']}/documents"), 422)
    other = create_agreement(
        client,
        **nk_body(
            kalsel,
            title="Lain",
            parties=[{"organization_id": kalsel.ori}, {"organization_id": kalsel.kalteng}],
        ),
    )
    document = upload(client, nk["id"], PDF, "../../etc/passwd.pdf", "application/pdf").json()
    assert document["filename"] == "passwd.pdf"
    assert_problem(client.get(f"{BASE}/{other['id']}/documents/{document['id']}"), 404)
    for path in stored_files(store):
        path.unlink()
    assert_problem(
        client.get(f"{BASE}/{nk['id']}/documents/{document['id']}"), 404, "document-file-missing"
    )


def test_file_names_lose_paths_and_control_characters() -> None:
    assert clean_filename("C:\\scans\\PKS Diskominfo.pdf") == "PKS Diskominfo.pdf"
    assert clean_filename("../x\u0000y\n.pdf") == "xy.pdf"
    assert clean_filename(None) == "document"
    assert clean_filename("/") == "document"


def test_the_same_file_uploaded_twice_is_one_record(
    client: TestClient, session: Session, store: DocumentStore, kalsel: Kalsel
) -> None:
    nk = create_agreement(client, **nk_body(kalsel))
    first = upload(client, nk["id"], PDF, "nk.pdf", "application/pdf")
    assert first.status_code == 201, first.text
    again = upload(client, nk["id"], PDF, "nk-scan-ulang.pdf", "application/pdf")
    assert again.status_code == 200, again.text
    assert again.json() == first.json()
    assert len(client.get(f"{BASE}/{nk['id']}/documents").json()) == 1
    history = client.get(f"{BASE}/{nk['id']}/history").json()["items"]
    assert [e["action"] for e in history].count("document_attached") == 1
    assert len(stored_files(store)) == 1
