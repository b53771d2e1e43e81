"""Shared by the benchmarks: a database of their own, built by the migrations."""

import os
import re
import sys

import httpx
from sqlalchemy import make_url, text

URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/registry_bench"
)
os.environ["DATABASE_URL"] = URL
# The benchmarks call the API as an admin, with no rate limit in the way.
ADMIN_KEY = "bench-admin-key"
os.environ["BOOTSTRAP_ADMIN_KEY"] = ADMIN_KEY
os.environ["RATE_LIMIT_PER_MINUTE"] = "0"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)


def prepare_database() -> None:
    """Create the benchmark database if missing, and rebuild its schema with the migrations."""
    from alembic import command
    from alembic.config import Config

    from app.core.db import engine, make_engine

    url = make_url(URL)
    if url.get_backend_name() == "postgresql":
        admin = make_engine(
            url.set(database="postgres").render_as_string(False), isolation_level="AUTOCOMMIT"
        )
        with admin.connect() as connection:
            exists = connection.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": url.database}
            ).first()
            if not exists:
                connection.execute(text(f'CREATE DATABASE "{url.database}"'))
        admin.dispose()
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public"))
    config = Config(os.path.join(ROOT, "alembic.ini"))
    config.attributes["configure_logger"] = False
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


# The bench admin signs in to the console with this password (bench/load.py sets it).
CONSOLE_PASSWORD = "bench-console-password"  # noqa: S105 (a throwaway data set's)
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def console_sign_in(browser: httpx.Client, email: str) -> None:
    """Sign in as a browser does (the form's CSRF token is paired with a cookie); the browser
    keeps the session cookie."""
    from app.console.session import SESSION_COOKIE

    form = browser.get("/masuk")
    found = CSRF.search(form.text)
    if found is None:
        raise SystemExit(f"no CSRF token on the sign-in page: {form.status_code}")
    answer = browser.post(
        "/masuk",
        data={"email": email, "password": CONSOLE_PASSWORD, "csrf_token": found.group(1)},
        follow_redirects=False,
    )
    if answer.status_code != 303 or SESSION_COOKIE not in browser.cookies:
        raise SystemExit(f"the console sign-in failed: {answer.status_code} {answer.text}")
