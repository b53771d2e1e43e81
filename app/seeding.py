"""Load the real cases in seeds/ through the same services and rules as the API, idempotently."""

import json
import logging
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from app.agreements import lifecycle
from app.agreements import service as agreements
from app.agreements.models import Agreement, AgreementKind, AgreementParty, ScopeItem
from app.agreements.schemas import AgreementCreate, SignatureIn
from app.compliance import service as compliance
from app.compliance.models import ComplianceAssessment
from app.compliance.schemas import ComplianceAssessmentCreate
from app.core.config import settings
from app.obligations import service as obligations
from app.obligations.models import Obligation
from app.obligations.schemas import ObligationCreate
from app.organizations import service as organizations
from app.organizations.models import Organization
from app.organizations.schemas import OrganizationCreate, OrganizationPublic, OrganizationUpdate

logger = logging.getLogger("app.seeding")


@dataclass
class SeedReport:
    """What one seeding run added."""

    organizations_created: int = 0
    agreements_created: int = 0
    obligations_created: int = 0
    assessments_created: int = 0
    keys: dict[str, int] = field(default_factory=dict)


def _seed_organizations(
    session: Session, entries: list[dict[str, Any]], parent_id: int | None, report: SeedReport
) -> None:
    for entry in entries:
        existing: Organization | OrganizationPublic | None = organizations.organization_named(
            session, entry["name"], parent_id
        )
        if existing is None:
            data = {k: v for k, v in entry.items() if k not in ("key", "children", "region")}
            # A region seeded later (a Perwakilan's province) is set by _seed_rights.
            region_id = report.keys.get(entry["region"]) if entry.get("region") else None
            existing = organizations.create_organization(
                session=session,
                organization_in=OrganizationCreate(
                    **data, parent_id=parent_id, region_id=region_id
                ),
            )
            report.organizations_created += 1
        assert existing.id is not None
        report.keys[entry["key"]] = existing.id
        _seed_organizations(session, entry.get("children", []), existing.id, report)


def _seed_rights(session: Session, entries: list[dict[str, Any]], report: SeedReport) -> None:
    """Give the seeded organizations the region and acts_for_parent the seeds name where they
    lack them: a Perwakilan's province is seeded after it, and a database seeded before these
    fields existed gets them on the next run. A region an admin set is left as it is."""
    for entry in entries:
        organization = session.get(Organization, report.keys[entry["key"]])
        assert organization is not None
        changes: dict[str, Any] = {}
        if entry.get("region") and organization.region_id is None:
            changes["region_id"] = report.keys[entry["region"]]
        if entry.get("acts_for_parent") and not organization.acts_for_parent:
            changes["acts_for_parent"] = True
        if changes:
            organizations.update_organization(
                session=session,
                organization=organization,
                organization_in=OrganizationUpdate(version=organization.version, **changes),
            )
        _seed_rights(session, entry.get("children", []), report)


def _find_agreement(session: Session, kind: str, title: str, parent_id: int | None) -> int | None:
    parent_condition = (
        col(Agreement.parent_id).is_(None)
        if parent_id is None
        else Agreement.parent_id == parent_id
    )
    return session.exec(
        select(Agreement.id).where(
            Agreement.kind == kind, Agreement.title == title, parent_condition
        )
    ).first()


def _seed_agreement(session: Session, spec: dict[str, Any], report: SeedReport, today: date) -> int:
    parent_id = report.keys[spec["parent"]] if spec.get("parent") else None
    found = _find_agreement(session, spec["kind"], spec["title"], parent_id)
    if found is not None:
        return found
    parties = spec["parties"]
    agreement_in = AgreementCreate(
        kind=AgreementKind(spec["kind"]),
        title=spec["title"],
        description=spec.get("description"),
        parent_id=parent_id,
        parties=[
            {
                "organization_id": report.keys[p["org"]],
                **{
                    k: p[k]
                    for k in (
                        "document_number",
                        "signatory_name",
                        "signatory_title",
                        "pending_reason",
                    )
                    if k in p
                },
            }
            for p in parties
        ],
        scope_items=spec["scope_items"],
        # Dates of record, where the sources give them (default: the day of seeding).
        drafted_on=spec.get("drafted_on"),
    )
    agreement_id = agreements.create_agreement(
        session=session, agreement_in=agreement_in, today=today
    )
    report.agreements_created += 1
    if spec.get("finalized"):
        lifecycle.finalize_agreement(
            session=session,
            agreement_id=agreement_id,
            today=today,
            finalized_on=date.fromisoformat(spec["finalized_on"])
            if spec.get("finalized_on")
            else None,
            # Finalised long ago outside the registry: today's template is not the agreed text.
            keep_text=False,
        )
        for party in parties:
            if party.get("signed"):
                lifecycle.sign_agreement(
                    session=session,
                    agreement_id=agreement_id,
                    signature=SignatureIn(
                        organization_id=report.keys[party["org"]], signed_on=party["signed_on"]
                    ),
                    today=today,
                )
    return agreement_id


def _expand_batch(
    batch: dict[str, Any], scope_lists: dict[str, Any], names: dict[int, str], keys: dict[str, int]
) -> list[dict[str, Any]]:
    """One PKS spec per organization of a batch (the 21 Kalsel SKPD signed on one morning)."""
    scope = scope_lists[batch["scope_items"]]
    counterpart = batch["counterpart"]
    # A batch may be finalised and still await its signatures (a copy for trying bulk signing).
    signed = not batch.get("awaiting_signatures", False)
    dates: dict[str, Any] = {k: batch[k] for k in ("drafted_on", "finalized_on") if k in batch}
    specs = []
    for entry in batch["organizations"]:
        positions = entry.get("scope_positions", range(1, len(scope) + 1))
        specs.append(
            {
                "kind": "pks",
                "parent": batch["parent"],
                "title": batch["title"].format(organization=names[keys[entry["org"]]]),
                "description": " ".join(
                    text for text in (batch.get("description"), entry.get("description")) if text
                ),
                "scope_items": [scope[p - 1] for p in positions],
                "parties": [
                    {**counterpart, "signed": signed, "signed_on": batch["signed_on"]},
                    {
                        **{
                            k: v
                            for k, v in entry.items()
                            if k in ("org", "signatory_name", "signatory_title")
                        },
                        "signed": signed,
                        "signed_on": batch["signed_on"],
                    },
                ],
                "finalized": True,
                **dates,
            }
        )
    return specs


def _pks_of(session: Session, nk_id: int, organization_id: int) -> int | None:
    return session.exec(
        select(Agreement.id)
        .join(AgreementParty, col(AgreementParty.agreement_id) == Agreement.id)
        .where(Agreement.parent_id == nk_id, AgreementParty.organization_id == organization_id)
    ).first()


def _seed_obligations(
    session: Session, entry: dict[str, Any], data: dict[str, Any], report: SeedReport, today: date
) -> None:
    """Obligations of one PKS, or of every PKS of a batch; skipped where already recorded."""
    nk_id = report.keys[entry["parent"]]
    if "pks_batch" in entry:
        batch = next(b for b in data["pks_batches"] if b["key"] == entry["pks_batch"])
        skpd = [o["org"] for o in batch["organizations"]]
    else:
        skpd = [entry["skpd"]]
    note = (
        "Ilustratif: sumber tidak menyebut tanggal; tanggal ini contoh untuk demo."
        if entry.get("illustrative")
        else None
    )
    for key in skpd:
        pks_id = _pks_of(session, nk_id, report.keys[key])
        if pks_id is None:
            continue
        exists = session.exec(
            select(Obligation.id).where(
                Obligation.agreement_id == pks_id, Obligation.title == entry["title"]
            )
        ).first()
        if exists is not None:
            continue
        scope_item_id = session.exec(
            select(ScopeItem.id).where(
                ScopeItem.agreement_id == pks_id, ScopeItem.title == entry["scope_title"]
            )
        ).first()
        obligations.create_obligation(
            session=session,
            agreement_id=pks_id,
            obligation_in=ObligationCreate(
                title=entry["title"],
                description=note,
                responsible_organization_id=report.keys[entry["responsible"]],
                due_on=entry["due_on"],
                recurrence=entry["recurrence"],
                scope_item_id=scope_item_id,
            ),
            today=today,
        )
        report.obligations_created += 1


def _seed_assessments(
    session: Session, entry: dict[str, Any], sources: dict[str, str], report: SeedReport
) -> None:
    """Compliance results of one or more organizations (`org` or `orgs`) in one year."""
    for key in entry.get("orgs") or [entry["org"]]:
        organization_id = report.keys[key]
        exists = session.exec(
            select(ComplianceAssessment.id).where(
                ComplianceAssessment.organization_id == organization_id,
                ComplianceAssessment.year == entry["year"],
            )
        ).first()
        if exists is not None:
            continue
        compliance.create_assessment(
            session=session,
            assessment_in=ComplianceAssessmentCreate(
                organization_id=organization_id,
                year=entry["year"],
                score=entry.get("score"),
                zone=entry["zone"],
                category=entry.get("category"),
                source=sources.get(entry["source"], entry["source"]),
            ),
        )
        report.assessments_created += 1


def load_seeds(
    *, session: Session, today: date, directory: Path | None = None, pks_batches: bool = True
) -> SeedReport:
    """Load organizations and agreements from seeds/; what already exists is left as it is."""
    directory = directory or settings.SEEDS_DIR
    report = SeedReport()
    orgs = json.loads((directory / "organizations.json").read_text(encoding="utf-8"))
    _seed_organizations(session, orgs["organizations"], None, report)
    _seed_rights(session, orgs["organizations"], report)
    data = json.loads((directory / "agreements.json").read_text(encoding="utf-8"))
    scope_lists = data.get("scope_lists", {})
    for spec in data["agreements"]:
        if isinstance(spec["scope_items"], str):
            spec = {**spec, "scope_items": scope_lists[spec["scope_items"]]}
        report.keys[spec["key"]] = _seed_agreement(session, spec, report, today)
    names = {
        o.id: o.name
        for o in session.exec(
            select(Organization).where(col(Organization.id).in_(report.keys.values()))
        )
        if o.id is not None
    }
    for batch in data.get("pks_batches", []) if pks_batches else []:
        for spec in _expand_batch(batch, scope_lists, names, report.keys):
            _seed_agreement(session, spec, report, today)
    obligations_file = directory / "obligations.json"
    if pks_batches and obligations_file.exists():
        spec = json.loads(obligations_file.read_text(encoding="utf-8"))
        for entry in spec["obligations"]:
            _seed_obligations(session, entry, data, report, today)
    outcomes_file = directory / "outcomes.json"
    if outcomes_file.exists():
        spec = json.loads(outcomes_file.read_text(encoding="utf-8"))
        for entry in spec["assessments"]:
            _seed_assessments(session, entry, data.get("sources", {}), report)
    logger.info(
        "seeds: %d organizations, %d agreements, %d obligations and %d compliance results added",
        report.organizations_created,
        report.agreements_created,
        report.obligations_created,
        report.assessments_created,
    )
    return report
