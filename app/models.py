"""Every table model, imported in one place for Alembic and relationship resolution."""

from app.activities.models import Activity, ActivityDocument, ActivityScopeItem
from app.agreements.models import (
    Agreement,
    AgreementEvent,
    AgreementParty,
    AgreementSearch,
    ScopeItem,
    ScopeWithdrawal,
)
from app.audit.models import AuditEvent
from app.compliance.models import ComplianceAssessment
from app.console.models import ConsoleSession
from app.documents.models import AgreementDocument
from app.documents.signatures.models import DocumentSignature, DocumentSignatureCheck
from app.drafts.models import DraftTemplate, FinalDraft
from app.evaluations.models import Evaluation
from app.idempotency.models import IdempotencyRecord
from app.obligations.models import Obligation
from app.organizations.models import Organization
from app.reminders.models import Reminder
from app.stages.models import AgreementStage, StageDefinition
from app.users.models import ApiKey, User

__all__ = [
    "Activity",
    "ActivityDocument",
    "ActivityScopeItem",
    "ApiKey",
    "AuditEvent",
    "ComplianceAssessment",
    "ConsoleSession",
    "IdempotencyRecord",
    "User",
    "Agreement",
    "AgreementDocument",
    "DocumentSignature",
    "DocumentSignatureCheck",
    "DraftTemplate",
    "FinalDraft",
    "AgreementEvent",
    "Evaluation",
    "AgreementParty",
    "AgreementSearch",
    "Obligation",
    "Organization",
    "Reminder",
    "ScopeItem",
    "ScopeWithdrawal",
    "AgreementStage",
    "StageDefinition",
]
