"""Console tests: through HTTP (a browser-like TestClient: cookies, no API key; a staff member
with a password), and in a real browser (a live server, Chromium; see browser.py)."""

import re
import secrets
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.console.session import set_password
from app.users import service as users
from app.users.models import Role
from app.users.schemas import UserCreate
from tests.conftest import ROOT, scratch_database
from tests.console.browser import Visit, watch
from tests.server import SeededTemplate, Server, running_server
from tests.test_browser import CHROMIUM_FLAGS, chromium_path

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, ViewportSize

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


# The browser harness (tests/console/browser.py): one live server and one Chromium for the run.

ADMIN_EMAIL = "admin@registry.local"


@dataclass
class LiveConsole:
    url: str
    key: str  # the bootstrap admin's API key, for reading the API beside the pages
    email: str
    password: str
    name: str


def live_member(live: Server, name: str, role: str, organization_id: int) -> str:
    """A staff member of `organization_id` on a live server (made through the API, given a
    password by `registry set-password`, as an operator does); their e-mail."""
    email = f"{role}.{secrets.token_hex(4)}@ombudsman.go.id"
    answer = httpx.post(
        f"{live.url}/api/v1/users",
        headers={"X-API-Key": live.key},
        json={"name": name, "email": email, "role": role, "organization_id": organization_id},
        timeout=60,
    )
    assert answer.status_code == 201, answer.text
    subprocess.run(
        [sys.executable, "-m", "app", "set-password", email],
        input=PASSWORD + "\n",
        cwd=ROOT,
        env=live.env,
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return email


KALSEL_NK = "053/NK-PEMOTDA/2021"
KALSEL_OFFICE = "Ombudsman Republik Indonesia Perwakilan Provinsi Kalimantan Selatan"


@dataclass
class LiveKalsel:
    """The seeded Kalsel NK on a live server, with its province's party and the Perwakilan."""

    nk: dict[str, Any]
    province_id: int
    office_id: int


def live_items(live: Server, path: str, **params: str) -> list[Any]:
    """The items of a list of the API on a live server (by its API key)."""
    answer = httpx.get(
        f"{live.url}{path}", params=params, headers={"X-API-Key": live.key}, timeout=60
    )
    assert answer.status_code == 200, answer.text
    return list(answer.json()["items"])


def live_named(live: Server, path: str, name: str) -> dict[str, Any]:
    """The record of an API list on a live server whose name is exactly `name`."""
    return next(o for o in live_items(live, path, q=name) if o["name"] == name)


def live_kalsel(live: Server, *new_skpd: str) -> LiveKalsel:
    """The seeded Kalsel NK, its province and the Perwakilan, on a live server; each name of
    `new_skpd` made an SKPD of the province (one that holds no PKS yet)."""
    items = live_items(live, "/api/v1/agreements", number=KALSEL_NK)
    nk = next(a for a in items if a["kind"] == "nk")
    province = next(p for p in nk["parties"] if "Pemerintah" in p["organization_name"])
    office = live_named(live, "/api/v1/organizations", KALSEL_OFFICE)
    for name in new_skpd:
        made = httpx.post(
            f"{live.url}/api/v1/organizations",
            headers={"X-API-Key": live.key},
            json={
                "name": name,
                "kind": "regional_agency",
                "parent_id": province["organization_id"],
            },
            timeout=60,
        )
        assert made.status_code == 201, made.text
    return LiveKalsel(nk, province["organization_id"], office["id"])


@pytest.fixture(scope="session")
def live_console(
    database_url: str, tmp_path_factory: pytest.TempPathFactory, seeded_template: SeededTemplate
) -> Iterator[LiveConsole]:
    """uvicorn on a migrated and seeded database of its own; the bootstrap admin
    (admin@registry.local) given a password by `registry set-password`, as an operator does."""
    directory = tmp_path_factory.mktemp("console-server")
    with (
        scratch_database(database_url, directory) as url,
        running_server(url, directory, template=seeded_template) as live,
    ):
        # The bootstrap admin is made on the first use of its key.
        httpx.get(f"{live.url}/api/v1/stats", headers={"X-API-Key": live.key}).raise_for_status()
        subprocess.run(
            [sys.executable, "-m", "app", "set-password", ADMIN_EMAIL],
            input=PASSWORD + "\n",
            cwd=ROOT,
            env=live.env,
            check=True,
            capture_output=True,
            text=True,
            timeout=300,
        )
        yield LiveConsole(live.url, live.key, ADMIN_EMAIL, PASSWORD, "admin")


@pytest.fixture(scope="module")
def chromium() -> Iterator["Browser"]:
    """Debian's headless Chromium (skipped outside CI when absent, as tests/test_browser.py).
    One per test module: Playwright's sync API allows one running instance at a time, and
    other modules (tests/test_browser.py) start their own."""
    executable = chromium_path()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_FLAGS
        )
        yield browser
        browser.close()


@contextmanager
def pages_on(chromium: "Browser", base_url: str) -> Iterator[Callable[..., Visit]]:
    """`new(java_script=True, viewport=...)`: a page in a fresh browser context on the server at
    `base_url` (no cookies), watched (see browser.watch); every context closed at the end."""
    contexts: list[BrowserContext] = []

    def new(java_script: bool = True, viewport: "ViewportSize | None" = None) -> Visit:
        context = chromium.new_context(
            base_url=base_url,
            java_script_enabled=java_script,
            viewport=viewport or {"width": 1280, "height": 900},
            locale="id-ID",
        )
        context.set_default_timeout(30_000)  # a busy 2-core machine: wait long, never sleep
        contexts.append(context)
        return watch(context.new_page())

    yield new
    for context in contexts:
        context.close()


@pytest.fixture
def open_page(chromium: "Browser", live_console: LiveConsole) -> Iterator[Callable[..., "Visit"]]:
    """`open_page(java_script=True, viewport=...)`: a page in a fresh browser context on the
    live console (no cookies), watched (see browser.watch); closed after the test."""
    with pages_on(chromium, live_console.url) as new:
        yield new
