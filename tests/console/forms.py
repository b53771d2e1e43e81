"""Reading and sending console forms as a browser without JavaScript does: the form's action,
its hidden fields (CSRF token, Idempotency-Key, version) and the values it shows."""

import html
import re
import secrets
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.console.session import set_password
from app.users import service as users
from app.users.models import Role
from app.users.schemas import UserCreate
from tests.console.conftest import PASSWORD, Staff, csrf_of, sign_in


@dataclass
class PageForm:
    action: str
    fields: dict[str, list[str]] = field(default_factory=dict)

    def data(self, **changes: Any) -> dict[str, Any]:
        """What the browser sends: the form's values with some changed (None clears one)."""
        out: dict[str, Any] = {k: (v if len(v) > 1 else v[0]) for k, v in self.fields.items()}
        for name, value in changes.items():
            if value is None:
                out.pop(name, None)
            else:
                out[name] = value
        return out


class _FormReader(HTMLParser):
    def __init__(self, form_id: str) -> None:
        super().__init__()
        self.form_id = form_id
        self.found: PageForm | None = None
        self.inside = False
        self.select: str | None = None
        self.textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("id") == self.form_id:
            self.found, self.inside = PageForm(a.get("action", "")), True
            return
        if not self.inside or self.found is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self.found.fields.setdefault(name, []).append(a.get("value", ""))
        elif tag == "select" and name:
            self.select = name
        elif tag == "option" and self.select and "selected" in a:
            self.found.fields.setdefault(self.select, []).append(a.get("value", ""))
        elif tag == "textarea" and name:
            self.textarea = name
            self.found.fields.setdefault(name, []).append("")

    def handle_data(self, data: str) -> None:
        if self.inside and self.found is not None and self.textarea:
            self.found.fields[self.textarea][-1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None


def form_of(page: str, name: str) -> PageForm:
    """The form `formulir-<name>` of a page (AssertionError when the page has none)."""
    reader = _FormReader(f"formulir-{name}")
    reader.feed(page)
    assert reader.found is not None, f"no form {name} on the page"
    return reader.found


def has_form(page: str, name: str) -> bool:
    return f'id="formulir-{name}"' in page


def text_of(page: str) -> str:
    """The page's visible text, tags gone and spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def field_errors(page: str, form: str, name: str) -> list[str]:
    """The messages shown next to one field of a form."""
    prefix = f"{form}-{name}".replace(".", "-").replace("_", "-")
    return [
        html.unescape(m)
        for m in re.findall(rf'<p class="field-error" id="{prefix}-galat-\d+">([^<]*)</p>', page)
    ]


def make_member(
    session: Session, role: str, organization_id: int | None, name: str = "Staf Perwakilan"
) -> Staff:
    """A staff member of an organization, with a password for the console."""
    email = f"staf.{secrets.token_hex(4)}@ombudsman.go.id"
    user = users.create_user(
        session=session,
        user_in=UserCreate(
            name=name, email=email, role=Role(role), organization_id=organization_id
        ),
    )
    set_password(session=session, email=email, password=PASSWORD)
    return Staff(user.id, name, email, PASSWORD)


def signed_in_as(browser: TestClient, staff: Staff) -> TestClient:
    browser.cookies.clear()
    sign_in(browser, staff)
    return browser


def form_as(browser: TestClient, staff: Staff, url: str, name: str) -> PageForm:
    """Signed in as `staff`, the form `name` of the page at `url`."""
    signed_in_as(browser, staff)
    return form_of(browser.get(url).text, name)


def refused_in_both_steps(
    browser: TestClient, members: list[Staff], url: str, name: str, **values: Any
) -> None:
    """Each member sees no form `name` at `url`, and posting that form as someone who may see
    it (the browser's user now) with the member's own CSRF token is a 403 at both steps of a
    two-step write: the first, and the confirmation (konfirmasi=1)."""
    forged = form_of(browser.get(url).text, name)
    for member in members:
        signed_in_as(browser, member)
        page = browser.get(url)
        assert not has_form(page.text, name)
        for step in ({}, {"konfirmasi": "1"}):
            data = forged.data(csrf_token=csrf_of(page.text), **values, **step)
            answer = browser.post(forged.action, data=data)
            assert answer.status_code == 403, (member.name, step)
