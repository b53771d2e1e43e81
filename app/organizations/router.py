"""HTTP routes for organizations (the parties, para pihak)."""

from typing import Annotated

from fastapi import APIRouter, Body, Query, status

from app.core.db import SessionDep
from app.core.errors import responses
from app.core.schemas import (
    DEFAULT_LIMIT,
    MAX_ID,
    LimitQuery,
    OffsetQuery,
    Page,
    SearchText,
)
from app.organizations import service
from app.organizations.dependencies import ValidOrganization
from app.organizations.models import OrganizationKind
from app.organizations.schemas import (
    ORGANIZATION_EXAMPLES,
    OrganizationCreate,
    OrganizationPublic,
    OrganizationUpdate,
)

router = APIRouter(prefix="/api/v1/organizations", tags=["Organizations"])


@router.post(
    "",
    response_model=OrganizationPublic,
    status_code=status.HTTP_201_CREATED,
    summary="Register an organization",
    responses=responses(409, 422),
)
def create_organization(
    session: SessionDep,
    organization_in: Annotated[OrganizationCreate, Body(openapi_examples=ORGANIZATION_EXAMPLES)],
) -> OrganizationPublic:
    """Register a public body that can be a party (pihak) to an NK or a PKS.

    Organizations form a tree: an SKPD (Dinas, Badan, Inspektorat, RSUD; kind `regional_agency`)
    sits under its provincial, regency or city government, and a Perwakilan (kind
    `regional_office`) under Ombudsman RI. The tree is what ties each SKPD's PKS to the NK its
    government signed. A name is unique under the same parent (409 otherwise).
    """
    return service.create_organization(session=session, organization_in=organization_in)


@router.get(
    "",
    response_model=Page[OrganizationPublic],
    summary="List organizations",
    responses=responses(422),
)
def list_organizations(
    session: SessionDep,
    parent_id: Annotated[
        int | None,
        Query(
            ge=1,
            le=MAX_ID,
            description="Only the direct children of this organization, "
            "e.g. the SKPD of Pemerintah Provinsi Kalimantan Selatan.",
        ),
    ] = None,
    kind: Annotated[OrganizationKind | None, Query(description="Only this kind.")] = None,
    q: Annotated[
        SearchText | None,
        Query(description="Name contains this text (case-insensitive), e.g. 'Dinas'."),
    ] = None,
    limit: LimitQuery = DEFAULT_LIMIT,
    offset: OffsetQuery = 0,
) -> Page[OrganizationPublic]:
    """List organizations by name, filtered by parent, kind or part of the name.

    `?parent_id=` of a provincial government lists its SKPD; `?kind=regional_office` lists the
    Perwakilan of Ombudsman RI.
    """
    items, total = service.list_organizations(
        session=session, parent_id=parent_id, kind=kind, q=q, limit=limit, offset=offset
    )
    return Page[OrganizationPublic](
        items=items,
        total=total,
        limit=limit,
        offset=offset,
    )


@router.get(
    "/{organization_id}",
    response_model=OrganizationPublic,
    summary="Show one organization",
    responses=responses(404, 422),
)
def read_organization(organization: ValidOrganization) -> OrganizationPublic:
    """One organization (pihak), with its parent's id."""
    return service.organization_public(organization)


@router.patch(
    "/{organization_id}",
    response_model=OrganizationPublic,
    summary="Change an organization",
    responses=responses(404, 409, 422),
)
def update_organization(
    session: SessionDep,
    organization: ValidOrganization,
    organization_in: Annotated[
        OrganizationUpdate,
        Body(
            openapi_examples={
                "short_name": {
                    "summary": "Give an SKPD its short name",
                    "value": {"short_name": "Diskominfo Kalsel"},
                }
            }
        ),
    ],
) -> OrganizationPublic:
    """Change an organization's name, kind, parent or e-mail.

    Moving an organization under one of its own descendants is refused (422): the tree has no
    cycles. A name already used under the same parent is refused (409).
    """
    return service.update_organization(
        session=session, organization=organization, organization_in=organization_in
    )
