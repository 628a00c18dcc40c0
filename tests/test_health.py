"""/healthz and /readyz answer as JSON on any host, and name no organisation."""

from __future__ import annotations

import json

import pytest
from django.db import connection

from tests.harness.clients import client_for

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("host", ["govsquare.localhost", "org-a.govsquare.localhost", "10.0.0.7", "unknown.example"])
def test_healthz_answers_on_any_host(world, host):
    response = client_for(None, host=host).get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_checks_database_redis_and_migrations(world):
    response = client_for(None, host="10.0.0.7").get("/readyz")
    body = response.json()
    assert response.status_code == 200, body
    assert body["status"] == "ready"
    assert set(body["checks"]) == {"database", "redis", "migrations"}
    assert all(check["ok"] for check in body["checks"].values())
    assert "schema(s) up to date" in body["checks"]["migrations"]["detail"]


def test_readyz_is_not_ready_when_an_organisation_schema_is_behind(world):
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM org_b.django_migrations WHERE app = 'org_pages'")
    response = client_for(None, host="10.0.0.7").get("/readyz")
    body = response.json()
    assert response.status_code == 503
    assert body["checks"]["migrations"]["ok"] is False
    assert "1 of 3 schema(s) behind" in body["checks"]["migrations"]["error"]
    assert "org_b" not in json.dumps(body) and "Organisation B" not in json.dumps(body)


def test_readyz_reports_an_unreachable_redis(world, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    body = client_for(None, host="10.0.0.7").get("/readyz").json()
    assert body["checks"]["redis"]["ok"] is False
    assert body["status"] == "not ready"
