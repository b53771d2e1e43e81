"""Pengguna (admins only): the users, as GET/POST/PATCH /api/v1/users do, with their access
rule (require_admin) and service: register a user (role, organization named by its name, read
as the other forms read one: organization_from_text), change the role or organization, disable
or enable, and set a new password (as `registry set-password` does: the user's console sessions
end). Anyone else gets the console's 403, for the pages and for a forged post."""

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from app.console.forms import Done, Form, FormRefused, Sent, SentForm, submit, write_router
from app.console.pages.organisasi import organization_from_text
from app.console.query import Filters
from app.console.session import SignedIn, set_password
from app.console.web import ConsolePage, ConsolePost, ConsoleRefused, render
from app.core.db import SessionDep
from app.core.errors import Forbidden, NotFound
from app.core.schemas import MAX_ID
from app.labels import label, labels_of, problem_text
from app.organizations.service import organizations_by_id
from app.users import service
from app.users.access import require_admin
from app.users.models import Role
from app.users.schemas import UserCreate, UserPublic, UserUpdate

router = write_router()

PAGE_SIZE = 50
ACTIVE_OPTIONS = [("true", "Aktif"), ("false", "Nonaktif")]


def _admin_or_refuse(signed: SignedIn) -> None:
    try:
        require_admin(signed.caller)
    except Forbidden:
        raise ConsoleRefused(403, problem_text("forbidden")) from None


def _user_or_refuse(session: Session, user_id: int) -> UserPublic:
    try:
        if not 1 <= user_id <= MAX_ID:
            raise NotFound("no such user", type_slug="user-not-found")
        return service.get_user(session=session, user_id=user_id)
    except NotFound:
        raise ConsoleRefused(404, problem_text("user-not-found")) from None


def _organization_id(session: Session, sent: Sent) -> int | None:
    """The organization the form names by its name (empty: none)."""
    text = sent.text("organization")
    if text is None:
        return None
    named = organization_from_text(session, text.strip())
    if named.organization is not None:
        return named.organization.id
    if named.choices:
        context = {"count": len(named.choices), "name": text.strip()}
        raise FormRefused(entries=[("organization", "ambiguous_name", context)])
    raise FormRefused(entries=[("organization", "unknown_name", {"name": text.strip()})])


def _where(loc: list[object]) -> str | None:
    name = str(loc[-1]) if loc else None
    return "organization" if name == "organization_id" else name


def _role_options() -> list[tuple[str, str]]:
    return [(r.value, text) for r, text in labels_of(Role).items()]


def list_page(
    request: Request, signed: SignedIn, session: Session, form: Form | None = None
) -> HTMLResponse:
    """A page of the users by name (`?offset=`, as every paged list; a bad one is the first)."""
    offset = Filters(request.query_params).offset()
    users, total = service.list_users(session=session, limit=PAGE_SIZE, offset=offset)
    organizations = organizations_by_id(
        session, {u.organization_id for u in users if u.organization_id is not None}
    )
    return render(
        request,
        "pengguna.html",
        signed=signed,
        nav="/pengguna",
        users=users,
        total=total,
        offset=offset,
        page_size=PAGE_SIZE,
        organizations=organizations,
        f=form or Form.blank("pengguna", role="viewer"),
        role_options=_role_options(),
        status_code=form.status if form else 200,
    )


@router.get("/pengguna", response_class=HTMLResponse)
def users_page(request: Request, signed: ConsolePage, session: SessionDep) -> HTMLResponse:
    """GET /api/v1/users, and the form of POST /api/v1/users."""
    _admin_or_refuse(signed)
    return list_page(request, signed, session)


@router.post("/pengguna")
def create_user(
    request: Request, signed: ConsolePost, session: SessionDep, sent: SentForm
) -> Response:
    """POST /api/v1/users."""

    def act() -> Done:
        require_admin(signed.caller)
        organization_id = _organization_id(session, sent)
        body = sent.body(
            UserCreate,
            name=sent.text("name"),
            email=sent.text("email"),
            role=sent.text("role"),
            organization_id=organization_id,
        )
        made = service.create_user(session=session, user_in=body)
        return Done(
            f"/pengguna/{made.id}",
            f"{made.name} didaftarkan sebagai {label(made.role)}. Tetapkan kata sandinya di "
            "bawah agar dapat masuk.",
        )

    return submit(
        request,
        signed,
        session,
        sent,
        "pengguna",
        act,
        again=lambda form: list_page(request, signed, session, form),
        where=_where,
    )


def user_page(
    request: Request,
    signed: SignedIn,
    session: Session,
    user_id: int,
    forms: dict[str, Form] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    user = _user_or_refuse(session, user_id)
    organization = None
    if user.organization_id is not None:
        organization = organizations_by_id(session, {user.organization_id}).get(
            user.organization_id
        )
    blank = {
        "ubah": Form.blank(
            "ubah",
            version=user.version,
            role=user.role.value,
            organization=organization.name if organization else None,
            active="true" if user.active else "false",
        ),
        "sandi": Form.blank("sandi"),
    }
    return render(
        request,
        "pengguna_satu.html",
        signed=signed,
        nav="/pengguna",
        person=user,
        organization=organization,
        forms={**blank, **(forms or {})},
        role_options=_role_options(),
        active_options=ACTIVE_OPTIONS,
        status_code=status_code,
    )


@router.get("/pengguna/{user_id}", response_class=HTMLResponse)
def one_user(
    request: Request, signed: ConsolePage, session: SessionDep, user_id: int
) -> HTMLResponse:
    """GET /api/v1/users/{id}, and the forms of PATCH and of a new password."""
    _admin_or_refuse(signed)
    return user_page(request, signed, session, user_id)


@router.post("/pengguna/{user_id}")
def change_user(
    request: Request, signed: ConsolePost, session: SessionDep, sent: SentForm, user_id: int
) -> Response:
    """PATCH /api/v1/users/{id}: role, organization, active (with the version read)."""
    _admin_or_refuse(signed)
    _user_or_refuse(session, user_id)

    def act() -> Done:
        require_admin(signed.caller)
        organization_id = _organization_id(session, sent)
        body = sent.body(
            UserUpdate,
            version=sent.number("version"),
            role=sent.text("role"),
            organization_id=organization_id,
            active={"true": True, "false": False}.get(sent.text("active") or ""),
        )
        changed = service.update_user(session=session, user_id=user_id, user_in=body)
        state = "aktif" if changed.active else "nonaktif"
        return Done(
            f"/pengguna/{user_id}",
            f"{changed.name} disimpan: {label(changed.role)}, {state}.",
        )

    return submit(
        request,
        signed,
        session,
        sent,
        "ubah",
        act,
        again=lambda form: user_page(
            request, signed, session, user_id, {"ubah": form}, form.status
        ),
        where=_where,
    )


@router.post("/pengguna/{user_id}/sandi")
def reset_password(
    request: Request, signed: ConsolePost, session: SessionDep, sent: SentForm, user_id: int
) -> Response:
    """A new password for the user (`registry set-password`): their sessions end."""
    _admin_or_refuse(signed)
    user = _user_or_refuse(session, user_id)

    def act() -> Done:
        require_admin(signed.caller)
        new = sent.required("new_password")
        if new != (sent.text("new_password_again") or ""):
            raise FormRefused("new_password_again", "password_mismatch")
        set_password(session=session, email=user.email, password=new)
        return Done(
            f"/pengguna/{user_id}",
            f"Kata sandi baru {user.name} ditetapkan; sesi-sesinya di konsol berakhir.",
        )

    def again(form: Form) -> Response:
        form.values.pop("new_password", None)  # a password is never written into a page
        form.values.pop("new_password_again", None)
        return user_page(request, signed, session, user_id, {"sandi": form}, form.status)

    return submit(
        request,
        signed,
        session,
        sent,
        "sandi",
        act,
        again=again,
        where=lambda loc: "new_password" if loc and loc[-1] == "password" else None,
    )
