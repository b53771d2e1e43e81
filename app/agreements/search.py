"""Search (`q`): one folded document per agreement, kept by its one writer, searched with one
condition (on PostgreSQL one trigram GIN index scan).

The document holds, folded (app.core.text.fold: lower case, no accents, spaces collapsed), what
`q` finds: the title, every party's number, every party's name and short name (the
organization's `search_text`), and the title and description of each ruang lingkup item of the
agreement itself, one per line. `fold` never yields a line break and neither does a folded `q`,
so a match never spans two fields: `q` matches exactly when one of those fields holds it.

`store_search_documents` is the only writer of `agreement_search`; every service that changes
one of those fields (create, edit, signature with a number, amendment, renewal, derivation of PKS,
imports through them, and an organization's rename) calls it once, in its own transaction, after
its change. tests/facts.py checks after every test that each stored document is the one its rows
give.
"""

from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col

from app.agreements.models import Agreement, AgreementParty, AgreementSearch, ScopeItem
from app.core.text import fold, like_pattern
from app.organizations.models import Organization

SEPARATOR = "\n"
BATCH = 2_000  # agreements per statement: an IN list (and an INSERT) both databases take


def search_pattern(text: str) -> str:
    """The LIKE pattern of `q`: the folded text, anywhere in a document."""
    return like_pattern(fold(text))


def search_condition(pattern: Any) -> Any:
    """`q`: the agreements one of whose searched fields holds the text (case, accents and runs of
    spaces ignored), as one semi-join on `agreement_search` (its trigram index on PostgreSQL).
    `pattern`: search_pattern(q), or a parameter that carries it (a prebuilt statement's)."""
    return col(Agreement.id).in_(
        sa.select(col(AgreementSearch.agreement_id)).where(
            col(AgreementSearch.document).like(pattern, escape="\\")
        )
    )


def document_of(
    title: str,
    parties: Iterable[tuple[str | None, str]],
    items: Iterable[tuple[str, str | None]],
) -> str:
    """The search document of an agreement: its title, its parties as (number, the
    organization's search_text), its scope items as (title, description)."""
    parts = [fold(title)]
    for number, names in parties:
        parts += [fold(number), names]
    for item_title, description in items:
        parts += [fold(item_title), fold(description)]
    return SEPARATOR.join(p for p in parts if p)


def _batches(ids: Sequence[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), BATCH):
        yield list(ids[start : start + BATCH])


def search_documents(session: Session, agreement_ids: Sequence[int]) -> dict[int, str]:
    """What the documents of these agreements must hold, from their rows (three statements).

    The organizations' rows are read FOR SHARE on PostgreSQL: a rename running at the same time
    waits for this writer or is waited for, so neither leaves a document with the old name."""
    if not agreement_ids:
        return {}
    titles = dict(
        session.execute(
            sa.select(col(Agreement.id), col(Agreement.title)).where(
                col(Agreement.id).in_(agreement_ids)
            )
        ).all()
    )
    parties: dict[int, list[tuple[str | None, str]]] = {i: [] for i in titles}
    for agreement_id, number, names in session.execute(
        sa.select(
            col(AgreementParty.agreement_id),
            col(AgreementParty.document_number),
            col(Organization.search_text),
        )
        .join(Organization, col(Organization.id) == AgreementParty.organization_id)
        .where(col(AgreementParty.agreement_id).in_(agreement_ids))
        .order_by(col(AgreementParty.agreement_id), col(AgreementParty.position))
        .with_for_update(read=True, of=Organization)
    ):
        parties[agreement_id].append((number, names))
    items: dict[int, list[tuple[str, str | None]]] = {i: [] for i in titles}
    for agreement_id, item_title, description in session.execute(
        sa.select(col(ScopeItem.agreement_id), col(ScopeItem.title), col(ScopeItem.description))
        .where(col(ScopeItem.agreement_id).in_(agreement_ids))
        .order_by(col(ScopeItem.agreement_id), col(ScopeItem.position))
    ):
        items[agreement_id].append((item_title, description))
    return {i: document_of(title, parties[i], items[i]) for i, title in titles.items()}


def store_search_documents(session: Session, agreement_ids: Iterable[int]) -> None:
    """Rewrite the search documents of these agreements from their rows: the one writer of
    `agreement_search`, called by every service that changes what `q` finds, after its change
    and in its transaction."""
    wanted = sorted(set(agreement_ids))
    if not wanted:
        return
    session.flush()
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(AgreementSearch)
    # An upsert, not a delete and an insert: two writers of one document (an edit and a rename
    # of one of its parties) then wait for each other instead of colliding on its key.
    statement = statement.on_conflict_do_update(
        index_elements=["agreement_id"], set_={"document": statement.excluded.document}
    )
    for batch in _batches(wanted):
        documents = search_documents(session, batch)
        if documents:
            session.execute(
                statement,
                [{"agreement_id": i, "document": d} for i, d in documents.items()],
            )


def store_search_documents_of_organization(session: Session, organization_id: int) -> None:
    """After an organization's name or short name changed: the documents of every agreement it
    is a party to (at national size, Ombudsman RI's thousands, in batches)."""
    session.flush()
    ids = session.scalars(
        sa.select(col(AgreementParty.agreement_id)).where(
            col(AgreementParty.organization_id) == organization_id
        )
    ).all()
    store_search_documents(session, ids)
