"""The stages (tahapan) of an agreement: their configuration, where an agreement is, its moves.

Where an agreement is: its `agreement_stage` row while it is a draft (a stage before the draft,
or finalisasi once those are done); penandatanganan while it awaits signatures (entered on its
finalisasi day); nowhere once fully signed or cancelled. An agreement without a row is not
tracked: nothing is asked of it (every agreement recorded before the stages existed).
"""

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from app.agreements.errors import AgreementNotFound
from app.agreements.history import changes, record
from app.agreements.locking import claim_agreement
from app.agreements.models import Agreement, AgreementKind, AgreementParty, AgreementStatus
from app.agreements.schemas import AgreementPublic
from app.agreements.status import OPEN_FOR_SIGNATURE, current_status, status_expression
from app.audit.service import record_audit
from app.core.db import add_days, read_param, run_prebuilt
from app.core.errors import Conflict, NotFound, RuleViolation, field_error
from app.core.types import utcnow
from app.documents.models import AgreementDocument, DocumentType
from app.stages.models import (
    FINALISASI,
    LIFECYCLE_STAGES,
    PENANDATANGANAN,
    AgreementStage,
    StageDefinition,
)
from app.stages.schemas import (
    AgreementStagePublic,
    RequiredDocument,
    StageDefinitionPublic,
    StageDefinitionUpdate,
    StageRef,
    StageStep,
    StageTiming,
)


def definitions(session: Session) -> list[StageDefinition]:
    """Every stage, in order."""
    return list(session.exec(select(StageDefinition).order_by(col(StageDefinition.position))))


def definition_public(stage: StageDefinition) -> StageDefinitionPublic:
    return StageDefinitionPublic.model_validate(
        {
            **stage.model_dump(),
            "lifecycle": stage.code in LIFECYCLE_STAGES,
            "days": {k: v for k, v in stage.days.items() if k in AgreementKind.__members__},
            "required_documents": {
                k: v for k, v in stage.required_documents.items() if k in AgreementKind.__members__
            },
        }
    )


def list_definitions(*, session: Session) -> list[StageDefinitionPublic]:
    """The stages as configured, in order."""
    return [definition_public(s) for s in definitions(session)]


def get_definition(session: Session, code: str) -> StageDefinition:
    found = session.exec(select(StageDefinition).where(StageDefinition.code == code)).first()
    if found is None:
        raise NotFound(f"There is no stage '{code}'.", type_slug="stage-not-found")
    return found


def update_definition(
    *, session: Session, code: str, update: StageDefinitionUpdate
) -> StageDefinitionPublic:
    """Change a stage's name, use, time limits or required documents (admins)."""
    stage = get_definition(session, code)
    data = update.model_dump(exclude_unset=True, mode="json")
    if data.get("enabled") is False and stage.code in LIFECYCLE_STAGES:
        raise RuleViolation(
            f"The stage '{stage.code}' is the agreement's own lifecycle and cannot be switched "
            "off.",
            type_slug="lifecycle-stage-fixed",
            errors=[field_error("enabled", msg="finalisasi and penandatanganan are always on")],
        )
    for field in ("name", "enabled", "warn_days_before"):
        if data.get(field) is None:
            data.pop(field, None)
    for field in ("days", "required_documents"):
        if field in data and data[field] is None:
            data[field] = {}
    if "required_documents" in data:
        data["required_documents"] = {
            kind: list(dict.fromkeys(types)) for kind, types in data["required_documents"].items()
        }
    before = {key: getattr(stage, key) for key in data}
    stage.sqlmodel_update(data)
    stage.updated_at = utcnow()
    session.add(stage)
    if stage.id is not None and data:
        record_audit(session, "stage_definition", stage.id, "updated", **changes(before, data))
    session.commit()
    session.refresh(stage)
    return definition_public(stage)


@dataclass(frozen=True)
class Place:
    """Where a tracked agreement is: its stage, since when, and the day its time there is up
    (None: the stage sets no limit for its kind)."""

    stage: StageDefinition
    entered_on: date
    due_on: date | None


def is_tracked(session: Session, agreement_id: int) -> bool:
    """Whether the agreement's stages are tracked (it has a stage row): a statement built once."""
    found = run_prebuilt(session, _tracked_statement(), {"read_agreement_id": agreement_id})
    return found.first() is not None


@lru_cache(maxsize=1)
def _tracked_statement() -> Any:
    return sa.select(col(AgreementStage.agreement_id)).where(
        col(AgreementStage.agreement_id) == read_param("agreement_id")
    )


def place_of(session: Session, agreement_id: int, today: date) -> tuple[bool, Place | None]:
    """(tracked, where it is now): None when tracked and past penandatanganan (or cancelled).
    Read by the rule of `stage_due_sql`, the one the deadlines list uses too."""
    rule = stage_due_sql(today)
    row = session.exec(
        select(StageDefinition, rule.since, rule.due_on)
        .select_from(rule.joined)
        .where(col(Agreement.id) == agreement_id, *rule.where)
    ).first()
    if row is None:
        return is_tracked(session, agreement_id), None
    stage, since, due = row
    return True, Place(stage, since, due)


def _signs_on_authority(session: Session, agreement_id: int) -> bool:
    """Whether a party signs on a delegated authority (surat kuasa): a Kepala Dinas for the
    Gubernur, as Permendagri 22/2020 practice allows."""
    return (
        session.exec(
            select(AgreementParty.id).where(
                AgreementParty.agreement_id == agreement_id,
                col(AgreementParty.signing_authority).is_not(None),
                col(AgreementParty.signing_authority) != "",
            )
        ).first()
        is not None
    )


def required_of(
    session: Session, stage: StageDefinition, agreement: Agreement | AgreementPublic
) -> list[str]:
    """The document types the stage asks of this agreement (surat kuasa only of an agreement
    a party signs on a delegated authority)."""
    assert agreement.id is not None
    wanted = list(stage.required_documents.get(agreement.kind.value, []))
    if DocumentType.power_of_attorney.value in wanted and not _signs_on_authority(
        session, agreement.id
    ):
        wanted.remove(DocumentType.power_of_attorney.value)
    return [t for t in wanted if t in DocumentType.__members__]


def documents_by_type(session: Session, agreement_id: int) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for document_id, document_type in session.exec(
        select(AgreementDocument.id, AgreementDocument.document_type)
        .where(AgreementDocument.agreement_id == agreement_id)
        .order_by(col(AgreementDocument.id))
    ):
        if document_id is not None:
            found.setdefault(DocumentType(document_type).value, []).append(document_id)
    return found


def missing_documents(session: Session, stage: StageDefinition, agreement: Agreement) -> list[str]:
    """The document types the stage asks of the agreement that it has not got."""
    assert agreement.id is not None
    present = documents_by_type(session, agreement.id)
    return [t for t in required_of(session, stage, agreement) if t not in present]


def refuse_missing(stage: StageDefinition, agreement_id: int, missing: list[str]) -> None:
    """422 naming each missing document type, if any is."""
    if not missing:
        return
    names = ", ".join(missing)
    raise RuleViolation(
        f"Agreement {agreement_id} cannot leave the stage '{stage.name}' ({stage.code}): "
        f"required document(s) missing: {names}. Attach them (POST …/documents with "
        "document_type) first.",
        type_slug="stage-documents-missing",
        errors=[
            {
                "loc": ["documents", t],
                "msg": f"required document missing: {t}",
                "type": "/problems/stage-documents-missing",
            }
            for t in missing
        ],
    )


def enabled_order(session: Session) -> list[StageDefinition]:
    return [s for s in definitions(session) if s.enabled or s.code in LIFECYCLE_STAGES]


def stage_state(
    *, session: Session, agreement_id: int, today: date, known: AgreementPublic | None = None
) -> AgreementStagePublic:
    """Where an agreement stands in the stages: stage, time left, documents present/missing.
    `known`: the agreement as read today already (its page has it), which spares reading it
    again, and, when its status has no stage (past the signatures, or cancelled), the stage's."""
    agreement: Agreement | AgreementPublic | None = known
    if agreement is None:
        agreement = session.get(Agreement, agreement_id)
        if agreement is None:
            raise AgreementNotFound(agreement_id)
    if known is not None and known.status not in (AgreementStatus.draft, *OPEN_FOR_SIGNATURE):
        # Where place_of's rule finds no stage: tracked or not is all there is to tell.
        tracked, place = is_tracked(session, agreement_id), None
    else:
        tracked, place = place_of(session, agreement_id, today)
    steps: list[StageStep] = []
    if tracked:
        order = enabled_order(session)
        codes = [s.code for s in order]
        at = codes.index(place.stage.code) if place and place.stage.code in codes else len(codes)
        steps = [
            StageStep(
                code=s.code,
                name=s.name,
                state="done" if i < at else "current" if i == at else "ahead",
            )
            for i, s in enumerate(order)
        ]
    if place is None:
        return AgreementStagePublic(
            agreement_id=agreement_id,
            tracked=tracked,
            stage=None,
            entered_on=None,
            due_on=None,
            days_left=None,
            timing=None,
            required_documents=[],
            missing=[],
            may_advance=False,
            steps=steps,
        )
    stage, due = place.stage, place.due_on
    days_left = None if due is None else (due - today).days
    timing = (
        StageTiming.no_limit
        if days_left is None
        else StageTiming.overdue
        if days_left < 0
        else StageTiming.warning
        if days_left <= stage.warn_days_before
        else StageTiming.on_time
    )
    present = documents_by_type(session, agreement_id)
    required = required_of(session, stage, agreement)
    missing = [t for t in required if t not in present]
    return AgreementStagePublic(
        agreement_id=agreement_id,
        tracked=True,
        stage=StageRef(code=stage.code, name=stage.name),
        entered_on=place.entered_on,
        due_on=due,
        days_left=days_left,
        timing=timing,
        required_documents=[
            RequiredDocument(
                document_type=DocumentType(t), present=t in present, document_ids=present.get(t, [])
            )
            for t in required
        ],
        missing=[DocumentType(t) for t in missing],
        may_advance=stage.code not in LIFECYCLE_STAGES and not missing,
        steps=steps,
    )


def _draft_row(
    session: Session, agreement_id: int, today: date
) -> tuple[Agreement, AgreementStage]:
    """The agreement (claimed: locked, version raised) and its stage row, for a move; 409
    unless it is a tracked draft."""
    agreement = claim_agreement(session, agreement_id=agreement_id)
    status = current_status(session, agreement_id, today)
    row = session.get(AgreementStage, agreement_id, populate_existing=True)
    if row is None:
        raise Conflict(
            f"Agreement {agreement_id} does not go through the stages (it was recorded after "
            "the fact, or before the stages existed); start them on a draft first.",
            type_slug="not-in-stages",
        )
    if status != AgreementStatus.draft:
        raise Conflict(
            f"Agreement {agreement_id} is {status.value}: past finalisasi, its stage is "
            "penandatanganan, left by the last signature (reopen it to go back).",
            type_slug="stage-not-movable",
        )
    return agreement, row


def _move(
    session: Session, agreement: Agreement, row: AgreementStage, to: StageDefinition, day: date
) -> None:
    row.stage_code = to.code
    row.entered_on = day
    row.updated_at = utcnow()
    session.add(row)
    session.add(agreement)


def start_stages(
    *, session: Session, agreement_id: int, today: date, started_on: date | None = None
) -> AgreementStagePublic:
    """Put a draft at the first enabled stage (penjajakan by default)."""
    agreement = claim_agreement(session, agreement_id=agreement_id)
    status = current_status(session, agreement_id, today)
    if status != AgreementStatus.draft:
        raise Conflict(
            f"Only a draft goes through the stages; agreement {agreement_id} is {status.value}.",
            type_slug="not-a-draft",
        )
    if session.get(AgreementStage, agreement_id) is not None:
        raise Conflict(
            f"Agreement {agreement_id} already goes through the stages.",
            type_slug="stages-already-started",
        )
    day = started_on or today
    if day > today:
        raise RuleViolation(
            f"started_on {day} is in the future (today is {today}).",
            type_slug="stage-day-in-future",
            errors=[field_error("started_on", msg="must not be in the future")],
        )
    first = enabled_order(session)[0]
    session.add(AgreementStage(agreement_id=agreement_id, stage_code=first.code, entered_on=day))
    session.add(agreement)
    record(session, agreement_id, "stage_started", stage=first.code, stage_name=first.name, on=day)
    session.commit()
    return stage_state(session=session, agreement_id=agreement_id, today=today)


def advance_stage(
    *, session: Session, agreement_id: int, today: date, note: str | None = None
) -> AgreementStagePublic:
    """Leave the current stage before the draft for the next enabled one; after penyusunan
    rancangan naskah, finalisasi (done by POST …/finalize). 422 while a document is missing."""
    agreement, row = _draft_row(session, agreement_id, today)
    current = get_definition(session, row.stage_code)
    if current.code == FINALISASI:
        raise Conflict(
            f"Agreement {agreement_id} is at finalisasi: it leaves it by finalisasi draft "
            "(POST …/finalize), not by advance.",
            type_slug="stage-not-movable",
        )
    refuse_missing(current, agreement_id, missing_documents(session, current, agreement))
    order = enabled_order(session)
    later = [s for s in order if s.position > current.position]
    to = later[0]  # finalisasi is always enabled, and last but one
    _move(session, agreement, row, to, today)
    record(
        session,
        agreement_id,
        "stage_advanced",
        **{"from": current.code, "from_name": current.name, "to": to.code, "to_name": to.name},
        **({"note": note} if note else {}),
    )
    session.commit()
    return stage_state(session=session, agreement_id=agreement_id, today=today)


def return_stage(
    *, session: Session, agreement_id: int, today: date, reason: str
) -> AgreementStagePublic:
    """Go back to the previous enabled stage, with a reason (e.g. the negotiation reopens)."""
    agreement, row = _draft_row(session, agreement_id, today)
    current = get_definition(session, row.stage_code)
    earlier = [
        s
        for s in enabled_order(session)
        if s.position < current.position and s.code not in LIFECYCLE_STAGES
    ]
    if not earlier:
        raise Conflict(
            f"Agreement {agreement_id} is at the first stage ('{current.name}'); there is no "
            "stage before it.",
            type_slug="no-earlier-stage",
        )
    to = earlier[-1]
    _move(session, agreement, row, to, today)
    record(
        session,
        agreement_id,
        "stage_returned",
        **{"from": current.code, "from_name": current.name, "to": to.code, "to_name": to.name},
        reason=reason,
    )
    session.commit()
    return stage_state(session=session, agreement_id=agreement_id, today=today)


def check_may_finalize(session: Session, agreement: Agreement) -> None:
    """For finalisasi draft (app/agreements/lifecycle.py): a tracked draft must have done the
    stages before it and have finalisasi's documents. An untracked one is not held."""
    assert agreement.id is not None
    row = session.get(AgreementStage, agreement.id)
    if row is None:
        return
    if row.stage_code != FINALISASI:
        stage = get_definition(session, row.stage_code)
        raise RuleViolation(
            f"Agreement {agreement.id} is still at the stage '{stage.name}' ({stage.code}); "
            "advance it through the stages before finalisasi.",
            type_slug="stages-not-done",
        )
    stage = get_definition(session, FINALISASI)
    refuse_missing(stage, agreement.id, missing_documents(session, stage, agreement))


def check_may_complete_signing(session: Session, agreement: Agreement) -> None:
    """For the last signature (app/agreements/lifecycle.py): penandatanganan's documents."""
    assert agreement.id is not None
    if session.get(AgreementStage, agreement.id) is None:
        return
    stage = get_definition(session, PENANDATANGANAN)
    refuse_missing(stage, agreement.id, missing_documents(session, stage, agreement))


@dataclass(frozen=True)
class StageDue:
    """A tracked agreement's time limit in its current stage."""

    agreement_id: int
    title: str
    kind: AgreementKind
    stage_code: str
    stage_name: str
    due_on: date
    warn_days_before: int


@dataclass(frozen=True)
class StageDueSql:
    """The stage due rule in SQL, for a day: what a query over `joined` (the tracked agreements,
    their stage row and the definition of the stage each is in) selects and filters by."""

    joined: Any  # agreement JOIN agreement_stage JOIN stage_definition
    since: Any  # the day the agreement entered its current stage
    due_on: Any  # the day the time in the current stage is up (NULL: no limit for the kind)
    where: list[Any]  # the agreement is in a stage: a draft, or finalized and awaiting signatures


def stage_due_sql(today: date) -> StageDueSql:
    """The one home of the stage due rule (for one agreement in `place_of`, for every tracked
    agreement at once in the deadlines): a draft is in its row's stage since its entered_on; a
    finalized agreement awaiting signatures is in penandatanganan since its finalized_on; a
    stage's time limit is that day plus the stage's days for the agreement's kind (none if the
    kind is left out)."""
    status = status_expression(Agreement, today)
    draft = status == AgreementStatus.draft.value
    code = sa.case((draft, col(AgreementStage.stage_code)), else_=sa.literal(PENANDATANGANAN))
    since = sa.case((draft, col(AgreementStage.entered_on)), else_=col(Agreement.finalized_on))
    days = sa.case(
        *[
            (col(Agreement.kind) == kind, col(StageDefinition.days)[kind.value].as_integer())
            for kind in AgreementKind
        ],
        else_=sa.null(),
    )
    joined = sa.join(
        Agreement, AgreementStage, col(AgreementStage.agreement_id) == Agreement.id
    ).join(StageDefinition, col(StageDefinition.code) == code)
    in_stage = sa.or_(
        draft,
        sa.and_(
            status.in_([s.value for s in OPEN_FOR_SIGNATURE]),
            col(Agreement.finalized_on).is_not(None),
        ),
    )
    return StageDueSql(
        joined=joined,
        since=since,
        due_on=add_days(since, days),
        where=[col(Agreement.cancelled_at).is_(None), in_stage],
    )


def stage_dues(
    session: Session,
    *,
    start: date,
    end: date,
    today: date,
    agreement_ids: list[int] | None = None,
) -> list[StageDue]:
    """Time limits of the stages tracked agreements are in, due in [start, end] or passed."""
    rule = stage_due_sql(today)
    query = (
        sa.select(
            col(Agreement.id),
            col(Agreement.title),
            col(Agreement.kind),
            col(StageDefinition.code),
            col(StageDefinition.name),
            rule.due_on,
            col(StageDefinition.warn_days_before),
        )
        .select_from(rule.joined)
        .where(
            *rule.where,
            rule.due_on <= end,
            sa.or_(rule.due_on >= start, rule.due_on < today),
        )
        .order_by(col(Agreement.id))
    )
    if agreement_ids is not None:
        query = query.where(col(Agreement.id).in_(agreement_ids))
    return [
        StageDue(
            agreement_id=agreement_id,
            title=title,
            kind=AgreementKind(kind),
            stage_code=code,
            stage_name=name,
            due_on=due,
            warn_days_before=warn,
        )
        for agreement_id, title, kind, code, name, due, warn in session.execute(query)
    ]
