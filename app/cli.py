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

    uvicorn.run("app.main:app", host=settings.HOST, port=settings.PORT)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `registry` command."""
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
    args = parser.parse_args(argv)
    if args.command == "remind":
        return _remind(args.as_of, args.dry_run)
    handlers = {"seed": _seed, "serve": _serve}
    return handlers[args.command]()


if __name__ == "__main__":
    sys.exit(main())
