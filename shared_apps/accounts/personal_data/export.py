"""Export all of a person's data as one ``.zip`` (written 0600 under a temporary name, then renamed)."""

from __future__ import annotations

import os
import uuid
import zipfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from shared_apps.accounts.models import Account, Invitation, JoinRequest, LocalUserLink
from shared_apps.accounts.personal_data.archive import PersonalArchive, row_data, safe_name
from shared_apps.accounts.personal_data.jobs import (
    EXPORT_STEPS,
    PersonalDataFailed,
    actor_for_account,
    export_root,
)
from shared_apps.groups.personal_data import export_groups
from shared_apps.people.models import User
from shared_apps.people.personal_data import local_user_export
from tenants import organisation_hooks
from tenants.audit import audited
from tenants.jobs import job_between, job_claimed, job_fail, job_mark, job_progress
from tenants.models import Job, Organisation
from tenants.schema_template import schema_exists
from tenants.schemas import in_schema

SHARED_SPACE_LABEL = "shared-space"

_README = """\
Your data on GovSquare, exported {when} (UTC).

account.json       your account, e-mail addresses, requests to join, invitations
memberships.json   the organisations you are in, with your role
groups.json        the groups you are in, your requests and invitations, and what you wrote or
                   uploaded in them (files in groups/files/)
profile/           your profile photo
organisations/     per organisation you are a member of ("shared-space" is the shared space): your
                   local user there, the revisions you made (with their content), the pages you
                   own (with the title of your own latest revision, not other people's later
                   edits), and the documents and images you uploaded (details in the .json,
                   files beside them)

Passwords and two-factor secrets are never exported.
"""


def personal_data_export_run(*, job: Job) -> Path:
    """Do a queued export job: writes the archive, marks the job ready (or failed, with the reason).

    Safe to run twice (a redelivered task): a finished job returns its archive (or its failure) untouched; one
    running in another worker raises ``tenants.jobs.JobBusy``.
    """
    with job_claimed(job=job) as mine:
        if mine:
            return _export_run(job=job)
    if job.state == Job.State.READY:
        return Path(job.result["archive"])
    raise PersonalDataFailed(job.error)


def _export_run(*, job: Job) -> Path:
    job_mark(job=job, state=Job.State.RUNNING, step="reading_account", percent=EXPORT_STEPS["reading_account"])
    try:
        account = Account.objects.filter(pk=job.account_id).first()
        if account is None:
            raise ValidationError(_("The account no longer exists."))
        with audited(actor=actor_for_account(account.pk), action="account.data.export") as detail:
            path, summary = _export(account=account, job=job)
            detail.update(job=str(job.pk), bytes=path.stat().st_size, **summary)
    except Exception as exc:
        raise PersonalDataFailed(job_fail(job=job, error=exc, fields=False)) from exc
    job_mark(job=job, state=Job.State.READY, result={"archive": str(path), "bytes": path.stat().st_size, **summary})
    return path


def _export(*, account: Account, job: Job) -> tuple[Path, dict[str, Any]]:
    target = export_root()
    target.mkdir(parents=True, exist_ok=True, mode=0o700)
    created = timezone.now()
    final = target / f"{account.pk}-{created:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}.zip"
    partial = final.with_name(f".{final.name}.part")
    try:
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            archive = PersonalArchive(zf)
            archive.text("README.txt", _README.format(when=f"{created:%Y-%m-%d %H:%M}"))
            export_account(archive=archive, account=account)
            export_groups(account=account, archive=archive)
            links = list(LocalUserLink.objects.filter(account=account).order_by("schema_name"))
            roles = organisation_hooks.roles_of_accounts.call_one(
                account_ids=[account.pk], schema_names=[link.schema_name for link in links]
            )
            job_progress(job=job, step="reading_organisations", percent=EXPORT_STEPS["reading_organisations"])
            memberships = []
            for done, link in enumerate(links):
                held = roles.get((link.schema_name, account.pk))
                memberships.append(
                    _export_schema(
                        archive=archive,
                        account=account,
                        schema_name=link.schema_name,
                        role=held.role if held is not None else None,
                    )
                )
                start, end = EXPORT_STEPS["reading_organisations"], EXPORT_STEPS["writing_archive"]
                job_progress(
                    job=job, step="reading_organisations", percent=job_between(start, end, done + 1, len(links))
                )
            archive.json("memberships.json", [entry for entry in memberships if entry is not None])
            job_progress(job=job, step="writing_archive", percent=EXPORT_STEPS["writing_archive"])
        os.chmod(partial, 0o600)
        os.replace(partial, final)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    summary = {
        "organisations": sum(1 for entry in memberships if entry and entry["organisation"]),
        "files": archive.files,
    }
    return final, summary


def export_account(*, archive: PersonalArchive, account: Account) -> None:
    """``account.json``: the account (no secret), its addresses, join requests, invitations, operator tokens."""
    addresses = list(account.emails.all())
    address_filter = Q()
    for address in [account.email, *(a.email for a in addresses)]:
        address_filter |= Q(email__iexact=address)
    data = {
        "account": {**row_data(account), "two_factor_enabled": bool(account.totp_confirmed_at)},
        "emails": [row_data(address, exclude=("account",)) for address in addresses],
        "join_requests": [
            {"organisation": request.organisation.name, **row_data(request, exclude=("account", "organisation"))}
            for request in JoinRequest.objects.filter(account=account).select_related("organisation")
        ],
        "invitations": [
            {"organisation": invitation.organisation.name, **row_data(invitation, exclude=("organisation",))}
            for invitation in Invitation.objects.filter(address_filter).select_related("organisation")
        ],
        "operator_tokens": [
            {
                "name": token.name,
                "created_at": token.created_at,
                "last_used_at": token.last_used_at,
                "revoked_at": token.revoked_at,
            }
            for token in account.operator_tokens.all()
        ],
    }
    if account.photo:
        data["account"]["photo_in_archive"] = archive.file(f"profile/{safe_name(account.photo.name)}", account.photo)
    archive.json("account.json", data)


def _export_schema(*, archive: PersonalArchive, account: Account, schema_name: str, role: Any) -> dict[str, Any] | None:
    """Write the person's local user and content of one schema; return its line of memberships.json.

    The local user's row comes from ``shared_apps.people``; the rest from every app registered for
    ``personal_data_export``.
    """
    organisation = Organisation.objects.filter(schema_name=schema_name).first()
    if schema_name != settings.PUBLIC_SCHEMA_NAME and (organisation is None or not schema_exists(schema_name)):
        return None
    if organisation is not None and role is None:
        return None  # an organisation the person has left (or never joined): its content is not theirs to take
    label = organisation.slug if organisation is not None else SHARED_SPACE_LABEL
    folder = f"organisations/{label}"
    role = role if organisation is not None else None
    with in_schema(schema_name):
        user = User.objects.filter(account_id=account.pk).first()
        if user is None:
            return None
        groups = local_user_export(user=user, archive=archive, folder=folder, role=role)
        organisation_hooks.personal_data_export.call_all(
            account=account, local_user=user, archive=archive, folder=folder
        )
    return {
        "organisation": organisation.name if organisation is not None else None,
        "slug": organisation.slug if organisation is not None else None,
        "schema": label,
        "role": role,
        "groups": groups,
    }
