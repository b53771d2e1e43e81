"""The plans behind a Perwakilan's deadlines and the national list of what is overdue (20,000
organizations, 100,000 agreements, a million obligations): agreements in force and live ones
are found by plain comparisons of stored facts (an index serves the in-force ones), not by the
status expression row by row; overdue obligations are read in the list's order from the
partial index of open ones. On PostgreSQL, the planner's choice with sequential scans off (the
test's tables are tiny and it would rightly read them whole); on both, the SQL."""

from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlmodel import Session, col

from app.agreements.models import Agreement
from app.agreements.status import in_force_condition, live_condition
from app.obligations.models import ObligationStatus
from app.obligations.service import LIST_ORDER, ObligationFilters, _public_query
from app.reminders.deadline_query import _evaluation_sources, party_of
from tests.reminders.test_deadlines import world
from tests.world import Kalsel

TODAY = date(2026, 11, 23)


def sql(session: Session, statement: Any) -> str:
    dialect = session.get_bind().dialect
    return str(statement.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))


def plan(session: Session, statement: Any) -> str:
    session.execute(sa.text("SET LOCAL enable_seqscan = off"))
    return "\n".join(r[0] for r in session.execute(sa.text(f"EXPLAIN {sql(session, statement)}")))


def test_in_force_and_live_are_plain_comparisons(session: Session) -> None:
    for condition in (in_force_condition(Agreement, TODAY), live_condition(Agreement, TODAY)):
        text = sql(session, sa.select(col(Agreement.id)).where(condition))
        assert "CASE" not in text.upper(), text


def test_agreements_in_force_are_found_by_their_validity_index(
    session: Session, client: TestClient, kalsel: Kalsel
) -> None:
    world(client, kalsel)
    sources = _evaluation_sources(
        start=TODAY,
        end=TODAY + timedelta(days=90),
        today=TODAY,
        parties=party_of(kalsel.ori),
        month=12,
        from_year=2020,
    )
    assert sources
    for source in sources:
        assert "CASE" not in sql(session, source).upper()
    if session.get_bind().dialect.name == "postgresql":
        # (Plain index scans off too: the planner would walk the tiny table's primary key.)
        session.execute(sa.text("SET LOCAL enable_indexscan = off"))
        found = plan(
            session, sa.select(col(Agreement.id)).where(in_force_condition(Agreement, TODAY))
        )
        assert "Bitmap Index Scan on ix_agreement_effective_valid_until" in found, found


def test_overdue_obligations_are_read_in_order_from_the_open_ones_index(
    session: Session, client: TestClient, kalsel: Kalsel
) -> None:
    world(client, kalsel)
    page = (
        _public_query(TODAY)
        .where(*ObligationFilters(status=ObligationStatus.overdue).conditions(TODAY))
        .order_by(*LIST_ORDER)
        .limit(51)
    )
    if session.get_bind().dialect.name == "postgresql":
        found = plan(session, page)
        assert "ix_obligation_open_due_on" in found, found
        assert "Seq Scan on obligation" not in found, found
