"""What the benchmarks share: their own database, Django set-up, and the figures they print."""

from __future__ import annotations

import math
import os
import platform
import statistics
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import django
import psycopg
from django.core.management import call_command
from django.db import connection
from psycopg import sql

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/govsquare"
SETTINGS_MODULE = "benchmarks.settings_bench"


def bench_database_name(*, default: str = "govsquare_bench") -> str:
    """``BENCH_DATABASE_NAME`` or ``default``; refused unless the name says it is a benchmark's."""
    name = os.environ.get("BENCH_DATABASE_NAME", default)
    if "bench" not in name:
        raise SystemExit(f"Refusing to use the database {name!r} for a benchmark: its name must contain 'bench'.")
    return name


def bench_environment(*, database: str) -> None:
    """Point this process (and every process it starts) at the benchmark database and settings."""
    base = urlsplit(os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL)
    os.environ["DATABASE_URL"] = base._replace(path=f"/{database}").geturl()
    os.environ["BENCH_DATABASE_NAME"] = database
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS_MODULE)


def database_recreate(*, database: str) -> None:
    """Drop (closing its sessions) and create the benchmark database: every run starts from nothing."""
    admin = urlsplit(os.environ["DATABASE_URL"])._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))


def database_drop(*, database: str) -> None:
    admin = urlsplit(os.environ["DATABASE_URL"])._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database)))


def django_start() -> None:
    django.setup()


def public_schema_migrate() -> float:
    """``migrate_schemas --shared``: the registry and the shared space in the public schema. Seconds taken."""
    started = time.perf_counter()
    call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
    return time.perf_counter() - started


def machine_line() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server = cursor.fetchone()[0]
    return (
        f"{os.cpu_count()} cores, Python {platform.python_version()}, PostgreSQL {server}, "
        f"database {connection.settings_dict['NAME']}"
    )


@dataclass(frozen=True)
class Figures:
    count: int
    p50: float
    p95: float
    mean: float
    low: float
    high: float


def figures(seconds: list[float]) -> Figures:
    """Median, 95th percentile (nearest rank), mean, min and max of a list of durations."""
    ordered = sorted(seconds)
    rank95 = max(1, math.ceil(0.95 * len(ordered)))
    return Figures(
        count=len(ordered),
        p50=statistics.median(ordered),
        p95=ordered[rank95 - 1],
        mean=statistics.fmean(ordered),
        low=ordered[0],
        high=ordered[-1],
    )
