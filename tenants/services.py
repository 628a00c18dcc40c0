"""The lifecycle of an organisation after it exists: name, domains, suspension, deletion.

Provisioning (how an organisation is made) is ``tenants.provisioning``; export and import are
``tenants.archive.export`` and ``tenants.archive.importer``. Every function here is audited
(``tenants.audit``) and all or nothing.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from psycopg import sql

from shared_apps.accounts.models import LocalUserLink
from shared_apps.identity_provider.services import oidc_client_delete, oidc_client_sync
from shared_apps.search.services import organisation_reindex_later
from sites.blueprints import VISIBILITY_CHOICES
from sites.catalogue import validate_app_keys
from sites.seeding import site_rename, site_set_hostname
from tenants import organisation_hooks
from tenants.audit import Actor, audited
from tenants.errors import error_for_people
from tenants.jobs import ProgressCallback, job_claimed, job_create, job_enqueue, job_mark
from tenants.models import Domain, EmailDomain, Job, Organisation
from tenants.naming import normalise_domain, normalise_email_domain
from tenants.provisioning import organisation_create  # noqa: F401 - re-exported: the one way to make one
from tenants.schemas import in_schema

Status = Organisation.Status
logger = logging.getLogger(__name__)


def _require(organisation: Organisation, *allowed: str) -> None:
    if organisation.status not in allowed:
        labels = ", ".join(Status(s).label.lower() for s in allowed)
        raise ValidationError(
            _("%(organisation)s is %(status)s; this needs it to be %(allowed)s.")
            % {
                "organisation": organisation.name,
                "status": organisation.get_status_display().lower(),
                "allowed": labels,
            }
        )


def _require_grace_over(organisation: Organisation, *, ignore_grace: bool) -> None:
    if not ignore_grace and organisation.deletion_due_at and organisation.deletion_due_at > timezone.now():
        raise ValidationError(
            _("%(organisation)s can still be restored until %(due)s.")
            % {"organisation": organisation.name, "due": f"{organisation.deletion_due_at:%Y-%m-%d %H:%M}"}
        )


def organisation_rename(*, organisation: Organisation, name: str, actor: Actor) -> Organisation:
    name = (name or "").strip()
    with audited(actor=actor, action="organisation.rename", organisation_slug=organisation.slug, name=name):
        if not name or len(name) > 200:
            raise ValidationError({"name": [_("A name of 1 to 200 characters is required.")]})
        _require(organisation, Status.ACTIVE, Status.SUSPENDED)
        with transaction.atomic():
            organisation.name = name
            organisation.save(update_fields=["name", "updated_at"])
            with in_schema(organisation.schema_name):
                site_rename(name=name)
    return organisation


def organisation_set_auto_join(*, organisation: Organisation, enabled: bool, actor: Actor) -> Organisation:
    """Whether staff with a verified address at the organisation's e-mail domains join as members by themselves."""
    with audited(
        actor=actor, action="organisation.auto_join.set", organisation_slug=organisation.slug, enabled=enabled
    ):
        _require(organisation, Status.ACTIVE, Status.SUSPENDED)
        organisation.auto_join_staff = enabled
        organisation.save(update_fields=["auto_join_staff", "updated_at"])
    return organisation


def organisation_set_default_visibility(*, organisation: Organisation, level: str, actor: Actor) -> Organisation:
    """Who sees the organisation's content that has no level of its own: the organisation, all civil
    servants, or everyone (``tenant_apps.pages.visibility`` applies it on the next request)."""
    with audited(
        actor=actor, action="organisation.default_visibility.set", organisation_slug=organisation.slug, level=level
    ):
        allowed = [key for key, _label in VISIBILITY_CHOICES]
        if level not in allowed:
            raise ValidationError({"default_visibility": [f"Choose one of: {', '.join(allowed)}."]})
        _require(organisation, Status.ACTIVE, Status.SUSPENDED)
        organisation.default_visibility = level
        organisation.save(update_fields=["default_visibility", "updated_at"])
        organisation_reindex_later(organisation=organisation)  # unmarked pages' audience follows the default
    return organisation


def organisation_set_apps(*, organisation: Organisation, apps: Sequence[str], actor: Actor) -> Organisation:
    """Switch the catalogue's apps on and off for the organisation's subsite (``sites.catalogue``).

    What an app switched on needs is made in its schema (its menu section, if it never had one); an app
    switched off keeps its data, and only disappears from the subsite. Search follows (re-indexed after
    commit). Unknown apps are refused, nothing changed.
    """
    with audited(actor=actor, action="organisation.apps.set", organisation_slug=organisation.slug) as detail:
        try:
            keys = validate_app_keys(list(apps))
        except LookupError as exc:
            raise ValidationError({"apps": [str(exc)]}) from exc
        _require(organisation, Status.ACTIVE, Status.SUSPENDED)
        before = list(organisation.enabled_apps or [])
        switched_on = [key for key in keys if key not in before]
        switched_off = [key for key in before if key not in keys]
        detail.update(apps=keys, switched_on=switched_on, switched_off=switched_off)
        if not switched_on and not switched_off:
            return organisation
        with transaction.atomic():
            organisation.enabled_apps = keys
            organisation.save(update_fields=["enabled_apps", "updated_at"])
            with in_schema(organisation):
                organisation_hooks.apps_switched.call_all(
                    organisation=organisation, switched_on=switched_on, switched_off=switched_off
                )
        current = getattr(connection, "tenant", None)  # a request of this organisation sees the change at once
        if current is not organisation and getattr(current, "pk", None) == organisation.pk:
            current.enabled_apps = keys
        organisation_reindex_later(organisation=organisation)  # switched-off apps' pages leave search, and come back
    return organisation


def organisation_domain_add(
    *, organisation: Organisation, domain: str, actor: Actor, make_primary: bool = False
) -> Domain:
    with audited(actor=actor, action="organisation.domain.add", organisation_slug=organisation.slug, domain=domain):
        try:
            host = normalise_domain(domain)
        except ValidationError as exc:
            raise ValidationError({"domain": exc.messages}) from exc
        if host in (settings.PLATFORM_DOMAIN, f"www.{settings.PLATFORM_DOMAIN}"):
            raise ValidationError({"domain": [_("%(domain)s is the shared space's own domain.") % {"domain": host}]})
        _require(organisation, Status.ACTIVE, Status.SUSPENDED)
        if Domain.objects.filter(domain=host).exists():
            raise ValidationError({"domain": [_("%(domain)s is already in use.") % {"domain": host}]})
        try:
            with transaction.atomic():
                added = Domain.objects.create(tenant=organisation, domain=host, is_primary=False)
                if make_primary:
                    _set_primary(organisation=organisation, domain=added)
                oidc_client_sync(organisation=organisation)
        except IntegrityError as exc:
            raise ValidationError(
                {"domain": [_("%(domain)s was taken by another request just now.") % {"domain": host}]}
            ) from exc
    return added


def organisation_domain_remove(*, organisation: Organisation, domain: str, actor: Actor) -> None:
    with audited(actor=actor, action="organisation.domain.remove", organisation_slug=organisation.slug, domain=domain):
        host = _normalise_or_error(domain)
        _require(organisation, Status.ACTIVE, Status.SUSPENDED)
        try:
            entry = organisation.domains.get(domain=host)
        except Domain.DoesNotExist:
            raise ValidationError(
                {
                    "domain": [
                        _("%(domain)s is not a domain of %(organisation)s.")
                        % {"domain": host, "organisation": organisation.name}
                    ]
                }
            ) from None
        if entry.is_primary:
            raise ValidationError(
                {
                    "domain": [
                        _("%(domain)s is the primary domain; make another domain primary first.") % {"domain": host}
                    ]
                }
            )
        with transaction.atomic():
            entry.delete()
            oidc_client_sync(organisation=organisation)


def organisation_domain_set_primary(*, organisation: Organisation, domain: str, actor: Actor) -> Domain:
    with audited(
        actor=actor, action="organisation.domain.set_primary", organisation_slug=organisation.slug, domain=domain
    ):
        host = _normalise_or_error(domain)
        _require(organisation, Status.ACTIVE, Status.SUSPENDED)
        try:
            entry = organisation.domains.get(domain=host)
        except Domain.DoesNotExist:
            raise ValidationError(
                {
                    "domain": [
                        _("%(domain)s is not a domain of %(organisation)s.")
                        % {"domain": host, "organisation": organisation.name}
                    ]
                }
            ) from None
        with transaction.atomic():
            _set_primary(organisation=organisation, domain=entry)
            oidc_client_sync(organisation=organisation)
    return entry


def _set_primary(*, organisation: Organisation, domain: Domain) -> None:
    organisation.domains.exclude(pk=domain.pk).update(is_primary=False)
    Domain.objects.filter(pk=domain.pk).update(is_primary=True)
    domain.is_primary = True
    with in_schema(organisation.schema_name):
        site_set_hostname(hostname=domain.domain)


def _normalise_or_error(domain: str) -> str:
    try:
        return normalise_domain(domain)
    except ValidationError as exc:
        raise ValidationError({"domain": exc.messages}) from exc


def organisation_email_domain_add(*, organisation: Organisation, domain: str, actor: Actor) -> EmailDomain:
    with audited(
        actor=actor, action="organisation.email_domain.add", organisation_slug=organisation.slug, domain=domain
    ):
        try:
            host = normalise_email_domain(domain)
        except ValidationError as exc:
            raise ValidationError({"domain": exc.messages}) from exc
        _require(organisation, Status.ACTIVE, Status.SUSPENDED)
        entry = EmailDomain.objects.filter(domain=host).first()
        if entry is not None and entry.organisation_id != organisation.pk:
            raise _email_domain_held(host)
        if entry is None:
            try:
                with transaction.atomic():
                    entry = EmailDomain.objects.create(organisation=organisation, domain=host)
            except IntegrityError as exc:  # another request registered it between the read and the write
                entry = EmailDomain.objects.filter(domain=host).first()
                if entry is None or entry.organisation_id != organisation.pk:
                    raise _email_domain_held(host) from exc
    return entry


def _email_domain_held(host: str) -> ValidationError:
    """The error for a domain held by another organisation; it does not say which (no registry leak)."""
    return ValidationError(
        {"domain": [_("%(domain)s is already registered by another organisation.") % {"domain": host}]}
    )


def organisation_email_domain_remove(*, organisation: Organisation, domain: str, actor: Actor) -> None:
    with audited(
        actor=actor, action="organisation.email_domain.remove", organisation_slug=organisation.slug, domain=domain
    ):
        host = _normalise_or_error(domain)
        _require(organisation, Status.ACTIVE, Status.SUSPENDED)
        deleted, _by_model = EmailDomain.objects.filter(organisation=organisation, domain=host).delete()
        if not deleted:
            raise ValidationError(
                {
                    "domain": [
                        _("%(domain)s is not an e-mail domain of %(organisation)s.")
                        % {"domain": host, "organisation": organisation.name}
                    ]
                }
            )


def organisation_suspend(*, organisation: Organisation, reason: str, actor: Actor) -> Organisation:
    """Take the subsite offline behind a clear "suspended" page; every row and file is kept."""
    with audited(actor=actor, action="organisation.suspend", organisation_slug=organisation.slug, reason=reason):
        _require(organisation, Status.ACTIVE)
        organisation.status = Status.SUSPENDED
        organisation.suspension_reason = (reason or "").strip()[:500]
        organisation.suspended_at = timezone.now()
        organisation.save(update_fields=["status", "suspension_reason", "suspended_at", "updated_at"])
    return organisation


def organisation_resume(*, organisation: Organisation, actor: Actor) -> Organisation:
    with audited(actor=actor, action="organisation.resume", organisation_slug=organisation.slug):
        _require(organisation, Status.SUSPENDED)
        organisation.status = Status.ACTIVE
        organisation.suspension_reason = ""
        organisation.suspended_at = None
        organisation.save(update_fields=["status", "suspension_reason", "suspended_at", "updated_at"])
    return organisation


def organisation_schedule_deletion(*, organisation: Organisation, actor: Actor, force: bool = False) -> Organisation:
    """Schedule deletion after the grace period. Needs an export first, unless ``force``."""
    with audited(actor=actor, action="organisation.delete.schedule", organisation_slug=organisation.slug, force=force):
        _require(organisation, Status.ACTIVE, Status.SUSPENDED)
        if organisation.last_exported_at is None and not force:
            raise ValidationError(
                _("%(organisation)s has never been exported: export it first, or force the deletion.")
                % {"organisation": organisation.name}
            )
        organisation.status = Status.PENDING_DELETION
        organisation.deletion_due_at = timezone.now() + timedelta(days=settings.ORGANISATION_DELETION_GRACE_DAYS)
        organisation.save(update_fields=["status", "deletion_due_at", "updated_at"])
    return organisation


def organisation_restore(*, organisation: Organisation, actor: Actor) -> Organisation:
    """Undo a scheduled deletion during the grace period."""
    with audited(actor=actor, action="organisation.delete.restore", organisation_slug=organisation.slug):
        _require(organisation, Status.PENDING_DELETION)
        organisation.status = Status.ACTIVE
        organisation.deletion_due_at = None
        organisation.save(update_fields=["status", "deletion_due_at", "updated_at"])
    return organisation


def organisation_purge(*, organisation: Organisation, actor: Actor, ignore_grace: bool = False) -> None:
    """Remove an organisation scheduled for deletion: its schema, media and registry rows.

    Only after the grace period, unless ``ignore_grace`` (an operator's explicit decision). Local
    user links to the schema go too; the people's accounts stay.
    """
    with audited(actor=actor, action="organisation.delete.purge", organisation_slug=organisation.slug):
        _require(organisation, Status.PENDING_DELETION)
        _require_grace_over(organisation, ignore_grace=ignore_grace)
        schema = organisation.schema_name
        with transaction.atomic():
            LocalUserLink.objects.filter(schema_name=schema).delete()
            oidc_client_delete(organisation=organisation)
            organisation.delete()
            with connection.cursor() as cursor:
                # Fire deferred constraint checks first: DROP refuses tables with pending trigger events.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))
            media = Path(settings.MEDIA_ROOT) / schema
            transaction.on_commit(lambda: shutil.rmtree(media, ignore_errors=True))


def organisation_purge_request(
    *, organisation: Organisation, actor: Actor, ignore_grace: bool = False, enqueue: bool = True
) -> Job:
    """Create the purge job of an organisation scheduled for deletion, queued after commit unless
    ``enqueue=False`` (the caller then runs it with ``organisation_purge_run``)."""
    with audited(
        actor=actor,
        action="organisation.delete.purge.request",
        organisation_slug=organisation.slug,
        ignore_grace=ignore_grace,
    ):
        _require(organisation, Status.PENDING_DELETION)
        _require_grace_over(organisation, ignore_grace=ignore_grace)
        payload = {"ignore_grace": ignore_grace}
        job = job_create(kind=Job.Kind.DELETE, organisation=organisation, requested_by=actor.label, payload=payload)
    return job_enqueue(job=job) if enqueue else job


def organisation_purge_run(*, job: Job, progress: ProgressCallback | None = None) -> None:
    """Do a queued purge job; marks the job ready or failed with the reason.

    Safe to run twice (a redelivered task): a finished job is left as it is (a failed one raises its
    reason again); one running in another worker raises ``tenants.jobs.JobBusy``.
    """
    with job_claimed(job=job) as mine:
        if mine:
            _purge_run(job=job, progress=progress)
            return
    if job.state == Job.State.FAILED:
        raise ValidationError(job.error)


def _purge_run(*, job: Job, progress: ProgressCallback | None) -> None:
    organisation = job.organisation
    job_mark(job=job, state=Job.State.RUNNING, step="dropping_schema")
    if progress:
        progress("dropping_schema", 30)
    try:
        if organisation is None:
            raise ValidationError(_("The organisation no longer exists."))
        ignore_grace = job.payload.get("ignore_grace", False)
        organisation_purge(organisation=organisation, actor=Actor(job.requested_by), ignore_grace=ignore_grace)
    except Exception as exc:
        job_mark(job=job, state=Job.State.FAILED, step="failed", error="; ".join(getattr(exc, "messages", [str(exc)])))
        raise
    job_mark(job=job, state=Job.State.READY, step="ready")
    if progress:
        progress("ready", 100)


class PurgeIncomplete(RuntimeError):
    """Some organisations due for purging could not be purged; the others were. ``str()`` names each failure."""

    def __init__(self, *, purged: list[str], failed: dict[str, str]) -> None:
        self.purged = purged
        self.failed = failed
        reasons = "; ".join(f"{slug}: {reason}" for slug, reason in failed.items())
        super().__init__(f"Purged {len(purged)}, failed {len(failed)}: {reasons}")


def organisations_purge_due(*, actor: Actor) -> list[str]:
    """Purge every organisation whose grace period has ended. Returns their slugs.

    One that fails is rolled back whole (audited as a failure, logged) and the others are still purged;
    then ``PurgeIncomplete`` reports the failures (the scheduled task fails visibly; the next run retries).
    """
    purged: list[str] = []
    failed: dict[str, str] = {}
    due = list(Organisation.objects.filter(status=Status.PENDING_DELETION, deletion_due_at__lte=timezone.now()))
    for organisation in due:
        try:
            organisation_purge(organisation=organisation, actor=actor)
        except Exception as exc:  # one organisation's failure must not stop the others
            logger.exception("Purging organisation %s failed", organisation.slug)
            failed[organisation.slug] = error_for_people(exc)
            continue
        purged.append(organisation.slug)
    if failed:
        raise PurgeIncomplete(purged=purged, failed=failed)
    return purged
