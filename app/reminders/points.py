"""Which reminder point a deadline has reached on a given day."""

from datetime import date


def reached_point(
    due_on: date,
    as_of: date,
    *,
    days_before: list[int],
    overdue_every: int,
    may_be_overdue: bool,
) -> str | None:
    """The latest reminder point reached by `as_of`, or None if none is reached yet.

    Points: N days before (each of days_before), the day itself ("due"), then every
    `overdue_every` days while overdue ("overdue_7", "overdue_14", ...). Only the latest point
    counts: a run after an outage catches up the point it missed, once, and does not send the
    older points it made stale.
    """
    if as_of <= due_on:
        left = (due_on - as_of).days
        reached = [n for n in (*days_before, 0) if n >= left]
        if not reached:
            return None
        n = min(reached)
        return "due" if n == 0 else f"before_{n}"
    if not may_be_overdue:
        return None
    late = (as_of - due_on).days
    if overdue_every <= 0 or late < overdue_every:
        return "due"
    return f"overdue_{(late // overdue_every) * overdue_every}"
