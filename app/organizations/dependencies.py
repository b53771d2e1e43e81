"""Load an organization named in the path, or answer 404."""

from typing import Annotated

from fastapi import Depends

from app.core.db import SessionDep
from app.core.schemas import path_id
from app.organizations.models import Organization
from app.organizations.service import get_organization


def valid_organization(
    session: SessionDep,
    organization_id: Annotated[
        int, path_id("Id of the organization (12: Diskominfo Kalsel, as seeded).", example=12)
    ],
) -> Organization:
    """The organization named in the path."""
    return get_organization(session=session, organization_id=organization_id)


ValidOrganization = Annotated[Organization, Depends(valid_organization)]
