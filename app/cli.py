"""The command line: `registry seed|serve|remind`. Calls services, never routers."""

import argparse
import logging
import sys
from datetime import date

from sqlmodel import Session

from app.core.config import settings


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
            channels = ", ".join(planned.channels) or "no channel"
            print(
                f"would record {planned.point:<12} {planned.due_on}  {planned.organization_name}"
                f" ({channels}): {planned.title}"
            )
        print(
            f"dry run {result.as_of}: {result.created} would be recorded, "
            f"{result.retries_due} earlier ones would be retried; nothing was changed"
        )
        return 0
    print(
        f"reminders {result.as_of}: {result.created} created, {result.delivered} delivered, "
        f"{result.failed} failed, {result.undeliverable} undeliverable"
    )
    return 0


def _serve() -> int:
    import uvicorn

    uvicorn.run("app.main:app", host=settings.HOST, port=settings.PORT, server_header=False)
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


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `registry` command."""
    import app.models  # noqa: F401  (every table, so that relations resolve as in the API)

    logging.basicConfig(level=settings.LOG_LEVEL)
    parser = argparse.ArgumentParser(prog="registry", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("seed", help="load the real cases in seeds/ (a second run adds nothing)")
    commands.add_parser("serve", help="serve the API and Swagger UI (HOST, PORT from settings)")
    remind = commands.add_parser("remind", help="the daily reminder run, as POST /reminders/run")
    remind.add_argument(
        "--as-of", type=_day, help="the day to run for (YYYY-MM-DD); default today, not later"
    )
    remind.add_argument(
        "--dry-run",
        action="store_true",
        help="show what the run would record and send (any day); change nothing",
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
    args = parser.parse_args(argv)
    if args.command == "create-admin":
        return _create_admin(args.name, args.email, args.if_none)
    if args.command == "remind":
        return _remind(args.as_of, args.dry_run)
    handlers = {"seed": _seed, "serve": _serve}
    return handlers[args.command]()


if __name__ == "__main__":
    sys.exit(main())
