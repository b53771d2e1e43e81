"""Masuk (sign in) and keluar (sign out)."""

import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.console.session import SESSION_COOKIE, SIGN_IN_COOKIE, SignInFailed
from app.console.session import sign_in as open_session
from app.console.session import sign_out as end_session
from app.console.web import (
    ConsolePost,
    ConsoleRefused,
    MaybeSignedIn,
    cookie_secure,
    render,
    safe_next,
)
from app.core.db import SessionDep
from app.core.deps import NowDep, SettingsDep

router = APIRouter()


def sign_in_page(
    request: Request,
    *,
    next_path: str = "/",
    error: str | None = None,
    status_code: int = 200,
    email: str = "",
    headers: dict[str, str] | None = None,
    password_changed: bool = False,
) -> HTMLResponse:
    """The sign-in form. Before sign-in there is no session to hold a CSRF token: the form's
    token is paired with a cookie of its own (checked on the post)."""
    token = request.cookies.get(SIGN_IN_COOKIE) or ""
    if len(token) < 32 or len(token) > 100:
        token = secrets.token_urlsafe(32)
    response = render(
        request,
        "sign_in.html",
        signed=None,
        status_code=status_code,
        headers=headers,
        csrf_token=token,
        next_path=safe_next(next_path),
        error=error,
        email=email,
        password_changed=password_changed,
    )
    response.set_cookie(
        SIGN_IN_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=cookie_secure(request),
        path="/masuk",
    )
    return response


@router.get("/masuk")
def sign_in_form(
    request: Request, signed: MaybeSignedIn, next: str = "/", sandi: str = ""
) -> Response:
    """`?sandi=baru`: the user just changed their password on Akun saya, which ended every
    session of theirs (app/console/pages/akun.py); the page says so."""
    if signed is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return sign_in_page(request, next_path=next, password_changed=sandi == "baru")


@router.post("/masuk")
def sign_in(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
    email: Annotated[str, Form(max_length=320)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    csrf_token: Annotated[str, Form(max_length=100)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    expected = request.cookies.get(SIGN_IN_COOKIE) or ""
    if not csrf_token or not secrets.compare_digest(csrf_token.encode(), expected.encode()):
        raise ConsoleRefused(
            403,
            "Formulir masuk ini tidak sah atau sudah kedaluwarsa. Muat ulang halaman, lalu "
            "coba lagi.",
        )
    address = request.client.host if request.client else "unknown"
    try:
        token = open_session(
            session=session,
            email=email,
            password=password,
            address=address,
            settings=settings,
            now=now,
        )
    except SignInFailed as failed:
        if failed.retry_after is not None:
            return sign_in_page(
                request,
                next_path=next,
                email=email,
                status_code=429,
                headers={"Retry-After": str(failed.retry_after)},
                error=f"Terlalu banyak percobaan masuk yang gagal dari alamat ini. Coba lagi "
                f"dalam {failed.retry_after} detik.",
            )
        return sign_in_page(
            request,
            next_path=next,
            email=email,
            status_code=401,
            error="E-mail atau kata sandi salah, atau akun ini tidak aktif.",
        )
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=cookie_secure(request),
        path="/",
    )
    response.delete_cookie(SIGN_IN_COOKIE, path="/masuk")
    return response


@router.post("/keluar")
def sign_out(request: Request, session: SessionDep, signed: ConsolePost) -> Response:
    end_session(session=session, signed=signed)
    response = RedirectResponse("/masuk", status_code=303)
    response.delete_cookie(
        SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=cookie_secure(request)
    )
    return response
