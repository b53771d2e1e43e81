"""Console tests through HTTP: a browser-like client (cookies, no API key) and a staff member with a
password."""

import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.console.session import set_password
from app.users import service as users
from app.users.models import Role
from app.users.schemas import UserCreate

PASSWORD = "kata-sandi-yang-panjang"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Staff:
    id: int
    name: str
    email: str
    password: str


def make_staff(session: Session, role: str = "viewer", name: str = "Siti Rahmah") -> Staff:
    email = f"staf.{secrets.token_hex(4)}@kalselprov.go.id"
    user = users.create_user(
        session=session, user_in=UserCreate(name=name, email=email, role=Role(role))
    )
    set_password(session=session, email=email, password=PASSWORD)
    return Staff(user.id, name, email, PASSWORD)


@pytest.fixture
def staff(session: Session) -> Staff:
    return make_staff(session)


@pytest.fixture
def admin_headers(client: TestClient) -> dict[str, str]:
    """An admin's API key, for the calls a test makes to the API beside the console."""
    return {"X-API-Key": client.headers["X-API-Key"]}


@pytest.fixture
def browser(client: TestClient, admin_headers: dict[str, str]) -> Iterator[TestClient]:
    """The app's client as a browser is: cookies kept, no API key (the console never needs
    one)."""
    del client.headers["X-API-Key"]
    yield client


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "no CSRF token in the page"
    return found.group(1)


def sign_in(browser: TestClient, staff: Staff, **form: str) -> None:
    page = browser.get("/masuk")
    response = browser.post(
        "/masuk",
        data={"email": staff.email, "password": staff.password, "csrf_token": csrf_of(page.text)}
        | form,
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


@pytest.fixture
def signed_in(browser: TestClient, session: Session) -> TestClient:
    """A browser signed in as an admin (make_staff + sign_in for another role)."""
    sign_in(browser, make_staff(session, "admin", name="Admin Biro Kerja Sama"))
    return browser
