"""The console's pages, one module per page group; each module has a `router`."""

from fastapi import APIRouter

from app.console.pages import beranda, hasil, kewajiban, organisasi, sign_in

# Add a page group here (its router's paths are the console's URLs, in Indonesian).
ROUTERS: list[APIRouter] = [
    sign_in.router,
    beranda.router,
    kewajiban.router,
    organisasi.router,
    hasil.router,
]
