"""The operator pages under ``/operator/`` on the shared space: organisations, provisioning, lifecycle.

Thin: reads through the selectors, writes through the registry's services. Every change is a POST
with CSRF; a refusal re-shows the page with the errors next to the form and the input kept.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shared_apps.operator import selectors
from shared_apps.operator.forms import OrganisationCreateForm
from shared_apps.operator.services import organisation_provision_queue
from tenants import services as lifecycle
from tenants.archive.export import organisation_export_request
from tenants.audit import Actor
from tenants.errors import error_messages_by_field
from tenants.models import Job, Organisation

View = Callable[..., HttpResponse]


def operator_required(view: View) -> View:
    """Signed in (else to the sign-in page) as an active platform operator (else 403)."""

    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        account = selectors.operator_account_for_user(user=request.user)
        if account is None:
            return render(request, "operator/forbidden.html", status=403)
        request.operator_account = account  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return guarded


def _actor(request: HttpRequest) -> Actor:
    return Actor.operator(request.operator_account.email)  # type: ignore[attr-defined]


def _organisation_or_404(slug: str) -> Organisation:
    try:
        return selectors.organisation_detail(slug=slug)
    except Organisation.DoesNotExist:
        raise Http404(f"No organisation with the slug '{slug}'.") from None


def _job_or_404(job_id: Any) -> Job:
    try:
        return selectors.job_get(job_id=job_id)
    except Job.DoesNotExist:
        raise Http404(f"No job with the id '{job_id}'.") from None


# --- Organisations ------------------------------------------------------------------------------------


@require_GET
@operator_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    rows = [
        {
            "organisation": organisation,
            "primary_domain": selectors.organisation_primary_domain(organisation=organisation),
        }
        for organisation in selectors.organisations_overview()
    ]
    return render(request, "operator/organisation_list.html", {"rows": rows})


@require_http_methods(["GET", "POST"])
@operator_required
def organisation_create(request: HttpRequest) -> HttpResponse:
    """The form for a new organisation; a valid one queues provisioning and shows the job."""
    if request.method == "GET":
        return render(request, "operator/organisation_create.html", {"form": OrganisationCreateForm()})
    form = OrganisationCreateForm(request.POST)
    if form.is_valid():
        try:
            job = organisation_provision_queue(actor=_actor(request), **form.service_inputs())
        except ValidationError as exc:
            form.add_service_errors(error_messages_by_field(exc))
        else:
            return redirect("operator:job_detail", job_id=job.pk)
    return render(request, "operator/organisation_create.html", {"form": form}, status=422)


# --- One organisation and what can be done to it ----------------------------------------------------------


@dataclass(frozen=True)
class Action:
    """A change on the organisation page: the fields of its form, the service call, the message when done."""

    fields: tuple[str, ...]
    run: Callable[[Organisation, QueryDict, Actor], Job | None]
    done: Any


def _checked(data: QueryDict, name: str) -> bool:
    return data.get(name, "").lower() in ("on", "1", "true", "yes")


def _rename(organisation: Organisation, data: QueryDict, actor: Actor) -> None:
    lifecycle.organisation_rename(organisation=organisation, name=data.get("name", ""), actor=actor)


def _suspend(organisation: Organisation, data: QueryDict, actor: Actor) -> None:
    lifecycle.organisation_suspend(organisation=organisation, reason=data.get("reason", ""), actor=actor)


def _resume(organisation: Organisation, data: QueryDict, actor: Actor) -> None:
    lifecycle.organisation_resume(organisation=organisation, actor=actor)


def _domain_add(organisation: Organisation, data: QueryDict, actor: Actor) -> None:
    lifecycle.organisation_domain_add(
        organisation=organisation, domain=data.get("domain", ""), make_primary=_checked(data, "primary"), actor=actor
    )


def _domain_remove(organisation: Organisation, data: QueryDict, actor: Actor) -> None:
    lifecycle.organisation_domain_remove(organisation=organisation, domain=data.get("domain", ""), actor=actor)


def _domain_primary(organisation: Organisation, data: QueryDict, actor: Actor) -> None:
    lifecycle.organisation_domain_set_primary(organisation=organisation, domain=data.get("domain", ""), actor=actor)


def _email_domain_add(organisation: Organisation, data: QueryDict, actor: Actor) -> None:
    lifecycle.organisation_email_domain_add(organisation=organisation, domain=data.get("domain", ""), actor=actor)


def _email_domain_remove(organisation: Organisation, data: QueryDict, actor: Actor) -> None:
    lifecycle.organisation_email_domain_remove(organisation=organisation, domain=data.get("domain", ""), actor=actor)


def _export(organisation: Organisation, data: QueryDict, actor: Actor) -> Job:
    return organisation_export_request(organisation=organisation, actor=actor)


def _delete(organisation: Organisation, data: QueryDict, actor: Actor) -> None:
    lifecycle.organisation_schedule_deletion(organisation=organisation, force=_checked(data, "force"), actor=actor)


def _restore(organisation: Organisation, data: QueryDict, actor: Actor) -> None:
    lifecycle.organisation_restore(organisation=organisation, actor=actor)


def _purge(organisation: Organisation, data: QueryDict, actor: Actor) -> Job:
    return lifecycle.organisation_purge_request(
        organisation=organisation, ignore_grace=_checked(data, "ignore_grace"), actor=actor
    )


ACTIONS: dict[str, Action] = {
    "rename": Action(("name",), _rename, _("The organisation was renamed.")),
    "suspend": Action(
        ("reason",), _suspend, _("The organisation is suspended; its subsite shows a notice and its data is kept.")
    ),
    "resume": Action((), _resume, _("The organisation is active again.")),
    "domain-add": Action(("domain", "primary"), _domain_add, _("The domain was added.")),
    "domain-remove": Action(("domain",), _domain_remove, _("The domain was removed.")),
    "domain-primary": Action(
        ("domain",), _domain_primary, _("The primary domain was changed; the other domains now redirect to it.")
    ),
    "email-domain-add": Action(("domain",), _email_domain_add, _("The e-mail domain was added.")),
    "email-domain-remove": Action(("domain",), _email_domain_remove, _("The e-mail domain was removed.")),
    "export": Action((), _export, _("The export is queued.")),
    "delete": Action(
        ("force",),
        _delete,
        _("The deletion is scheduled; the organisation can be restored until the grace period ends."),
    ),
    "restore": Action((), _restore, _("The deletion was cancelled; the organisation is active again.")),
    "purge": Action(("ignore_grace",), _purge, _("The purge is queued.")),
}


def _form_key(action: str) -> str:
    return action.replace("-", "_")


def _organisation_page(
    request: HttpRequest, organisation: Organisation, *, failed: tuple[str, dict[str, Any]] | None = None
) -> HttpResponse:
    forms: dict[str, dict[str, Any]] = {_form_key(name): {"values": {}, "errors": {}} for name in ACTIONS}
    forms["rename"]["values"] = {"name": organisation.name}
    if failed is not None:
        action, state = failed
        forms[_form_key(action)] = state
    context = {
        "organisation": organisation,
        "primary_domain": selectors.organisation_primary_domain(organisation=organisation),
        "jobs": [selectors.job_status(job=job) for job in selectors.organisation_jobs(organisation=organisation)],
        "audit_events": selectors.organisation_audit_events(organisation=organisation, limit=50),
        "forms": forms,
        "Status": Organisation.Status,
    }
    return render(request, "operator/organisation_detail.html", context, status=422 if failed else 200)


@require_GET
@operator_required
def organisation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return _organisation_page(request, _organisation_or_404(slug))


@require_POST
@operator_required
def organisation_action(request: HttpRequest, slug: str, action: str) -> HttpResponse:
    """Do one change on an organisation; on a refusal, show the page again with the errors and the input."""
    chosen = ACTIONS.get(action)
    if chosen is None:
        raise Http404(f"No action '{action}'.")
    organisation = _organisation_or_404(slug)
    try:
        job = chosen.run(organisation, request.POST, _actor(request))
    except ValidationError as exc:
        errors: dict[str, list[str]] = {}
        for field, field_messages in error_messages_by_field(exc).items():
            errors.setdefault(field if field in chosen.fields else "general", []).extend(field_messages)
        state = {"values": request.POST.dict(), "errors": errors}
        return _organisation_page(request, _organisation_or_404(slug), failed=(action, state))
    messages.success(request, chosen.done)
    if job is not None:
        return redirect("operator:job_detail", job_id=job.pk)
    return redirect("operator:organisation_detail", slug=slug)


# --- Jobs ---------------------------------------------------------------------------------------------------


@require_GET
@operator_required
def job_detail(request: HttpRequest, job_id: Any) -> HttpResponse:
    """A job's visible steps; a small script follows it through ``job_json`` until it ends."""
    job = _job_or_404(job_id)
    status = selectors.job_status(job=job)
    context = {
        "job": job,
        "status": status,
        "steps": selectors.job_steps(job=job, current=status["step"]),
        "poll_url": reverse("operator:job_json", kwargs={"job_id": job.pk}),
        "organisation_exists": job.organisation_id is not None,
    }
    return render(request, "operator/job_detail.html", context)


@require_GET
@operator_required
def job_json(request: HttpRequest, job_id: Any) -> JsonResponse:
    return JsonResponse(selectors.job_status(job=_job_or_404(job_id)))
