"""The console's pages, one module per page group; each module has a `router`."""

from fastapi import APIRouter

from app.console.pages import (
    akun,
    beranda,
    cakupan,
    draf,
    hasil,
    hasil_tulis,
    impor,
    kegiatan_tulis,
    kewajiban,
    kewajiban_tulis,
    organisasi,
    pengguna,
    perjanjian,
    perjanjian_daftar,
    perjanjian_tulis,
    pks_massal,
    publik,
    riwayat,
    sign_in,
    tahapan_tulis,
    tanda_tangan,
    tenggat,
)

# Add a page group here (its router's paths are the console's URLs, in Indonesian).
ROUTERS: list[APIRouter] = [
    sign_in.router,
    beranda.router,
    perjanjian_daftar.router,  # before /perjanjian/{id}: /perjanjian/baru is its own
    perjanjian.router,
    perjanjian_tulis.router,
    tahapan_tulis.router,
    pks_massal.router,
    kewajiban_tulis.router,
    kegiatan_tulis.router,
    tanda_tangan.router,
    riwayat.router,
    cakupan.router,
    tenggat.router,
    kewajiban.router,
    organisasi.router,
    hasil_tulis.router,
    impor.router,
    hasil.router,
    akun.router,
    akun.key_router,  # their answer shows a new key once; a resend is led to it (see there)
    pengguna.router,
    publik.router,
    draf.router,
]
