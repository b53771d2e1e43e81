"""HTTP routes of the public list: opting an agreement in (editors), and the list itself (no
API key: keterbukaan informasi publik), limited per client address."""

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Request

from app.agreements.dependencies import AgreementIdPath
from app.agreements.queries import agreement_public
from app.agreements.schemas import AgreementPublic
from app.core.db import SessionDep
from app.core.deps import SettingsDep, TodayDep
from app.core.errors import TooManyRequests, responses
from app.core.ratelimit import SlidingWindow
from app.core.schemas import DEFAULT_LIMIT, LimitQuery, OffsetQuery
from app.idempotency.route import IdempotentRoute
from app.public import service
from app.public.schemas import PUBLIC_LISTING_EXAMPLES, PublicListingIn, PublicPage
from app.users.access import AgreementEditor

listing_router = APIRouter(
    prefix="/api/v1/agreements", tags=["Public list"], route_class=IdempotentRoute
)
router = APIRouter(prefix="/api/v1/public", tags=["Public list"])

# Anonymous readers per client address (each process counts its own, as ratelimit.py says).
readers_per_address = SlidingWindow()


def public_rate_limit(request: Request, settings: SettingsDep) -> None:
    """At most PUBLIC_REQUESTS_PER_MINUTE anonymous reads a minute from one address (429)."""
    address = request.client.host if request.client else "unknown"
    wait = readers_per_address.retry_after(address, settings.PUBLIC_REQUESTS_PER_MINUTE)
    if wait is not None:
        raise TooManyRequests(
            f"More than {settings.PUBLIC_REQUESTS_PER_MINUTE} requests a minute from {address} "
            f"to the public list; try again in {wait} s.",
            retry_after=wait,
        )
    readers_per_address.add(address)


PublicRateLimit = Depends(public_rate_limit)


@listing_router.post(
    "/{agreement_id}/public-listing",
    response_model=AgreementPublic,
    summary="Show an NK or PKS in the public list, or not (tampilkan di daftar publik)",
    responses=responses(401, 403, 404, 422, 429),
)
def set_public_listing(
    session: SessionDep,
    _editor: AgreementEditor,
    today: TodayDep,
    agreement_id: AgreementIdPath,
    listing: Annotated[PublicListingIn, Body(openapi_examples=PUBLIC_LISTING_EXAMPLES)],
) -> AgreementPublic:
    """Opt this agreement in to the public list (daftar publik, for keterbukaan informasi
    publik), or out: off by default. It shows there once every party has signed, with its
    parties and their numbers, title, ruang lingkup, validity and status only. An editor of a
    party, or an admin; written in the history."""
    service.set_public_listing(session=session, agreement_id=agreement_id, listed=listing.listed)
    return agreement_public(session=session, agreement_id=agreement_id, today=today)


@router.get(
    "/agreements",
    response_model=PublicPage,
    summary="The public list of signed NK and PKS (daftar publik; no API key)",
    responses=responses(422, 429),
    dependencies=[PublicRateLimit],
)
def public_agreements(
    session: SessionDep,
    today: TodayDep,
    limit: LimitQuery = DEFAULT_LIMIT,
    offset: OffsetQuery = 0,
) -> PublicPage:
    """The NK and PKS their parties chose to publish (keterbukaan informasi publik), once every
    party has signed, signed last first: parties with their numbers and signing days, title,
    ruang lingkup, validity (masa berlaku) and status. No documents, contacts, notes or users.
    Open to anyone without an API key, at most PUBLIC_REQUESTS_PER_MINUTE requests a minute
    from one address (429 with Retry-After). The same list as a page in Bahasa Indonesia:
    `/publik`."""
    return service.public_list(session=session, today=today, limit=limit, offset=offset)
