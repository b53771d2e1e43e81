"""Operators' view: a request id on every answer, one JSON log line per request, and metrics
that prometheus-client's own parser reads."""

import json
import logging

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from app.core.observability import JsonFormatter


def samples(client: TestClient) -> list[tuple[str, dict[str, str], float]]:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return [
        (s.name, s.labels, s.value)
        for family in text_string_to_metric_families(response.text)
        for s in family.samples
    ]


def test_metrics_count_a_request_by_its_route_template(client: TestClient) -> None:
    client.get("/api/v1/agreements/424242")  # a 404, counted under its template
    found = [
        value
        for name, labels, value in samples(client)
        if name == "registry_http_requests_total"
        and labels
        == {"method": "GET", "route": "/api/v1/agreements/{agreement_id}", "status": "404"}
    ]
    assert found and found[0] >= 1
    names = {name for name, _, _ in samples(client)}
    assert {
        "registry_oldest_undelivered_reminder_age_seconds",
        "registry_db_pool_connections_in_use",
        "registry_reminder_runs_total",
        "registry_http_request_duration_seconds_bucket",
    } <= names


def test_every_answer_carries_a_request_id_and_keeps_a_sane_one_given(
    client: TestClient,
) -> None:
    generated = client.get("/healthz").headers["x-request-id"]
    assert len(generated) == 32
    given = client.get("/healthz", headers={"X-Request-ID": "staf-biro-42"})
    assert given.headers["x-request-id"] == "staf-biro-42"
    odd = client.get("/healthz", headers={"X-Request-ID": "bad id\twith tab"})
    assert odd.headers["x-request-id"] != "bad id\twith tab"


def test_one_json_line_per_request_with_route_status_and_user(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    me = client.get("/api/v1/users/me").json()
    with caplog.at_level(logging.INFO, logger="app.access"):
        client.get("/api/v1/agreements", headers={"X-Request-ID": "r-1"})
    records = [
        r
        for r in caplog.records
        if r.name == "app.access" and getattr(r, "request_id", "") == "r-1"
    ]
    assert len(records) == 1, [r.getMessage() for r in records]
    [record] = records
    line = json.loads(JsonFormatter().format(record))
    assert line["route"] == "/api/v1/agreements" and line["status"] == 200
    assert line["request_id"] == "r-1" and line["user_id"] == me["id"]
    assert line["duration_ms"] >= 0 and "X-API-Key" not in json.dumps(line)
