"""Import of an organisation: ``organisation_import_request`` / ``_run`` (the job) and ``organisation_import``.

The archive is read and checked whole (``tenants.archive.reading``), then ONE transaction writes the
registry rows, the schema, the data, the accounts and the media; a failure anywhere leaves nothing.
The steps of that transaction are module-level functions so that tests can inject a failure at each.
"""

from __future__ import annotations

import os
import re
import shutil
import tarfile
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

import psycopg
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models.functions import Lower
from django.utils.translation import gettext as _
from psycopg import sql
from wagtail.models import Site

from shared_apps.accounts.models import Account, LocalUserLink
from shared_apps.accounts.services.addresses import normalise_email
from shared_apps.identity_provider.services import oidc_client_sync
from sites.blueprints import VISIBILITY_CHOICES
from sites.seeding import site_rename, site_set_hostname
from tenants.archive.format import (
    CHUNK,
    IMPORT_STEPS,
    ArchiveFailed,
    Reporter,
    check_manifest,
    check_migrations,
    local_user_table,
    raw_connection,
    schema_tables,
)
from tenants.archive.reading import (
    Staged,
    check_structure,
    checked_member_name,
    manifest_only,
    peek_slug,
    reading_archive,
    stage_archive,
)
from tenants.audit import Actor, audited
from tenants.jobs import ProgressCallback, job_claimed, job_enqueue, job_fail, job_mark, job_progress_reporter
from tenants.models import Job, Organisation
from tenants.naming import schema_name_for_slug
from tenants.provisioning import ProvisioningSpec, provisioning_spec_build, registry_rows_create
from tenants.schema_template import clone_template, ensure_template_schema, schema_exists
from tenants.schemas import in_public_schema, in_schema

# --- The import --------------------------------------------------------------------------------------------


def organisation_import_request(
    *, archive_path: Path | str, actor: Actor, slug: str | None = None, name: str | None = None
) -> Job:
    """Check the archive's manifest and the target slug and domains, then queue the import job.

    The job's organisation stays empty until the import has made it; ``organisation_slug`` is the target.
    """
    path = Path(archive_path).resolve()
    with audited(
        actor=actor, action="organisation.import.request", organisation_slug=slug or peek_slug(path), archive=str(path)
    ):
        manifest = manifest_only(path)
        check_manifest(manifest)
        check_migrations(manifest)
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
    """Do a queued import job; marks it ready or failed with the reason (then raises ``ArchiveFailed``).

    Safe to run twice (a redelivered task): a finished job returns its organisation (or its failure)
    untouched; one running in another worker raises ``tenants.jobs.JobBusy``.
    """
    with job_claimed(job=job) as mine:
        if mine:
            return _import_run(job=job, progress=progress)
    if job.state == Job.State.READY and job.organisation is not None:
        return job.organisation
    raise ArchiveFailed(job.error)


def _import_run(*, job: Job, progress: ProgressCallback | None) -> Organisation:
    job_mark(job=job, state=Job.State.RUNNING, step="validating")
    payload = job.payload
    try:
        organisation = organisation_import(
            archive_path=payload["archive_path"],
            actor=Actor(job.requested_by),
            slug=payload.get("slug"),
            name=payload.get("name"),
            progress=job_progress_reporter(job=job, progress=progress),
        )
    except Exception as exc:
        reason = job_fail(job=job, error=exc)
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
    report = Reporter(progress)
    path = Path(archive_path)
    with (
        audited(
            actor=actor, action="organisation.import", organisation_slug=slug or peek_slug(path), archive=str(path)
        ) as detail,
        in_public_schema(),
    ):
        work = Path(tempfile.mkdtemp(prefix="govsquare-import-"))
        try:
            report("validating", IMPORT_STEPS["validating"])
            staged = stage_archive(path=path, work=work, report=report)
            template = ensure_template_schema()  # builds (and commits) outside the import transaction
            check_structure(manifest=staged.manifest, template=template)
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
class _ImportPlan:
    spec: ProvisioningSpec  # name, slug, domains (primary first), e-mail domains, blueprint, apps
    schema_name: str
    source: dict
    default_visibility: str
    brand_colour: str
    blueprint_version: int


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
    *, plan: _ImportPlan, staged: Staged, archive: Path, template: str, report: Reporter
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
        _remove_media(media, existed=media_existed)
        raise
    return organisation, {"tables": len(staged.manifest["tables"]), "rows": rows, **counts}


# --- The steps of an import (module-level so that tests can inject a failure at each) ------------------


def create_registry_rows(*, plan: _ImportPlan) -> Organisation:
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


def load_tables(*, schema: str, staged: Staged, report: Reporter) -> int:
    """Empty every table of the new schema, then ``COPY FROM`` each data file. Returns the rows loaded."""
    tables = schema_tables(schema)
    entries = staged.manifest["tables"]
    loaded = 0
    with raw_connection().cursor() as cursor:
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
                        while chunk := source.read(CHUNK):
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
    with raw_connection().cursor() as cursor:
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
    table, column = local_user_table()
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
    with in_schema(organisation.schema_name):
        site_set_hostname(hostname=plan.spec.domains[0])
        if plan.spec.name != plan.source["name"]:
            site_rename(name=plan.spec.name)
        Site.clear_site_root_paths_cache()


def extract_media(*, archive: Path, target: Path, expected: dict[str, int], report: Reporter) -> int:
    """Write the archive's ``media/`` files under ``target``: plain files only, never outside it."""
    if not expected:
        return 0
    target.mkdir(parents=True, exist_ok=True)
    root = target.resolve()
    total = archive.stat().st_size
    written = 0
    with reading_archive(archive) as (raw, tar):
        for member in tar:
            name = checked_member_name(member)
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
            shutil.copyfileobj(source, out, CHUNK)


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
