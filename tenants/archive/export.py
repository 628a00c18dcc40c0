"""Export of an organisation: ``organisation_export_request`` / ``_run`` (the job) and ``organisation_export``.

Every table is read from one snapshot and the archive is written under a temporary name before it gets
its final one (see ``tenants.archive``).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from psycopg import sql

from shared_apps.accounts.models import Account
from tenants.archive.format import (
    ARCHIVE_FORMAT,
    EXPORT_STEPS,
    FORMAT_VERSION,
    MANIFEST_NAME,
    TABLE_NAME_RE,
    ArchiveFailed,
    Reporter,
    local_user_table,
    raw_connection,
    schema_tables,
)
from tenants.audit import Actor, audited
from tenants.jobs import (
    ProgressCallback,
    job_claimed,
    job_create,
    job_enqueue,
    job_fail,
    job_mark,
    job_progress_reporter,
)
from tenants.models import Domain, EmailDomain, Job, Organisation
from tenants.schema_template import schema_exists
from tenants.schemas import in_public_schema
from tenants.selectors import expected_migration_leaves, schemas_behind_migrations

# --- The export --------------------------------------------------------------------------------------------


def organisation_export_request(*, organisation: Organisation, actor: Actor) -> Job:
    """Queue an export of ``organisation`` (the task is sent once the current transaction commits)."""
    with audited(actor=actor, action="organisation.export.request", organisation_slug=organisation.slug):
        _require_exportable(organisation)
        with transaction.atomic():
            job = job_create(kind=Job.Kind.EXPORT, organisation=organisation, requested_by=actor.label)
            job_enqueue(job=job)
    return job


def organisation_export_run(*, job: Job, progress: ProgressCallback | None = None) -> Path:
    """Do a queued export job; marks it ready (with the archive's path) or failed (with the reason).

    Safe to run twice (a redelivered task): a finished job returns its archive (or its failure) and writes
    no second one; one running in another worker raises ``tenants.jobs.JobBusy``.
    """
    with job_claimed(job=job) as mine:
        if mine:
            return _export_run(job=job, progress=progress)
    if job.state == Job.State.READY and job.result.get("archive"):
        return Path(job.result["archive"])
    raise ArchiveFailed(job.error)


def _export_run(*, job: Job, progress: ProgressCallback | None) -> Path:
    organisation = job.organisation
    if organisation is None:
        job_mark(job=job, state=Job.State.FAILED, step="failed", error=_("The organisation no longer exists."))
        raise ArchiveFailed(job.error)
    job_mark(job=job, state=Job.State.RUNNING, step="reading_database")
    try:
        path = organisation_export(
            organisation=organisation,
            actor=Actor(job.requested_by),
            progress=job_progress_reporter(job=job, progress=progress),
        )
    except Exception as exc:
        reason = job_fail(job=job, error=exc)
        if progress is not None:
            progress("failed", 100)
        raise ArchiveFailed(reason) from exc
    job_mark(job=job, state=Job.State.READY, step="ready", result={"archive": str(path), "bytes": path.stat().st_size})
    return path


def organisation_export(
    *,
    organisation: Organisation,
    actor: Actor,
    progress: ProgressCallback | None = None,
    directory: Path | str | None = None,
) -> Path:
    """Write ``<slug>-<UTC timestamp>.tar.gz`` into ``directory`` (default ``EXPORT_ROOT``); return its path.

    Sets ``organisation.last_exported_at`` when the archive is complete.
    """
    report = Reporter(progress)
    with (
        audited(actor=actor, action="organisation.export", organisation_slug=organisation.slug) as detail,
        in_public_schema(),
    ):
        _require_exportable(organisation)
        target = Path(directory if directory is not None else settings.EXPORT_ROOT)
        try:
            target.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ValidationError(
                _("The export folder %(folder)s cannot be created: %(reason)s.")
                % {"folder": target, "reason": exc.strerror}
            ) from exc
        if not target.is_dir() or not os.access(target, os.W_OK):
            raise ValidationError(_("The export folder %(folder)s is not a writable folder.") % {"folder": target})
        created_at = timezone.now()
        work = Path(tempfile.mkdtemp(prefix=f".{organisation.slug}-", suffix=".export", dir=target))
        try:
            report("reading_database", EXPORT_STEPS["reading_database"])
            with _read_snapshot():
                manifest = _dump_database(organisation=organisation, work=work, created_at=created_at, report=report)
            media = _media_files(schema_name=organisation.schema_name)
            manifest["media"] = {"files": len(media), "bytes": sum(size for _, _, size in media)}
            report("writing_archive", EXPORT_STEPS["writing_archive"])
            path = _write_archive(
                manifest=manifest, work=work, media=media, directory=target, created_at=created_at, report=report
            )
        finally:
            shutil.rmtree(work, ignore_errors=True)
        try:
            with transaction.atomic():
                organisation.last_exported_at = created_at
                organisation.save(update_fields=["last_exported_at", "updated_at"])
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        detail.update(
            archive=str(path),
            bytes=path.stat().st_size,
            tables=len(manifest["tables"]),
            rows=sum(entry["rows"] for entry in manifest["tables"].values()),
            media_files=manifest["media"]["files"],
            accounts=len(manifest["accounts"]),
        )
    report("ready", 100)
    return path


def _require_exportable(organisation: Organisation) -> None:
    if organisation.status == Organisation.Status.PROVISIONING:
        raise ValidationError(
            _("%(organisation)s is still being set up; there is nothing to export yet.")
            % {"organisation": organisation.name}
        )
    if not schema_exists(organisation.schema_name):
        raise ValidationError(
            _("The schema %(schema)s of %(organisation)s does not exist.")
            % {"schema": organisation.schema_name, "organisation": organisation.name}
        )
    if schemas_behind_migrations(schema_names=[organisation.schema_name]):
        raise ValidationError(
            _("The schema of %(organisation)s is behind this code's migrations; migrate it before exporting.")
            % {"organisation": organisation.name}
        )


@contextmanager
def _read_snapshot() -> Iterator[None]:
    """One consistent view of every table: REPEATABLE READ, READ ONLY (or the caller's open transaction)."""
    if connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        connection.ensure_connection()
        # The first statement of the transaction (django-tenants' cursor would set search_path first).
        with connection.connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


#: Tables whose rows never leave the platform in an archive (their structure does).
NOT_EXPORTED = frozenset({"django_session"})


def _dump_database(*, organisation: Organisation, work: Path, created_at: datetime, report: Reporter) -> dict:
    """Write every table's data file into ``work/data`` and return the manifest (without media)."""
    schema = organisation.schema_name
    current = Organisation.objects.get(pk=organisation.pk)  # the registry as of the snapshot
    tables = schema_tables(schema)
    bad = [name for name in tables if not TABLE_NAME_RE.match(name)]
    if bad:
        raise ValidationError(
            _("These tables have names an archive cannot hold: %(tables)s.") % {"tables": ", ".join(bad)}
        )
    (work / "data").mkdir()
    entries: dict[str, dict[str, Any]] = {}
    with raw_connection().cursor() as cursor:
        for index, table in enumerate(tables.values()):
            column_list = sql.SQL(", ").join(sql.Identifier(name) for name, _ in table.columns)
            source = sql.Identifier(schema, table.name)
            if table.name in NOT_EXPORTED:
                # Kept in the archive's structure but never its rows: a session would sign the holder in.
                query = sql.SQL("COPY (SELECT {} FROM {} WHERE false) TO STDOUT (FORMAT binary)").format(
                    column_list, source
                )
            elif table.partitioned:
                query = sql.SQL("COPY (SELECT {} FROM {}) TO STDOUT (FORMAT binary)").format(column_list, source)
            else:
                query = sql.SQL("COPY {} ({}) TO STDOUT (FORMAT binary)").format(source, column_list)
            member = f"data/{table.name}.copy"
            digest, size = hashlib.sha256(), 0
            with (work / member).open("wb") as out, cursor.copy(query) as copy:
                for chunk in copy:
                    digest.update(chunk)
                    out.write(chunk)
                    size += len(chunk)
            entries[table.name] = {
                "file": member,
                "rows": cursor.rowcount,
                "sha256": digest.hexdigest(),
                "bytes": size,
                "columns": [list(column) for column in table.columns],
            }
            report.between("reading_database", 5, 60, index + 1, len(tables))
    return {
        "format": ARCHIVE_FORMAT,
        "format_version": FORMAT_VERSION,
        "govsquare_version": _govsquare_version(),
        "created_at": created_at.isoformat(),
        "postgresql_version": connection.pg_version,
        "platform_domain": settings.PLATFORM_DOMAIN,
        "schema_name": schema,
        "migration_leaves": sorted([app, name] for app, name in expected_migration_leaves()),
        "organisation": {
            "name": current.name,
            "slug": current.slug,
            "blueprint": current.blueprint,
            "blueprint_version": current.blueprint_version,
            "default_visibility": current.default_visibility,
            "enabled_apps": list(current.enabled_apps),
            "brand_colour": current.brand_colour,
        },
        "domains": [
            {"domain": domain.domain, "is_primary": domain.is_primary}
            for domain in Domain.objects.filter(tenant=current).order_by("-is_primary", "domain")
        ],
        "email_domains": list(
            EmailDomain.objects.filter(organisation=current).order_by("domain").values_list("domain", flat=True)
        ),
        "accounts": _accounts_of_schema(schema),
        "tables": entries,
    }


def _govsquare_version() -> str:
    try:
        return metadata.version("govsquare")
    except metadata.PackageNotFoundError:
        return "unknown"


def _accounts_of_schema(schema: str) -> list[dict[str, str]]:
    """The platform accounts of the schema's local users: id, e-mail, display name (no password hash)."""
    table, column = local_user_table()
    with connection.cursor() as cursor:
        cursor.execute(
            sql.SQL("SELECT DISTINCT {column} FROM {table} WHERE {column} IS NOT NULL")
            .format(column=sql.Identifier(column), table=sql.Identifier(schema, table))
            .as_string(cursor.connection)
        )
        ids = [row[0] for row in cursor.fetchall()]
    accounts = Account.objects.filter(pk__in=ids).order_by("email")
    return [{"id": str(a.pk), "email": a.email, "display_name": a.display_name} for a in accounts]


def _media_files(*, schema_name: str) -> list[tuple[str, Path, int]]:
    """``(relative path, path, size)`` of every regular file under ``MEDIA_ROOT/<schema>/`` (links are skipped)."""
    root = Path(settings.MEDIA_ROOT) / schema_name
    found: list[tuple[str, Path, int]] = []
    if not root.is_dir():
        return found
    for directory, subdirectories, files in os.walk(root):  # never follows links to folders
        subdirectories.sort()
        for name in sorted(files):
            path = Path(directory) / name
            info = path.lstat()
            if stat.S_ISREG(info.st_mode):
                found.append((path.relative_to(root).as_posix(), path, info.st_size))
    return found


def _write_archive(
    *,
    manifest: dict,
    work: Path,
    media: list[tuple[str, Path, int]],
    directory: Path,
    created_at: datetime,
    report: Reporter,
) -> Path:
    slug = manifest["organisation"]["slug"]
    total = sum(entry["bytes"] for entry in manifest["tables"].values()) + manifest["media"]["bytes"]
    written = 0
    mtime = int(created_at.timestamp())
    descriptor, temporary = tempfile.mkstemp(prefix=f".{slug}-", suffix=".tar.gz.partial", dir=directory)
    partial = Path(temporary)
    try:
        with os.fdopen(descriptor, "wb") as out:
            with tarfile.open(fileobj=out, mode="w:gz", compresslevel=6, format=tarfile.PAX_FORMAT) as tar:
                body = json.dumps(manifest, indent=2, sort_keys=True).encode()
                _add_member(tar, name=MANIFEST_NAME, source=_BytesReader(body), size=len(body), mtime=mtime)
                for entry in manifest["tables"].values():
                    with (work / entry["file"]).open("rb") as source:
                        _add_member(tar, name=entry["file"], source=source, size=entry["bytes"], mtime=mtime)
                    written += entry["bytes"]
                    report.between("writing_archive", 60, 99, written, total)
                for relative, path, size in media:
                    with path.open("rb") as source:
                        _add_member(
                            tar, name=f"media/{relative}", source=source, size=size, mtime=int(path.stat().st_mtime)
                        )
                    written += size
                    report.between("writing_archive", 60, 99, written, total)
            out.flush()
            os.fsync(out.fileno())
        final = _free_archive_name(directory=directory, slug=slug, created_at=created_at)
        os.replace(partial, final)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return final


class _BytesReader:
    def __init__(self, data: bytes) -> None:
        self._data, self._offset = data, 0

    def read(self, size: int = -1) -> bytes:
        end = len(self._data) if size < 0 else self._offset + size
        chunk = self._data[self._offset : end]
        self._offset += len(chunk)
        return chunk


def _add_member(tar: tarfile.TarFile, *, name: str, source: Any, size: int, mtime: int) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = size, mtime, 0o644
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    tar.addfile(info, source)


def _free_archive_name(*, directory: Path, slug: str, created_at: datetime) -> Path:
    stamp = created_at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    candidate = directory / f"{slug}-{stamp}.tar.gz"
    counter = 2
    while candidate.exists():
        candidate = directory / f"{slug}-{stamp}-{counter}.tar.gz"
        counter += 1
    return candidate
