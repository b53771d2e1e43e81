from fastapi.testclient import TestClient

from tests.helpers import create_agreement, create_org, finalize, sign


def test_smoke(client: TestClient) -> None:
    ori = create_org(client, "Ombudsman Republik Indonesia", "state_institution")
    prov = create_org(client, "Pemerintah Provinsi Kalimantan Selatan", "provincial_government")
    office = create_org(
        client, "Ombudsman RI Perwakilan Provinsi Kalimantan Selatan", "regional_office", ori
    )
    dinas = create_org(client, "Dinas Komunikasi dan Informatika", "regional_agency", prov)
    nk = create_agreement(
        client,
        kind="nk",
        title="NK",
        parties=[
            {"organization_id": ori, "document_number": "30/ORI-MoU/X/2021"},
            {"organization_id": prov, "document_number": "053/NK-PEMOTDA/2021"},
        ],
        scope_items=[{"title": "a"}, {"title": "b"}],
    )
    assert nk["status"] == "draft", nk
    finalize(client, nk["id"])
    sign(client, nk["id"], ori, "2021-10-28")
    body = sign(client, nk["id"], prov, "2021-10-28")
    assert body["status"] == "active" and body["signed_on"] == "2021-10-28", body
    pks = create_agreement(
        client,
        kind="pks",
        title="PKS",
        parent_id=nk["id"],
        parties=[{"organization_id": office}, {"organization_id": dinas}],
    )
    assert pks["parent"]["status"] == "active"
    r = client.get("/api/v1/agreements", params={"number": "053/nk-pemotda/2021"})
    assert r.json()["total"] == 1, r.text
    print(r.json()["items"][0])
