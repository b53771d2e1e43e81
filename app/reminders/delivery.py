"""Delivering reminders: a webhook POST per reminder, one e-mail digest per organization."""

import smtplib
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

import httpx

from app.core.config import Settings


@dataclass(frozen=True)
class Outgoing:
    """What a channel needs to know of one reminder."""

    reminder_id: int
    idempotency_key: str
    payload: dict[str, Any]


def post_webhook(client: httpx.Client, url: str, item: Outgoing) -> str | None:
    """POST one reminder; None on success (2xx), else why it failed. Redirects are not followed."""
    try:
        response = client.post(
            url,
            json=item.payload,
            headers={"Idempotency-Key": item.idempotency_key},
        )
    except httpx.HTTPError as exc:
        return f"webhook: {type(exc).__name__}: {exc}"[:1000]
    if 200 <= response.status_code < 300:
        return None
    return f"webhook: HTTP {response.status_code}"


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
