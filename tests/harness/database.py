"""The test database: cloned from a template database that is rebuilt only when migrations change.

1. ``govsquare_testtpl_<hash>`` holds the migrated public schema and the organisation template
   schema. It is built once per migration graph (hash of every migration file) and kept across runs.
2. Each test session gets a fresh ``test_govsquare`` as ``CREATE DATABASE ... TEMPLATE`` of it
   (a file copy, well under a second), so no run sees another run's leftovers. Under pytest-xdist
   each worker clones its own (``test_govsquare_gw0``, ``test_govsquare_gw1``, ...). Building and
   cloning happen under an advisory lock taken in the ``postgres`` database, so workers (and test
   runs) that start together queue there: the first builds the template, the others reuse it.
3. The session's organisations are then created by cloning the template schema, through the same
   ``organisation_create`` service the platform uses.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import psycopg
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from psycopg import sql

from tenants.schema_template import ensure_template_schema, migration_graph_hash

TEMPLATE_DB_PREFIX = "govsquare_testtpl_"
_COMPLETE = "complete"
_LOCK = 0x60F5_0002  # held in the "postgres" database: one lock for every session of the cluster


@dataclass
class PreparedDatabase:
    name: str
    template: str
    built_template: bool
    seconds: float


def _admin_connection() -> psycopg.Connection:
    params = connection.settings_dict
    return psycopg.connect(
        dbname="postgres",
        user=params.get("USER") or None,
        password=params.get("PASSWORD") or None,
        host=params.get("HOST") or None,
        port=params.get("PORT") or None,
        autocommit=True,
    )


def _use_database(name: str) -> None:
    connection.close()
    connection.settings_dict["NAME"] = name
    settings.DATABASES[connection.alias]["NAME"] = name


def _template_is_complete(admin: psycopg.Connection, name: str) -> bool:
    row = admin.execute(
        "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [name]
    ).fetchone()
    return bool(row and row[0] == _COMPLETE)


def prepare_test_database(*, test_name: str) -> PreparedDatabase:
    started = time.perf_counter()
    template = f"{TEMPLATE_DB_PREFIX}{migration_graph_hash()[:16]}"
    built = False
    with _admin_connection() as admin:
        admin.execute("SELECT pg_advisory_lock(%s)", [_LOCK])
        try:
            if not _template_is_complete(admin, template):
                built = True
                _build_template_database(admin, template)
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(test_name)))
            admin.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(test_name), sql.Identifier(template))
            )
        finally:
            admin.execute("SELECT pg_advisory_unlock(%s)", [_LOCK])
    _use_database(test_name)
    return PreparedDatabase(test_name, template, built, time.perf_counter() - started)


def _build_template_database(admin: psycopg.Connection, template: str) -> None:
    stale = admin.execute(
        "SELECT datname FROM pg_database WHERE datname LIKE %s", [TEMPLATE_DB_PREFIX.replace("_", r"\_") + "%"]
    ).fetchall()
    for (name,) in stale:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(template)))
    _use_database(template)
    try:
        call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
        ensure_template_schema()
    finally:
        connection.close()
    admin.execute(sql.SQL("COMMENT ON DATABASE {} IS {}").format(sql.Identifier(template), sql.Literal(_COMPLETE)))
