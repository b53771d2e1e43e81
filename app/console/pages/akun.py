"""Akun saya: the signed-in user's own account, as GET /api/v1/users/me shows it; their own
password (checked against the current one; setting it ends every console session of the user,
this one included, as app/console/session.py set_password does); their own API keys, as
POST/GET/DELETE /api/v1/users/{id}/api-keys do (require_self_or_admin, the same service).

The calendar feed (GET /api/v1/calendar.ics) takes an API key in `?key=` for calendar programs
that cannot send a header: the personal calendar link is a key issued for it, shown once with
the link, and revoked like any key."""

from datetime import date

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from app.console.forms import (
    ISSUED_HEADER,
    Done,
    Form,
    FormRefused,
    Sent,
    SentForm,
    submit,
    write_router,
)
from app.console.query import Filters
from app.console.session import SignedIn, set_password, user_with_password
from app.console.web import ConsolePage, ConsolePost, render
from app.core.db import SessionDep
from app.core.deps import TodayDep
from app.core.schemas import MAX_ID
from app.organizations.service import organizations_by_id
from app.users import service
from app.users.schemas import ApiKeyCreate, ApiKeyCreated

router = write_router()
# The forms that issue a key answer with the key itself (200), not with a redirect. Their form's
# key keeps only the new key's id (write_router(issuing=True)): a second send of the same form
# (a double click, the browser's resend) issues nothing and is led to /akun?dibuat=<id>, which
# says the key was made and that its secret was shown once, on the first answer.
key_router = write_router(issuing=True)

CALENDAR_KEY_NAME = "Tautan kalender"


def calendar_link(request: Request, key: str) -> str:
    return f"{str(request.base_url).rstrip('/')}/api/v1/calendar.ics?key={key}"


def page(
    request: Request,
    signed: SignedIn,
    session: Session,
    *,
    forms: dict[str, Form] | None = None,
    created: ApiKeyCreated | None = None,
    made_before: int | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    me = service.get_user(session=session, user_id=signed.caller.id)
    organization = None
    if me.organization_id is not None:
        organization = organizations_by_id(session, {me.organization_id}).get(me.organization_id)
    keys = service.list_keys(session=session, user_id=me.id)
    blank = {
        "sandi": Form.blank("sandi"),
        "kunci": Form.blank("kunci"),
        "kalender": Form.blank("kalender"),
    }
    return render(
        request,
        "akun.html",
        signed=signed,
        me=me,
        organization=organization,
        keys=keys,
        revoke_forms={k.id: Form.blank(f"cabut-{k.id}") for k in keys if k.revoked_at is None},
        forms={**blank, **(forms or {})},
        created=created,
        made_before=next((k for k in keys if k.id == made_before), None),
        created_link=calendar_link(request, created.key) if created else None,
        calendar_key_name=CALENDAR_KEY_NAME,
        status_code=status_code,
        # The page may carry a key shown once: no cache keeps it.
        headers={"Cache-Control": "no-store"},
    )


@router.get("/akun", response_class=HTMLResponse)
def account(request: Request, signed: ConsolePage, session: SessionDep) -> HTMLResponse:
    """`?dibuat=<id>`: where a form that issued a key leads when it is sent again."""
    return page(
        request, signed, session, made_before=Filters(request.query_params).id("dibuat", "kunci")
    )


def _without_passwords(form: Form) -> Form:
    """A refused password form comes back empty: a password is never written into a page."""
    for name in list(form.values):
        if "password" in name:
            form.values.pop(name)
    return form


@router.post("/akun/sandi")
def change_password(
    request: Request, signed: ConsolePost, session: SessionDep, sent: SentForm
) -> Response:
    """The user's own password: the current one, the new one twice. Every console session of
    the user ends (set_password), this one too: keeping it would mean a new session token in
    the redirect, which the form's idempotency record would keep in the database; so the user
    signs in again, and the sign-in page says why."""

    def act() -> Done:
        user = user_with_password(
            session=session,
            user_id=signed.caller.id,
            password=sent.text("current_password") or "",
        )
        if user is None:
            raise FormRefused("current_password", "wrong_password")
        new = sent.required("new_password")
        if new != (sent.text("new_password_again") or ""):
            raise FormRefused("new_password_again", "password_mismatch")
        set_password(session=session, email=user.email, password=new)
        return Done("/masuk?next=/akun&sandi=baru", "Kata sandi Anda diganti.")

    return submit(
        request,
        signed,
        session,
        sent,
        "sandi",
        act,
        again=lambda form: page(
            request,
            signed,
            session,
            forms={"sandi": _without_passwords(form)},
            status_code=form.status,
        ),
        where=lambda loc: "new_password" if loc and loc[-1] == "password" else None,
    )


def _issue(
    request: Request,
    signed: SignedIn,
    session: Session,
    sent: Sent,
    today: date,
    name: str,
    key_name: str | None,
) -> Response:
    """Issue a key for the signed-in user and show it on the answer itself.

    The key is shown ONCE, in this POST's own answer (200, no redirect): a redirect would have
    to carry it in the flash cookie or in the idempotency record (both kept: the record in the
    database, in plain text), and the registry keeps only a key's hash. So this answer names
    only where the key is listed (ISSUED_HEADER), which is all its form's key keeps."""
    made: list[ApiKeyCreated] = []

    def act() -> Done:
        service.require_self_or_admin(signed.caller, signed.caller.id)  # as the API
        body = sent.body(
            ApiKeyCreate,
            name=key_name or sent.text("name"),
            expires_on=sent.text("expires_on"),
        )
        made.append(
            service.issue_key(session=session, user_id=signed.caller.id, key_in=body, today=today)
        )
        return Done("/akun", "")

    answer = submit(
        request,
        signed,
        session,
        sent,
        name,
        act,
        again=lambda form: page(
            request, signed, session, forms={name: form}, status_code=form.status
        ),
    )
    if not made:
        return answer
    shown = page(request, signed, session, created=made[0])
    shown.headers[ISSUED_HEADER] = f"/akun?dibuat={made[0].id}"
    return shown


@key_router.post("/akun/kunci")
def issue_key(
    request: Request, signed: ConsolePost, session: SessionDep, sent: SentForm, today: TodayDep
) -> Response:
    """POST /api/v1/users/{own id}/api-keys."""
    return _issue(request, signed, session, sent, today, "kunci", None)


@key_router.post("/akun/kalender")
def issue_calendar_link(
    request: Request, signed: ConsolePost, session: SessionDep, sent: SentForm, today: TodayDep
) -> Response:
    """A key for the calendar feed, shown once as the feed's link (revoked like any key)."""
    return _issue(request, signed, session, sent, today, "kalender", CALENDAR_KEY_NAME)


@router.post("/akun/kunci/{key_id}/cabut")
def revoke_key(
    request: Request, signed: ConsolePost, session: SessionDep, sent: SentForm, key_id: int
) -> Response:
    """DELETE /api/v1/users/{own id}/api-keys/{key_id}."""
    if not 1 <= key_id <= MAX_ID:
        return RedirectResponse("/akun", status_code=303)

    def act() -> Done:
        service.require_self_or_admin(signed.caller, signed.caller.id)
        service.revoke_key(session=session, user_id=signed.caller.id, key_id=key_id)
        return Done("/akun", "Kunci API dicabut: kunci itu tidak berlaku lagi.")

    return submit(
        request,
        signed,
        session,
        sent,
        f"cabut-{key_id}",
        act,
        again=lambda form: page(request, signed, session, status_code=form.status),
    )
