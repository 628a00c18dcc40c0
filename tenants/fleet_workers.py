"""The worker side of a fleet migration (``tenants.fleet``): what runs in each spawned worker process.

A spawned worker imports this module (to find its entry points) BEFORE Django is set up, so nothing
here, nor anything it imports, touches models at module level; ``tenants.fleet``, which plans the run
from the registry's models, is never imported by a worker.
"""

from __future__ import annotations

import os
import time
from multiprocessing.util import Finalize

import django
from django.conf import settings
from django.core.management import call_command
from django.core.management.commands.migrate import Command as DjangoMigrateCommand
from django.db import connection, connections

from tenants.errors import error_for_people
from tenants.schema_template import schema_exists

PUBLIC_SCHEMA = "public"
#: Longest error kept for a schema in a fleet report.
ERROR_LENGTH = 500


class FleetError(RuntimeError):
    """The fleet run cannot start (e.g. an unknown schema was asked for); the message says why."""


def describe_failure(exc: BaseException) -> str:
    """The one line a fleet report keeps for a schema that failed."""
    return error_for_people(exc, limit=ERROR_LENGTH)


def worker_init(settings_module: str, database: dict) -> None:
    """Runs once in each fresh worker process: Django set up against the caller's database."""
    if settings_module:
        os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    django.setup()
    for key, value in database.items():
        settings.DATABASES["default"][key] = value
        connection.settings_dict[key] = value
    # Say goodbye to PostgreSQL when the worker is retired (multiprocessing children skip atexit).
    Finalize(None, connections.close_all, exitpriority=10)


def worker_migrate(name: str) -> tuple[str, str | None, float]:
    """Migrate one schema in a worker; ``(schema, None, seconds)`` or ``(schema, error, seconds)``."""
    started = time.perf_counter()
    try:
        if not schema_exists(name):
            raise FleetError(f"The schema {name} does not exist.")
        migrate_in_this_process(name)
    except Exception as exc:  # noqa: BLE001 - a failing schema is reported; the fleet goes on
        connection.close()  # whatever state the failure left, the next schema gets a fresh connection
        return name, describe_failure(exc), time.perf_counter() - started
    return name, None, time.perf_counter() - started


def migrate_in_this_process(name: str) -> None:
    """Django's own ``migrate`` (not django-tenants' override, which migrates every schema) in ``name``.

    The router installs SHARED_APPS in the public schema and TENANT_APPS in any other schema.
    """
    # Set directly, not with tenants.schemas.in_schema: a migration needs the schema WITHOUT public on
    # its search path, and the fleet always leaves the connection in the public schema afterwards.
    if name == PUBLIC_SCHEMA:
        connection.set_schema_to_public()
    else:
        connection.set_schema(name, include_public=False)
    try:
        call_command(DjangoMigrateCommand(), interactive=False, verbosity=0)
    finally:
        connection.set_schema_to_public()
