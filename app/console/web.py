"""What every console page uses: the templates, `render`, who is signed in, CSRF checks, and the
console's answers to a signed-out visitor and a refused request (HTML, never problem+json)."""

import inspect
import secrets
from datetime import date
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.console.flash import clear_flash, take_flash
from app.console.session import SESSION_COOKIE, SignedIn, current
from app.core.db import SessionDep
from app.core.deps import NowDep, SettingsDep
from app.core.errors import AppError
from app.labels import (
    action_text,
    day_text,
    field_text,
    label,
    moment_text,
    number_text,
    problem_title,
)

HERE = Path(__file__).resolve().parent
STATIC_URL = "/console/static"

# No inline script or style anywhere: every script and stylesheet is a file of static/.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "object-src 'none'"
)
PAGE_HEADERS = {
    "Content-Security-Policy": CSP,
    # Pages show what one person may see: no shared cache keeps them.
    "Cache-Control": "no-store",
}

# The navigation, in order: (path, label). A page names its entry by path (`nav=`).
NAVIGATION = (
    ("/", "Beranda"),
    ("/perjanjian", "Perjanjian"),
    ("/cakupan", "Cakupan"),
    ("/tenggat", "Tenggat"),
    ("/kewajiban", "Kewajiban"),
    ("/organisasi", "Organisasi"),
    ("/hasil", "Hasil"),
)


def day_of(value: date | str) -> str:
    """A day as staff write it (4 Juli 2022), from a date or a form's ISO text (2022-07-04);
    text that is no day stays as it was typed."""
    if isinstance(value, date):
        return day_text(value)
    try:
        return day_text(date.fromisoformat(value))
    except ValueError:
        return value


templates = Jinja2Templates(directory=HERE / "templates")
# The templates are files of the package: a changed one comes with a new release (a restart),
# so a page does not look at each of their modification times (two dozen per agreement page).
templates.env.auto_reload = False
templates.env.filters["label"] = label
templates.env.filters["day"] = day_of  # {{ agreement.signed_on | day }} → 4 Juli 2022
templates.env.filters["moment"] = moment_text  # a UTC moment → 4 Juli 2022 pukul 10.15 WIB
templates.env.filters["number"] = number_text  # {{ 86.6 | number }} → 86,6; 1024 → 1.024
templates.env.filters["action"] = action_text  # a history entry's action, in Indonesian
templates.env.filters["field"] = field_text  # a field a history entry names, in Indonesian
templates.env.globals["label"] = label
templates.env.globals["NAVIGATION"] = NAVIGATION
templates.env.globals["STATIC_URL"] = STATIC_URL


class SignInRequired(Exception):
    """A page was asked for without a live session: answered by a redirect to the sign-in page."""

    def __init__(self, next_path: str) -> None:
        super().__init__("sign-in required")
        self.next_path = next_path


class ConsoleRefused(Exception):
    """A console request refused (a form without its CSRF token, a page the user may not see):
    answered by the error page with this status and message (in Indonesian)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def render(
    request: Request,
    template: str,
    *,
    signed: SignedIn | None,
    nav: str | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    block: str | None = None,
    **context: Any,
) -> HTMLResponse:
    """A page with the console's headers; for an htmx request, only the template's `block` when
    one is named (a partial is a `{% block %}` of its page's template: one source for both).

    `signed` gives the template `user` (a Caller) and `csrf_token` for its forms; `nav` the path
    of the navigation entry to mark as the current page. A message left by a write
    (app/console/flash.py) is shown once, at the top of the page (`flash`)."""
    flash = take_flash(request, signed)
    values = {
        "request": request,
        "signed": signed,
        "flash": flash,
        "user": signed.caller if signed else None,
        "csrf_token": signed.csrf_token if signed else context.pop("csrf_token", ""),
        "nav": nav,
        **context,
    }
    all_headers = {**PAGE_HEADERS, **(headers or {})}
    if block is not None and request.headers.get("HX-Request"):
        page = templates.env.get_template(template)
        html = "".join(page.blocks[block](page.new_context(values)))
        return HTMLResponse(html, status_code=status_code, headers=all_headers)
    response = templates.TemplateResponse(
        request, template, values, status_code=status_code, headers=all_headers
    )
    if flash is not None:
        clear_flash(response)  # shown once
    return response


def cookie_secure(request: Request) -> bool:
    """Secure cookies when the browser reached us over HTTPS (uvicorn --proxy-headers behind a
    proxy)."""
    return request.url.scheme == "https"


def safe_next(path: str | None) -> str:
    """Where to go after sign-in: a path of this site only (never //host or a URL)."""
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path:
        return "/"
    return path


def maybe_signed_in(
    request: Request, session: SessionDep, settings: SettingsDep, now: NowDep
) -> SignedIn | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token or len(token) > 200:
        return None
    signed = current(session=session, token=token, settings=settings, now=now)
    if signed is not None:
        request.state.user_id = signed.caller.id  # for the request's log line
    request.state.console_signed = signed  # for an error page's navigation
    return signed


MaybeSignedIn = Annotated[SignedIn | None, Depends(maybe_signed_in)]


async def signed_in(request: Request, signed: MaybeSignedIn) -> SignedIn:
    """The signed-in person; a signed-out visitor is sent to the sign-in page (and back after).
    (`async`: it does not wait, and a plain function would cost a hop to the thread pool and
    back on every page.)"""
    if signed is None:
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        # After sign-in the browser comes back with a GET: to the page, not to a form's target.
        raise SignInRequired(path if request.method == "GET" else "/")
    return signed


ConsolePage = Annotated[SignedIn, Depends(signed_in)]
"""A console page's dependency: `def page(request: Request, signed: ConsolePage)`;
`signed.caller` is the Caller to pass to the same services the API calls."""


async def form_token(request: Request) -> str:
    form = await request.form()  # Starlette keeps it: Form() parameters read the same one
    token = form.get("csrf_token")
    return token if isinstance(token, str) else ""


async def checked_post(signed: ConsolePage, token: Annotated[str, Depends(form_token)]) -> SignedIn:
    """The signed-in person of a form post whose CSRF token is the session's (403 otherwise)."""
    if not token or not secrets.compare_digest(token.encode(), signed.csrf_token.encode()):
        raise ConsoleRefused(
            403,
            "Formulir ini tidak sah atau sudah kedaluwarsa. Muat ulang halaman, lalu kirim lagi.",
        )
    return signed


ConsolePost = Annotated[SignedIn, Depends(checked_post)]
"""A console form post's dependency: signed in, and the form carries the session's CSRF token
(`<input type="hidden" name="csrf_token" value="{{ csrf_token }}">`)."""


def _sign_in_required(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SignInRequired)
    target = "/masuk" if exc.next_path == "/" else f"/masuk?next={quote(exc.next_path, safe='')}"
    response = RedirectResponse(target, status_code=303, headers={"Cache-Control": "no-store"})
    if request.headers.get("HX-Request"):
        response.headers["HX-Redirect"] = target  # htmx: the whole page goes, not a fragment
    return response


def _refused(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ConsoleRefused)
    return render(
        request,
        "error.html",
        signed=getattr(request.state, "console_signed", None),
        status_code=exc.status,
        title="Permintaan ditolak" if exc.status == 403 else "Terjadi kesalahan",
        message=exc.message,
    )


async def console_request(request: Request) -> None:
    """Marks a request a console route serves (a dependency of every console router), so that
    an error raised in it is answered as a page, not as problem+json (`async`: no hop to the
    thread pool for it)."""
    request.state.console = True


# What to do about a refusal, by its status (the problem's own title heads the page).
NEXT_STEP = {
    400: "Periksa isian atau alamat halaman, lalu coba lagi.",
    403: "Peran atau organisasi Anda tidak memberi hak untuk ini. "
    "Minta bantuan administrator bila Anda memerlukannya.",
    404: "Yang dicari tidak ada di registri, atau Anda tidak berhak melihatnya. "
    "Periksa alamatnya, atau cari lewat daftar.",
    409: "Data berubah sementara Anda bekerja. Muat ulang halaman, lalu coba lagi.",
    422: "Periksa isian atau alamat halaman, lalu coba lagi.",
    429: "Terlalu banyak permintaan. Tunggu sebentar, lalu coba lagi.",
    503: "Layanan sedang tidak dapat melayani. Coba lagi sebentar lagi.",
}


def error_page(
    request: Request, *, status: int, slug: str, detail: str, headers: dict[str, str] | None
) -> HTMLResponse:
    """The console's page for a problem: its Indonesian title (app/labels.py), what to do, and
    the service's own words as the detail."""
    return render(
        request,
        "error.html",
        signed=getattr(request.state, "console_signed", None),
        status_code=status,
        headers=headers,
        title=problem_title(slug),
        message=NEXT_STEP.get(status, NEXT_STEP[400]),
        detail=detail,
    )


def _api_or_page(app: FastAPI, exc_class: type[Exception]) -> Any:
    """The app's handler of `exc_class` for the API, the console's error page for a console
    route."""
    api_handler = app.exception_handlers[exc_class]

    async def handler(request: Request, exc: Exception) -> Response:
        if not getattr(request.state, "console", False):
            answer = api_handler(request, exc)
            return await answer if inspect.isawaitable(answer) else answer
        if isinstance(exc, AppError):
            headers = {k: v for k, v in (exc.headers or {}).items() if k == "Retry-After"}
            return error_page(
                request, status=exc.status, slug=exc.type_slug, detail=exc.detail, headers=headers
            )
        assert isinstance(exc, RequestValidationError)
        fields = ", ".join(dict.fromkeys(str(e.get("loc", ("", ""))[-1]) for e in exc.errors()))
        return error_page(
            request,
            status=422,
            slug="validation-error",
            detail=f"Nilai yang tidak sah: {fields}.",
            headers=None,
        )

    return handler


# Paths of the API and its documents: their unknown addresses stay problem+json for anyone.
API_PREFIXES = ("/api/", "/docs", "/redoc", "/openapi.json", "/metrics", "/health")
# What an unknown address or a method it does not serve says on the console's page.
NO_SUCH_PAGE = {
    404: (
        "Halaman tidak ditemukan",
        "Alamat ini tidak ada di konsol. Periksa alamatnya, atau mulai dari Beranda.",
    ),
    405: (
        "Halaman tidak dapat dibuka dengan cara ini",
        "Alamat ini hanya menerima kiriman "
        "formulir. Buka halamannya dari navigasi, lalu kirim formulirnya dari sana.",
    ),
}


def _wants_page(request: Request) -> bool:
    """A browser opening a console address (it asks for HTML), not a client of the API."""
    path = request.url.path
    if path == "/api" or path.startswith(API_PREFIXES):
        return False
    return "text/html" in request.headers.get("accept", "")


def _no_such_page(app: FastAPI) -> Any:
    """An address no route serves (404, 405): the console's page in Indonesian for a browser
    asking for HTML outside the API; problem+json otherwise (the app's handler)."""
    api_handler = app.exception_handlers[StarletteHTTPException]

    async def handler(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if exc.status_code not in NO_SUCH_PAGE or not _wants_page(request):
            answer = api_handler(request, exc)
            return await answer if inspect.isawaitable(answer) else answer
        title, message = NO_SUCH_PAGE[exc.status_code]
        headers = dict(exc.headers or {})
        return render(
            request,
            "error.html",
            signed=getattr(request.state, "console_signed", None),
            status_code=exc.status_code,
            headers={k: v for k, v in headers.items() if k == "Allow"} or None,
            title=title,
            message=message,
        )

    return handler


def install_console(app: FastAPI) -> None:
    """Mount the console: its pages, its static files and its answers to refusals (after the
    API's error handlers, which it answers for outside the console)."""
    from app.console.pages import ROUTERS

    app.mount(STATIC_URL, StaticFiles(directory=HERE / "static"), name="console-static")
    app.add_exception_handler(SignInRequired, _sign_in_required)
    app.add_exception_handler(ConsoleRefused, _refused)
    for exc_class in (AppError, RequestValidationError):
        app.add_exception_handler(exc_class, _api_or_page(app, exc_class))
    app.add_exception_handler(StarletteHTTPException, _no_such_page(app))
    for router in ROUTERS:
        app.include_router(router, include_in_schema=False, dependencies=[Depends(console_request)])
