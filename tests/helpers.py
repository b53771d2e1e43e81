"""Small builders that go through the HTTP API, as clients do."""

from typing import Any

from fastapi.testclient import TestClient

PROBLEM = "application/problem+json"


def create_org(
    client: TestClient, name: str, kind: str, parent_id: int | None = None, **extra: Any
) -> int:
    response = client.post(
        "/api/v1/organizations", json={"name": name, "kind": kind, "parent_id": parent_id, **extra}
    )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def create_agreement(client: TestClient, **body: Any) -> dict[str, Any]:
    response = client.post("/api/v1/agreements", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def finalize(client: TestClient, agreement_id: int) -> dict[str, Any]:
    response = client.post(f"/api/v1/agreements/{agreement_id}/finalize")
    assert response.status_code == 200, response.text
    return dict(response.json())


def sign(
    client: TestClient, agreement_id: int, organization_id: int, signed_on: str | None
) -> dict[str, Any]:
    response = client.post(
        f"/api/v1/agreements/{agreement_id}/signatures",
        json={"organization_id": organization_id, "signed_on": signed_on},
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


def assert_problem(response: Any, status: int, type_slug: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = dict(response.json())
    assert body["status"] == status
    assert body["title"] and body["detail"]
    if type_slug is not None:
        assert body["type"] == f"/problems/{type_slug}", body
    return body


def sign_all(client: TestClient, agreement: dict[str, Any], on: str | None) -> dict[str, Any]:
    """Finalize an agreement and have every party sign on the same day; the final state."""
    finalize(client, agreement["id"])
    result: dict[str, Any] = {}
    for party in agreement["parties"]:
        result = sign(client, agreement["id"], party["organization_id"], on)
    return result


def create_obligation(
    client: TestClient, agreement_id: int, org: int, due_on: str, title: str = "Laporan"
) -> int:
    response = client.post(
        f"/api/v1/agreements/{agreement_id}/obligations",
        json={"title": title, "responsible_organization_id": org, "due_on": due_on},
    )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def patch_org(client: TestClient, organization_id: int, **fields: Any) -> dict[str, Any]:
    """Change an organization with the version it has now."""
    url = f"/api/v1/organizations/{organization_id}"
    version = client.get(url).json()["version"]
    response = client.patch(url, json={"version": version, **fields})
    assert response.status_code == 200, response.text
    return dict(response.json())
