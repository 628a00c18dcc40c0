"""The organisation registry (public schema): organisations, domains, e-mail domains, jobs, audit trail."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_tenants.models import DomainMixin, TenantMixin

from sites.blueprints import DEFAULT_BLUEPRINT, VISIBILITY_CHOICES


class Organisation(TenantMixin):
    """A government organisation with its own intranet subsite in its own schema.

    Made only through ``tenants.provisioning`` (schema cloned from the template or taken from the
    warm pool); never by django-tenants on ``save()``.
    """

    class Status(models.TextChoices):
        PROVISIONING = "provisioning", _("Being set up")
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        PENDING_DELETION = "pending_deletion", _("Deletion scheduled")

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=40, unique=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    blueprint = models.CharField(max_length=40, default=DEFAULT_BLUEPRINT)
    blueprint_version = models.PositiveIntegerField(default=1)
    default_visibility = models.CharField(max_length=20, choices=VISIBILITY_CHOICES, default="organisation")
    #: The catalogue's apps switched on for the subsite (``sites.catalogue``; set by ``organisation_set_apps``).
    enabled_apps = models.JSONField(default=list, blank=True)
    #: The language the subsite was seeded in (its sections, the home's introduction, the demo content).
    language = models.CharField(max_length=8, default="nl", choices=[("nl", "Nederlands"), ("en", "English")])
    brand_colour = models.CharField(max_length=7, default="#154273")
    auto_join_staff = models.BooleanField(
        default=True, help_text="People with a verified address at the organisation's e-mail domains join as members."
    )
    suspension_reason = models.CharField(max_length=500, blank=True)
    suspended_at = models.DateTimeField(null=True, blank=True)
    last_exported_at = models.DateTimeField(null=True, blank=True)
    deletion_due_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Schemas are cloned by tenants.provisioning, never created by django-tenants on save().
    auto_create_schema = False
    auto_drop_schema = False

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def platform_host(self) -> str:
        """The organisation's host on the platform domain: ``<slug>.<PLATFORM_DOMAIN>``."""
        return f"{self.slug}.{settings.PLATFORM_DOMAIN}"

    def primary_host(self) -> str:
        domain = self.domains.filter(is_primary=True).first()
        return domain.domain if domain else self.platform_host


class Domain(DomainMixin):
    """A host name on which an organisation's subsite answers (stored lower-case, punycode)."""

    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-is_primary", "domain"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant"], condition=Q(is_primary=True), name="tenants_domain_one_primary_per_organisation"
            )
        ]


class EmailDomain(models.Model):
    """A government e-mail domain of the organisation: verified addresses there mark its staff.

    A domain belongs to one organisation at most (stored lower-case), so staff never auto-join an
    organisation that merely claimed their employer's domain.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="email_domains")
    domain = models.CharField(max_length=253)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["domain"]
        constraints = [models.UniqueConstraint(fields=["domain"], name="tenants_email_domain_unique")]

    def __str__(self) -> str:
        return self.domain


class Job(models.Model):
    """A background operation with progress: on an organisation (provision, export, import, delete) or on a
    person's own data (export, deletion of the account). One model for every kind, so one set of services
    (``tenants.jobs``) marks, publishes and reads their progress.

    A person's job names the account by id only (``account_id``, no foreign key): a deletion job outlives
    the account it deleted. An organisation's job keeps the slug for the same reason.
    """

    class Kind(models.TextChoices):
        PROVISION = "provision", pgettext_lazy("kind of job", "Provision")
        EXPORT = "export", pgettext_lazy("kind of job", "Export")
        IMPORT = "import", pgettext_lazy("kind of job", "Import")
        DELETE = "delete", pgettext_lazy("kind of job", "Delete")
        PERSONAL_EXPORT = "personal_export", pgettext_lazy("kind of job", "Export")
        PERSONAL_DELETE = "personal_delete", pgettext_lazy("kind of job", "Delete")

    #: Jobs on an organisation (the operator's); jobs on a person's own data (the person's).
    ORGANISATION_KINDS = (Kind.PROVISION, Kind.EXPORT, Kind.IMPORT, Kind.DELETE)
    PERSONAL_KINDS = (Kind.PERSONAL_EXPORT, Kind.PERSONAL_DELETE)

    class State(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        READY = "ready"
        FAILED = "failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    state = models.CharField(max_length=20, choices=State.choices, default=State.QUEUED)
    step = models.CharField(max_length=60, default="queued")
    percent = models.PositiveSmallIntegerField(default=0)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="jobs"
    )
    organisation_slug = models.CharField(max_length=40, blank=True)
    account_id = models.UUIDField(null=True, blank=True, db_index=True)
    requested_by = models.CharField(max_length=200)
    payload = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.organisation_slug or self.account_id}: {self.state}"

    @property
    def is_finished(self) -> bool:
        return self.state in (self.State.READY, self.State.FAILED)


class AuditEvent(models.Model):
    """An append-only record of an operation on the registry: who, when, what, outcome."""

    class Outcome(models.TextChoices):
        SUCCESS = "success"
        FAILURE = "failure"

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.CharField(max_length=200)
    action = models.CharField(max_length=60)
    organisation_slug = models.CharField(max_length=40, blank=True, db_index=True)
    #: The organisation's id when the event was written: its trail is keyed by this, not by the slug, which
    #: a later organisation may reuse. Not a foreign key: the history outlives the organisation's row.
    organisation_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.organisation_slug}: {self.outcome}"


class OperatorToken(models.Model):
    """A bearer token for operators' automation against the operator API (only its hash is stored)."""

    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="operator_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, unique=True)
    key_hash = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class PoolSchema(models.Model):
    """A spare schema, cloned ahead of time from ``template``, waiting to become an organisation's."""

    name = models.CharField(max_length=63, unique=True)
    template = models.CharField(max_length=63, db_index=True)
    blueprint = models.CharField(max_length=40, help_text="The blueprint its site tree is seeded with.")
    blueprint_version = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.name
