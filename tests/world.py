"""The Kalsel world, built through the API: Ombudsman RI, its Perwakilan, the province, SKPD."""

from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.helpers import create_agreement, create_org, finalize, sign


@dataclass
class Kalsel:
    ori: int
    office: int
    province: int
    diskominfo: int
    dinkes: int
    kalteng: int
    kalteng_agency: int


@pytest.fixture
def kalsel(client: TestClient) -> Kalsel:
    return build_kalsel(client)


def build_kalsel(client: TestClient) -> Kalsel:
    """The Kalsel world's organizations, made through the API by `client`."""
    ori = create_org(client, "Ombudsman Republik Indonesia", "state_institution")
    province = create_org(client, "Pemerintah Provinsi Kalimantan Selatan", "provincial_government")
    kalteng = create_org(client, "Pemerintah Provinsi Kalimantan Tengah", "provincial_government")
    return Kalsel(
        ori=ori,
        office=create_org(
            client,
            "Ombudsman RI Perwakilan Provinsi Kalimantan Selatan",
            "regional_office",
            ori,
            region_id=province,  # a Perwakilan acts in its own province
        ),
        province=province,
        diskominfo=create_org(
            client, "Dinas Komunikasi dan Informatika", "regional_agency", province
        ),
        dinkes=create_org(client, "Dinas Kesehatan", "regional_agency", province),
        kalteng=kalteng,
        kalteng_agency=create_org(client, "Dinas Kesehatan", "regional_agency", kalteng),
    )


def nk_body(k: Kalsel, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "nk",
        "title": "Peningkatan Kualitas Pelayanan Publik di Lingkungan Pemerintah Provinsi "
        "Kalimantan Selatan",
        "parties": [
            {"organization_id": k.ori, "document_number": "30/ORI-MoU/X/2021"},
            {"organization_id": k.province, "document_number": "053/NK-PEMOTDA/2021"},
        ],
        "scope_items": [
            {"title": "Percepatan penanganan dan penyelesaian laporan masyarakat"},
            {"title": "Pencegahan maladministrasi"},
        ],
    }
    body.update(overrides)
    return body


def pks_body(k: Kalsel, nk_id: int, agency: int | None = None, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "pks",
        "title": "PKS Ombudsman RI Perwakilan Kalsel dengan Diskominfo",
        "parent_id": nk_id,
        "parties": [
            {"organization_id": k.office, "signatory_name": "Hadi Rahman"},
            {"organization_id": agency or k.diskominfo, "signatory_name": "Muhamad Muslim"},
        ],
    }
    body.update(overrides)
    return body


@pytest.fixture
def signed_nk(client: TestClient, kalsel: Kalsel) -> dict[str, Any]:
    """The Kalsel NK of 28 October 2021, signed by both parties."""
    nk = create_agreement(client, **nk_body(kalsel))
    finalize(client, nk["id"])
    sign(client, nk["id"], kalsel.ori, "2021-10-28")
    return sign(client, nk["id"], kalsel.province, "2021-10-28")
