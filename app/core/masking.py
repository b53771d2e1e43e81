"""One home for masking secrets: what those who may not see a secret see of it, wherever it
appears (an organization, its history, delivery errors, log lines).

A webhook URL carries its receiver's secrets in its user, password and query string
(`https://user:token@host/path?key=...`); masked, it keeps its scheme, host, port and path, so
staff still see where reminders go. Admins see the value as saved.
"""

import re
from typing import Any
from urllib.parse import urlsplit

# Fields whose values are URLs with secrets, wherever they are recorded (bodies, histories).
SECRET_URL_FIELDS = frozenset({"webhook_url"})
# A URL inside free text (an error, a log line): a scheme, "://", then no blank or quote.
URL_IN_TEXT = re.compile(r"\b[A-Za-z][A-Za-z0-9+.-]*://[^\s'\"<>]+")


def mask_credentials(url: str | None) -> str | None:
    """A URL without its user, password and query (where receivers put their secrets)."""
    if not url:
        return url
    parts = urlsplit(url)
    _userinfo, at, host = parts.netloc.rpartition("@")
    netloc = f"***@{host}" if at else host
    return f"{parts.scheme}://{netloc}{parts.path}" + ("?***" if parts.query else "")


def mask_urls_in(text: str) -> str:
    """Free text with every URL in it masked (one with no user, password or query is kept)."""

    def masked(match: re.Match[str]) -> str:
        url = match.group(0)
        try:
            parts = urlsplit(url)
        except ValueError:
            return "***"
        if "@" not in parts.netloc and not parts.query:
            return url
        return mask_credentials(url) or url

    return URL_IN_TEXT.sub(masked, text)


def mask_secret_fields(value: Any) -> Any:
    """A copy of a recorded body (e.g. a history entry's details) with the values of secret
    fields masked, however deep: a saved `webhook_url`, or a change's old and new one."""
    if isinstance(value, list):
        return [mask_secret_fields(v) for v in value]
    if not isinstance(value, dict):
        return value
    return {
        key: _masked_secret(item) if key in SECRET_URL_FIELDS else mask_secret_fields(item)
        for key, item in value.items()
    }


def _masked_secret(value: Any) -> Any:
    if isinstance(value, str):
        return mask_credentials(value)
    if isinstance(value, dict):  # a change: {"old": ..., "new": ...}
        return {k: _masked_secret(v) for k, v in value.items()}
    return value
