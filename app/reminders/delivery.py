"""Delivering reminders: a webhook POST per reminder, one e-mail digest per organization.

Webhooks go out through aiohttp (already installed with pyHanko), not httpx: a POST costs it a
fifth of the CPU (its HTTP parser is compiled), and a national run sends thousands of them from
one process (issue 22). Connections to a receiver are kept alive and reused across reminders."""

import asyncio
import smtplib
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import aiohttp
from yarl import URL

from app.core.config import Settings
from app.core.net import refusal, resolve


@dataclass(frozen=True)
class Outgoing:
    """What a channel needs to know of one reminder."""

    reminder_id: int
    idempotency_key: str
    payload: dict[str, Any]


# The clock the lease is kept by (a test may move it).
clock = time.monotonic

# Where a webhook URL is dialled: the URL with its host replaced by a checked address, and the
# Host header and TLS server name (https only) that keep the request addressed to the named host.
Pinned = tuple[URL, dict[str, str], str | None]


@dataclass
class Lookups:
    """A run's lookups: each host's, once (shared by the reminders that wait on it), and each
    webhook URL's checked address once found (an organization's reminders, and the many
    organizations that share a receiver, are dialled without parsing and checking it again)."""

    hosts: dict[tuple[str, int], "asyncio.Future[list[Any]]"] = field(default_factory=dict)
    pinned: dict[str, Pinned] = field(default_factory=dict)


async def _pinned(url: str, allowed_hosts: list[str], lookups: Lookups | None = None) -> Pinned:
    """Where `url` is dialled (`Pinned`). With `lookups`, a host is looked up once per run, not
    once per reminder (the address dialled is still the checked one); a refused one is refused
    for each reminder."""
    if lookups is not None and url in lookups.pinned:
        return lookups.pinned[url]
    parts = URL(url)
    host = parts.host or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    hosts = lookups.hosts if lookups is not None else {}
    if (host, port) not in hosts:
        hosts[(host, port)] = asyncio.ensure_future(asyncio.to_thread(resolve, host, port))
    addresses = await hosts[(host, port)]
    allowed = [a for a in addresses if refusal(a, host, allowed_hosts) is None]
    if not allowed:
        raise TargetRefused(refusal(addresses[0], host, allowed_hosts) if addresses else host)
    explicit = parts.explicit_port
    host_header = host if explicit is None else f"{host}:{explicit}"
    pinned = (
        parts.with_host(str(allowed[0])),
        {"Host": host_header},
        host if parts.scheme == "https" else None,
    )
    if lookups is not None:
        lookups.pinned[url] = pinned
    return pinned


async def read_at_most(response: aiohttp.ClientResponse, limit: int) -> int:
    """Read the answer's body until it ends or `limit` bytes came (as received: the client does
    not decompress); the rest is never read. A body that ended within the limit leaves the
    connection reusable; one left unread makes the client close it when the answer is let go."""
    received = 0
    while received < limit:
        chunk = await response.content.read(limit - received)
        if not chunk:
            break
        received += len(chunk)
    return received


class TargetRefused(Exception):
    """The webhook's host resolves to an address the registry does not send to."""


async def post_webhook(
    client: aiohttp.ClientSession,
    url: str,
    item: Outgoing,
    deadline_seconds: float,
    allowed_hosts: list[str],
    lookups: Lookups | None = None,
    max_answer_bytes: int = 4096,
) -> str | None:
    """POST one reminder; None on success (2xx), else why it failed. Redirects are not followed.

    `deadline_seconds` bounds the whole exchange, not each read: a receiver that trickles its
    answer a byte at a time is cut off like one that never answers. Only the status decides:
    at most `max_answer_bytes` of the answer's body are read, then the connection is closed, so
    a receiver answering gigabytes costs a few KB. The address dialled is the one checked
    against the allowed targets (app.core.net).
    """
    try:
        async with asyncio.timeout(deadline_seconds):
            target, headers, server_name = await _pinned(url, allowed_hosts, lookups)
            async with client.post(
                target,
                json=item.payload,
                headers={"Idempotency-Key": item.idempotency_key, **headers},
                server_hostname=server_name,
                allow_redirects=False,
            ) as response:
                await read_at_most(response, max_answer_bytes)
    except TargetRefused as refused:
        return f"webhook: target refused: {refused}"
    except TimeoutError:  # (an OSError too: caught first)
        return f"webhook: no complete answer within {deadline_seconds:g} s"
    except aiohttp.ClientError as exc:
        return f"webhook: {type(exc).__name__}: {exc}"[:1000]
    except OSError as exc:
        return f"webhook: cannot resolve the host: {exc}"[:1000]
    if 200 <= response.status < 300:
        return None
    return f"webhook: HTTP {response.status}"


@dataclass
class Delivery:
    """What one organization's channels are to be given in a run, and what came of it."""

    channels: list[str]
    webhook_url: str | None
    webhook_items: list[Outgoing]
    email: EmailMessage | None
    email_ids: list[int]
    errors: dict[int, list[str]] = field(default_factory=dict)
    webhook_done: set[int] = field(default_factory=set)
    email_done: bool = False
    # Not attempted: the run's claim would have run out before an answer could come.
    not_sent: set[int] = field(default_factory=set)


async def _deliver_all(
    deliveries: list[Delivery], settings: Settings, send: Any, send_until: float | None = None
) -> None:
    """Every webhook POST and e-mail, WEBHOOK_CONCURRENCY at a time, in the deliveries' order:
    that many workers take the next one as each is done (one coroutine per worker, not one per
    reminder waiting on a semaphore: a national run has thousands). None is begun that could
    still be under way at `send_until` (on `clock`), when the run's claim on the reminders runs
    out and another run may take them: those are left unsent."""
    deadline = settings.WEBHOOK_TIMEOUT_SECONDS
    lookups = Lookups()

    def too_late(within_seconds: float = deadline) -> bool:
        return send_until is not None and clock() + within_seconds > send_until

    async def webhook(client: aiohttp.ClientSession, delivery: Delivery, item: Outgoing) -> None:
        assert delivery.webhook_url is not None
        if too_late():
            delivery.not_sent.add(item.reminder_id)
            return
        error = await post_webhook(
            client,
            delivery.webhook_url,
            item,
            deadline,
            settings.WEBHOOK_ALLOWED_HOSTS,
            lookups,
            settings.WEBHOOK_MAX_ANSWER_BYTES,
        )
        if error:
            delivery.errors.setdefault(item.reminder_id, []).append(error)
        else:
            delivery.webhook_done.add(item.reminder_id)

    async def email(delivery: Delivery) -> None:
        assert delivery.email is not None
        if too_late(max(deadline, settings.SMTP_TIMEOUT_SECONDS)):
            delivery.not_sent.update(delivery.email_ids)
            return
        error = await asyncio.to_thread(send, settings, delivery.email)
        for reminder_id in delivery.email_ids:
            if error:
                delivery.errors.setdefault(reminder_id, []).append(error)
        delivery.email_done = error is None

    # Each job is taken by one worker: the iterator is shared, and asyncio switches only at
    # an await, never inside next().
    jobs = iter(
        [(d, item) for d in deliveries if d.webhook_url for item in d.webhook_items]
        + [(d, None) for d in deliveries if d.email is not None]
    )

    async def worker(client: aiohttp.ClientSession) -> None:
        for delivery, item in jobs:
            if item is None:
                await email(delivery)
            else:
                await webhook(client, delivery, item)

    async with open_client(settings) as client:
        await asyncio.gather(*[worker(client) for _ in range(max(settings.WEBHOOK_CONCURRENCY, 1))])


def open_client(settings: Settings) -> aiohttp.ClientSession:
    """The run's HTTP client: at most WEBHOOK_CONCURRENCY connections, kept alive between the
    reminders of a receiver; no cookies kept (a receiver's would go to the next), no proxy from
    the environment (the address dialled is the checked one), answers not decompressed."""
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=max(settings.WEBHOOK_CONCURRENCY, 1)),
        cookie_jar=aiohttp.DummyCookieJar(),
        timeout=aiohttp.ClientTimeout(total=settings.WEBHOOK_TIMEOUT_SECONDS),
        auto_decompress=False,
        trust_env=False,
    )


def deliver_all(
    deliveries: list[Delivery], settings: Settings, send_until: float | None = None
) -> None:
    """Run the deliveries to completion (called outside any database transaction)."""
    asyncio.run(_deliver_all(deliveries, settings, send_digest, send_until))


def digest_message(
    settings: Settings, to: str, organization: str, items: Sequence[Outgoing]
) -> EmailMessage:
    """One message listing every reminder of an organization in this run."""
    message = EmailMessage()
    message["From"] = settings.SMTP_FROM
    message["To"] = to
    message["Subject"] = f"Pengingat kerja sama: {len(items)} tenggat untuk {organization}"
    lines = [f"Yth. {organization},", "", "Tenggat berikut memerlukan perhatian:", ""]
    for item in items:
        p = item.payload
        lines.append(
            f"- {p['due_on']} ({p['point_label']}): {p['title']} — {p['agreement']['title']}"
        )
    lines += ["", "Pesan ini dikirim otomatis oleh registri kerja sama (NK/PKS)."]
    message.set_content("\n".join(lines))
    return message


def send_digest(settings: Settings, message: EmailMessage) -> str | None:
    """Send one e-mail; None on success, else why it failed."""
    assert settings.SMTP_HOST is not None
    try:
        with smtplib.SMTP(
            settings.SMTP_HOST, settings.SMTP_PORT, timeout=settings.SMTP_TIMEOUT_SECONDS
        ) as smtp:
            if settings.SMTP_STARTTLS:
                smtp.starttls()
            if settings.SMTP_USERNAME:
                smtp.login(settings.SMTP_USERNAME, settings.SMTP_PASSWORD or "")
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        return f"email: {type(exc).__name__}: {exc}"[:1000]
    return None
