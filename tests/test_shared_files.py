"""One stored file serves every row with the same bytes: a failed upload removes the file it wrote
only when no row of any table refers to it, even when another upload of the same bytes is
committing at the same moment; and documents know nothing of the activities that link to them."""

import ast
import os
import threading
import time
from datetime import timedelta
from io import BytesIO
from pathlib import Path
from typing import Any, BinaryIO

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, SQLModel, select

from app.agreements import service as agreements
from app.core.errors import Conflict
from app.documents.models import FILE_KEEPERS, AgreementDocument
from app.documents.service import file_of, remove_unless_kept, store_once, sweep_store
from app.documents.storage import DocumentStore, StoredFile
from tests.concurrency import Committed, run_together
from tests.conftest import TODAY
from tests.test_activities import PDF, Pks, body, pks, report, store  # noqa: F401  (fixtures)
from tests.world import Kalsel


def stored_files(kept_in: DocumentStore) -> list[Path]:
    return [p for p in kept_in.root.rglob("*") if p.is_file()] if kept_in.root.exists() else []


def test_documents_import_nothing_of_activities() -> None:
    """The activity owns its link to its evidence; documents are stored for anyone."""
    folder = Path(__file__).parents[1] / "app" / "documents"
    imported: list[str] = []
    for source in folder.glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(), str(source))):
            if isinstance(node, ast.Import):
                imported += [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                imported.append(node.module)
    assert imported and not [m for m in imported if m.startswith("app.activities")]


def test_every_table_that_keeps_stored_files_is_known() -> None:
    from app.activities.models import ActivityDocument

    keepers: set[type[SQLModel]] = {AgreementDocument, ActivityDocument}
    assert set(FILE_KEEPERS) == keepers


class TestAFailedUpload:
    def test_of_new_bytes_leaves_no_file_and_no_row(
        self,
        client: TestClient,
        kalsel: Kalsel,
        pks: Pks,  # noqa: F811
        store: DocumentStore,  # noqa: F811
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        def refused(*_args: Any, **_kwargs: Any) -> None:
            raise Conflict("The history could not be written.", type_slug="history-refused")

        monkeypatch.setattr("app.documents.service.record", refused)
        url = f"/api/v1/agreements/{pks.id}/documents"
        answer = client.post(url, files={"file": ("naskah.pdf", PDF, "application/pdf")})
        assert answer.status_code == 409, answer.text
        assert stored_files(store) == []
        assert client.get(url).json() == []

    def test_keeps_a_file_an_activitys_evidence_refers_to(
        self,
        client: TestClient,
        session: Session,
        kalsel: Kalsel,
        pks: Pks,  # noqa: F811
        store: DocumentStore,  # noqa: F811
    ) -> None:
        activity = report(client, pks, body(kalsel, pks)).json()
        url = f"/api/v1/agreements/{pks.id}/activities/{activity['id']}/documents"
        files = {"file": ("daftar hadir.pdf", PDF, "application/pdf")}
        kept = client.post(url, files=files, headers={"X-API-Key": pks.reporter})
        assert kept.status_code == 201, kept.text
        [document] = kept.json()["documents"]
        [path] = stored_files(store)
        # What a failed upload of the same bytes does once its own row is rolled back.
        assert not remove_unless_kept(session=session, store=store, sha256=document["sha256"])
        assert path.is_file()
        assert client.get(f"{url}/{document['id']}").content == PDF

    def test_removes_a_file_no_row_refers_to(
        self,
        session: Session,
        store: DocumentStore,  # noqa: F811
    ) -> None:
        orphan = store.put(BytesIO(PDF), "application/pdf")
        assert remove_unless_kept(session=session, store=store, sha256=orphan.sha256)
        assert not orphan.path.exists()


@pytest.mark.concurrency
def test_a_failed_upload_never_removes_the_file_another_upload_now_shares(
    committed: Committed, tmp_path: Path
) -> None:
    """Two agreements receive the same scan at once; the first upload's row cannot be saved
    after the second upload found its file already stored: the second's document keeps it."""
    first_put, second_put = threading.Event(), threading.Event()

    class WatchedStore(DocumentStore):
        def put(self, source: BinaryIO, declared_type: str | None) -> StoredFile:
            stored = super().put(source, declared_type)
            (first_put if stored.created else second_put).set()
            return stored

    watched = WatchedStore(root=tmp_path / "documents", max_bytes=1024 * 1024)
    with Session(committed.engine) as session:
        one, two = (
            agreements.create_agreement(
                session=session, agreement_in=committed.nk(title), today=TODAY
            )
            for title in ("NK Kalsel", "NK Kalteng")
        )

    def failing(s: Session) -> Any:
        def recorded(_row: AgreementDocument) -> None:
            assert second_put.wait(30)
            raise RuntimeError("the history could not be written")

        return store_once(
            session=s,
            store=watched,
            model=AgreementDocument,
            owner={"agreement_id": one},
            source=BytesIO(PDF),
            filename="naskah.pdf",
            declared_type="application/pdf",
            recorded=recorded,
        )

    def sharing(s: Session) -> Any:
        assert first_put.wait(30)
        # store_once, which attach_document calls after reading the agreement: straight to
        # writing the file, as SQLite would hold a read until the first upload's end.
        return store_once(
            session=s,
            store=watched,
            model=AgreementDocument,
            owner={"agreement_id": two},
            source=BytesIO(PDF),
            filename="naskah.pdf",
            declared_type="application/pdf",
            recorded=lambda _row: None,
        )

    failed, shared = run_together(committed.engine, [failing, sharing])
    assert isinstance(failed, RuntimeError), failed
    document, created = shared
    assert created
    with Session(committed.engine) as session:
        rows = session.exec(
            select(AgreementDocument).where(AgreementDocument.sha256 == document.sha256)
        )
        assert [row.agreement_id for row in rows] == [two]
        row = session.get(AgreementDocument, document.id)
        assert row is not None
        assert file_of(watched, row).read_bytes() == PDF


def test_a_file_wanted_again_while_being_removed_is_put_back(tmp_path: Path) -> None:
    """Another upload of the same bytes marks the file between the check and the removal."""
    shared = DocumentStore(root=tmp_path / "documents", max_bytes=1024 * 1024)
    failed = shared.put(BytesIO(PDF), "application/pdf")
    again: list[StoredFile] = []

    def meanwhile() -> bool:
        if not again:
            again.append(shared.put(BytesIO(PDF), "application/pdf"))
        return False  # no committed row yet

    assert not shared.remove_unkept(failed.sha256, mark=failed.mark, kept=meanwhile)
    assert failed.path.read_bytes() == PDF
    assert not any(shared.root.glob("incoming/*"))
    # Untouched since its upload and unreferred: removed.
    latest = again[-1]
    assert shared.remove_unkept(latest.sha256, mark=latest.mark, kept=lambda: False)
    assert not latest.path.exists()


def test_the_sweep_removes_old_orphans_only(
    client: TestClient,
    session: Session,
    kalsel: Kalsel,
    pks: Pks,  # noqa: F811
    store: DocumentStore,  # noqa: F811
) -> None:
    """A file whose row was never saved (a crash), untouched for a day: removed; a file a row
    refers to, or one touched lately: kept."""
    answer = client.post(
        f"/api/v1/agreements/{pks.id}/documents",
        files={"file": ("naskah.pdf", PDF, "application/pdf")},
    )
    assert answer.status_code == 201, answer.text
    day_ago = time.time_ns() - 25 * 3600 * 10**9
    referred = store.path_of(answer.json()["sha256"])
    os.utime(referred, ns=(day_ago, day_ago))
    orphan = store.put(BytesIO(PDF + b"orphan"), "application/pdf")
    os.utime(orphan.path, ns=(day_ago, day_ago))
    recent = store.put(BytesIO(PDF + b"recent"), "application/pdf")
    leftover = store.root / "incoming" / "tmp-crash"
    leftover.write_bytes(b"half")
    os.utime(leftover, ns=(day_ago, day_ago))

    dry = sweep_store(session=session, store=store, older_than=timedelta(hours=24), dry_run=True)
    assert (dry.kept, dry.orphans, dry.removed, dry.leftovers) == (2, 1, 0, 1)
    assert orphan.path.exists() and leftover.exists()
    swept = sweep_store(session=session, store=store, older_than=timedelta(hours=24), dry_run=False)
    assert (swept.kept, swept.orphans, swept.removed, swept.leftovers) == (2, 1, 1, 1)
    assert not orphan.path.exists() and not leftover.exists()
    assert referred.read_bytes() == PDF and recent.path.exists()


def test_registry_sweep_documents(scratch_database_url: str, tmp_path: Path) -> None:
    from tests.test_cli import registry

    assert registry("migrate", database_url=scratch_database_url, tmp_path=tmp_path).returncode == 0
    shared = DocumentStore(root=tmp_path / "documents", max_bytes=1024 * 1024)
    orphan = shared.put(BytesIO(PDF), "application/pdf")
    day_ago = time.time_ns() - 25 * 3600 * 10**9
    os.utime(orphan.path, ns=(day_ago, day_ago))
    dry = registry(
        "sweep-documents", "--dry-run", database_url=scratch_database_url, tmp_path=tmp_path
    )
    assert dry.returncode == 0, dry.stderr
    assert "1 with no record, would remove 1" in dry.stdout and orphan.path.exists()
    swept = registry("sweep-documents", database_url=scratch_database_url, tmp_path=tmp_path)
    assert "removed 1" in swept.stdout and not orphan.path.exists()
    refused = registry(
        "sweep-documents",
        "--older-than-hours",
        "0",
        database_url=scratch_database_url,
        tmp_path=tmp_path,
    )
    assert refused.returncode == 2 and "at least 1" in refused.stderr
