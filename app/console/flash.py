"""The message shown once after a write ("PKS … difinalisasi"): a short cookie signed with the
session's CSRF token (HMAC-SHA256), so it cannot be forged for another session nor outlive its
own. Set on the redirect after a write (app/console/forms.py), read and cleared by the next page
rendered (app/console/web.py, `render`)."""

import base64
import binascii
import hashlib
import hmac

from fastapi import Request, Response

from app.console.session import SignedIn

FLASH_COOKIE = "registry_flash"
FLASH_MAX = 1000  # characters: a cookie holds about 4 KB
FLASH_SECONDS = 120  # long enough for the redirect, not for a later visit


def _signature(signed: SignedIn, text: bytes) -> str:
    return hmac.new(signed.csrf_token.encode(), text, hashlib.sha256).hexdigest()


def set_flash(response: Response, request: Request, signed: SignedIn, message: str) -> None:
    text = message[:FLASH_MAX].encode()
    value = f"{base64.urlsafe_b64encode(text).decode()}.{_signature(signed, text)}"
    response.set_cookie(
        FLASH_COOKIE,
        value,
        max_age=FLASH_SECONDS,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )


def take_flash(request: Request, signed: SignedIn | None) -> str | None:
    """The message waiting for this session, if any (a forged or foreign one is ignored)."""
    value = request.cookies.get(FLASH_COOKIE)
    if not value or signed is None or "." not in value or len(value) > 4 * FLASH_MAX:
        return None
    encoded, signature = value.rsplit(".", 1)
    try:
        text = base64.urlsafe_b64decode(encoded.encode())
    except (binascii.Error, ValueError):
        return None
    if not hmac.compare_digest(signature, _signature(signed, text)):
        return None
    return text.decode("utf-8", errors="replace")


def clear_flash(response: Response) -> None:
    response.delete_cookie(FLASH_COOKIE, path="/")
