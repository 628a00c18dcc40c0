"""Provisioning an organisation: the one way an organisation is made.

1. ``organisation_provision_request`` validates the input (field errors, nothing written on bad
   input) and *reserves* the slug and domains by writing the registry rows with status
   ``provisioning`` -- unique constraints make one of two concurrent requests win and give the
   other a clear error. It returns a queued ``Job``.
2. ``organisation_provision_run`` does the work in ONE transaction: schema (from the warm pool or
   cloned from the template), Wagtail site from the blueprint, the first administrator's invitation,
   status ``active``. Any failure rolls all of it back, releases the reservation and marks the job
   failed with the reason; a retry then starts from nothing.
3. ``organisation_create`` does both at once (command line ``--sync``, demo data, tests, benchmarks).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from celery import current_app
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from shared_apps.accounts.services.invitations import invitation_create
from shared_apps.identity_provider.services import oidc_client_sync
from shared_apps.search.services import organisation_reindex_later
from sites.blueprints import DEFAULT_BLUEPRINT, blueprint_get
from sites.catalogue import validate_app_keys
from tenants import organisation_hooks
from tenants.audit import Actor, audited
from tenants.jobs import ProgressCallback, job_claimed, job_create, job_fail, job_mark, job_publish_step
from tenants.models import Domain, EmailDomain, Job, Organisation
from tenants.naming import normalise_domain, normalise_email_domain, schema_name_for_slug, validate_slug
from tenants.pool import pool_claim
from tenants.roles import Role
from tenants.schema_template import clone_template, ensure_template_schema
from tenants.schemas import in_public_schema, in_schema

#: The visible steps of a provisioning job, with the percentage reached when each starts.
STEPS = {"queued": 0, "creating_schema": 10, "seeding_site": 50, "inviting_admin": 85, "ready": 100}


class ProvisioningFailed(RuntimeError):
    """Provisioning did not complete; nothing was left behind. ``str()`` is the reason."""


@dataclass(frozen=True)
class ProvisioningSpec:
    name: str
    slug: str
    domains: tuple[str, ...]
    email_domains: tuple[str, ...]
    blueprint: str
    admin_email: str
    apps: tuple[str, ...]
    language: str = settings.LANGUAGE_CODE  # the site is seeded in it (section titles, the home's introduction)

    def as_payload(self) -> dict:
        return asdict(self)

    @classmethod
    def from_payload(cls, payload: dict) -> ProvisioningSpec:
        return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in payload.items()})


def provisioning_spec_build(
    *,
    name: str,
    slug: str,
    domains: Sequence[str] = (),
    email_domains: Sequence[str] = (),
    blueprint: str = DEFAULT_BLUEPRINT,
    admin_email: str = "",
    apps: Sequence[str] | None = None,
    language: str = "",
) -> ProvisioningSpec:
    """Check every input and return the normalised spec; ``ValidationError`` lists every bad field."""
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("A name is required.")]
    elif len(name) > 200:
        errors["name"] = [_("The name is longer than 200 characters.")]
    try:
        validate_slug(slug)
    except ValidationError as exc:
        errors["slug"] = exc.messages
    chosen = None
    try:
        chosen = blueprint_get(key=blueprint)
    except LookupError as exc:
        errors["blueprint"] = [str(exc)]
    app_keys: list[str] = []
    try:
        app_keys = validate_app_keys(list(apps)) if apps is not None else (chosen.default_apps if chosen else [])
    except LookupError as exc:
        errors["apps"] = [str(exc)]
    language = language or settings.LANGUAGE_CODE
    if language not in dict(settings.LANGUAGES):
        errors["language"] = [
            _("Unknown language '%(language)s'. Known: %(known)s.")
            % {"language": language, "known": ", ".join(code for code, _name in settings.LANGUAGES)}
        ]
    hosts = _normalise_hosts(
        list(domains) or ([f"{slug}.{settings.PLATFORM_DOMAIN}"] if "slug" not in errors else []),
        field="domains",
        errors=errors,
    )
    for host in hosts:
        if host in (settings.PLATFORM_DOMAIN, f"www.{settings.PLATFORM_DOMAIN}"):
            errors.setdefault("domains", []).append(
                _("%(domain)s is the shared space's own domain.") % {"domain": host}
            )
    mail_domains = _normalise_hosts(
        list(email_domains), field="email_domains", errors=errors, normalise=normalise_email_domain
    )
    admin_email = (admin_email or "").strip()
    if admin_email:
        try:
            validate_email(admin_email)
        except ValidationError:
            errors["admin_email"] = [_("'%(email)s' is not a valid e-mail address.") % {"email": admin_email}]
    if errors:
        raise ValidationError(errors)
    if Organisation.objects.filter(slug=slug).exists():
        raise ValidationError(
            {"slug": [_("An organisation with the slug '%(slug)s' already exists.") % {"slug": slug}]}
        )
    taken = sorted(Domain.objects.filter(domain__in=hosts).values_list("domain", flat=True))
    if taken:
        raise ValidationError({"domains": [_("%(domain)s is already in use.") % {"domain": host} for host in taken]})
    held = sorted(EmailDomain.objects.filter(domain__in=mail_domains).values_list("domain", flat=True))
    if held:
        raise ValidationError(
            {
                "email_domains": [
                    _("%(domain)s is already registered by another organisation.") % {"domain": host} for host in held
                ]
            }
        )
    return ProvisioningSpec(
        name=name,
        slug=slug,
        domains=tuple(hosts),
        email_domains=tuple(mail_domains),
        blueprint=blueprint,
        admin_email=admin_email,
        apps=tuple(app_keys),
        language=language,
    )


def _normalise_hosts(
    values: list[str],
    *,
    field: str,
    errors: dict[str, list[str]],
    normalise: Callable[[str], str] = normalise_domain,
) -> list[str]:
    hosts: list[str] = []
    for raw in values:
        try:
            host = normalise(raw)
        except ValidationError as exc:
            errors.setdefault(field, []).extend(exc.messages)
            continue
        if host not in hosts:
            hosts.append(host)
    return hosts


def organisation_provision_submit(*, actor: Actor, **inputs) -> Job:  # type: ignore[no-untyped-def]
    """Validate the inputs and reserve the slug and domains: the audited entry point of every interface.

    A refused request is recorded in the audit trail with its reasons and writes nothing else. The
    caller queues the returned job (``tenants.jobs.job_enqueue``) or runs it.
    """
    slug = str(inputs.get("slug") or "")[:40]
    with audited(actor=actor, action="organisation.provision.request", organisation_slug=slug):
        spec = provisioning_spec_build(**inputs)
        return organisation_provision_request(spec=spec, actor=actor)


def organisation_provision_request(*, spec: ProvisioningSpec, actor: Actor) -> Job:
    """Reserve a validated spec's slug and domains; returns the queued job (not yet sent to a worker)."""
    blueprint = blueprint_get(key=spec.blueprint)
    with transaction.atomic():
        organisation = registry_rows_create(
            spec=spec,
            status=Organisation.Status.PROVISIONING,
            blueprint_version=blueprint.version,
            default_visibility=blueprint.default_visibility,
            brand_colour=blueprint.brand_colour,
        )
        return job_create(
            kind=Job.Kind.PROVISION, organisation=organisation, requested_by=actor.label, payload=spec.as_payload()
        )


def registry_rows_create(
    *, spec: ProvisioningSpec, status: str, blueprint_version: int, default_visibility: str, brand_colour: str
) -> Organisation:
    """The organisation's rows in the registry (organisation, domains, e-mail domains) for a checked spec.

    Unique constraints decide between concurrent requests: the loser gets a ``ValidationError``.
    """
    try:
        with transaction.atomic():
            organisation = Organisation(
                name=spec.name,
                slug=spec.slug,
                schema_name=schema_name_for_slug(spec.slug),
                status=status,
                blueprint=spec.blueprint,
                blueprint_version=blueprint_version,
                default_visibility=default_visibility,
                enabled_apps=list(spec.apps),
                language=spec.language,
                brand_colour=brand_colour,
            )
            organisation.save()
            for index, host in enumerate(spec.domains):
                Domain.objects.create(tenant=organisation, domain=host, is_primary=index == 0)
            for mail_domain in spec.email_domains:
                EmailDomain.objects.create(organisation=organisation, domain=mail_domain)
    except IntegrityError as exc:
        raise ValidationError(
            {
                "slug": [
                    _("The slug '%(slug)s' or one of the domains was taken by another request just now.")
                    % {"slug": spec.slug}
                ]
            }
        ) from exc
    return organisation


def organisation_provision_run(*, job: Job, progress: ProgressCallback | None = None) -> Organisation:
    """Do a queued provisioning job. All or nothing; raises ``ProvisioningFailed`` with the reason.

    Safe to run twice (a redelivered task): a finished job returns its outcome untouched, one running
    in another worker raises ``tenants.jobs.JobBusy``.
    """
    with job_claimed(job=job) as mine:
        if mine:
            return _provision(job=job, progress=progress)
    if job.state == Job.State.READY and job.organisation is not None:
        return job.organisation
    raise ProvisioningFailed(job.error or _("The reservation for this job no longer exists."))


def _provision(*, job: Job, progress: ProgressCallback | None) -> Organisation:
    spec = ProvisioningSpec.from_payload(job.payload)
    organisation = job.organisation
    if organisation is None or organisation.status != Organisation.Status.PROVISIONING:
        job_mark(job=job, state=Job.State.FAILED, error=_("The reservation for this job no longer exists."))
        raise ProvisioningFailed(job.error)
    job_mark(job=job, state=Job.State.RUNNING, step="creating_schema")
    media_existed = _media_dir(organisation).exists()

    current = {"step": "creating_schema"}

    def step(name: str) -> None:
        current["step"] = name
        job_publish_step(job=job, step=name, percent=STEPS[name])
        if progress is not None:
            progress(name, STEPS[name])

    try:
        with audited(
            actor=Actor(job.requested_by), action="organisation.provision", organisation_slug=spec.slug
        ) as detail:
            with transaction.atomic():
                step("creating_schema")
                source = detail["schema_source"] = create_schema(organisation=organisation, spec=spec)
                step("seeding_site")
                seed_site(organisation=organisation, spec=spec, schema_source=source)
                register_sign_on_client(organisation=organisation)
                step("inviting_admin")
                invite_first_administrator(organisation=organisation, spec=spec, actor=Actor(job.requested_by))
                activate(organisation=organisation)
                organisation_reindex_later(organisation=organisation)  # its seeded sections are found at once
    except Exception as exc:
        with in_public_schema():
            _release_reservation(organisation=organisation, media_existed=media_existed)
            # The job keeps the step it failed at, so the interfaces can say where it went wrong.
            reason = job_fail(job=job, error=exc, step=current["step"], fields=False)
        if progress is not None:
            progress("failed", 100)
        raise ProvisioningFailed(reason) from exc
    job_mark(job=job, state=Job.State.READY, step="ready", result={"schema": organisation.schema_name})
    if progress is not None:
        progress("ready", 100)
    transaction.on_commit(_queue_pool_refill)
    return organisation


def organisation_create(
    *, actor: Actor | None = None, progress: ProgressCallback | None = None, **inputs
) -> Organisation:  # type: ignore[no-untyped-def]
    """Validate, reserve and provision in one go (same steps as the background job)."""
    job = organisation_provision_submit(actor=actor or Actor.system(), **inputs)
    return organisation_provision_run(job=job, progress=progress)


# --- The steps (module-level so that tests can inject a failure at each) ----------------------------


def create_schema(*, organisation: Organisation, spec: ProvisioningSpec) -> str:
    """The organisation's schema: a warm-pool schema (site tree already seeded) renamed, else a template clone."""
    blueprint = blueprint_get(key=spec.blueprint)
    if spec.language == settings.LANGUAGE_CODE and pool_claim(  # pool sites are seeded in the platform's language
        target=organisation.schema_name, blueprint=blueprint, apps=spec.apps
    ):
        return "pool"
    clone_template(target=organisation.schema_name, template=ensure_template_schema())
    return "template"


def seed_site(*, organisation: Organisation, spec: ProvisioningSpec, schema_source: str) -> None:
    """Seed the blueprint's site tree; a pool schema has it already and only needs the organisation's name."""
    blueprint = blueprint_get(key=spec.blueprint)
    with in_schema(organisation.schema_name):
        if schema_source == "pool":
            organisation_hooks.site_personalise.call_one(
                name=organisation.name, hostname=spec.domains[0], blueprint=blueprint
            )
        else:
            organisation_hooks.site_seed.call_one(
                name=organisation.name,
                hostname=spec.domains[0],
                blueprint=blueprint,
                apps=spec.apps,
                language=spec.language,
            )


def register_sign_on_client(*, organisation: Organisation) -> None:
    """The subsite's OpenID Connect client at the shared space, redirecting to each of its domains."""
    oidc_client_sync(organisation=organisation)


def invite_first_administrator(*, organisation: Organisation, spec: ProvisioningSpec, actor: Actor) -> None:
    if not spec.admin_email:
        return
    invitation_create(organisation=organisation, email=spec.admin_email, role=Role.ADMINISTRATOR, actor=actor)


def activate(*, organisation: Organisation) -> None:
    organisation.status = Organisation.Status.ACTIVE
    organisation.save(update_fields=["status", "updated_at"])


# --- Helpers -------------------------------------------------------------------------------------------


def _media_dir(organisation: Organisation) -> Path:
    return Path(settings.MEDIA_ROOT) / organisation.schema_name


def _release_reservation(*, organisation: Organisation, media_existed: bool) -> None:
    with transaction.atomic():
        Organisation.objects.filter(pk=organisation.pk, status=Organisation.Status.PROVISIONING).delete()
    if not media_existed:
        shutil.rmtree(_media_dir(organisation), ignore_errors=True)


def _queue_pool_refill() -> None:
    """Refill the warm pool in the background. By the task's name: the tasks module calls this one."""
    if getattr(settings, "ORGANISATION_POOL_SIZE", 0) > 0:
        current_app.tasks["tenants.pool_refill"].delay()
