"""The writes on one agreement's page, in one shape: `AgreementWrite` is the post's Writer
(app/console/forms.py) with the agreement's id from the path, the API routes' access rule
(require_agreement_editor) as its guard, the agreement's page again for a refused form, and the
agreement's history for a stale version. Routes are registered with `write_route`; the pages
pages/perjanjian_tulis.py, tahapan_tulis.py, kewajiban_tulis.py, kegiatan_tulis.py,
tanda_tangan.py and draf.py use it."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import Response

from app.agreements.errors import AgreementNotFound
from app.agreements.history import list_events
from app.agreements.queries import agreement_public
from app.agreements.schemas import AgreementPublic
from app.console.forms import Form, SentForm, Writer
from app.console.pages.perjanjian import UNKNOWN_AGREEMENT, _id, show_agreement
from app.console.web import ConsolePost, ConsoleRefused
from app.core.db import SessionDep
from app.core.deps import TodayDep
from app.labels import label
from app.users.access import require_agreement_editor


def known_id(raw: str) -> int:
    """An id of the path (the agreement's, or a record's on its page); any other text is a 404."""
    found = _id(raw)
    if found is None:
        raise ConsoleRefused(404, UNKNOWN_AGREEMENT)
    return found


def named(agreement: AgreementPublic) -> str:
    """How a message names an agreement: PKS “Judul”."""
    return f"{label(agreement.kind)} “{agreement.title}”"


@dataclass
class AgreementWriter(Writer):
    """A write on the agreement `id`'s page."""

    id: int

    def agreement(self) -> AgreementPublic:
        """The agreement as its page shows it (a 404 page when there is none)."""
        try:
            return agreement_public(session=self.session, agreement_id=self.id, today=self.today)
        except AgreementNotFound:
            raise ConsoleRefused(404, UNKNOWN_AGREEMENT) from None


def agreement_writer(
    request: Request,
    signed: ConsolePost,
    session: SessionDep,
    today: TodayDep,
    sent: SentForm,
    agreement_id: str,
) -> AgreementWriter:
    found = known_id(agreement_id)

    def page(forms: dict[str, Form], status: int) -> Response:
        return show_agreement(
            request, signed, session, today, found, forms=forms, status_code=status
        )

    def last_change() -> Any:
        events, _ = list_events(session=session, agreement_id=found, limit=1, offset=0)
        return events[0] if events else None

    return AgreementWriter(
        request=request,
        signed=signed,
        session=session,
        today=today,
        sent=sent,
        page=page,
        guard=lambda: require_agreement_editor(session, signed.caller, found),
        last_change=last_change,
        id=found,
    )


AgreementWrite = Annotated[AgreementWriter, Depends(agreement_writer)]


def _path_id(param: str) -> Callable[[Request], int]:
    def parsed(request: Request) -> int:
        return known_id(request.path_params[param])

    return parsed


def _path_id_or_none(param: str) -> Callable[[Request], int | None]:
    def parsed(request: Request) -> int | None:
        return _id(request.path_params[param])

    return parsed


# Another record's id in the path, after the agreement's (a 404 page when it is no id).
ActivityId = Annotated[int, Depends(_path_id("activity_id"))]
ObligationId = Annotated[int, Depends(_path_id("obligation_id"))]
# A document's or signature's id, None when it is no id (the write then answers its own 404).
DocumentId = Annotated[int | None, Depends(_path_id_or_none("document_id"))]
SignatureId = Annotated[int | None, Depends(_path_id_or_none("signature_id"))]
