"""Every table model, imported in one place for Alembic and relationship resolution."""

from app.agreements.models import Agreement, AgreementParty, ScopeItem
from app.organizations.models import Organization

__all__ = ["Agreement", "AgreementParty", "Organization", "ScopeItem"]
