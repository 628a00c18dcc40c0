"""Health probes: ``/healthz`` (the process answers) and ``/readyz`` (it can serve: database, Redis, migrations)."""

from __future__ import annotations

import time

import redis
from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse

from tenants.selectors import organisation_list, schemas_behind_migrations


def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def readyz(request: HttpRequest) -> JsonResponse:
    checks = {"database": _check_database(), "redis": _check_redis(), "migrations": _check_migrations()}
    ready = all(check["ok"] for check in checks.values())
    return JsonResponse({"status": "ready" if ready else "not ready", "checks": checks}, status=200 if ready else 503)


def _timed(fn) -> dict:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    try:
        detail = fn()
        result = {"ok": True}
        if detail:
            result["detail"] = detail
    except Exception as exc:  # noqa: BLE001 - a probe reports every failure, it never raises
        result = {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}
    result["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return result


def _check_database() -> dict:
    def probe() -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()

    return _timed(probe)


def _check_redis() -> dict:
    def probe() -> str | None:
        if not settings.REDIS_URL:
            return "not configured: tasks run inline, cache is per process"
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2)
        try:
            client.ping()
        finally:
            client.close()
        return None

    return _timed(probe)


def _check_migrations() -> dict:
    def probe() -> str:
        try:
            schemas = [settings.PUBLIC_SCHEMA_NAME, *organisation_list().values_list("schema_name", flat=True)]
        except DatabaseError as exc:
            raise RuntimeError("the organisation registry cannot be read") from exc
        behind = schemas_behind_migrations(schema_names=schemas)
        if behind:
            # A count only: this probe answers on any host and must not name organisations.
            raise RuntimeError(f"{len(behind)} of {len(schemas)} schema(s) behind the code's migrations")
        return f"{len(schemas)} schema(s) up to date"

    return _timed(probe)
