"""HTTP routes for organizations (the parties, para pihak)."""

from typing import Annotated

from fastapi import APIRouter, Body, Query, status

from app.audit.schemas import AuditEventPublic
from app.audit.service import list_audit
from app.core.db import SessionDep
from app.core.deps import SettingsDep
from app.core.errors import responses
from app.core.schemas import (
    DEFAULT_LIMIT,
    MAX_ID,
    LimitQuery,
    OffsetQuery,
    Page,
    SearchText,
)
from app.idempotency.route import IdempotentRoute
from app.organizations import service
from app.organizations.dependencies import ValidOrganization
from app.organizations.models import OrganizationKind
from app.organizations.schemas import (
    ORGANIZATION_EXAMPLES,
    OrganizationCreate,
    OrganizationPublic,
    OrganizationUpdate,
)
from app.users.access import require_organization_change, require_organization_creator
from app.users.auth import CallerDep

router = APIRouter(
    prefix="/api/v1/organizations", tags=["Organizations"], route_class=IdempotentRoute
)


@router.post(
    "",
    response_model=OrganizationPublic,
    status_code=status.HTTP_201_CREATED,
    summary="Register an organization",
    responses=responses(401, 403, 409, 422, 429),
)
def create_organization(
    session: SessionDep,
    caller: CallerDep,
    settings: SettingsDep,
    organization_in: Annotated[OrganizationCreate, Body(openapi_examples=ORGANIZATION_EXAMPLES)],
) -> OrganizationPublic:
    """Register a public body that can be a party (pihak) to an NK or a PKS.

    Organizations form a tree: an SKPD (Dinas, Badan, Inspektorat, RSUD; kind `regional_agency`)
    sits under its provincial, regency or city government, and a Perwakilan (kind
    `regional_office`) under Ombudsman RI. The tree is what ties each SKPD's PKS to the NK its
    government signed. A name is unique under the same parent (409 otherwise). An admin
    registers anything; an editor registers organizations under its own (e.g. a new SKPD
    under its province), but not what confers rights (403 `admin-only-field`): a state
    institution or a regional office (Perwakilan), a `region_id`, `acts_for_parent`.

    `acts_for_parent: true` marks the unit that coordinates cooperation for its government
    (the Biro Pemerintahan dan Kerja Sama of a province): its editors act for the whole parent.
    A Perwakilan's `region_id` is the province it acts in: it is a party only with
    organizations of that province.
    """
    require_organization_creator(session, caller, organization_in)
    return service.create_organization(
        session=session,
        organization_in=organization_in,
        allowed_hosts=settings.WEBHOOK_ALLOWED_HOSTS,
        reveal_secrets=caller.is_admin,
    )


@router.get(
    "",
    response_model=Page[OrganizationPublic],
    summary="List organizations",
    responses=responses(401, 422, 429),
)
def list_organizations(
    session: SessionDep,
    caller: CallerDep,
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
        Query(
            description="Name or short name contains this text, ignoring case and accents, "
            "e.g. `kominfo` (finds Diskominfo Kalsel) or `dinas`."
        ),
    ] = None,
    limit: LimitQuery = DEFAULT_LIMIT,
    offset: OffsetQuery = 0,
) -> Page[OrganizationPublic]:
    """List organizations by name, filtered by parent, kind or part of the name or short name.

    `?parent_id=` of a provincial government lists its SKPD; `?kind=regional_office` lists the
    Perwakilan of Ombudsman RI.
    """
    items, total = service.list_organizations(
        session=session,
        parent_id=parent_id,
        kind=kind,
        q=q,
        limit=limit,
        offset=offset,
        reveal_secrets=caller.is_admin,
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
    responses=responses(401, 404, 422, 429),
)
def read_organization(organization: ValidOrganization, caller: CallerDep) -> OrganizationPublic:
    """One organization (pihak), with its parent's id."""
    return service.organization_public(organization, reveal_secrets=caller.is_admin)


@router.patch(
    "/{organization_id}",
    response_model=OrganizationPublic,
    summary="Change an organization",
    responses=responses(401, 403, 404, 409, 422, 429),
)
def update_organization(
    session: SessionDep,
    caller: CallerDep,
    settings: SettingsDep,
    organization: ValidOrganization,
    organization_in: Annotated[
        OrganizationUpdate,
        Body(
            openapi_examples={
                "short_name": {
                    "summary": "Give an SKPD its short name",
                    "value": {"version": 1, "short_name": "Diskominfo Prov. Kalsel"},
                }
            }
        ),
    ],
) -> OrganizationPublic:
    """Change an organization's name, kind, parent, region or e-mail.

    Send the `version` you read (a stale one → 409). Moving an organization under one of its
    own descendants is refused (422): the tree has no cycles. A name already used under the
    same parent is refused (409). A `webhook_url` on loopback, link-local or private addresses
    is refused (422) unless its host is listed in WEBHOOK_ALLOWED_HOSTS.

    Fields that confer rights are guarded (403): `kind`, `region_id` and `acts_for_parent`
    are changed by admins only (`admin-only-field`); an editor moves an organization only
    under another one it edits, never to the top level and never the organization it edits
    for (`organization-move-refused`).
    """
    require_organization_change(session, caller, organization, organization_in)
    return service.update_organization(
        session=session,
        organization=organization,
        organization_in=organization_in,
        allowed_hosts=settings.WEBHOOK_ALLOWED_HOSTS,
        reveal_secrets=caller.is_admin,
    )


@router.get(
    "/{organization_id}/history",
    response_model=Page[AuditEventPublic],
    summary="What changed on an organization, and who changed it",
    responses=responses(401, 404, 422, 429),
)
def organization_history(
    session: SessionDep,
    caller: CallerDep,
    organization: ValidOrganization,
    limit: LimitQuery = DEFAULT_LIMIT,
    offset: OffsetQuery = 0,
) -> Page[AuditEventPublic]:
    """Registered, renamed, moved, given a webhook or an e-mail: each change with the user who
    made it, newest first. A webhook URL's user, password and query (old and new) are shown to
    admins only, as in `GET /api/v1/organizations/{id}`."""
    assert organization.id is not None
    items, total = list_audit(
        session=session,
        subject_type="organization",
        subject_id=organization.id,
        limit=limit,
        offset=offset,
        reveal_secrets=caller.is_admin,
    )
    return Page[AuditEventPublic](items=items, total=total, limit=limit, offset=offset)
