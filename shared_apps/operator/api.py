"""The operator JSON API (django-ninja), mounted at ``/api/operator/v1/`` on the shared space only.

Thin: every endpoint reads through ``shared_apps.operator.selectors`` / ``tenants.selectors`` and
writes through the registry's services. Errors:

* 401 without a bearer token, with an unknown, malformed or revoked one, or one of an inactive account;
* 403 for a valid token of an account that is not (or no longer) a platform operator;
* 404 for an unknown organisation or job;
* 422 ``{"errors": {field: [messages]}}`` for refused input (``"__all__"`` for the non-field ones).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, HttpResponse
from ninja import Field, NinjaAPI, Schema, Status
from ninja.errors import AuthenticationError, AuthorizationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer

from shared_apps.operator import selectors
from shared_apps.operator.services import organisation_provision_queue
from sites.blueprints import DEFAULT_BLUEPRINT
from tenants import services as lifecycle
from tenants.archive.export import organisation_export_request
from tenants.audit import Actor
from tenants.errors import error_messages_by_field
from tenants.models import AuditEvent, Job, OperatorToken, Organisation

# --- Authentication ---------------------------------------------------------------------------------


class OperatorBearer(HttpBearer):
    """``Authorization: Bearer gsq_…``: a token of an active platform operator."""

    def authenticate(self, request: HttpRequest, token: str) -> OperatorToken | None:
        authenticated = selectors.operator_token_authenticate(raw_key=token)
        if authenticated is not None:
            return authenticated
        identified = selectors.operator_token_identify(raw_key=token)
        if identified is not None and identified.account.is_active:
            # A real, unrevoked key of an active account that is not (or no longer) an operator.
            raise AuthorizationError(message="This token's account is not a platform operator.")
        return None


def _actor(request: HttpRequest) -> Actor:
    token: OperatorToken = request.auth  # type: ignore[attr-defined]
    return Actor.token(token.name, token.account.email)


api = NinjaAPI(
    title="GovSquare operator API",
    version="1",
    description=(
        "Provision and run the organisations of the platform. Authenticate with an operator token "
        "(`manage.py operator_token_create EMAIL NAME`) as `Authorization: Bearer <key>`. Refused input "
        'answers 422 with `{"errors": {field: [messages]}}`.'
    ),
    urls_namespace="operator_api",
    auth=OperatorBearer(),
)


# --- Error answers ------------------------------------------------------------------------------------


@api.exception_handler(DjangoValidationError)
def _refused(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    return api.create_response(request, {"errors": error_messages_by_field(exc)}, status=422)


@api.exception_handler(NinjaValidationError)
def _malformed(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    """Request data that does not fit the schema, in the same shape as the services' refusals."""
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        location = [part for part in error.get("loc", ()) if isinstance(part, str)]
        if location and location[0] == "body":
            location = location[2:]  # ("body", <parameter>, field, ...)
        elif location:
            location = location[1:]  # ("path" | "query", field)
        field = location[0] if location else NON_FIELD_ERRORS
        errors.setdefault(field, []).append(str(error.get("msg", "Invalid value.")))
    return api.create_response(request, {"errors": errors}, status=422)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = api.create_response(
        request, {"detail": "A valid operator token is required (Authorization: Bearer <key>)."}, status=401
    )
    response["WWW-Authenticate"] = 'Bearer realm="govsquare-operator"'
    return response


# --- Schemas --------------------------------------------------------------------------------------------


class ErrorOut(Schema):
    detail: str


class ValidationErrorOut(Schema):
    errors: dict[str, list[str]]


class DomainOut(Schema):
    domain: str
    is_primary: bool


class OrganisationOut(Schema):
    slug: str
    name: str
    status: str
    status_label: str
    primary_domain: str
    domains: list[DomainOut]
    email_domains: list[str]
    blueprint: str
    blueprint_version: int
    enabled_apps: list[str]
    default_visibility: str
    auto_join_staff: bool
    suspension_reason: str
    suspended_at: datetime | None
    last_exported_at: datetime | None
    deletion_due_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_status_label(obj: Organisation) -> str:
        return obj.get_status_display()

    @staticmethod
    def resolve_primary_domain(obj: Organisation) -> str:
        return selectors.organisation_primary_domain(organisation=obj)

    @staticmethod
    def resolve_domains(obj: Organisation) -> list[Any]:
        return list(obj.domains.all())

    @staticmethod
    def resolve_email_domains(obj: Organisation) -> list[str]:
        return [entry.domain for entry in obj.email_domains.all()]


class JobOut(Schema):
    id: UUID
    kind: str
    state: str
    step: str
    step_label: str
    percent: int
    is_finished: bool
    organisation_slug: str
    requested_by: str
    error: str
    result: dict[str, Any]
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class AuditEventOut(Schema):
    id: int
    at: datetime
    actor: str
    action: str
    organisation_slug: str
    outcome: str
    detail: dict[str, Any]


class OrganisationIn(Schema):
    name: str
    slug: str
    domains: list[str] = Field(default_factory=list, description="The first is primary; empty: <slug>.<platform>")
    email_domains: list[str] = Field(default_factory=list)
    blueprint: str = DEFAULT_BLUEPRINT
    admin_email: str = Field("", description="Invited as the first administrator")
    apps: list[str] | None = Field(None, description="Catalogue app keys; omitted: the blueprint's default apps")


class OrganisationPatch(Schema):
    name: str | None = None
    auto_join_staff: bool | None = None
    default_visibility: str | None = None


class SuspendIn(Schema):
    reason: str = ""


class DomainIn(Schema):
    domain: str
    primary: bool = False


class EmailDomainIn(Schema):
    domain: str


class DeleteIn(Schema):
    force: bool = Field(False, description="Schedule the deletion even though the organisation was never exported")


class PurgeIn(Schema):
    ignore_grace: bool = Field(False, description="Purge before the grace period has ended")


_READ = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
_CHANGE = {**_READ, 422: ValidationErrorOut}


def _organisation(slug: str) -> Organisation:
    try:
        return selectors.organisation_detail(slug=slug)
    except Organisation.DoesNotExist:
        raise HttpError(404, f"No organisation with the slug '{slug}'.") from None


# --- Organisations ------------------------------------------------------------------------------------


@api.get("/organisations", response={200: list[OrganisationOut], 401: ErrorOut, 403: ErrorOut}, tags=["organisations"])
def organisations_list(request: HttpRequest, status: Organisation.Status | None = None) -> Any:
    return list(selectors.organisations_overview(status=status))


@api.post("/organisations", response={202: JobOut, **_CHANGE}, tags=["organisations"])
def organisations_create(request: HttpRequest, payload: OrganisationIn) -> Any:
    """Validate and reserve a new organisation, and queue its provisioning: 202 with the job to follow."""
    job = organisation_provision_queue(actor=_actor(request), **payload.model_dump())
    return Status(202, selectors.job_status(job=job))


@api.get("/organisations/{slug}", response={200: OrganisationOut, **_READ}, tags=["organisations"])
def organisations_get(request: HttpRequest, slug: str) -> Any:
    return _organisation(slug)


@api.patch("/organisations/{slug}", response={200: OrganisationOut, **_CHANGE}, tags=["organisations"])
def organisations_update(request: HttpRequest, slug: str, payload: OrganisationPatch) -> Any:
    organisation = _organisation(slug)
    if payload.name is not None:
        lifecycle.organisation_rename(organisation=organisation, name=payload.name, actor=_actor(request))
    if payload.default_visibility is not None:
        lifecycle.organisation_set_default_visibility(
            organisation=organisation, level=payload.default_visibility, actor=_actor(request)
        )
    if payload.auto_join_staff is not None:
        lifecycle.organisation_set_auto_join(
            organisation=organisation, enabled=payload.auto_join_staff, actor=_actor(request)
        )
    return _organisation(slug)


@api.post("/organisations/{slug}/suspend", response={200: OrganisationOut, **_CHANGE}, tags=["lifecycle"])
def organisations_suspend(request: HttpRequest, slug: str, payload: SuspendIn | None = None) -> Any:
    reason = payload.reason if payload is not None else ""
    lifecycle.organisation_suspend(organisation=_organisation(slug), reason=reason, actor=_actor(request))
    return _organisation(slug)


@api.post("/organisations/{slug}/resume", response={200: OrganisationOut, **_CHANGE}, tags=["lifecycle"])
def organisations_resume(request: HttpRequest, slug: str) -> Any:
    lifecycle.organisation_resume(organisation=_organisation(slug), actor=_actor(request))
    return _organisation(slug)


@api.post("/organisations/{slug}/export", response={202: JobOut, **_CHANGE}, tags=["lifecycle"])
def organisations_export(request: HttpRequest, slug: str) -> Any:
    """Queue an export archive of the organisation: 202 with the job to follow."""
    job = organisation_export_request(organisation=_organisation(slug), actor=_actor(request))
    return Status(202, selectors.job_status(job=job))


@api.post("/organisations/{slug}/delete", response={200: OrganisationOut, **_CHANGE}, tags=["lifecycle"])
def organisations_delete(request: HttpRequest, slug: str, payload: DeleteIn | None = None) -> Any:
    """Schedule the deletion after the grace period (restorable until then)."""
    force = payload.force if payload is not None else False
    lifecycle.organisation_schedule_deletion(organisation=_organisation(slug), actor=_actor(request), force=force)
    return _organisation(slug)


@api.post("/organisations/{slug}/restore", response={200: OrganisationOut, **_CHANGE}, tags=["lifecycle"])
def organisations_restore(request: HttpRequest, slug: str) -> Any:
    lifecycle.organisation_restore(organisation=_organisation(slug), actor=_actor(request))
    return _organisation(slug)


@api.post("/organisations/{slug}/purge", response={202: JobOut, **_CHANGE}, tags=["lifecycle"])
def organisations_purge(request: HttpRequest, slug: str, payload: PurgeIn | None = None) -> Any:
    """Queue the removal of an organisation scheduled for deletion: 202 with the job to follow."""
    ignore_grace = payload.ignore_grace if payload is not None else False
    job = lifecycle.organisation_purge_request(
        organisation=_organisation(slug), actor=_actor(request), ignore_grace=ignore_grace
    )
    return Status(202, selectors.job_status(job=job))


# --- Domains ------------------------------------------------------------------------------------------


@api.post("/organisations/{slug}/domains", response={201: OrganisationOut, **_CHANGE}, tags=["domains"])
def domains_add(request: HttpRequest, slug: str, payload: DomainIn) -> Any:
    lifecycle.organisation_domain_add(
        organisation=_organisation(slug), domain=payload.domain, make_primary=payload.primary, actor=_actor(request)
    )
    return Status(201, _organisation(slug))


@api.delete("/organisations/{slug}/domains/{domain}", response={200: OrganisationOut, **_CHANGE}, tags=["domains"])
def domains_remove(request: HttpRequest, slug: str, domain: str) -> Any:
    lifecycle.organisation_domain_remove(organisation=_organisation(slug), domain=domain, actor=_actor(request))
    return _organisation(slug)


@api.post(
    "/organisations/{slug}/domains/{domain}/primary", response={200: OrganisationOut, **_CHANGE}, tags=["domains"]
)
def domains_set_primary(request: HttpRequest, slug: str, domain: str) -> Any:
    lifecycle.organisation_domain_set_primary(organisation=_organisation(slug), domain=domain, actor=_actor(request))
    return _organisation(slug)


@api.post("/organisations/{slug}/email-domains", response={201: OrganisationOut, **_CHANGE}, tags=["domains"])
def email_domains_add(request: HttpRequest, slug: str, payload: EmailDomainIn) -> Any:
    lifecycle.organisation_email_domain_add(
        organisation=_organisation(slug), domain=payload.domain, actor=_actor(request)
    )
    return Status(201, _organisation(slug))


@api.delete(
    "/organisations/{slug}/email-domains/{domain}", response={200: OrganisationOut, **_CHANGE}, tags=["domains"]
)
def email_domains_remove(request: HttpRequest, slug: str, domain: str) -> Any:
    lifecycle.organisation_email_domain_remove(organisation=_organisation(slug), domain=domain, actor=_actor(request))
    return _organisation(slug)


# --- Jobs and audit trail -----------------------------------------------------------------------------


@api.get("/organisations/{slug}/jobs", response={200: list[JobOut], **_READ}, tags=["jobs"])
def organisations_jobs(request: HttpRequest, slug: str, limit: int = 20) -> Any:
    organisation = _organisation(slug)
    jobs = selectors.organisation_jobs(organisation=organisation, limit=max(1, min(limit, 200)))
    return [selectors.job_status(job=job) for job in jobs]


@api.get("/organisations/{slug}/audit", response={200: list[AuditEventOut], **_READ}, tags=["audit"])
def organisations_audit(request: HttpRequest, slug: str, limit: int = 100) -> Any:
    """The organisation's audit trail, newest first."""
    organisation = _organisation(slug)
    events: list[AuditEvent] = list(
        selectors.organisation_audit_events(organisation=organisation, limit=max(1, min(limit, 1000)))
    )
    return events


@api.get("/jobs/{job_id}", response={200: JobOut, **_READ}, tags=["jobs"])
def jobs_get(request: HttpRequest, job_id: str) -> Any:
    """A job's state, its step (live while it runs), percentage, error and result."""
    try:
        job = selectors.job_get(job_id=job_id)
    except Job.DoesNotExist:
        raise HttpError(404, f"No job with the id '{job_id}'.") from None
    return selectors.job_status(job=job)
