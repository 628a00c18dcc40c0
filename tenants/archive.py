"""Export and import of an organisation as ONE ``.tar.gz`` archive: its schema, its media, its registry entry.

Layout of an archive (format version 1)::

    manifest.json        what it holds: format and GovSquare versions, when, the migration leaves of the
                         code that wrote it, the organisation's registry fields, domains (which is primary)
                         and e-mail domains, the platform accounts of its local users (id, e-mail, name;
                         never a password hash), and per table its columns, row count and the sha256 of
                         its data file
    data/<table>.copy    ``COPY <table> TO STDOUT (FORMAT binary)`` of every table of the organisation schema
    media/<path>         the files under ``MEDIA_ROOT/<schema>/`` (django-tenants' TenantFileSystemStorage)

Export reads every table from one snapshot (REPEATABLE READ, read only, unless the caller already holds a
transaction) and writes the archive under a temporary name in ``EXPORT_ROOT`` before renaming it, so a
half-written archive never carries the final name. Archives hold personal data: they are written 0600.

Import checks everything before it writes anything: the archive is readable, has a manifest of a
supported format version, every data file matches its checksum, the migration leaves equal this code's,
the slug (``provisioning_spec_build``'s rules) and domains are free. Then ONE transaction: registry
rows, a schema cloned from the template, every table truncated and loaded with ``COPY FROM``, identity
columns restarted after their highest id, deferred constraints checked, every account of the manifest
made sure of and ``LocalUserLink`` rows recreated; media is extracted last, and removed again if
anything fails. Nothing is left behind by a failed import.

The job variants (``*_request`` / ``*_run``) do the same in a Celery task (``tenants.export``,
``tenants.import``); an import job's archive must be readable by the worker at the same path.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import posixpath
import re
import shutil
import stat
import tarfile
import tempfile
import uuid
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any, BinaryIO

import psycopg
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context
from psycopg import sql

from shared_apps.accounts.models import Account, LocalUserLink
from shared_apps.accounts.services import normalise_email
from sites.blueprints import VISIBILITY_CHOICES
from sites.seeding import site_rename, site_set_hostname
from tenants.audit import Actor, audited
from tenants.jobs import ProgressCallback, job_create, job_enqueue, job_mark, job_publish_step
from tenants.models import Domain, EmailDomain, Job, Organisation
from tenants.naming import schema_name_for_slug
from tenants.provisioning import ProvisioningSpec, provisioning_spec_build, registry_rows_create
from tenants.schema_template import clone_template, ensure_template_schema, schema_exists
from tenants.selectors import expected_migration_leaves, schemas_behind_migrations

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

_MANIFEST_MAX_BYTES = 64 * 1024 * 1024
_TABLE_NAME_RE = re.compile(r"^[A-Za-z0-9_]{1,63}$")
_DATA_MEMBER_RE = re.compile(r"^data/([A-Za-z0-9_]{1,63})\.copy$")
_CHUNK = 1024 * 1024


class ArchiveFailed(RuntimeError):
    """An export or import job did not complete; nothing was left behind. ``str()`` is the reason."""


def describe_error(error: BaseException) -> str:
    """One line saying why an operation failed (field errors as ``field: message``)."""
    if isinstance(error, ValidationError):
        if hasattr(error, "error_dict"):
            text = "; ".join(f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items())
        else:
            text = " ".join(error.messages)
    else:
        text = f"{type(error).__name__}: {error}"
    return " ".join(text.split())[:2000]


# --- Progress ------------------------------------------------------------------------------------------


class _Reporter:
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
        self(step, start + (end - start) * (done / total if total else 1))


def _job_progress(job: Job, progress: ProgressCallback | None) -> ProgressCallback:
    def publish(step: str, percent: int) -> None:
        job_publish_step(job=job, step=step, percent=percent)
        if progress is not None:
            progress(step, percent)

    return publish


# --- Export --------------------------------------------------------------------------------------------


def organisation_export_request(*, organisation: Organisation, actor: Actor) -> Job:
    """Queue an export of ``organisation`` (the task is sent once the current transaction commits)."""
    with audited(actor=actor, action="organisation.export.request", organisation_slug=organisation.slug):
        _require_exportable(organisation)
        with transaction.atomic():
            job = job_create(kind=Job.Kind.EXPORT, organisation=organisation, requested_by=actor.label)
            job_enqueue(job=job)
    return job


def organisation_export_run(*, job: Job, progress: ProgressCallback | None = None) -> Path:
    """Do a queued export job; marks it ready (with the archive's path) or failed (with the reason)."""
    organisation = job.organisation
    if organisation is None:
        job_mark(job=job, state=Job.State.FAILED, step="failed", error=_("The organisation no longer exists."))
        raise ArchiveFailed(job.error)
    job_mark(job=job, state=Job.State.RUNNING, step="reading_database")
    try:
        path = organisation_export(
            organisation=organisation, actor=Actor(job.requested_by), progress=_job_progress(job, progress)
        )
    except Exception as exc:
        connection.set_schema_to_public()
        reason = describe_error(exc)
        job_mark(job=job, state=Job.State.FAILED, step="failed", error=reason)
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
    report = _Reporter(progress)
    with audited(actor=actor, action="organisation.export", organisation_slug=organisation.slug) as detail:
        connection.set_schema_to_public()
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


@dataclass(frozen=True)
class _Table:
    name: str
    partitioned: bool
    columns: tuple[tuple[str, str], ...]  # (name, type) in column order; generated columns left out


def _schema_tables(schema: str) -> dict[str, _Table]:
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
    return {name: _Table(name, partitioned[name], tuple(cols)) for name, cols in columns.items()}


def _raw_connection() -> psycopg.Connection:
    connection.ensure_connection()
    return connection.connection


def _dump_database(*, organisation: Organisation, work: Path, created_at: datetime, report: _Reporter) -> dict:
    """Write every table's data file into ``work/data`` and return the manifest (without media)."""
    schema = organisation.schema_name
    current = Organisation.objects.get(pk=organisation.pk)  # the registry as of the snapshot
    tables = _schema_tables(schema)
    bad = [name for name in tables if not _TABLE_NAME_RE.match(name)]
    if bad:
        raise ValidationError(
            _("These tables have names an archive cannot hold: %(tables)s.") % {"tables": ", ".join(bad)}
        )
    (work / "data").mkdir()
    entries: dict[str, dict[str, Any]] = {}
    with _raw_connection().cursor() as cursor:
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


def _local_user_table() -> tuple[str, str]:
    user_model = get_user_model()
    return user_model._meta.db_table, user_model._meta.get_field("account").column


def _accounts_of_schema(schema: str) -> list[dict[str, str]]:
    """The platform accounts of the schema's local users: id, e-mail, display name (no password hash)."""
    table, column = _local_user_table()
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
    report: _Reporter,
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


# --- Import --------------------------------------------------------------------------------------------


def organisation_import_request(
    *, archive_path: Path | str, actor: Actor, slug: str | None = None, name: str | None = None
) -> Job:
    """Check the archive's manifest and the target slug and domains, then queue the import job.

    The job's organisation stays empty until the import has made it; ``organisation_slug`` is the target.
    """
    path = Path(archive_path).resolve()
    with audited(
        actor=actor, action="organisation.import.request", organisation_slug=slug or _peek_slug(path), archive=str(path)
    ):
        manifest = _manifest_only(path)
        _check_manifest(manifest)
        _check_migrations(manifest)
        plan = _plan_import(manifest=manifest, slug=slug, name=name)
        with transaction.atomic():
            job = Job.objects.create(
                kind=Job.Kind.IMPORT,
                organisation=None,
                organisation_slug=plan.spec.slug,
                requested_by=actor.label,
                payload={"archive_path": str(path), "slug": slug, "name": name},
            )
            job_enqueue(job=job)
    return job


def organisation_import_run(*, job: Job, progress: ProgressCallback | None = None) -> Organisation:
    """Do a queued import job; marks it ready or failed with the reason (then raises ``ArchiveFailed``)."""
    job_mark(job=job, state=Job.State.RUNNING, step="validating")
    payload = job.payload
    try:
        organisation = organisation_import(
            archive_path=payload["archive_path"],
            actor=Actor(job.requested_by),
            slug=payload.get("slug"),
            name=payload.get("name"),
            progress=_job_progress(job, progress),
        )
    except Exception as exc:
        connection.set_schema_to_public()
        reason = describe_error(exc)
        job_mark(job=job, state=Job.State.FAILED, step="failed", error=reason)
        if progress is not None:
            progress("failed", 100)
        raise ArchiveFailed(reason) from exc
    with transaction.atomic():
        job.organisation = organisation
        job.organisation_slug = organisation.slug
        job.save(update_fields=["organisation", "organisation_slug"])
    job_mark(job=job, state=Job.State.READY, step="ready", result={"slug": organisation.slug})
    return organisation


def organisation_import(
    *,
    archive_path: Path | str,
    actor: Actor,
    slug: str | None = None,
    name: str | None = None,
    progress: ProgressCallback | None = None,
) -> Organisation:
    """Create an organisation from an archive, under its own slug or ``slug``; all or nothing.

    ``ValidationError`` (nothing written) for an unreadable, damaged or foreign archive, an archive of
    another database version, a slug or domain in use.
    """
    report = _Reporter(progress)
    path = Path(archive_path)
    with audited(
        actor=actor, action="organisation.import", organisation_slug=slug or _peek_slug(path), archive=str(path)
    ) as detail:
        connection.set_schema_to_public()
        work = Path(tempfile.mkdtemp(prefix="govsquare-import-"))
        try:
            report("validating", IMPORT_STEPS["validating"])
            staged = _stage_archive(path=path, work=work, report=report)
            template = ensure_template_schema()  # builds (and commits) outside the import transaction
            _check_structure(manifest=staged.manifest, template=template)
            plan = _plan_import(manifest=staged.manifest, slug=slug, name=name)
            organisation, counts = _import_in_one_transaction(
                plan=plan, staged=staged, archive=path, template=template, report=report
            )
        finally:
            shutil.rmtree(work, ignore_errors=True)
        detail.update(slug=organisation.slug, schema=organisation.schema_name, **counts)
    report("ready", 100)
    return organisation


@dataclass(frozen=True)
class _Staged:
    manifest: dict
    work: Path  # the verified data files, ``<table>.copy``
    media: dict[str, int]  # relative path under media/ -> size


@dataclass(frozen=True)
class _ImportPlan:
    spec: ProvisioningSpec  # name, slug, domains (primary first), e-mail domains, blueprint, apps
    schema_name: str
    source: dict
    default_visibility: str
    brand_colour: str
    blueprint_version: int


def _peek_slug(path: Path) -> str:
    """The archive's slug for the audit trail, or ``""`` when the manifest cannot be read."""
    try:
        slug = _manifest_only(path)["organisation"]["slug"]
    except Exception:  # noqa: BLE001 - the import itself reports why the archive is unusable
        return ""
    return slug if isinstance(slug, str) else ""


def _open_archive(path: Path) -> tuple[BinaryIO, tarfile.TarFile]:
    if not path.is_file():
        raise ValidationError(_("The archive %(path)s does not exist or is not a file.") % {"path": path})
    raw = path.open("rb")
    try:
        return raw, tarfile.open(fileobj=raw, mode="r:gz")
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        raw.close()
        raise ValidationError(
            _("%(archive)s is not a readable .tar.gz archive (%(reason)s).") % {"archive": path.name, "reason": exc}
        ) from exc


@contextmanager
def _reading(path: Path) -> Iterator[tuple[BinaryIO, tarfile.TarFile]]:
    raw, tar = _open_archive(path)
    try:
        with raw, tar:
            yield raw, tar
    except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise ValidationError(
            _("%(archive)s is not a readable .tar.gz archive (damaged or cut short: %(reason)s).")
            % {"archive": path.name, "reason": exc}
        ) from exc


def _checked_member_name(member: tarfile.TarInfo) -> str:
    """The member's name if it is a plain relative path of a file or folder; ``ValidationError`` otherwise."""
    name = member.name
    quoted = {"member": repr(name)}
    if not name or "\x00" in name or "\\" in name:
        raise ValidationError(_("The archive member %(member)s has an unusable name; the archive is refused.") % quoted)
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        raise ValidationError(_("The archive member %(member)s has an absolute path; the archive is refused.") % quoted)
    if ".." in name.split("/"):
        raise ValidationError(
            _("The archive member %(member)s climbs out of its folder ('..'); the archive is refused.") % quoted
        )
    if posixpath.normpath(name) != name:
        raise ValidationError(
            _("The archive member %(member)s is not a plain relative path; the archive is refused.") % quoted
        )
    if member.issym() or member.islnk():
        raise ValidationError(_("The archive member %(member)s is a link; links are refused.") % quoted)
    if not (member.isreg() or member.isdir()):
        raise ValidationError(
            _("The archive member %(member)s is not a regular file or folder; the archive is refused.") % quoted
        )
    return name


def _manifest_only(path: Path) -> dict:
    """Read just the manifest (the first member of archives made here)."""
    with _reading(path) as (_raw, tar):
        for member in tar:
            if _checked_member_name(member) == MANIFEST_NAME and member.isreg():
                return _parse_manifest(tar, member, path)
    raise ValidationError(
        _("%(archive)s has no %(manifest)s: it is not a GovSquare organisation archive.")
        % {"archive": path.name, "manifest": MANIFEST_NAME}
    )


def _parse_manifest(tar: tarfile.TarFile, member: tarfile.TarInfo, path: Path) -> dict:
    if member.size > _MANIFEST_MAX_BYTES:
        raise ValidationError(
            _("The %(manifest)s of %(archive)s is implausibly large; the archive is refused.")
            % {"manifest": MANIFEST_NAME, "archive": path.name}
        )
    handle = tar.extractfile(member)
    try:
        manifest = json.loads(handle.read() if handle else b"")
    except ValueError as exc:
        raise ValidationError(
            _("The %(manifest)s of %(archive)s is not valid JSON.") % {"manifest": MANIFEST_NAME, "archive": path.name}
        ) from exc
    if not isinstance(manifest, dict) or manifest.get("format") != ARCHIVE_FORMAT:
        raise ValidationError(
            _("%(archive)s is not a GovSquare organisation archive (its manifest says otherwise).")
            % {"archive": path.name}
        )
    return manifest


def _stage_archive(*, path: Path, work: Path, report: _Reporter) -> _Staged:
    """Read the archive once: check every member, copy the data files into ``work`` and verify them."""
    total = path.stat().st_size if path.is_file() else 0
    manifest: dict | None = None
    digests: dict[str, str] = {}
    media: dict[str, int] = {}
    seen: set[str] = set()
    with _reading(path) as (raw, tar):
        for member in tar:
            name = _checked_member_name(member)
            if name in seen:
                raise ValidationError(
                    _("The archive holds %(member)s twice; the archive is refused.") % {"member": repr(name)}
                )
            seen.add(name)
            if member.isdir():
                if name in ("data", "media") or name.startswith("media/"):
                    continue
                raise ValidationError(
                    _("The archive holds an unexpected folder %(member)s; the archive is refused.")
                    % {"member": repr(name)}
                )
            if name == MANIFEST_NAME:
                manifest = _parse_manifest(tar, member, path)
            elif match := _DATA_MEMBER_RE.match(name):
                digests[name] = _copy_member(tar, member, work / f"{match.group(1)}.copy")
            elif name.startswith("media/"):
                media[name.removeprefix("media/")] = member.size
            else:
                raise ValidationError(
                    _("The archive holds an unexpected member %(member)s; the archive is refused.")
                    % {"member": repr(name)}
                )
            report.between("validating", 5, 35, raw.tell(), total)
    if manifest is None:
        raise ValidationError(
            _("%(archive)s has no %(manifest)s: it is not a GovSquare organisation archive.")
            % {"archive": path.name, "manifest": MANIFEST_NAME}
        )
    _check_manifest(manifest)
    listed = {entry["file"]: table for table, entry in manifest["tables"].items()}
    for member_name, table in sorted(listed.items()):
        if member_name not in digests:
            raise ValidationError(
                _("The archive lacks %(member)s, which its manifest lists.") % {"member": member_name}
            )
        if digests[member_name] != manifest["tables"][table]["sha256"]:
            raise ValidationError(
                _("The checksum of %(member)s does not match the manifest: the archive is damaged or was altered.")
                % {"member": member_name}
            )
    unlisted = sorted(set(digests) - set(listed))
    if unlisted:
        raise ValidationError(
            _("The archive holds data files its manifest does not list: %(files)s.") % {"files": ", ".join(unlisted)}
        )
    _check_migrations(manifest)
    return _Staged(manifest=manifest, work=work, media=media)


def _copy_member(tar: tarfile.TarFile, member: tarfile.TarInfo, destination: Path) -> str:
    digest = hashlib.sha256()
    source = tar.extractfile(member)
    with destination.open("wb") as out:
        while source is not None and (chunk := source.read(_CHUNK)):
            digest.update(chunk)
            out.write(chunk)
    return digest.hexdigest()


def _check_manifest(manifest: dict) -> None:
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
        and _TABLE_NAME_RE.match(table)
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


def _check_migrations(manifest: dict) -> None:
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


def _check_structure(*, manifest: dict, template: str) -> None:
    """Every table and column of the archive exists here, with the same types (the template is the truth)."""
    here = {name: [list(column) for column in table.columns] for name, table in _schema_tables(template).items()}
    archived = {name: entry["columns"] for name, entry in manifest["tables"].items()}
    if here != archived:
        different = sorted(set(here) ^ set(archived)) or sorted(n for n in here if here[n] != archived.get(n))
        raise ValidationError(
            _(
                "The archive was made with a different database version: its tables differ from this GovSquare's "
                "(%(tables)s)."
            )
            % {"tables": ", ".join(different[:5])}
        )


def _plan_import(*, manifest: dict, slug: str | None, name: str | None) -> _ImportPlan:
    """The organisation to make, checked with provisioning's rules: slug and domains valid and free."""
    source = manifest["organisation"]
    slug = source["slug"] if slug is None else slug
    old_platform_host = f"{source['slug']}.{manifest.get('platform_domain') or settings.PLATFORM_DOMAIN}"
    new_platform_host = f"{slug}.{settings.PLATFORM_DOMAIN}"
    ordered = sorted(manifest["domains"], key=lambda entry: not entry.get("is_primary"))
    hosts = [new_platform_host if d["domain"] == old_platform_host else d["domain"] for d in ordered]
    try:
        spec = provisioning_spec_build(
            name=source["name"] if name is None else name,
            slug=slug,
            domains=hosts,
            email_domains=[str(domain) for domain in manifest["email_domains"]],
            blueprint=source["blueprint"],
            apps=[str(app) for app in source["enabled_apps"]],
        )
    except ValidationError as exc:
        if hasattr(exc, "error_dict") and "domains" in exc.error_dict:
            messages = exc.message_dict
            in_use = {_("%(domain)s is already in use.") % {"domain": host} for host in hosts}
            messages["domains"] = [
                _(
                    "%(message)s The archive's domains must be free here: remove it from the organisation that has "
                    "it, or import elsewhere."
                )
                % {"message": message}
                if message in in_use
                else message
                for message in messages["domains"]
            ]
            raise ValidationError(messages) from exc
        raise
    errors: dict[str, list[str]] = {}
    if source["default_visibility"] not in dict(VISIBILITY_CHOICES):
        errors["default_visibility"] = [
            _("Unknown default visibility %(value)s.") % {"value": repr(source["default_visibility"])}
        ]
    brand_colour = str(source.get("brand_colour") or "#154273")
    if not re.fullmatch(r"#[0-9A-Fa-f]{6}", brand_colour):
        errors["brand_colour"] = [_("%(value)s is not a colour like #154273.") % {"value": repr(brand_colour)}]
    if errors:
        raise ValidationError(errors)
    schema_name = schema_name_for_slug(spec.slug)
    if schema_exists(schema_name):
        raise ValidationError(
            {"slug": [_("A schema named %(schema)s already exists; choose another slug.") % {"schema": schema_name}]}
        )
    media = Path(settings.MEDIA_ROOT) / schema_name
    if media.exists() and (not media.is_dir() or any(media.iterdir())):
        raise ValidationError(
            _(
                "%(folder)s already holds files (left from an earlier organisation with this slug?); "
                "move them away first."
            )
            % {"folder": media}
        )
    return _ImportPlan(
        spec=spec,
        schema_name=schema_name,
        source=source,
        default_visibility=source["default_visibility"],
        brand_colour=brand_colour,
        blueprint_version=source["blueprint_version"],
    )


def _import_in_one_transaction(
    *, plan: _ImportPlan, staged: _Staged, archive: Path, template: str, report: _Reporter
) -> tuple[Organisation, dict[str, int]]:
    media = Path(settings.MEDIA_ROOT) / plan.schema_name
    media_existed = media.exists()
    try:
        with transaction.atomic():
            report("creating_schema", IMPORT_STEPS["creating_schema"])
            organisation = create_registry_rows(plan=plan)
            create_schema(organisation=organisation, template=template)
            report("loading_data", IMPORT_STEPS["loading_data"])
            rows = load_tables(schema=organisation.schema_name, staged=staged, report=report)
            restart_identities(schema=organisation.schema_name)
            check_constraints(schema=organisation.schema_name)
            report("linking_accounts", IMPORT_STEPS["linking_accounts"])
            counts = link_accounts(schema=organisation.schema_name, accounts=staged.manifest["accounts"])
            adjust_site(organisation=organisation, plan=plan)
            report("extracting_media", IMPORT_STEPS["extracting_media"])
            counts["media_files"] = extract_media(archive=archive, target=media, expected=staged.media, report=report)
    except BaseException:
        connection.set_schema_to_public()
        _remove_media(media, existed=media_existed)
        raise
    return organisation, {"tables": len(staged.manifest["tables"]), "rows": rows, **counts}


# --- The steps of an import (module-level so that tests can inject a failure at each) ------------------


def create_registry_rows(*, plan: _ImportPlan) -> Organisation:
    from shared_apps.identity_provider.services import oidc_client_sync

    organisation = registry_rows_create(
        spec=plan.spec,
        status=Organisation.Status.ACTIVE,
        blueprint_version=plan.blueprint_version,
        default_visibility=plan.default_visibility,
        brand_colour=plan.brand_colour,
    )
    oidc_client_sync(organisation=organisation)  # its sign-on client, for the domains it is imported with
    return organisation


def create_schema(*, organisation: Organisation, template: str) -> None:
    clone_template(target=organisation.schema_name, template=template)


def load_tables(*, schema: str, staged: _Staged, report: _Reporter) -> int:
    """Empty every table of the new schema, then ``COPY FROM`` each data file. Returns the rows loaded."""
    tables = _schema_tables(schema)
    entries = staged.manifest["tables"]
    loaded = 0
    with _raw_connection().cursor() as cursor:
        # Foreign keys are checked once everything is in (``check_constraints``), whatever mode the
        # transaction set before (``SET CONSTRAINTS ALL IMMEDIATE`` reaches constraints made later, too).
        _set_constraints(cursor, schema, [name for name, _ in _deferrable_constraints(schema)], "DEFERRED")
        cursor.execute(sql.SQL("TRUNCATE {}").format(sql.SQL(", ").join(sql.Identifier(schema, t) for t in tables)))
        for index, (table, entry) in enumerate(sorted(entries.items())):
            if entry["rows"]:
                columns = sql.SQL(", ").join(sql.Identifier(column) for column, _ in entry["columns"])
                query = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT binary)").format(
                    sql.Identifier(schema, table), columns
                )
                try:
                    with (staged.work / f"{table}.copy").open("rb") as source, cursor.copy(query) as copy:
                        while chunk := source.read(_CHUNK):
                            copy.write(chunk)
                except psycopg.Error as exc:
                    raise ValidationError(
                        _("The data of %(table)s cannot be loaded: %(reason)s") % {"table": table, "reason": exc}
                    ) from exc
                if cursor.rowcount != entry["rows"]:
                    raise ValidationError(
                        _("%(table)s loaded %(loaded)s rows where the manifest says %(expected)s.")
                        % {"table": table, "loaded": cursor.rowcount, "expected": entry["rows"]}
                    )
                loaded += entry["rows"]
            report.between("loading_data", 45, 80, index + 1, len(entries))
    return loaded


def restart_identities(*, schema: str) -> None:
    """Every identity column continues after the highest id loaded (so the next insert cannot collide)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.relname, a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = %s AND a.attidentity <> '' AND NOT a.attisdropped AND c.relkind IN ('r', 'p')
            ORDER BY 1, 2
            """,
            [schema],
        )
        columns = cursor.fetchall()
        if not columns:
            return
        restarts = sql.SQL(", ").join(
            sql.SQL(
                "setval(pg_get_serial_sequence({table_name}, {column_name}), "
                "GREATEST(COALESCE((SELECT max({column}) FROM {table}), 0), 0) + 1, false)"
            ).format(
                table_name=sql.Literal(sql.Identifier(schema, table).as_string(cursor.connection)),
                column_name=sql.Literal(column),
                column=sql.Identifier(column),
                table=sql.Identifier(schema, table),
            )
            for table, column in columns
        )
        cursor.execute(sql.SQL("SELECT {}").format(restarts).as_string(cursor.connection))


def _deferrable_constraints(schema: str) -> list[tuple[str, bool]]:
    """``(name, initially deferred)`` of every deferrable constraint in ``schema``."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT con.conname, bool_or(con.condeferred) FROM pg_constraint con "
            "JOIN pg_namespace n ON n.oid = con.connamespace "
            "WHERE n.nspname = %s AND con.condeferrable GROUP BY con.conname ORDER BY 1",
            [schema],
        )
        return cursor.fetchall()


def _set_constraints(cursor: psycopg.Cursor, schema: str, names: list[str], mode: str) -> None:
    if names:
        listed = sql.SQL(", ").join(sql.Identifier(schema, name) for name in names)
        cursor.execute(sql.SQL("SET CONSTRAINTS {} {}").format(listed, sql.SQL(mode)))


def check_constraints(*, schema: str) -> None:
    """Check the deferred constraints (foreign keys) now, inside the import, then give them back their mode."""
    constraints = _deferrable_constraints(schema)
    with _raw_connection().cursor() as cursor:
        try:
            _set_constraints(cursor, schema, [name for name, _ in constraints], "IMMEDIATE")
        except psycopg.Error as exc:
            raise ValidationError(_("The archive's data does not hold together: %(reason)s") % {"reason": exc}) from exc
        _set_constraints(cursor, schema, [name for name, deferred in constraints if deferred], "DEFERRED")


def link_accounts(*, schema: str, accounts: list[dict]) -> dict[str, int]:
    """Make sure every account of the manifest exists here, and link the schema's local users to them.

    * an account with the same id exists: kept as it is;
    * one with the same e-mail but another id exists (an archive from another instance): the local
      users are pointed at it;
    * neither: created with the archive's id, e-mail and name and an unusable password (the person
      sets one through the usual reset).
    """
    table, column = _local_user_table()
    qualified, account_column = sql.Identifier(schema, table), sql.Identifier(column)
    wanted = {uuid.UUID(str(entry["id"])): entry for entry in accounts}
    present = set(Account.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    missing = {account_id: entry for account_id, entry in wanted.items() if account_id not in present}
    by_email = dict(
        Account.objects.annotate(email_lower=Lower("email"))
        .filter(email_lower__in=[normalise_email(entry["email"]).lower() for entry in missing.values()])
        .values_list("email_lower", "pk")
    )
    remap: dict[uuid.UUID, uuid.UUID] = {}
    new_accounts: list[Account] = []
    for account_id, entry in missing.items():
        email = normalise_email(entry["email"])
        if email.lower() in by_email:
            remap[account_id] = by_email[email.lower()]
            continue
        account = Account(id=account_id, email=email, display_name=(entry.get("display_name") or "").strip() or email)
        account.set_unusable_password()
        new_accounts.append(account)
    Account.objects.bulk_create(new_accounts)
    with connection.cursor() as cursor:
        if remap:
            cursor.execute(
                sql.SQL(
                    "UPDATE {table} SET {column} = m.new FROM unnest(%s::uuid[], %s::uuid[]) AS m(old, new) "
                    "WHERE {table}.{column} = m.old"
                )
                .format(table=qualified, column=account_column)
                .as_string(cursor.connection),
                [list(remap), list(remap.values())],
            )
        cursor.execute(
            sql.SQL("SELECT id, {column} FROM {table} WHERE {column} IS NOT NULL")
            .format(table=qualified, column=account_column)
            .as_string(cursor.connection)
        )
        local_users = cursor.fetchall()
    known = set(Account.objects.filter(pk__in=[a for _, a in local_users]).values_list("pk", flat=True))
    LocalUserLink.objects.filter(schema_name=schema).delete()
    links = LocalUserLink.objects.bulk_create(
        LocalUserLink(account_id=account_id, schema_name=schema, local_user_id=user_id)
        for user_id, account_id in local_users
        if account_id in known
    )
    return {"accounts_created": len(new_accounts), "accounts_remapped": len(remap), "local_user_links": len(links)}


def adjust_site(*, organisation: Organisation, plan: _ImportPlan) -> None:
    """The Wagtail site follows the new primary domain and name; stale cached site paths are dropped."""
    from wagtail.models import Site

    with schema_context(organisation.schema_name):
        site_set_hostname(hostname=plan.spec.domains[0])
        if plan.spec.name != plan.source["name"]:
            site_rename(name=plan.spec.name)
        Site.clear_site_root_paths_cache()


def extract_media(*, archive: Path, target: Path, expected: dict[str, int], report: _Reporter) -> int:
    """Write the archive's ``media/`` files under ``target``: plain files only, never outside it."""
    if not expected:
        return 0
    target.mkdir(parents=True, exist_ok=True)
    root = target.resolve()
    total = archive.stat().st_size
    written = 0
    with _reading(archive) as (raw, tar):
        for member in tar:
            name = _checked_member_name(member)
            if not name.startswith("media/") or not member.isreg():
                continue
            relative = name.removeprefix("media/")
            if expected.get(relative) != member.size:
                raise ValidationError(
                    _("The archive changed while it was being imported (%(member)s).") % {"member": name}
                )
            _extract_one(tar=tar, member=member, root=root, relative=relative)
            written += 1
            report.between("extracting_media", 90, 99, raw.tell(), total)
    if written != len(expected):
        raise ValidationError(_("The archive changed while it was being imported (media files are missing)."))
    return written


def _extract_one(*, tar: tarfile.TarFile, member: tarfile.TarInfo, root: Path, relative: str) -> None:
    destination = root.joinpath(*relative.split("/"))
    destination.parent.mkdir(parents=True, exist_ok=True)
    parent = destination.parent.resolve()
    if os.path.commonpath([root, parent]) != str(root):
        raise ValidationError(
            _("The archive member media/%(file)s would land outside the media folder; refused.") % {"file": relative}
        )
    source = tar.extractfile(member)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    with os.fdopen(os.open(destination, flags, 0o644), "wb") as out:
        if source is not None:
            shutil.copyfileobj(source, out, _CHUNK)


def _remove_media(target: Path, *, existed: bool) -> None:
    """Undo ``extract_media``: the folder goes if the import made it, else only what was put in it."""
    if not existed:
        shutil.rmtree(target, ignore_errors=True)
        return
    if target.is_dir():
        for child in target.iterdir():
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child, ignore_errors=True)
            else:
                child.unlink(missing_ok=True)
