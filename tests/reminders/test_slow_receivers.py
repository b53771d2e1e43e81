"""Slow webhook receivers: deliveries run side by side, each within a total deadline, and a run
that waits on a receiver holds no lock that other requests would wait for."""

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import delete
from sqlmodel import Session, col

from app.audit.models import AuditEvent
from app.core.config import settings
from app.core.db import make_engine
from app.core.types import utcnow
from app.obligations import service as obligations
from app.obligations.schemas import ObligationCreate
from app.organizations import service as organizations
from app.organizations.models import Organization
from app.organizations.schemas import OrganizationCreate
from app.reminders.service import run_reminders
from tests.concurrency import Committed
from tests.helpers import create_obligation, create_org, patch_org
from tests.reminders.conftest import TOKEN
from tests.world import Kalsel

RUN = "/api/v1/reminders/run"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
AS_OF = date(2026, 11, 23)


@contextmanager
def receiver(on_post: Callable[[BaseHTTPRequestHandler], None]) -> Iterator[str]:
    """A loopback HTTP server whose POST handler is on_post; yields its URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            self.rfile.read(int(self.headers.get("content-length", 0)))
            try:
                on_post(self)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the registry gave up on us: that is the point

        def log_message(self, *_args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook"
    finally:
        server.shutdown()
        server.server_close()


def answer(handler: BaseHTTPRequestHandler, status: int = 200) -> None:
    handler.send_response(status)
    handler.send_header("content-length", "0")
    handler.end_headers()


def test_four_slow_receivers_are_delivered_to_side_by_side(
    client: TestClient, kalsel: Kalsel, signed_nk: dict[str, Any], run_settings: dict[str, Any]
) -> None:
    # Each receiver answers only once all four are waiting: one at a time, none would.
    together = threading.Barrier(4, timeout=5)

    def wait_for_the_others(handler: BaseHTTPRequestHandler) -> None:
        try:
            together.wait()
        except threading.BrokenBarrierError:
            answer(handler, 503)
            return
        answer(handler)

    run_settings["WEBHOOK_TIMEOUT_SECONDS"] = 8
    with receiver(wait_for_the_others) as url:
        for i in range(4):
            org = create_org(client, f"Dinas {i}", "regional_agency", kalsel.province)
            patch_org(client, org, webhook_url=url)
            create_obligation(client, signed_nk["id"], org, "2026-11-24", f"Laporan {i}")
        result = client.post(RUN, json={}, headers=AUTH).json()
    assert (result["created"], result["delivered"], result["failed"]) == (4, 4, 0)


def test_a_receiver_that_trickles_its_answer_is_cut_off_at_the_deadline(
    client: TestClient, kalsel: Kalsel, signed_nk: dict[str, Any], run_settings: dict[str, Any]
) -> None:
    finished = threading.Event()

    def trickle(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("content-length", "40")
        handler.end_headers()
        for _ in range(40):  # one byte every 0.25 s: each read is quick, the whole is 10 s
            handler.wfile.write(b".")
            handler.wfile.flush()
            time.sleep(0.25)
        finished.set()

    run_settings["WEBHOOK_TIMEOUT_SECONDS"] = 1
    with receiver(trickle) as url:
        patch_org(client, kalsel.dinkes, webhook_url=url)
        create_obligation(client, signed_nk["id"], kalsel.dinkes, "2026-11-24")
        result = client.post(RUN, json={}, headers=AUTH).json()
        assert not finished.is_set()  # the run returned before the receiver was done
    assert (result["delivered"], result["failed"]) == (0, 1)
    [failed] = client.get("/api/v1/reminders", params={"status": "failed"}).json()["items"]
    assert "no complete answer within 1 s" in failed["last_error"]


def test_a_run_waiting_on_a_receiver_blocks_no_other_write(
    committed: Committed, database_url: str
) -> None:
    arrived, release = threading.Event(), threading.Event()

    def hold(handler: BaseHTTPRequestHandler) -> None:
        arrived.set()
        release.wait(timeout=60)
        answer(handler)

    nk_id = committed.signed_nk("NK (slow receiver)")
    results: list[Any] = []
    with receiver(hold) as url:
        with Session(committed.engine) as session:
            office = session.get(Organization, committed.office)
            assert office is not None
            office.webhook_url = url
            session.add(office)
            session.commit()
            obligations.create_obligation(
                session=session,
                agreement_id=nk_id,
                obligation_in=ObligationCreate(
                    title="Laporan", responsible_organization_id=committed.office, due_on=AS_OF
                ),
                today=AS_OF,
            )

        def run() -> None:
            with Session(committed.engine) as run_session:
                results.append(
                    run_reminders(
                        session=run_session,
                        as_of=AS_OF,
                        today=AS_OF,
                        now=utcnow(),
                        settings=settings.model_copy(
                            update={
                                "WEBHOOK_TIMEOUT_SECONDS": 60,
                                "WEBHOOK_ALLOWED_HOSTS": ["127.0.0.1"],
                            }
                        ),
                    )
                )

        runner = threading.Thread(target=run)
        runner.start()
        try:
            assert arrived.wait(timeout=30), "the run never reached the receiver"
            # Another request writes while the run waits on the receiver. With a lock held,
            # SQLite would make it wait (here at most 1 s) and then refuse: "database is locked".
            impatient = make_engine(database_url, connect_args=short_wait(database_url))
            try:
                with Session(impatient) as other:
                    created = organizations.create_organization(
                        session=other,
                        organization_in=OrganizationCreate(
                            name="Dinas Baru", kind="regional_agency", parent_id=committed.province
                        ),
                    )
                    other.delete(other.get(Organization, created.id))
                    other.execute(
                        delete(AuditEvent).where(
                            col(AuditEvent.subject_type) == "organization",
                            col(AuditEvent.subject_id) == created.id,
                        )
                    )
                    other.commit()
            finally:
                impatient.dispose()
        finally:
            release.set()
            runner.join(timeout=60)
    assert results and results[0].delivered == 1


def short_wait(url: str) -> dict[str, Any]:
    if url.startswith("sqlite"):
        return {"check_same_thread": False, "timeout": 1}
    return {"options": "-c lock_timeout=1000"}


def test_a_webhook_host_is_looked_up_once_per_run_and_still_checked(
    monkeypatch: Any,
) -> None:
    """Thousands of reminders to one receiver cost one name lookup, not thousands; the address
    dialled is still the checked one (with the named host in the Host header), and a refused
    address stays refused for every reminder."""
    import ipaddress

    from app.reminders import delivery

    lookups: list[tuple[str, int]] = []

    def resolve(host: str, port: int) -> list[Any]:
        lookups.append((host, port))
        return [ipaddress.ip_address("127.0.0.1")]

    monkeypatch.setattr(delivery, "resolve", resolve)
    hosts: list[str] = []

    def take(handler: BaseHTTPRequestHandler) -> None:
        hosts.append(handler.headers["Host"])
        answer(handler, 204)

    def run(url: str, allowed: list[str]) -> list[delivery.Delivery]:
        items = [delivery.Outgoing(i, f"key-{i}", {"n": i}) for i in range(1, 7)]
        deliveries = [
            delivery.Delivery(["webhook"], url, items[:3], None, []),
            delivery.Delivery(["webhook"], url, items[3:], None, []),
        ]
        test_settings = settings.model_copy(update={"WEBHOOK_ALLOWED_HOSTS": allowed})
        delivery.asyncio.run(delivery._deliver_all(deliveries, test_settings, None))
        return deliveries

    with receiver(take) as loopback:
        port = int(loopback.split(":")[2].split("/")[0])
        url = f"http://hooks.example.go.id:{port}/in"
        done = run(url, ["hooks.example.go.id"])
        assert [d.webhook_done for d in done] == [{1, 2, 3}, {4, 5, 6}]
        # Every POST reached the checked loopback address, addressed to the named host.
        assert hosts == [f"hooks.example.go.id:{port}"] * 6
        assert lookups == [("hooks.example.go.id", port)]

        lookups.clear()
        refused = run(url, [])  # loopback, not allowed: every reminder refused, none dialled
    assert all(len(d.errors) == 3 and not d.webhook_done for d in refused)
    assert len(hosts) == 6


class TestHugeAnswers:
    """A receiver may answer anything (an editor can point a webhook at any public host): only
    the first WEBHOOK_MAX_ANSWER_BYTES of an answer are read, and its status decides."""

    def test_a_receiver_answering_gigabytes_is_cut_off_and_the_reminder_delivered(
        self,
        client: TestClient,
        kalsel: Kalsel,
        signed_nk: dict[str, Any],
        run_settings: dict[str, Any],
    ) -> None:
        # It announces 3 GB and sends up to 64 MB of it, as fast as the registry reads, then
        # waits; reading it all would take the whole deadline and 64 MB of memory.
        most = 64 * 1024 * 1024
        sent = [0]
        done = threading.Event()

        def gigabytes(handler: BaseHTTPRequestHandler) -> None:
            handler.send_response(200)
            handler.send_header("content-length", str(3 * 1024**3))
            handler.end_headers()
            chunk = b"x" * 65536
            try:
                while sent[0] < most:
                    handler.wfile.write(chunk)
                    sent[0] += len(chunk)
                handler.wfile.flush()
                time.sleep(30)  # never the whole body
            finally:
                done.set()

        run_settings["WEBHOOK_TIMEOUT_SECONDS"] = 20
        run_settings["WEBHOOK_MAX_ANSWER_BYTES"] = 4096
        with receiver(gigabytes) as url:
            patch_org(client, kalsel.dinkes, webhook_url=url)
            create_obligation(client, signed_nk["id"], kalsel.dinkes, "2026-11-24")
            result = client.post(RUN, json={}, headers=AUTH).json()
            # The registry closed the connection: the receiver's writes failed early.
            assert done.wait(timeout=10)
        assert (result["created"], result["delivered"], result["failed"]) == (1, 1, 0)
        [reminder] = client.get("/api/v1/reminders").json()["items"]
        assert reminder["status"] == "delivered"
        # What the receiver got into the socket before it was closed: kernel buffers at most,
        # never the 64 MB it had ready.
        assert sent[0] < most

    def test_only_the_capped_bytes_of_an_answer_are_read(self) -> None:
        from typing import cast

        import aiohttp

        from app.reminders import delivery

        class Endless:
            """An answer's body that never ends, counting what is taken of it."""

            pulled = 0

            async def read(self, n: int = -1) -> bytes:
                size = 1024 if n < 0 else min(n, 1024)
                self.pulled += size
                return b"y" * size

        class Answer:
            content = Endless()

        answer = Answer()
        read = delivery.asyncio.run(
            delivery.read_at_most(cast(aiohttp.ClientResponse, answer), 10_000)
        )
        assert read == answer.content.pulled == 10_000
