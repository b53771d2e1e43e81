"""Every table model, imported in one place for Alembic and relationship resolution."""

from app.agreements.models import (
    Agreement,
    AgreementEvent,
    AgreementParty,
    ScopeItem,
    ScopeWithdrawal,
)
from app.documents.models import AgreementDocument
from app.organizations.models import Organization

__all__ = [
    "Agreement",
    "AgreementDocument",
    "AgreementEvent",
    "AgreementParty",
    "Organization",
    "ScopeItem",
    "ScopeWithdrawal",
]
