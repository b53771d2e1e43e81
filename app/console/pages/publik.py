"""Daftar publik: the public list of signed NK and PKS (keterbukaan informasi publik), as a
page anyone may read without signing in; the same service as GET /api/v1/public/agreements,
limited per address like it."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from app.console.query import Filters
from app.console.web import render
from app.core.db import SessionDep
from app.core.deps import TodayDep
from app.public import service
from app.public.router import public_rate_limit

router = APIRouter()

PAGE_SIZE = 50


@router.get("/publik", response_class=HTMLResponse, dependencies=[Depends(public_rate_limit)])
def publik(request: Request, session: SessionDep, today: TodayDep) -> HTMLResponse:
    """The public list, a page at a time, signed last first."""
    offset = Filters(request.query_params).offset()
    page = service.public_list(session=session, today=today, limit=PAGE_SIZE, offset=offset)
    return render(
        request,
        "publik.html",
        signed=None,
        today=today,
        page=page,
        offset=offset,
        page_size=PAGE_SIZE,
    )
