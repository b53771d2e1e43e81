"""The FastAPI application: routers, error handlers and docs, nothing else."""

import gc
from typing import Annotated

from fastapi import Depends, FastAPI, Response
from sqlalchemy import Engine

from app.activities.router import router as activities_router
from app.agreements.derivation.router import router as derivation_router
from app.agreements.lifecycle_router import after_signing_router
from app.agreements.lifecycle_router import router as lifecycle_router
from app.agreements.renewal.router import router as renewal_router
from app.agreements.router import history_router
from app.agreements.router import router as agreements_router
from app.compliance.router import router as compliance_router
from app.console.web import install_console
from app.core.config import settings
from app.core.db import get_engine
from app.core.docs import install_docs
from app.core.errors import PROBLEM_SCHEMA, NotReady, install_error_handlers
from app.core.health import not_ready
from app.core.middleware import install_middleware
from app.core.observability import (
    OLDEST_UNDELIVERED,
    POOL_CHECKED_OUT,
    configure_logging,
    metrics_page,
    require_metrics_token,
)
from app.core.openapi import install_openapi
from app.documents.router import router as documents_router
from app.documents.signatures.router import router as signatures_router
from app.drafts.router import router as drafts_router
from app.drafts.router import templates_router as draft_templates_router
from app.evaluations.router import router as evaluations_router
from app.imports.router import router as imports_router
from app.obligations.router import router as obligations_router
from app.organizations.router import router as organizations_router
from app.public.router import listing_router as public_listing_router
from app.public.router import router as public_router
from app.reminders.router import calendar_router, run_router
from app.reminders.router import router as reminders_router
from app.reminders.service import oldest_undelivered_age
from app.stages.router import router as stages_router
from app.stats.router import router as stats_router
from app.users.auth import calendar_caller, current_caller
from app.users.router import router as users_router

DESCRIPTION = """
The registry of cooperation agreements of Indonesian public bodies.

It keeps every **Nota Kesepahaman (NK, MoU)** and every **Perjanjian Kerja Sama (PKS)** derived
from it: the parties (para pihak) and the number each party gave the document, who signed and
when (penandatanganan), the **ruang lingkup** (scope), and the validity (jangka waktu).

A typical day: find an agreement by any party's number (`GET /api/v1/agreements?number=...`),
list the PKS that the SKPD of a province hold under its NK (`?parent_id=`), record a signature.
Every error is `application/problem+json` naming the field and the rule.

**Start here:** press **Authorize** and paste your API key (`X-API-Key`; the first one is printed
by `make run` or `registry create-admin`). Every example works as is on the seeded real cases:
the Kalsel NK of 2021 (agreement 1) and its 21 PKS, the Kalteng joint NK still awaiting
Kotawaringin Barat's signature (agreement 3).
"""

TAGS = [
    {
        "name": "Organizations",
        "description": "The parties: Ombudsman RI and its Perwakilan, "
        "provincial, regency and city governments and their SKPD.",
    },
    {"name": "Agreements (NK / PKS)", "description": "Register, find and change NK and PKS."},
    {
        "name": "Lifecycle and signatures",
        "description": "Finalisasi draft, reopen, each party's signature, and cancelling a "
        "draft nobody has signed.",
    },
    {
        "name": "Stages before the draft",
        "description": "Tahapan kerja sama (Peraturan Ombudsman RI 55/2022): penjajakan, "
        "perundingan and penyusunan rancangan naskah before finalisasi and penandatanganan, "
        "each with its time limit per kind and its required documents (dokumen wajib).",
    },
    {
        "name": "From NK to PKS",
        "description": "Derive the PKS of many SKPD from one NK in one "
        "call, and see which SKPD hold one (coverage).",
    },
    {
        "name": "Amendments, renewal and termination",
        "description": "Adendum, perpanjangan and pengakhiran of a signed NK or PKS.",
    },
    {"name": "History", "description": "Every change to an agreement, newest first."},
    {
        "name": "Signed documents",
        "description": "The signed scans of NK, PKS and adendum, and the electronic signatures "
        "(tanda tangan elektronik) their PDFs embed, verified against configured trust roots.",
    },
    {
        "name": "Drafts from templates",
        "description": "Draf naskah NK and PKS rendered from a DOCX template per kind (templat "
        "draf, uploaded by admins; a default in Bahasa Indonesia otherwise): one agreement's "
        "draft, the drafts of every PKS under an NK as a ZIP, and the final text (naskah "
        "final) kept with its SHA-256 at finalisasi.",
    },
    {
        "name": "Obligations",
        "description": "What each party owes (kewajiban, tindak lanjut) and by when.",
    },
    {
        "name": "Deadlines and reminders",
        "description": "What is due in the next 90 days, the "
        "calendar feed, and the daily reminder run.",
    },
    {
        "name": "Outcomes",
        "description": "What the agreements achieved: the yearly evaluation (monev) of each NK "
        "and PKS, and the compliance results (penilaian kepatuhan: zona hijau, kuning, merah) of "
        "the governments and SKPD that signed, year by year beside the NK and PKS they held in "
        "force.",
    },
    {
        "name": "Import",
        "description": "Bring the registers staff keep in Excel or CSV into the registry: a "
        "dry run first, then one transaction. The template to fill in.",
    },
    {
        "name": "Users and API keys",
        "description": "Who may do what: admins, editors (for the NK and PKS of their "
        "organization and its SKPD) and viewers, each with API keys sent as X-API-Key.",
    },
    {
        "name": "Public list",
        "description": "Daftar publik (keterbukaan informasi publik): the signed NK and PKS "
        "their parties chose to publish, readable without an API key; the opt-in per agreement.",
    },
    {"name": "Operations", "description": "Health of the service."},
]


def create_app() -> FastAPI:
    """Build the application."""
    configure_logging(settings.LOG_LEVEL)
    app = FastAPI(
        title=settings.PROJECT_NAME,
        version="0.1.0",
        description=DESCRIPTION,
        openapi_tags=TAGS,
        docs_url=None,  # served from our own files: install_docs
        redoc_url=None,
    )
    install_error_handlers(app)
    install_openapi(app)
    install_docs(app)
    install_middleware(app, settings)
    # Every read and write needs an API key; only health, the docs and the public list are
    # open, and the scheduler's run has its own token.
    with_key = [Depends(current_caller)]
    for router in (
        organizations_router,
        agreements_router,
        lifecycle_router,
        stages_router,
        derivation_router,
        after_signing_router,
        renewal_router,
        history_router,
        documents_router,
        signatures_router,
        drafts_router,
        draft_templates_router,
        public_listing_router,
        obligations_router,
        reminders_router,
        imports_router,
        compliance_router,
        evaluations_router,
        activities_router,
        stats_router,
        users_router,
    ):
        app.include_router(router, dependencies=with_key)
    app.include_router(calendar_router, dependencies=[Depends(calendar_caller)])
    app.include_router(run_router)
    # The public list (keterbukaan informasi publik): no key, limited per address.
    app.include_router(public_router)
    # The staff console (HTML, signed in by password; not in the OpenAPI document).
    install_console(app)

    @app.get("/healthz", tags=["Operations"], summary="Liveness: the process is up")
    def healthz() -> dict[str, str]:
        """Answers 200 while the process runs, without touching the database (a load balancer
        or Kubernetes liveness probe: restart the process only if this fails)."""
        return {"status": "ok"}

    @app.get(
        "/readyz",
        tags=["Operations"],
        summary="Readiness: the database answers and its schema is current",
        responses={503: {"description": "Not ready; the reason is in `detail`", **PROBLEM_SCHEMA}},
    )
    def readyz(engine: Annotated[Engine, Depends(get_engine)]) -> dict[str, str]:
        """Answers 200 when the database answers within READY_TIMEOUT_SECONDS and its schema
        is at the migrations' head; otherwise 503 with the reason (send no traffic here)."""
        reason = not_ready(engine, settings)
        if reason:
            raise NotReady(f"Not ready: {reason}.")
        return {"status": "ready"}

    @app.get(
        "/metrics",
        tags=["Operations"],
        summary="Metrics for Prometheus",
        response_class=Response,
        responses={
            200: {"content": {"text/plain": {}}},
            401: {"description": "METRICS_TOKEN is set and was not sent", **PROBLEM_SCHEMA},
        },
        dependencies=[Depends(require_metrics_token)],
        # The bearer token is optional (only a server with METRICS_TOKEN asks for it): `{}`
        # beside the HTTPBearer requirement says so (FastAPI appends it to the list).
        openapi_extra={"security": [{}]},
    )
    def metrics(engine: Annotated[Engine, Depends(get_engine)]) -> Response:
        """Requests and latencies per route template, reminder runs, reminders recorded,
        deliveries by outcome, the age of the oldest undelivered reminder, and database
        connections in use: Prometheus' text format, for a scraper on the internal network.
        When the server has METRICS_TOKEN, send it as `Authorization: Bearer <METRICS_TOKEN>`
        (Prometheus: `authorization: {credentials: ...}`); otherwise it is open."""
        OLDEST_UNDELIVERED.set(oldest_undelivered_age(engine))
        POOL_CHECKED_OUT.set(getattr(engine.pool, "checkedout", lambda: 0)())
        body, content_type = metrics_page()
        return Response(content=body, media_type=content_type)

    return app


app = create_app()
# What is loaded by now (some 1,500 modules, ~235,000 objects) lives as long as the process: kept
# out of the collector's full passes, which otherwise walk all of it again whenever enough new
# objects have outlived two younger passes (a national reminder run paid two such passes, of
# 0.1-0.3 s each; after this, 25 ms for both).
gc.freeze()
