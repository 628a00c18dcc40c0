"""Delete a person's account everywhere: deactivate it, anonymise its local users schema by schema, then
delete the account and what hangs on it. Each step is idempotent: a failed job can be run again."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _

from shared_apps.accounts.models import Account, Invitation, LocalUserLink
from shared_apps.accounts.personal_data.jobs import (
    DELETE_STEPS,
    PersonalDataFailed,
    actor_for_account,
    export_root,
)
from shared_apps.groups.services.memberships import ownership_hand_over_on_departure
from shared_apps.people.models import User
from shared_apps.people.personal_data import local_user_anonymise
from tenants import organisation_hooks
from tenants.audit import Actor, audited, audited_in
from tenants.jobs import job_between, job_claimed, job_fail, job_mark, job_progress
from tenants.models import Job, Organisation
from tenants.schema_template import schema_exists
from tenants.schemas import in_public_schema, in_schema


def personal_data_delete_run(*, job: Job) -> dict[str, Any]:
    """Do a queued deletion job: anonymise everywhere, then delete the account; marks the job.

    Safe to run twice (a redelivered task): a finished job returns its result (or its failure) untouched;
    one running in another worker raises ``tenants.jobs.JobBusy``.
    """
    with job_claimed(job=job) as mine:
        if mine:
            return _delete_run(job=job)
    if job.state == Job.State.READY:
        return job.result
    raise PersonalDataFailed(job.error)


def _delete_run(*, job: Job) -> dict[str, Any]:
    job_mark(
        job=job, state=Job.State.RUNNING, step="deactivating_account", percent=DELETE_STEPS["deactivating_account"]
    )
    try:
        result = _delete(job=job)
    except Exception as exc:
        raise PersonalDataFailed(job_fail(job=job, error=exc, fields=False)) from exc
    job_mark(job=job, state=Job.State.READY, result=result)
    return result


def _delete(*, job: Job) -> dict[str, Any]:
    account_id = job.account_id
    actor = actor_for_account(account_id)
    with audited(actor=actor, action="account.delete", account=str(account_id), job=str(job.pk)) as detail:
        account = Account.objects.filter(pk=account_id).first()
        if account is None:
            raise ValidationError(_("The account no longer exists."))
        # 1. No new sign-in, every session ended.
        Account.objects.filter(pk=account_id).update(is_active=False, session_epoch=F("session_epoch") + 1)
        # 2. Every schema the person has been in.
        links = list(LocalUserLink.objects.filter(account_id=account_id).order_by("schema_name"))
        anonymised = 0
        for done, link in enumerate(links):
            job_progress(
                job=job,
                step="anonymising",
                percent=job_between(DELETE_STEPS["anonymising"], DELETE_STEPS["deleting_account"], done, len(links)),
            )
            anonymised += _anonymise_in_schema(schema_name=link.schema_name, account=account, actor=actor)
        # 3. The account itself, and what hangs on it.
        job_progress(job=job, step="deleting_account", percent=DELETE_STEPS["deleting_account"])
        _delete_account(account_id=account_id)
        detail.update(schemas=len(links), anonymised=anonymised)
    return {"schemas": len(links), "anonymised": anonymised}


def _anonymise_in_schema(*, schema_name: str, account: Account, actor: Actor) -> int:
    """Erase the person's data in one schema: first every app registered for ``personal_data_erase``, then
    the local user is anonymised. 1 if a local user was there; audited in that organisation's trail."""
    if not schema_exists(schema_name):
        return 0
    organisation = Organisation.objects.filter(schema_name=schema_name).first()
    tenant = organisation if organisation is not None else schema_name
    with audited_in(
        tenant=tenant,
        actor=actor,
        action="membership.anonymise",
        account=str(account.pk),
        schema=schema_name,
    ) as detail:
        with in_schema(tenant), transaction.atomic():
            user = User.objects.select_for_update().filter(account_id=account.pk).first()
            if user is not None:
                for counts in organisation_hooks.personal_data_erase.call_all(account=account, local_user=user):
                    detail.update(counts or {})
            user_id = local_user_anonymise(account_id=account.pk)
        detail["local_user"] = user_id
    return 1 if user_id is not None else 0


def _delete_account(*, account_id: uuid.UUID) -> None:
    with in_public_schema():
        account = Account.objects.filter(pk=account_id).first()
        if account is None:
            return
        addresses = {account.email, *account.emails.values_list("email", flat=True)}
        address_filter = Q()
        for address in addresses:
            address_filter |= Q(email__iexact=address)
        photo = account.photo.name if account.photo else ""
        archives = [
            job.result.get("archive")
            for job in Job.objects.filter(account_id=account_id, kind=Job.Kind.PERSONAL_EXPORT)
        ]
        ownership_hand_over_on_departure(account=account)  # a group always keeps an owner
        with transaction.atomic():
            Invitation.objects.filter(address_filter).delete()
            account.delete()  # e-mail addresses, links, join requests, operator tokens go with it
        if photo:
            account.photo.storage.delete(photo)
    root = export_root().resolve()
    for raw in archives:
        if raw and root in Path(raw).resolve().parents:
            Path(raw).unlink(missing_ok=True)
