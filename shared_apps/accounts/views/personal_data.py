"""``/accounts/data/`` on the shared space: "export all my data" and "delete my account", with progress.

Thin: the work is in ``shared_apps.accounts.personal_data``. A job's page is shown to its account, or to
the browser session that asked for it (after a deletion, the account is gone but the page still says
how it went); the archive is given only to the signed-in account it belongs to.
"""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from shared_apps.accounts.models import Account
from shared_apps.accounts.personal_data.jobs import (
    organisations_left_without_administrator,
    personal_data_archive_path,
    personal_data_job_get,
    personal_data_jobs_of,
)
from shared_apps.accounts.personal_data.requests import personal_data_delete_request, personal_data_export_request
from tenants.errors import error_messages_by_field
from tenants.models import Job

SESSION_KEY = "govsquare.personal_data_jobs"
#: How a person's page names the kind of their job (``export`` / ``delete``).
_PUBLIC_KIND = {Job.Kind.PERSONAL_EXPORT: "export", Job.Kind.PERSONAL_DELETE: "delete"}


def _account(request: HttpRequest) -> Account | None:
    account_id = getattr(request.user, "account_id", None) if request.user.is_authenticated else None
    return Account.objects.filter(pk=account_id, is_active=True).first() if account_id else None


def _remember(request: HttpRequest, job: Job) -> None:
    request.session[SESSION_KEY] = [str(job.pk), *request.session.get(SESSION_KEY, [])][:20]


def _errors(error: ValidationError) -> list[str]:
    return [message for messages in error_messages_by_field(error).values() for message in messages]


def _home(
    request: HttpRequest, account: Account, *, errors: list[str] | None = None, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "accounts/personal_data.html",
        {
            "account": account,
            "jobs": personal_data_jobs_of(account=account)[:10],
            "errors": errors or [],
            "last_administrator_of": organisations_left_without_administrator(account=account),
        },
        status=status,
    )


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    account = _account(request)
    if account is None:
        return redirect_to_login(request.get_full_path())
    return _home(request, account)


@require_POST
def export(request: HttpRequest) -> HttpResponse:
    account = _account(request)
    if account is None:
        return redirect_to_login(reverse("personal_data_home"))
    try:
        job = personal_data_export_request(account=account)
    except ValidationError as error:
        return _home(request, account, errors=_errors(error), status=400)
    _remember(request, job)
    return redirect("personal_data_job", job_id=job.pk)


@require_POST
def delete(request: HttpRequest) -> HttpResponse:
    account = _account(request)
    if account is None:
        return redirect_to_login(reverse("personal_data_home"))
    try:
        job = personal_data_delete_request(account=account, confirmation=request.POST.get("confirmation", ""))
    except ValidationError as error:
        return _home(request, account, errors=_errors(error), status=400)
    _remember(request, job)
    return redirect("personal_data_job", job_id=job.pk)


def _visible_job(request: HttpRequest, job_id: str) -> Job:
    job = personal_data_job_get(job_id=job_id)
    account = _account(request)
    mine = job is not None and account is not None and job.account_id == account.pk
    if job is None or not (mine or str(job.pk) in request.session.get(SESSION_KEY, [])):
        raise Http404("No such job.")
    return job


@require_GET
def job_detail(request: HttpRequest, job_id: str) -> HttpResponse:
    job = _visible_job(request, job_id)
    download = (
        reverse("personal_data_download", kwargs={"job_id": job.pk}) if personal_data_archive_path(job=job) else ""
    )
    if request.GET.get("format") == "json":
        return JsonResponse(
            {
                "id": str(job.pk),
                "kind": _PUBLIC_KIND[job.kind],
                "state": job.state,
                "step": job.step,
                "percent": job.percent,
                "error": job.error,
                "download": download,
            }
        )
    return render(request, "accounts/personal_data_job.html", {"job": job, "download": download})


@require_GET
def download(request: HttpRequest, job_id: str) -> HttpResponse:
    account = _account(request)
    job = personal_data_job_get(job_id=job_id)
    if account is None or job is None or job.account_id != account.pk:
        raise Http404("No such archive.")
    path = personal_data_archive_path(job=job)
    if path is None:
        raise Http404("This archive is not there (any more).")
    return FileResponse(path.open("rb"), as_attachment=True, filename=f"govsquare-my-data-{job.created_at:%Y%m%d}.zip")
