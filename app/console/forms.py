"""Console writes: the one home of every form that changes something.

A form post is the API operation behind it, nothing else: it calls the SAME service as the API
route (with the same access rule of app/users/access.py), as the signed-in Caller, in one
transaction, and goes through the same Idempotency-Key mechanism (app/idempotency/): every
rendered form carries a key of its own, so a double click or a form sent again creates nothing
twice and gets the first answer (the redirect to the result). Writes are plain POST + 303
redirect (no JavaScript needed); the next page shows once what was recorded (app/console/flash.py).

How a page uses it (the agreement's finalisasi, app/console/pages/perjanjian_tulis.py):

1. The router of a page group's writes is `write_router()` (its POSTs honour the form's key).
2. The GET page gives its template a blank form per write the user may do, e.g.
   `forms={"finalisasi": Form.blank("finalisasi", finalized_on=today.isoformat())}`, and shows
   a form only where `allowed(lambda: require_agreement_editor(session, caller, id))` says the
   user may act (the rule the API checks). In the template:

       {% from "_form.html" import console_form, field with context %}
       {% call console_form(forms.finalisasi, "/perjanjian/7/finalisasi", "Finalisasi") %}
         {{ field(forms.finalisasi, "finalized_on", "Tanggal finalisasi", type="date") }}
       {% endcall %}

   `console_form` writes the CSRF token, the form's Idempotency-Key, the error summary and the
   stale-edit notice; `field` a labelled input with its value, hint and errors.
3. The POST route is registered by `write_route` (one shape for every write of a page group):
   its action gets the page group's `Writer` (a dependency: the request's pieces, the page
   again for a refused form, the API's access rule as its guard; the agreement page's is
   `AgreementWrite`, app/console/pages/agreement_write.py) and says what to do:

       @write_route(router, "/perjanjian/{agreement_id}/finalisasi", "finalisasi")
       def finalize(w: AgreementWrite) -> Done:
           body = w.sent.body(FinalizeIn, finalized_on=w.sent.text("finalized_on"))
           lifecycle.finalize_agreement(session=w.session, ..., finalized_on=...)
           return Done(f"/perjanjian/{w.id}", "Draf difinalisasi …")

   A route with work before the write (a record loaded for its message) is an ordinary
   `@router.post` taking the Writer and ending `return w.submit("akhiri", act)`; a page with
   no Writer calls `submit(request, signed, session, sent, name, act, again=...)` itself.

   `body(Model, **values)` validates with the API's own request schema. On success `submit`
   answers 303 to `Done.location` with `Done.message` as the flash. On a refusal it rolls back
   and calls `again(form)`: the page once more, the form with the values sent, a NEW key, each
   message next to its field in Indonesian (app/labels.py: problem_text, field_rule_text), and
   the status of the refusal (422, 409). A 403 (a forged post by someone who may not act) and
   a 404 are the console's error page. A stale `version` (409 stale-version) puts the record's
   last change (`last_change()`, from its history: who, when, what) on the form with a link to
   reload; the stale version stays in the form, so sending it again never overwrites.
   `where(loc)` maps a problem's `loc` to a form field name (default: the body path joined by
   dots, "signatures.3.agreement_id"); a field-less message goes to the form's summary.
   `FormRefused(field, type)` (or `entries=[...]`) refuses values the form itself cannot take
   (a name that is no organization, a choice not offered), with texts of FIELD_RULE_TEXTS.

Patterns built on it (see the pages named):
- A submit that writes nothing (a preview, "add a row": pks_massal.py, perjanjian_daftar.py):
  answer the page again with `Form(name, values=sent.values())` and the SAME key
  (`form.key = sent.text(KEY_FIELD)`); the key is let go of, since only a 303 is kept.
- A write confirmed in two steps (terminate, amend, renew, relink: perjanjian_tulis.py,
  `Writer.submit`): `act` validates the body, then raises NotConfirmed unless the form carries
  `konfirmasi=1`; the page comes back saying what will happen, with `konfirmasi` set and the
  same key; the confirmation writes. The first step calls the service's rules read only
  (check_renewal, check_termination, check_amendment), so a refusal shows before "Anda
  yakin?"; the write calls the same check again, after its claim on the record.
- A checklist (one row per record, all or nothing: pks_massal.py): `where` maps the index in
  the API's list back to the row, so each refusal shows on its row.
"""

import inspect
import json
import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.routing import APIRoute
from markupsafe import Markup, escape
from pydantic import BaseModel, ValidationError
from sqlmodel import Session
from starlette.datastructures import FormData, UploadFile

from app.console.flash import set_flash
from app.console.session import SESSION_COOKIE, SignedIn, current
from app.console.web import ConsoleRefused
from app.core.deps import get_now, get_settings
from app.core.errors import AppError, Forbidden, NotFound
from app.core.schemas import MAX_ID
from app.idempotency import service as idempotency
from app.idempotency.route import KEY_PATTERN, MAX_KEY, Answers, resolve, run_once
from app.labels import field_rule_text, problem_text

KEY_FIELD = "idempotency_key"
# A console answer kept for a key: where the write led, and the flash cookie it set.
REDIRECT_KEPT = "application/vnd.registry.console-redirect+json"
# A second send of a form waits this long for the first one's answer (a double click).
WAIT_FOR_FIRST_SECONDS = 30.0

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Done:
    """A write done: where to go (the record) and what to say there."""

    location: str
    message: str


@dataclass
class LastChange:
    """The change that made an edit stale: who, when, and the history entry (its changes)."""

    event: Any  # an EventPublic (or any history entry with at, action, actor, details)


@dataclass
class Form:
    """One form as a template shows it: values, messages, its own Idempotency-Key."""

    name: str
    values: dict[str, list[str]] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    detail: str | None = None  # the API's own words (English), for support
    key: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    stale: LastChange | None = None
    status: int = 200

    @classmethod
    def blank(cls, name: str, **values: Any) -> "Form":
        """A form to fill in, with its starting values (None and "" leave a field empty)."""
        return cls(name, values=_as_lists(values))

    def value(self, name: str, default: str = "") -> str:
        found = self.values.get(name)
        return found[0] if found else default

    def all(self, name: str) -> list[str]:
        return self.values.get(name, [])

    def checked(self, name: str, value: Any) -> bool:
        return str(value) in self.values.get(name, [])

    def error(self, name: str) -> list[str]:
        return self.errors.get(name, [])

    @property
    def invalid(self) -> bool:
        return bool(self.errors or self.problems or self.stale)

    def field_id(self, name: str) -> str:
        return f"{self.name}-{name}".replace(".", "-").replace("_", "-")

    # A field's hint and messages, and the attributes of its input that name them (_form.html's
    # field macros): here rather than as macros of their own, since every field of every form
    # on a page calls them (an agreement's page: some forty fields).
    def notes(self, name: str, hint: str | None) -> Markup:
        """The field's hint and its messages, each with the id its input names."""
        fid = escape(self.field_id(name))
        hint_html = f'<p class="hint" id="{fid}-petunjuk">{escape(hint)}</p>' if hint else ""
        errors = "".join(
            f'<p class="field-error" id="{fid}-galat-{n}">{escape(e)}</p>'
            for n, e in enumerate(self.error(name), start=1)
        )
        return Markup(f"\n\n{hint_html}\n{errors}\n")

    def described(self, name: str, hint: str | None) -> Markup:
        """aria-describedby (the hint, the messages) and aria-invalid of the field's input."""
        fid = escape(self.field_id(name))
        errors = self.error(name)
        ids = [f"{fid}-petunjuk"] if hint else []
        ids += [f"{fid}-galat-{n}" for n in range(1, len(errors) + 1)]
        described = f' aria-describedby="{" ".join(ids)}"' if ids else ""
        return Markup(described + (' aria-invalid="true"' if errors else ""))


def _as_lists(values: Mapping[str, Any]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name, value in values.items():
        if value is None or value == "":
            continue
        items = value if isinstance(value, list | tuple | set) else [value]
        out[name] = [str(v) for v in items]
    return out


class FormRefused(Exception):
    """Values the form itself cannot take (not a choice offered, a name that is no
    organization): answered as validation errors of those fields, all at once. Each entry is
    (field, error type of app/labels.py FIELD_RULE_TEXTS, its context)."""

    def __init__(
        self,
        field_name: str | None = None,
        error_type: str = "choose",
        *,
        entries: list[tuple[str, str, dict[str, Any]]] | None = None,
    ) -> None:
        self.entries = list(entries or [])
        if field_name is not None:
            self.entries.insert(0, (field_name, error_type, {}))
        super().__init__(", ".join(e[0] for e in self.entries))


class NotConfirmed(Exception):
    """A valid write of two steps not yet confirmed (`konfirmasi`): nothing was written; the
    page catches it and shows the form again saying what will happen."""


@dataclass
class Sent:
    """The posted form, read as the API would read its body."""

    data: FormData

    def text(self, name: str) -> str | None:
        """A text field, None when empty (the API's "not given")."""
        value = self.data.get(name)
        if not isinstance(value, str) or not value.strip():
            return None
        return value

    def texts(self, name: str) -> list[str]:
        return [v for v in self.data.getlist(name) if isinstance(v, str) and v.strip()]

    def id(self, name: str) -> int | None:
        """A record chosen by the form (a select, a radio, a hidden id); None when empty."""
        value = self.text(name)
        if value is None:
            return None
        value = value.strip()
        if not value.isdigit() or not 1 <= int(value) <= MAX_ID:
            raise FormRefused(name)
        return int(value)

    def ids(self, name: str) -> list[int]:
        """The records ticked in a checklist, in the order sent."""
        out = []
        for value in self.texts(name):
            if not value.strip().isdigit() or not 1 <= int(value) <= MAX_ID:
                raise FormRefused(name)
            out.append(int(value))
        return out

    def number(self, name: str) -> int | float | None:
        """A number typed in a form, as a JSON body carries it (the API's numbers are strict:
        text is refused there): 2023 an integer, "86,6" or "86.6" a fraction; None when
        empty. Anything else is refused at its field ("write a number")."""
        value = self.text(name)
        if value is None:
            return None
        written = value.strip().replace(",", ".")
        try:
            return int(written) if written.lstrip("+-").isdigit() else float(written)
        except ValueError:
            raise FormRefused(name, "float_parsing") from None

    def file(self, name: str) -> UploadFile:
        """A file the form needs (a file input left empty sends a part without a name)."""
        value = self.data.get(name)
        if not isinstance(value, UploadFile) or not value.filename:
            raise FormRefused(name, "missing")
        return value

    def flag(self, name: str) -> bool:
        return self.data.get(name) in ("1", "on", "true", "ya")

    def body(self, model: type[M], **values: Any) -> M:
        """The API's request body from these values (None is JSON null: leave a field out by
        not naming it), validated by its own schema: a ValidationError here is shown next to
        the fields by `submit`."""
        return model.model_validate(values)

    def required(self, name: str) -> str:
        """A text the form needs (the API may take null for "unknown"; the form asks)."""
        value = self.text(name)
        if value is None:
            raise FormRefused(name, "missing")
        return value

    def values(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for name, value in self.data.multi_items():
            if name in ("csrf_token", KEY_FIELD) or not isinstance(value, str):
                continue
            out.setdefault(name, []).append(value)
        return out


async def sent_form(request: Request) -> Sent:
    return Sent(await request.form())


SentForm = Annotated[Sent, Depends(sent_form)]


def allowed(check: Callable[[], object]) -> bool:
    """Whether an access rule of app/users/access.py lets the user act (to show a control)."""
    try:
        check()
    except Forbidden:
        return False
    return True


Where = Callable[[list[Any]], str | None]
"""Maps a problem's `loc` to the form field that shows it (None: the form's summary)."""


def field_of(loc: list[Any]) -> str | None:
    """The default `where`: the body path joined by dots ("signatures.3.agreement_id")."""
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path"):
        parts = parts[1:]
    return ".".join(parts) or None


def submit(
    request: Request,
    signed: SignedIn,
    session: Session,
    sent: Sent,
    name: str,
    act: Callable[[], Done],
    *,
    again: Callable[[Form], Response],
    where: Where = field_of,
    last_change: Callable[[], Any] | None = None,
) -> Response:
    """Do the write and redirect to its result, or show the form again with why not."""
    form = Form(name, values=sent.values())
    try:
        done = act()
    except FormRefused as refused:
        session.rollback()
        for field_name, error_type, context in refused.entries:
            form.errors.setdefault(field_name, []).append(field_rule_text(error_type, context))
        form.problems.append(problem_text("validation-error"))
        form.status = 422
        return again(form)
    except ValidationError as invalid:
        session.rollback()
        for error in invalid.errors():
            text = field_rule_text(error["type"], error.get("ctx"))
            target = where(list(error["loc"]))
            if target is None:
                form.problems.append(text)
            else:
                form.errors.setdefault(target, []).append(text)
        form.problems.insert(0, problem_text("validation-error"))
        form.status = 422
        return again(form)
    except AppError as refusal:
        session.rollback()
        text = problem_text(refusal.type_slug)
        if isinstance(refusal, Forbidden):
            raise ConsoleRefused(403, text) from refusal
        if isinstance(refusal, NotFound):
            raise ConsoleRefused(404, text) from refusal
        form.status = refusal.status
        form.detail = refusal.detail
        form.problems.append(text)
        for entry in refusal.errors or []:
            target = where(list(entry.get("loc", [])))
            entry_type = str(entry.get("type", "")).removeprefix("/problems/")
            message = problem_text(entry_type) if entry_type else text
            if target is not None:
                form.errors.setdefault(target, []).append(message)
        if refusal.type_slug == "stale-version" and last_change is not None:
            event = last_change()
            if event is not None:
                form.stale = LastChange(event)
        return again(form)
    response = RedirectResponse(done.location, status_code=303)
    set_flash(response, request, signed, done.message)
    return response


@dataclass
class Writer:
    """One form post of a page and how that page answers: the request's pieces, the page again
    with some forms (`page(forms, status)`), the API route's access rule (`guard`, checked
    before the write) and the record's last change (for a stale version). A page group builds
    one per post in a dependency (app/console/pages/agreement_write.py: AgreementWrite) and
    its routes are registered by `write_route`."""

    request: Request
    signed: SignedIn
    session: Session
    today: date
    sent: Sent
    page: Callable[[dict[str, Form], int], Response]
    guard: Callable[[], None]
    last_change: Callable[[], Any] | None

    def again(self, name: str) -> Callable[[Form], Response]:
        """The page again with this form, at the form's status (a refusal)."""
        return lambda form: self.page({name: form}, form.status)

    def submit(self, name: str, act: Callable[[], Done], *, where: Where = field_of) -> Response:
        """`submit` behind the page's guard. A write of two steps (`act` raises NotConfirmed
        once the form is valid and not yet confirmed) comes back as the page saying what will
        happen, with `konfirmasi` set and the same key; only the confirmation writes."""

        def guarded() -> Done:
            self.guard()  # as the API's routes
            return act()

        try:
            return submit(
                self.request,
                self.signed,
                self.session,
                self.sent,
                name,
                guarded,
                again=self.again(name),
                where=where,
                last_change=self.last_change,
            )
        except NotConfirmed:
            return self.page({name: self.confirming(name)}, 200)

    def confirming(self, name: str) -> Form:
        """The form sent, to confirm: its values, `konfirmasi` set, the same key."""
        form = Form(name, values=self.sent.values())
        form.key = self.sent.text(KEY_FIELD) or form.key
        form.values["konfirmasi"] = ["1"]
        return form


def write_route(
    router: APIRouter, path: str, name: str, *, where: Where = field_of
) -> Callable[[Callable[..., Done]], Callable[..., Done]]:
    """Registers `action` as the form POST of `path`: the one shape of a console write.

        @write_route(router, "/perjanjian/{agreement_id}/monev", "monev")
        def record_evaluation(w: AgreementWrite) -> Done:
            body = w.sent.body(EvaluationCreate, period=w.sent.text("period"), ...)
            made = evaluations.create_evaluation(session=w.session, agreement_id=w.id, ...)
            return Done(f"/perjanjian/{w.id}#monev", f"Evaluasi (monev) {made.period} dicatat.")

    The action's parameters are the route's (FastAPI reads them): first its Writer (a
    dependency), then whatever else it needs (a file store, another id of the path). The route
    answers the action's Done with a 303 and its message, or the page again with the form
    (`Writer.submit`). `name` is the form's, formatted with the action's arguments
    ("bukti_{activity}")."""

    def register(action: Callable[..., Done]) -> Callable[..., Done]:
        signature = inspect.signature(action, eval_str=True)
        writer_name = next(iter(signature.parameters))

        def endpoint(**values: Any) -> Response:
            writer: Writer = values[writer_name]
            form_name = name.format(**values)
            return writer.submit(form_name, lambda: action(**values), where=where)

        endpoint.__name__, endpoint.__qualname__ = action.__name__, action.__qualname__
        endpoint.__doc__, endpoint.__module__ = action.__doc__, action.__module__
        setattr(endpoint, "__signature__", signature.replace(return_annotation=Response))  # noqa: B010
        router.post(path)(endpoint)
        return action

    return register


# The key mechanism for form posts: the key comes in the form (hidden field), the user from the
# session cookie; only the redirect of a write is kept (a refusal shows the form again with a
# new key, and keeps nothing); a second send of the same form waits for the first's answer.


def _keep_redirect(response: Response) -> tuple[str | None, str] | None:
    if response.status_code != 303:
        return None
    kept = {
        "location": response.headers.get("location", "/"),
        "cookies": response.headers.getlist("set-cookie"),
    }
    return REDIRECT_KEPT, json.dumps(kept)


def _replay_redirect(claim: idempotency.Claim) -> Response:
    kept = json.loads(claim.body or "{}") if claim.media_type == REDIRECT_KEPT else {}
    response = RedirectResponse(str(kept.get("location", "/")), status_code=303)
    response.headers["Idempotent-Replayed"] = "true"
    for cookie in kept.get("cookies", []):
        response.headers.append("set-cookie", str(cookie))
    return response


CONSOLE_ANSWERS = Answers(
    keep=_keep_redirect, replay=_replay_redirect, wait_seconds=WAIT_FOR_FIRST_SECONDS
)

# A form whose answer shows a secret once (a new API key, app/console/pages/akun.py) answers
# 200 with the secret and names what it made in this header: only that name is kept for the
# form's key (never the secret), and a second send of the form is sent to `issued_at(name)`,
# which says the first send made it, without the secret.
ISSUED_HEADER = "X-Console-Issued"
ISSUED_KEPT = "application/vnd.registry.console-issued+json"


def _keep_issued(response: Response) -> tuple[str | None, str] | None:
    issued = response.headers.get(ISSUED_HEADER)
    if response.status_code == 200 and issued:
        return ISSUED_KEPT, json.dumps({"location": issued})
    return _keep_redirect(response)


def _replay_issued(claim: idempotency.Claim) -> Response:
    if claim.media_type != ISSUED_KEPT:
        return _replay_redirect(claim)
    kept = json.loads(claim.body or "{}")
    response = RedirectResponse(str(kept.get("location", "/")), status_code=303)
    response.headers["Idempotent-Replayed"] = "true"
    return response


ISSUING_ANSWERS = Answers(
    keep=_keep_issued, replay=_replay_issued, wait_seconds=WAIT_FOR_FIRST_SECONDS
)


class ConsoleWriteRoute(APIRoute):
    """A console route whose POST honours the Idempotency-Key of its form (KEY_FIELD)."""

    answers = CONSOLE_ANSWERS

    def get_route_handler(self) -> Callable[[Request], Any]:
        original = super().get_route_handler()

        async def handler(request: Request) -> Response:
            if request.method != "POST":
                return await original(request)
            await request.body()  # kept by Starlette: the form below and the endpoint read it
            key = (await request.form()).get(KEY_FIELD)
            token = request.cookies.get(SESSION_COOKIE)
            if not isinstance(key, str) or not key or not token:
                return await original(request)  # refused there (no session, no CSRF token)
            if len(key) > MAX_KEY or not re.fullmatch(KEY_PATTERN, key):
                raise ConsoleRefused(
                    422, "Formulir ini rusak. Muat ulang halaman, lalu kirim lagi."
                )
            settings = await resolve(request, get_settings)
            now = await resolve(request, get_now)

            def user_of(session: Session) -> int | None:
                found = current(session=session, token=token, settings=settings, now=now)
                return None if found is None else found.caller.id

            return await run_once(
                request,
                key=key,
                user_of=user_of,
                original=original,
                answers=self.answers,
            )

        return handler


class IssuingWriteRoute(ConsoleWriteRoute):
    """A console route whose form shows a secret once (ISSUED_HEADER): a second send of the
    form creates nothing and is led to what the first made, without the secret."""

    answers = ISSUING_ANSWERS


def write_router(*, issuing: bool = False) -> APIRouter:
    """The router of a page group's writes: its POSTs go through the form's Idempotency-Key
    (`issuing`: forms whose answer shows a secret once, IssuingWriteRoute)."""
    return APIRouter(route_class=IssuingWriteRoute if issuing else ConsoleWriteRoute)
