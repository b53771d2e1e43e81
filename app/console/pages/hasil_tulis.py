"""Hasil: record a compliance result (penilaian kepatuhan) of an organization, as
POST /api/v1/compliance-assessments does: its access rule (require_assessment_recorder: an
admin, an editor of Ombudsman RI or a Perwakilan, or of the organization or one above it) and
its service, through app/console/forms.py. The form offers the organizations the user may
record for."""

from datetime import date

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from app.compliance import service
from app.compliance.models import Zone
from app.compliance.schemas import ComplianceAssessmentCreate
from app.console.forms import Done, Form, SentForm, allowed, submit, write_router
from app.console.session import SignedIn
from app.console.web import ConsolePage, ConsolePost, render
from app.core.db import SessionDep
from app.core.deps import TodayDep
from app.labels import label, labels_of, number_text
from app.organizations.models import OrganizationKind
from app.organizations.service import list_organizations
from app.users.access import require_assessment_recorder, require_writer, within
from app.users.auth import Caller

router = write_router()

# Whose results are recorded: governments and their SKPD.
ASSESSED = (
    OrganizationKind.provincial_government,
    OrganizationKind.regency_government,
    OrganizationKind.city_government,
    OrganizationKind.regional_agency,
)


def recordable(session: Session, caller: Caller) -> list[tuple[int, str]]:
    """The organizations the form offers: all of them for one who records anyone's result (an
    admin, an assessor), else those in the user's scope; the post checks the rule again."""
    if not allowed(lambda: require_writer(caller)):
        return []
    options: list[tuple[int, str]] = []
    for kind in ASSESSED:
        items, _ = list_organizations(
            session=session, kind=kind, limit=500, offset=0, reveal_secrets=False
        )
        options += [(o.id, f"{o.name} ({label(kind)})") for o in items]
    ids = [i for i, _ in options]
    mine = within(session, ids, caller)
    outside = next((i for i in ids if i not in mine), None)
    if outside is None or allowed(lambda: require_assessment_recorder(session, caller, outside)):
        return options
    return [(i, text) for i, text in options if i in mine]


def page(
    request: Request,
    signed: SignedIn,
    session: Session,
    today: date,
    form: Form | None = None,
) -> HTMLResponse:
    options = recordable(session, signed.caller)
    return render(
        request,
        "hasil_catat.html",
        signed=signed,
        nav="/hasil",
        f=form or Form.blank("penilaian", year=today.year - 1),
        organization_options=options,
        zone_options=[(z.value, text) for z, text in labels_of(Zone).items()],
        status_code=form.status if form else 200,
    )


@router.get("/hasil/catat", response_class=HTMLResponse)
def record_page(
    request: Request, signed: ConsolePage, session: SessionDep, today: TodayDep
) -> HTMLResponse:
    """The form to record a result (a viewer is told that viewers change nothing)."""
    return page(request, signed, session, today)


@router.post("/hasil/catat")
def record(
    request: Request,
    signed: ConsolePost,
    session: SessionDep,
    today: TodayDep,
    sent: SentForm,
) -> Response:
    """POST /api/v1/compliance-assessments."""

    def act() -> Done:
        require_writer(signed.caller)
        body = sent.body(
            ComplianceAssessmentCreate,
            organization_id=sent.id("organization_id"),
            year=sent.number("year"),
            score=sent.number("score"),
            zone=sent.text("zone"),
            category=sent.text("category"),
            source=sent.text("source"),
        )
        require_assessment_recorder(session, signed.caller, body.organization_id)
        made = service.create_assessment(session=session, assessment_in=body)
        score = "" if made.score is None else f", nilai {number_text(made.score)}"
        return Done(
            f"/hasil?organization_id={made.organization_id}",
            f"Hasil penilaian kepatuhan {made.organization_name} tahun {made.year} dicatat: "
            f"{label(made.zone)}{score}.",
        )

    return submit(
        request,
        signed,
        session,
        sent,
        "penilaian",
        act,
        again=lambda form: page(request, signed, session, today, form),
    )
