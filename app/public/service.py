"""The public list (daftar publik, keterbukaan informasi publik): the NK and PKS an editor of a
party (or an admin) opted in, once every party has signed, with only what the public may read."""

from datetime import date

from sqlmodel import Session

from app.agreements.history import record
from app.agreements.locking import claim_agreement
from app.agreements.queries import (
    AgreementFilters,
    AgreementSort,
    count_agreements,
    list_agreements_public,
)
from app.agreements.schemas import AgreementPublic
from app.core.types import utcnow
from app.public.schemas import PublicAgreement, PublicPage, PublicParty


def set_public_listing(*, session: Session, agreement_id: int, listed: bool) -> None:
    """Opt an agreement in to the public list, or out; in its history."""
    agreement = claim_agreement(session, agreement_id=agreement_id)
    was = agreement.public_listing
    if was != listed:
        agreement.public_listing = listed
        agreement.updated_at = utcnow()
        session.add(agreement)
        record(session, agreement_id, "public_listing_set", listed=listed, was=was)
    session.commit()


def public_view(agreement: AgreementPublic) -> PublicAgreement:
    """What the public may read of an agreement."""
    return PublicAgreement(
        id=agreement.id,
        kind=agreement.kind,
        status=agreement.status,
        title=agreement.title,
        parties=[
            PublicParty(
                name=p.organization_name, document_number=p.document_number, signed_on=p.signed_on
            )
            for p in agreement.parties
        ],
        scope_items=[item.title for item in agreement.scope_items],
        valid_from=agreement.valid_from,
        valid_until=agreement.valid_until,
        signed_on=agreement.signed_on,
    )


def public_list(*, session: Session, today: date, limit: int, offset: int) -> PublicPage:
    """A page of the public list, signed last first."""
    filters = AgreementFilters(publicly_listed=True)
    items, _ = list_agreements_public(
        session=session,
        filters=filters,
        today=today,
        limit=limit,
        offset=offset,
        sort=AgreementSort.signed_on,
    )
    total = count_agreements(session=session, filters=filters, today=today)
    return PublicPage(
        items=[public_view(a) for a in items], total=total, limit=limit, offset=offset
    )
