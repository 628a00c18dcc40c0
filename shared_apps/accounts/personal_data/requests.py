"""Requests for a person's data jobs: "export all my data" and "delete my account", queued after commit."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shared_apps.accounts import tasks
from shared_apps.accounts.models import Account
from shared_apps.accounts.personal_data.jobs import actor_for_account, organisations_left_without_administrator
from tenants.audit import audited
from tenants.models import Job
from tenants.schemas import in_public_schema

#: A queued or running job older than this no longer blocks a new request (its worker is gone).
STALE_AFTER = timedelta(hours=1)


def _open_job(*, account: Account, kind: str) -> Job | None:
    return Job.objects.filter(
        account_id=account.pk,
        kind=kind,
        state__in=[Job.State.QUEUED, Job.State.RUNNING],
        created_at__gte=timezone.now() - STALE_AFTER,
    ).first()


def _request(*, account: Account, kind: str, already: str) -> Job:
    with transaction.atomic():
        account = Account.objects.select_for_update().get(pk=account.pk)  # one request at a time per account
        if not account.is_active:
            raise ValidationError(_("This account is not active."))
        if _open_job(account=account, kind=kind) is not None:
            raise ValidationError(already)
        job = Job.objects.create(account_id=account.pk, kind=kind, requested_by=actor_for_account(account.pk).label)
        transaction.on_commit(lambda: _enqueue(job))
    return job


def _enqueue(job: Job) -> None:
    task = tasks.personal_data_export if job.kind == Job.Kind.PERSONAL_EXPORT else tasks.personal_data_delete
    with in_public_schema():  # the task runs in the schema that queued it
        task.delay(str(job.pk))


def personal_data_export_request(*, account: Account) -> Job:
    """Queue "export all my data" for ``account`` (the task is sent after commit)."""
    with audited(actor=actor_for_account(account.pk), action="account.data.export.request") as detail:
        job = _request(
            account=account,
            kind=Job.Kind.PERSONAL_EXPORT,
            already=_("An export of your data is already being prepared; it will be ready shortly."),
        )
        detail["job"] = str(job.pk)
    return job


def personal_data_delete_request(*, account: Account, confirmation: str) -> Job:
    """Queue "delete my account" for ``account``; ``confirmation`` must be the account's e-mail address."""
    with audited(actor=actor_for_account(account.pk), action="account.delete.request") as detail:
        if (confirmation or "").strip().lower() != account.email.lower():
            raise ValidationError(
                {
                    "confirmation": [
                        _("Type your e-mail address (%(email)s) to confirm that your account goes.")
                        % {"email": account.email}
                    ]
                }
            )
        alone = organisations_left_without_administrator(account=account)
        if alone:  # an organisation must never be left without anyone who can run it
            raise ValidationError(
                {
                    "confirmation": [
                        _(
                            "You are the only administrator of %(organisations)s. Make someone else an administrator "
                            "there first (or ask the platform's operators), then delete your account."
                        )
                        % {"organisations": ", ".join(organisation.name for organisation in alone)}
                    ]
                }
            )
        job = _request(
            account=account,
            kind=Job.Kind.PERSONAL_DELETE,
            already=_("Your account is already being deleted."),
        )
        detail["job"] = str(job.pk)
    return job
