"""Dates of record: the days staff give for when an agreement was drafted and finalised.

Records are often entered long after the fact (the 21 Kalsel PKS, finalised 15-27 June 2022,
were registered in 2026), so "as of a past day" reads these days, never when a row was written.
One order holds: drafted_on <= finalized_on <= the first dated signature <= today.
"""

from collections.abc import Iterable
from datetime import date
from typing import Any

from app.agreements.models import Agreement, AgreementParty
from app.core.errors import RuleViolation, field_error


def first_signature_day(parties: Iterable[AgreementParty]) -> date | None:
    """The earliest day a party signed; None while no signature has a day. An undated
    signature (the source says a party signed, not when) gives no day to order against."""
    days = [p.signed_on for p in parties if p.signed and p.signed_on is not None]
    return min(days, default=None)


def check_dates_of_record(
    *,
    drafted_on: date,
    finalized_on: date | None,
    first_signed: date | None,
    today: date,
) -> None:
    """drafted_on <= finalized_on <= first signature <= today; every offender named."""
    errors: list[dict[str, Any]] = []
    reasons: list[str] = []
    for field, day in (("drafted_on", drafted_on), ("finalized_on", finalized_on)):
        if day is not None and day > today:
            errors.append(field_error(field, msg="must not be in the future"))
            reasons.append(f"{field} {day} is in the future (today is {today})")
    if finalized_on is not None and drafted_on > finalized_on:
        errors.append(field_error("drafted_on", msg=f"after the finalisasi on {finalized_on}"))
        reasons.append(
            f"drafted_on {drafted_on} is after the day of finalisasi draft ({finalized_on})"
        )
    if first_signed is not None:
        for field, day in (("drafted_on", drafted_on), ("finalized_on", finalized_on)):
            if day is not None and day > first_signed:
                errors.append(
                    field_error(field, msg=f"after the first signature on {first_signed}")
                )
                reasons.append(f"{field} {day} is after the first signature ({first_signed})")
    if errors:
        raise RuleViolation(
            "The dates of record must keep their order: drafted (penyusunan draft) <= "
            "finalisasi <= first signature <= today. " + "; ".join(reasons) + ".",
            type_slug="dates-of-record-order",
            errors=errors,
        )


def pull_back_to_signature(agreement: Agreement, signed_on: date) -> dict[str, dict[str, Any]]:
    """A signature dated before the recorded drafting or finalisasi day is proof the text was
    final by then: move those days back to it. Returns the changes, for the history."""
    moved: dict[str, dict[str, Any]] = {}
    if agreement.finalized_on is not None and signed_on < agreement.finalized_on:
        moved["finalized_on"] = {"old": agreement.finalized_on, "new": signed_on}
        agreement.finalized_on = signed_on
    if signed_on < agreement.drafted_on:
        moved["drafted_on"] = {"old": agreement.drafted_on, "new": signed_on}
        agreement.drafted_on = signed_on
    return moved
