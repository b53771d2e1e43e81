"""Riwayat: the history of one record, as its API history route gives it (GET
/api/v1/agreements/{id}/history, /organizations/{id}/history, /obligations/{id}/history,
/users/{id}/history), newest first, with actor, time and each field's old → new value. Secrets
are masked as the API masks them (list_audit(reveal_secrets=) → app/core/masking.py); a user's
history is for that user and admins, as in the API.

/riwayat/{subject}/{id}: subject `perjanjian`, `organisasi`, `kewajiban` or `pengguna`.
"""

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from app.agreements.history import list_events
from app.agreements.queries import agreement_public
from app.audit.service import list_audit
from app.console.web import ConsolePage, render
from app.core.db import SessionDep
from app.core.deps import TodayDep
from app.core.errors import AppError
from app.core.schemas import MAX_ID, MAX_OFFSET
from app.obligations import service as obligations
from app.organizations import service as organizations
from app.users import service as users
from app.users.auth import Caller

router = APIRouter()

PAGE_SIZE = 50


@dataclass
class Subject:
    """What a history is of, as the page names it and links back to it."""

    noun: str
    name: str
    href: str | None


def _subject(session: Any, caller: Caller, today: Any, subject: str, record_id: int) -> Subject:
    """The record named in the path (AppError when it does not exist or may not be seen)."""
    if subject == "perjanjian":
        agreement = agreement_public(session=session, agreement_id=record_id, today=today)
        return Subject("perjanjian", agreement.title, f"/perjanjian/{record_id}")
    if subject == "organisasi":
        organization = organizations.get_organization(session=session, organization_id=record_id)
        return Subject("organisasi", organization.name, f"/organisasi/{record_id}")
    if subject == "kewajiban":
        obligation = obligations.get_obligation(
            session=session, obligation_id=record_id, today=today
        )
        return Subject("kewajiban", obligation.title, f"/perjanjian/{obligation.agreement_id}")
    if subject == "pengguna":
        users.require_self_or_admin(caller, record_id)
        user = users.get_user(session=session, user_id=record_id)
        return Subject("pengguna", user.name, None)
    raise KeyError(subject)


AUDIT_SUBJECTS = {"organisasi": "organization", "kewajiban": "obligation", "pengguna": "user"}


@router.get("/riwayat/{subject}/{record_id}", response_class=HTMLResponse)
def history_page(
    request: Request,
    signed: ConsolePage,
    session: SessionDep,
    today: TodayDep,
    subject: str,
    record_id: str,
) -> HTMLResponse:
    """A record's history, PAGE_SIZE entries at a time (`?offset=`)."""
    found = int(record_id) if record_id.isdigit() and 1 <= int(record_id) <= MAX_ID else None
    try:
        if found is None:
            raise KeyError(record_id)
        what = _subject(session, signed.caller, today, subject, found)
    except (AppError, KeyError):
        return render(
            request,
            "error.html",
            signed=signed,
            status_code=404,
            title="Tidak ditemukan",
            message="Catatan ini tidak ada di registri, atau Anda tidak berhak melihat riwayatnya.",
        )
    offset_text = request.query_params.get("offset", "0")
    offset = min(int(offset_text), MAX_OFFSET) if offset_text.isdigit() else 0
    events: list[Any]
    if subject == "perjanjian":
        events, total = list_events(
            session=session, agreement_id=found, limit=PAGE_SIZE, offset=offset
        )
    else:
        events, total = list_audit(
            session=session,
            subject_type=AUDIT_SUBJECTS[subject],
            subject_id=found,
            limit=PAGE_SIZE,
            offset=offset,
            reveal_secrets=signed.caller.is_admin,
        )
    return render(
        request,
        "riwayat.html",
        signed=signed,
        nav="/perjanjian" if subject in {"perjanjian", "kewajiban"} else "/organisasi",
        what=what,
        events=events,
        total=total,
        offset=offset,
        page_size=PAGE_SIZE,
        base=f"/riwayat/{subject}/{found}",
    )
