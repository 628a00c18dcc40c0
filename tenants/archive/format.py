"""What an organisation archive is: its format version, manifest checks, and the pieces export and import share.

The layout itself is described in ``tenants.archive``. Here: the format constants and the visible steps,
``ArchiveFailed``, the progress reporter, the catalogue reading of an organisation schema's tables, and
the checks of a manifest (its shape, its format version, its migrations).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

import psycopg
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection
from django.utils.translation import gettext as _

from tenants.jobs import ProgressCallback, job_between
from tenants.selectors import expected_migration_leaves

ARCHIVE_FORMAT = "govsquare-organisation-archive"
FORMAT_VERSION = 1
SUPPORTED_FORMAT_VERSIONS = frozenset({1})
MANIFEST_NAME = "manifest.json"

#: The visible steps of an export and of an import, with the percentage reached when each starts.
EXPORT_STEPS = {"queued": 0, "reading_database": 5, "writing_archive": 60, "ready": 100}
IMPORT_STEPS = {
    "queued": 0,
    "validating": 5,
    "creating_schema": 40,
    "loading_data": 45,
    "linking_accounts": 85,
    "extracting_media": 90,
    "ready": 100,
}

#: A table name an archive can hold (also the name of its data file).
TABLE_NAME_RE = re.compile(r"^[A-Za-z0-9_]{1,63}$")
#: The size of a read or write when data is copied.
CHUNK = 1024 * 1024


class ArchiveFailed(RuntimeError):
    """An export or import job did not complete; nothing was left behind. ``str()`` is the reason."""


# --- Progress ------------------------------------------------------------------------------------------


class Reporter:
    """Calls ``progress(step, percent)`` only when something changed (per table, per file otherwise)."""

    def __init__(self, progress: ProgressCallback | None) -> None:
        self._progress = progress
        self._last: tuple[str, int] | None = None

    def __call__(self, step: str, percent: float) -> None:
        current = (step, max(0, min(100, int(percent))))
        if self._progress is None or current == self._last:
            return
        self._last = current
        self._progress(*current)

    def between(self, step: str, start: int, end: int, done: float, total: float) -> None:
        self(step, job_between(start, end, done, total))


# --- The organisation schema and its local users --------------------------------------------------------


@dataclass(frozen=True)
class Table:
    name: str
    partitioned: bool
    columns: tuple[tuple[str, str], ...]  # (name, type) in column order; generated columns left out


def schema_tables(schema: str) -> dict[str, Table]:
    """Every table of ``schema`` (partitions are reached through their parent) with its stored columns."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.relname, c.relkind = 'p', a.attname, format_type(a.atttypid, a.atttypmod)
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
            WHERE n.nspname = %s AND c.relkind IN ('r', 'p') AND NOT c.relispartition
            ORDER BY c.relname, a.attnum
            """,
            [schema],
        )
        rows = cursor.fetchall()
    columns: dict[str, list[tuple[str, str]]] = {}
    partitioned: dict[str, bool] = {}
    for table, is_partitioned, column, type_name in rows:
        columns.setdefault(table, []).append((column, type_name))
        partitioned[table] = is_partitioned
    return {name: Table(name, partitioned[name], tuple(cols)) for name, cols in columns.items()}


def raw_connection() -> psycopg.Connection:
    connection.ensure_connection()
    return connection.connection


def local_user_table() -> tuple[str, str]:
    user_model = get_user_model()
    return user_model._meta.db_table, user_model._meta.get_field("account").column


# --- Checking a manifest ---------------------------------------------------------------------------------


def check_manifest(manifest: dict) -> None:
    """The manifest's format version and the shape of every field the import reads."""
    version = manifest.get("format_version")
    if version not in SUPPORTED_FORMAT_VERSIONS:
        supported = ", ".join(str(v) for v in sorted(SUPPORTED_FORMAT_VERSIONS))
        raise ValidationError(
            _("The archive has format version %(version)s; this GovSquare reads format version %(supported)s.")
            % {"version": repr(version), "supported": supported}
        )
    problems: list[str] = []
    organisation = manifest.get("organisation")
    if not isinstance(organisation, dict) or not all(
        isinstance(organisation.get(key), str) for key in ("name", "slug", "blueprint", "default_visibility")
    ):
        problems.append("organisation")
    elif not isinstance(organisation.get("enabled_apps"), list) or not isinstance(
        organisation.get("blueprint_version"), int
    ):
        problems.append("organisation")
    domains = manifest.get("domains")
    if (
        not isinstance(domains, list)
        or not domains
        or not all(isinstance(d, dict) and isinstance(d.get("domain"), str) for d in domains)
    ):
        problems.append("domains")
    if not isinstance(manifest.get("email_domains"), list):
        problems.append("email_domains")
    if not isinstance(manifest.get("migration_leaves"), list) or not all(
        isinstance(leaf, list) and len(leaf) == 2 for leaf in manifest["migration_leaves"]
    ):
        problems.append("migration_leaves")
    tables = manifest.get("tables")
    if not isinstance(tables, dict) or not all(
        isinstance(table, str)
        and TABLE_NAME_RE.match(table)
        and isinstance(entry, dict)
        and entry.get("file") == f"data/{table}.copy"
        and isinstance(entry.get("sha256"), str)
        and isinstance(entry.get("rows"), int)
        and isinstance(entry.get("columns"), list)
        for table, entry in tables.items()
    ):
        problems.append("tables")
    accounts = manifest.get("accounts")
    if not isinstance(accounts, list) or not all(_account_entry_ok(entry) for entry in accounts):
        problems.append("accounts")
    if problems:
        raise ValidationError(
            _("The archive's manifest is incomplete or malformed (%(problems)s); the archive is refused.")
            % {"problems": ", ".join(problems)}
        )


def _account_entry_ok(entry: object) -> bool:
    if not isinstance(entry, dict) or not isinstance(entry.get("email"), str):
        return False
    try:
        uuid.UUID(str(entry.get("id")))
        validate_email(entry["email"])
    except (ValueError, ValidationError):
        return False
    return isinstance(entry.get("display_name", ""), str)


def check_migrations(manifest: dict) -> None:
    archived = {(str(app), str(name)) for app, name in manifest["migration_leaves"]}
    here = expected_migration_leaves()
    if archived == here:
        return
    only_archive = ", ".join(f"{app}.{name}" for app, name in sorted(archived - here)[:5])
    only_here = ", ".join(f"{app}.{name}" for app, name in sorted(here - archived)[:5])
    raise ValidationError(
        _("The archive was made with a different database version (other migrations) than this GovSquare")
        + (_("; only in the archive: %(migrations)s") % {"migrations": only_archive} if only_archive else "")
        + (_("; only here: %(migrations)s") % {"migrations": only_here} if only_here else "")
        + _(". Import it into a GovSquare of the same version.")
    )
