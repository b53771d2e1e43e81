"""registry: the command line of the registry of cooperation agreements (NK and PKS).

For operators: `migrate` brings the database schema to this version, `check` says whether the
configuration and the database are ready, `serve` serves the API and Swagger UI, `remind` is the
daily reminder run (what the scheduler calls), `seed` loads the real cases as demo data and
`create-admin` issues the first API key, `set-password` lets a user sign in to the staff
console, `sweep-documents` removes stored files no record refers
to. Settings come from the environment (see README).
Calls services, never routers."""

import argparse
import logging
import os
import sys
from datetime import date, time
from pathlib import Path
from typing import TYPE_CHECKING

from sqlmodel import Session

from app.core.config import settings

if TYPE_CHECKING:
    from alembic.config import Config

    from app.reminders.schemas import PlannedReminder


def _seed() -> int:
    from app.core.db import engine
    from app.seeding import load_seeds

    with Session(engine) as session:
        report = load_seeds(session=session, today=settings.today())
    print(
        f"seeds loaded: {report.organizations_created} organizations, "
        f"{report.agreements_created} agreements and {report.obligations_created} obligations added"
    )
    return 0


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _reminder_line(planned: "PlannedReminder") -> str:
    """One reminder as staff name it: point, due date, the organization reminded, its channels,
    the deadline, and the NK or PKS by its numbers and title."""
    channels = ", ".join(planned.channels) or "no channel"
    kind = planned.agreement_kind.value.upper()
    if planned.agreement_numbers:  # its numbers name it best (one per party that gave one)
        agreement = f" — {kind} {' / '.join(planned.agreement_numbers)}"
    elif planned.agreement_title not in planned.title:
        agreement = f" — {kind} '{planned.agreement_title}'"
    else:  # the deadline's title names it already (an expiry, an evaluation)
        agreement = ""
    return (
        f"{planned.point:<12} {planned.due_on}  {planned.organization_name} ({channels}): "
        f"{planned.title}{agreement}"
    )


def _remind(as_of: date | None, dry_run: bool) -> int:
    from app.core.db import engine
    from app.core.errors import AppError
    from app.core.types import utcnow
    from app.reminders.service import run_reminders

    today = settings.today()
    with Session(engine) as session:
        try:
            result = run_reminders(
                session=session,
                as_of=as_of or today,
                today=today,
                now=utcnow(),
                settings=settings,
                dry_run=dry_run,
            )
        except AppError as refusal:
            print(f"registry remind: {refusal.detail}", file=sys.stderr)
            return 2
    if result.planned is not None:
        for planned in result.planned:
            print(f"would record {_reminder_line(planned)}")
        print(
            f"dry run {result.as_of}: {result.would_create} would be recorded, "
            f"{result.would_retry} earlier ones would be retried; nothing was changed"
        )
        return 0
    print(
        f"reminders {result.as_of}: {result.created} created, {result.delivered} delivered, "
        f"{result.failed} failed, {result.undeliverable} undeliverable"
    )
    return 0


def _alembic_config() -> "Config":
    from alembic.config import Config

    directory = settings.MIGRATIONS_DIR
    if not directory.is_dir():
        directory = Path.cwd() / "migrations"  # an installed package run from its checkout
    config = Config()
    config.set_main_option("script_location", str(directory))
    return config


def _migrate() -> int:
    from alembic import command
    from alembic.script import ScriptDirectory
    from sqlalchemy import inspect, text
    from sqlalchemy.exc import DBAPIError
    from tqdm import tqdm

    from app.core.db import engine
    from app.core.masking import mask_credentials

    config = _alembic_config()
    script = ScriptDirectory.from_config(config)
    where = mask_credentials(settings.DATABASE_URL)
    try:
        with engine.connect() as connection:
            current = None  # a new database
            if inspect(connection).has_table("alembic_version"):
                current = connection.execute(
                    text("SELECT version_num FROM alembic_version")
                ).scalar()
    except DBAPIError as exc:
        print(f"registry migrate: cannot reach {where}: {exc.orig or exc}", file=sys.stderr)
        return 2
    pending = list(script.iterate_revisions("head", current or "base"))
    if not pending:
        print(f"{where}: the schema is at {current}, the newest; nothing to do")
        return 0
    with tqdm(total=len(pending), desc="migrating", unit="step", file=sys.stderr) as bar:

        def step(**info: object) -> None:
            bar.update(1)
            bar.set_postfix_str(str(info.get("up_revisions", ""))[:40])

        config.attributes["on_version_apply"] = step
        config.attributes["configure_logger"] = False
        command.upgrade(config, "head")
    print(f"{where}: migrated from {current or 'nothing'} to {script.get_current_head()}")
    return 0


def _check() -> int:
    from app.core.db import engine
    from app.core.health import not_ready
    from app.core.masking import mask_credentials

    problems: list[str] = []
    print(f"database        {mask_credentials(settings.DATABASE_URL)}")
    print(f"time zone       {settings.TIMEZONE} (today is {settings.today()})")
    documents = settings.DOCUMENTS_DIR
    try:
        documents.mkdir(parents=True, exist_ok=True)
        writable = os.access(documents, os.W_OK)
    except OSError:
        writable = False
    print(f"documents       {documents} ({'writable' if writable else 'NOT writable'})")
    if not writable:
        problems.append(f"the documents directory {documents} cannot be written")
    token = "set" if settings.SCHEDULER_TOKEN else "not set: POST /api/v1/reminders/run refuses all"
    print(f"scheduler token {token}")
    smtp = (
        f"{settings.SMTP_HOST}:{settings.SMTP_PORT}" if settings.SMTP_HOST else "not set: no e-mail"
    )
    print(f"smtp            {smtp}")
    if settings.BOOTSTRAP_ADMIN_KEY:
        print("bootstrap key   set: unset BOOTSTRAP_ADMIN_KEY once real admins have keys")
    reason = not_ready(engine, settings)
    print(f"readiness       {'ready' if reason is None else reason}")
    if reason is not None:
        problems.append(reason)
    if problems:
        print("\nnot ready:\n  " + "\n  ".join(problems), file=sys.stderr)
        return 1
    print("\nready")
    return 0


def _clock(text: str) -> time:
    try:
        return time.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a time of day (HH:MM): {text!r}") from None


def _scheduler(url: str, at: time, once: bool, attempts: int, wait_seconds: float) -> int:
    from app.reminders.scheduler import call_run, run_with_retries, serve_forever

    token = settings.SCHEDULER_TOKEN
    if not token:
        print(
            "registry scheduler: SCHEDULER_TOKEN is not set (an environment variable, or a file "
            "SCHEDULER_TOKEN in SECRETS_DIR), and the run refuses every call without it",
            file=sys.stderr,
        )
        return 2
    timeout = settings.WEBHOOK_TIMEOUT_SECONDS * 4 + 60  # deliveries happen inside the run
    if once:
        outcome = run_with_retries(lambda: call_run(url, token, timeout), attempts, wait_seconds)
        print(outcome.message, file=sys.stdout if outcome.ok else sys.stderr)
        return 0 if outcome.ok else 1
    serve_forever(url, token, at, settings.zone, timeout, attempts, wait_seconds)
    return 0


def _serve() -> int:
    import uvicorn

    uvicorn.run(
        "app.main:app",
        host=settings.HOST,
        port=settings.PORT,
        workers=settings.WEB_CONCURRENCY,
        server_header=False,
        # The app logs each request itself (app.core.observability), by route template:
        # uvicorn's own line would carry the query string, e.g. a calendar's ?key=.
        access_log=False,
    )
    return 0


def _create_admin(name: str, email: str, if_none: bool) -> int:
    from app.core.db import engine
    from app.core.errors import AppError
    from app.users.service import admin_exists, create_admin

    with Session(engine) as session:
        if if_none and (admin_exists(session) or settings.BOOTSTRAP_ADMIN_KEY):
            print("an admin exists already; `registry create-admin` issues another key")
            return 0
        try:
            user, key = create_admin(session=session, name=name, email=email, key_name="cli")
        except AppError as refusal:
            print(f"registry create-admin: {refusal.detail}", file=sys.stderr)
            return 2
    print(f"admin {user.name} <{user.email}> (user {user.id}); API key, shown this once:")
    print(f"\n    {key}\n")
    print("Send it as the X-API-Key header (Swagger UI: Authorize). Keep it secret.")
    return 0


def _read_password() -> str | None:
    """The new password: asked twice on a terminal, else the first line of standard input."""
    if sys.stdin.isatty():
        import getpass

        first = getpass.getpass("new password: ")
        if getpass.getpass("again: ") != first:
            print("registry set-password: the two passwords differ", file=sys.stderr)
            return None
        return first
    return sys.stdin.readline().rstrip("\r\n")


def _set_password(email: str) -> int:
    from app.console.session import set_password
    from app.core.db import engine
    from app.core.errors import AppError

    password = _read_password()
    if password is None:
        return 2
    with Session(engine) as session:
        try:
            user = set_password(session=session, email=email, password=password)
        except AppError as refusal:
            print(f"registry set-password: {refusal.detail}", file=sys.stderr)
            return 2
    print(
        f"password set for {user.name} <{user.email}>; they sign in to the console at "
        f"http://{settings.HOST}:{settings.PORT}/ (their earlier console sessions ended)"
    )
    return 0


def _import(path: Path, commit: bool) -> int:
    from tqdm import tqdm

    from app.core.actor import SYSTEM, set_actor
    from app.core.db import engine
    from app.core.errors import AppError
    from app.imports.service import count_records, import_register

    try:
        content = path.read_bytes()
    except OSError as unreadable:
        print(f"registry import: {unreadable}", file=sys.stderr)
        return 2
    with Session(engine) as session, tqdm(unit=" records", desc="importing") as bar:
        set_actor(session, SYSTEM)
        try:
            bar.total = count_records(content, path.name)
            report = import_register(
                session=session,
                content=content,
                filename=path.name,
                today=settings.today(),
                caller=None,
                commit=commit,
                progress=lambda: bar.update(),
            )
        except AppError as refusal:
            bar.close()
            for entry in refusal.errors or []:
                where = f"{entry.get('sheet', '')} row {entry.get('row', '?')}"
                column = f", column {entry['column']}" if entry.get("column") else ""
                print(f"  {where}{column}: {entry['msg']}", file=sys.stderr)
            print(f"registry import: {refusal.detail}", file=sys.stderr)
            return 1
    for record in report.records:
        rows = ",".join(str(r) for r in record.rows)
        ident = f"#{record.id}" if record.id else ""
        what = f"{record.action.value:7} {record.sheet.value:11}"
        print(f"{what} rows {rows:9} {ident:7} {record.label}")
    for what, counts in (
        ("organizations", report.organizations),
        ("agreements", report.agreements),
    ):
        print(f"{what}: {counts.create} to create, {counts.exists} already registered")
    if report.ignored_columns:
        print("columns not read: " + "; ".join(report.ignored_columns))
    if report.committed:
        print("committed: the records above marked create were created")
    else:
        print("dry run: nothing was changed; run again with --commit to create them")
    return 0


def _sweep_documents(older_than_hours: float, dry_run: bool) -> int:
    from datetime import timedelta

    from app.core.db import engine
    from app.documents.service import sweep_store
    from app.documents.storage import DocumentStore

    store = DocumentStore(root=settings.DOCUMENTS_DIR, max_bytes=settings.MAX_UPLOAD_BYTES)
    with Session(engine) as session:
        sweep = sweep_store(
            session=session,
            store=store,
            older_than=timedelta(hours=older_than_hours),
            dry_run=dry_run,
        )
    verb = "would remove" if dry_run else "removed"
    removed = sweep.orphans if dry_run else sweep.removed
    print(
        f"documents {settings.DOCUMENTS_DIR}: {sweep.kept} kept, {sweep.orphans} with no record, "
        f"{verb} {removed} and {sweep.leftovers} unfinished uploads"
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `registry` command."""
    import app.models  # noqa: F401  (every table, so that relations resolve as in the API)

    logging.basicConfig(level=settings.LOG_LEVEL)
    logging.getLogger("alembic").setLevel(logging.WARNING)  # migrate shows its own progress
    parser = argparse.ArgumentParser(
        prog="registry",
        description=(__doc__ or "").split("\nCalls services")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser(
        "migrate",
        help="bring the database schema to this version (alembic upgrade head), with progress",
        description="Apply every migration the database lacks; a second run does nothing.",
    )
    commands.add_parser(
        "check",
        help="say whether the configuration and the database are ready (exit 1 if not)",
        description=(
            "Print the settings an operator checks (database without its password, time zone, "
            "documents directory, scheduler token, SMTP) and whether the database answers and its "
            "schema is at the newest migration, as GET /readyz does. Exit status 0 when ready, 1 "
            "when not."
        ),
    )
    commands.add_parser(
        "seed",
        help="load the real cases in seeds/ as demo data (a second run adds nothing)",
        description="Load the Kalimantan Selatan and Kalimantan Tengah NK and PKS of seeds/.",
    )
    commands.add_parser(
        "serve",
        help="serve the API and Swagger UI at /docs (HOST, PORT and WEB_CONCURRENCY from settings)",
        description="Serve with uvicorn: WEB_CONCURRENCY worker processes (1 by default).",
    )
    remind = commands.add_parser(
        "remind",
        help="the daily reminder run, as POST /api/v1/reminders/run",
        description=(
            "Record the reminders due (30, 7 and 1 days before a deadline, on the day, then weekly "
            "while overdue) exactly once, and deliver them by webhook and e-mail."
        ),
    )
    remind.add_argument(
        "--as-of", type=_day, help="the day to run for (YYYY-MM-DD); default today, not later"
    )
    remind.add_argument(
        "--dry-run",
        action="store_true",
        help="show what the run would record and send (any day); change nothing",
    )
    scheduler = commands.add_parser(
        "scheduler",
        help="call the reminder run over HTTP every day at a set time (the compose scheduler)",
        description=(
            "Call POST /api/v1/reminders/run of a running registry every day at --at, in the "
            "registry's time zone (TIMEZONE), with Authorization: Bearer SCHEDULER_TOKEN (from "
            "the environment or a file SCHEDULER_TOKEN in SECRETS_DIR). While the registry is down "
            "or fails, the call is retried; the run records each reminder once and sends nothing "
            "another run holds, so a retry sends nothing twice. For hosts with cron, a crontab "
            "line calling `registry remind` does the same."
        ),
    )
    scheduler.add_argument(
        "--url",
        default="http://127.0.0.1:8000",
        help="the registry's base URL (default: %(default)s)",
    )
    scheduler.add_argument(
        "--at", type=_clock, default=time(6, 0), help="time of day to run, HH:MM (default: 06:00)"
    )
    scheduler.add_argument(
        "--once", action="store_true", help="run now, once, and exit (status 1 on failure)"
    )
    scheduler.add_argument(
        "--attempts",
        type=int,
        default=12,
        help="calls per day while the registry is down (default: 12)",
    )
    scheduler.add_argument(
        "--retry-seconds", type=float, default=300, help="wait between those calls (default: 300)"
    )
    admin = commands.add_parser(
        "create-admin", help="create an admin (or take the one with this e-mail) and print a key"
    )
    admin.add_argument("--name", default="Admin", help="the admin's name (default: Admin)")
    admin.add_argument(
        "--email", default="admin@kerjasama.go.id", help="the admin's e-mail (one per account)"
    )
    admin.add_argument(
        "--if-none",
        action="store_true",
        help="do nothing when an admin exists already (what `make run` uses)",
    )
    password = commands.add_parser(
        "set-password",
        help="set a user's password for the staff console (read from standard input)",
        description=(
            "Set the password with which a user signs in to the staff console (GET / in a "
            "browser), e.g. the first admin: admin@registry.local when BOOTSTRAP_ADMIN_KEY made "
            "it, or the one create-admin made. On a terminal the password is asked twice and not "
            "shown; otherwise it is the first line of standard input "
            "(printf '%s\\n' \"$PASSWORD\" | registry set-password EMAIL). At least 12 "
            "characters. The user's open console sessions end; API keys are not touched."
        ),
    )
    password.add_argument("email", help="the user's e-mail")
    importing = commands.add_parser(
        "import",
        help="import a register of NK, PKS and organizations (XLSX or CSV); a dry run first",
        description=(
            "Import a register kept in Excel or CSV, filled in as the template of "
            "GET /api/v1/imports/template.xlsx. Without --commit, a dry run: every record is "
            "checked against the registry's rules and listed as create or exists (an agreement "
            "found by a party's number), and every error named by sheet, row and column; nothing "
            "changes. With --commit, all of it is created in one transaction, or nothing. Exit "
            "status 1 when the file has errors."
        ),
    )
    importing.add_argument("file", type=Path, help="the .xlsx or .csv file")
    importing.add_argument(
        "--commit", action="store_true", help="create the records (default: a dry run)"
    )
    sweeping = commands.add_parser(
        "sweep-documents",
        help="remove stored document files that no record refers to (a dry run with --dry-run)",
        description=(
            "Remove the files of DOCUMENTS_DIR that no agreement document or activity evidence "
            "refers to and that no upload touched for --older-than-hours (what a crash between "
            "storing a file and saving its record leaves), and unfinished uploads' temporary "
            "files. A file that an upload comes to share meanwhile is kept. Safe while the API "
            "runs; e.g. weekly from cron."
        ),
    )
    sweeping.add_argument(
        "--older-than-hours",
        type=float,
        default=24,
        help="leave files touched more recently, at least 1: longer than any upload takes "
        "from storing its file to saving its record (default: %(default)s)",
    )
    sweeping.add_argument(
        "--dry-run", action="store_true", help="say what would be removed; remove nothing"
    )
    args = parser.parse_args(argv)
    if args.command == "sweep-documents":
        if not args.older_than_hours >= 1:
            parser.error("sweep-documents: --older-than-hours must be at least 1")
        return _sweep_documents(args.older_than_hours, args.dry_run)
    if args.command == "import":
        return _import(args.file, args.commit)
    if args.command == "create-admin":
        return _create_admin(args.name, args.email, args.if_none)
    if args.command == "set-password":
        return _set_password(args.email)
    if args.command == "scheduler":
        return _scheduler(args.url, args.at, args.once, max(1, args.attempts), args.retry_seconds)
    if args.command == "remind":
        return _remind(args.as_of, args.dry_run)
    handlers = {"seed": _seed, "serve": _serve, "migrate": _migrate, "check": _check}
    return handlers[args.command]()


if __name__ == "__main__":
    sys.exit(main())
