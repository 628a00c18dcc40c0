"""A person's own data (GDPR): "export all my data" and "delete my account", as background jobs.

Both start from the account (public schema) and reach every schema the person has been in through
``LocalUserLink`` (see docs/decisions/0001-identity.md), never by scanning all schemas. Each runs as a
Celery task (``shared_apps.accounts.tasks``) queued after commit, and reports its progress in
``PersonalDataJob`` (state, step, percent), which the person follows on ``/accounts/data/``.

**Export** — one ``.zip`` under ``EXPORT_ROOT/personal/`` (written 0600 under a temporary name, then
renamed), laid out as::

    README.txt
    account.json                         the account (no password hash or other secret), its e-mail
                                         addresses, requests to join, invitations, operator tokens
    memberships.json                     per organisation: role and groups
    profile/<photo>                      the profile photo, if any
    organisations/<slug>/local_user.json the local user row (no password), groups, role, Wagtail profile
    organisations/<slug>/pages.json      Wagtail pages the person owns, with their content
    organisations/<slug>/revisions.json  revisions the person made, with their content
    organisations/<slug>/documents.json  documents the person uploaded (metadata) + documents/<id>-<name>
    organisations/<slug>/images.json     images the person uploaded (metadata) + images/<id>-<name>

(``shared-space`` stands for the public schema's local user.)

**Delete** — everywhere: first the account is deactivated (no new sign-in, every session ended);
then in every linked schema the local user is anonymised (name "Former user", a unique e-mail at the
reserved ``.invalid`` domain, deactivated, no groups, permissions, superuser flag, Wagtail profile or
OAuth tokens, unlinked from the account) so that pages, revisions, documents and images stay, with an
anonymous author; then the account goes with its e-mail addresses, links, join requests, invitations
addressed to it, profile photo and earlier export archives. Each step is idempotent: a failed job can
be run again and finishes the work. The audit trail names the account by id only.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import uuid
import zipfile
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.db.models import F, Q, QuerySet
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context

from shared_apps.accounts.models import Account, Invitation, JoinRequest, LocalUserLink, PersonalDataJob
from tenants.audit import Actor, audited
from tenants.models import Organisation

#: Visible steps, with the percentage reached when each starts.
EXPORT_STEPS = {"queued": 0, "reading_account": 5, "reading_organisations": 10, "writing_archive": 90, "ready": 100}
DELETE_STEPS = {"queued": 0, "deactivating_account": 5, "anonymising": 10, "deleting_account": 90, "ready": 100}

ANONYMOUS_NAME = "Former user"
#: RFC 2606 reserves ``.invalid``: mail to it can never be delivered.
PLACEHOLDER_EMAIL_DOMAIN = "former-user.invalid"
SHARED_SPACE_LABEL = "shared-space"
#: A queued or running job older than this no longer blocks a new request (its worker is gone).
STALE_AFTER = timedelta(hours=1)

_SECRET_FIELD = re.compile(r"password|secret|token|key_hash", re.IGNORECASE)
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


class PersonalDataFailed(RuntimeError):
    """A personal-data job did not complete; ``str()`` is the reason (also in the job)."""


def _actor(account_id: object) -> Actor:
    return Actor(f"account:{account_id}")


def export_root() -> Path:
    return Path(settings.EXPORT_ROOT) / "personal"


# --- Reads ---------------------------------------------------------------------------------------------


def personal_data_jobs_of(*, account: Account) -> QuerySet[PersonalDataJob]:
    return PersonalDataJob.objects.filter(account_id=account.pk).order_by("-created_at")


def personal_data_job_get(*, job_id: uuid.UUID | str) -> PersonalDataJob | None:
    return PersonalDataJob.objects.filter(pk=job_id).first()


def personal_data_archive_path(*, job: PersonalDataJob) -> Path | None:
    """The archive of a finished export job, if it is still there (and inside the export folder)."""
    if job.kind != PersonalDataJob.Kind.EXPORT or job.state != PersonalDataJob.State.READY:
        return None
    raw = (job.result or {}).get("archive")
    if not raw:
        return None
    path = Path(raw).resolve()
    root = export_root().resolve()
    if root not in path.parents or not path.is_file():
        return None
    return path


def organisations_left_without_administrator(*, account: Account) -> list[Organisation]:
    """The organisations of which ``account`` is the only active administrator (its deletion leaves none)."""
    from tenant_apps.people.models import User
    from tenant_apps.people.selectors import administrators_count, is_administrator

    schemas = LocalUserLink.objects.filter(account=account).values_list("schema_name", flat=True)
    found = []
    for organisation in Organisation.objects.filter(schema_name__in=list(schemas)).order_by("name"):
        with schema_context(organisation.schema_name):
            user = User.objects.filter(account_id=account.pk).first()
            if user is not None and is_administrator(user=user) and administrators_count() <= 1:
                found.append(organisation)
    return found


# --- Requests ------------------------------------------------------------------------------------------


def _open_job(*, account: Account, kind: str) -> PersonalDataJob | None:
    return PersonalDataJob.objects.filter(
        account_id=account.pk,
        kind=kind,
        state__in=[PersonalDataJob.State.QUEUED, PersonalDataJob.State.RUNNING],
        created_at__gte=timezone.now() - STALE_AFTER,
    ).first()


def _request(*, account: Account, kind: str, already: str) -> PersonalDataJob:
    with transaction.atomic():
        account = Account.objects.select_for_update().get(pk=account.pk)  # one request at a time per account
        if not account.is_active:
            raise ValidationError(_("This account is not active."))
        if _open_job(account=account, kind=kind) is not None:
            raise ValidationError(already)
        job = PersonalDataJob.objects.create(account_id=account.pk, kind=kind)
        transaction.on_commit(lambda: _enqueue(job))
    return job


def _enqueue(job: PersonalDataJob) -> None:
    from shared_apps.accounts import tasks

    task = tasks.personal_data_export if job.kind == PersonalDataJob.Kind.EXPORT else tasks.personal_data_delete
    with schema_context(settings.PUBLIC_SCHEMA_NAME):  # the task runs in the schema that queued it
        task.delay(str(job.pk))


def personal_data_export_request(*, account: Account) -> PersonalDataJob:
    """Queue "export all my data" for ``account`` (the task is sent after commit)."""
    with audited(actor=_actor(account.pk), action="account.data.export.request") as detail:
        job = _request(
            account=account,
            kind=PersonalDataJob.Kind.EXPORT,
            already=_("An export of your data is already being prepared; it will be ready shortly."),
        )
        detail["job"] = str(job.pk)
    return job


def personal_data_delete_request(*, account: Account, confirmation: str) -> PersonalDataJob:
    """Queue "delete my account" for ``account``; ``confirmation`` must be the account's e-mail address."""
    with audited(actor=_actor(account.pk), action="account.delete.request") as detail:
        if (confirmation or "").strip().lower() != account.email.lower():
            raise ValidationError(
                {
                    "confirmation": [
                        _("Type your e-mail address (%(email)s) to confirm that your account goes.")
                        % {"email": account.email}
                    ]
                }
            )
        job = _request(
            account=account,
            kind=PersonalDataJob.Kind.DELETE,
            already=_("Your account is already being deleted."),
        )
        detail["job"] = str(job.pk)
    return job


# --- Progress ------------------------------------------------------------------------------------------


def _progress(job: PersonalDataJob, *, step: str, percent: float, **fields: Any) -> None:
    """Write a job's step at once (jobs run outside any transaction, so the person sees it move)."""
    job.step = step[:60]
    job.percent = max(0, min(100, int(percent)))
    for name, value in fields.items():
        setattr(job, name, value)
    PersonalDataJob.objects.filter(pk=job.pk).update(step=job.step, percent=job.percent, **fields)


def _finish(job: PersonalDataJob, *, result: dict[str, Any]) -> None:
    _progress(
        job, step="ready", percent=100, state=PersonalDataJob.State.READY, result=result, finished_at=timezone.now()
    )


def _fail(job: PersonalDataJob, error: BaseException) -> str:
    connection.set_schema_to_public()
    if isinstance(error, ValidationError):
        reason = " ".join(error.messages)
    else:
        reason = f"{type(error).__name__}: {error}"
    reason = " ".join(reason.split())[:2000]
    _progress(
        job,
        step="failed",
        percent=job.percent,
        state=PersonalDataJob.State.FAILED,
        error=reason,
        finished_at=timezone.now(),
    )
    return reason


def _between(start: int, end: int, done: int, total: int) -> float:
    return start + (end - start) * (done / total if total else 1)


# --- Serialising rows ----------------------------------------------------------------------------------


def _row(instance: models.Model, *, exclude: tuple[str, ...] = ()) -> dict[str, Any]:
    """A model row as JSON-ready values: every concrete field but secrets (passwords, secrets, tokens)."""
    data: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if field.name in exclude or _SECRET_FIELD.search(field.name):
            continue
        value = getattr(instance, field.attname)
        if isinstance(value, FieldFile):
            value = value.name or ""
        data[field.name] = value
    return data


def _safe_name(name: str) -> str:
    base = os.path.basename(name or "") or "file"
    return _UNSAFE_NAME.sub("_", base)[:120]


class _Archive:
    def __init__(self, zf: zipfile.ZipFile) -> None:
        self.zf = zf
        self.files = 0

    def json(self, name: str, data: Any) -> None:
        self.zf.writestr(name, json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False))

    def text(self, name: str, text: str) -> None:
        self.zf.writestr(name, text)

    def file(self, name: str, field_file: FieldFile) -> str:
        """Copy a stored file (in the current schema's storage) into the archive; ``""`` if it is missing."""
        if not field_file or not field_file.name:
            return ""
        try:
            with (
                field_file.storage.open(field_file.name, "rb") as source,
                self.zf.open(name, "w", force_zip64=True) as target,
            ):
                shutil.copyfileobj(source, target, 1024 * 1024)
        except OSError:
            return ""
        self.files += 1
        return name


_README = """\
Your data on GovSquare, exported {when} (UTC).

account.json       your account, e-mail addresses, requests to join, invitations
memberships.json   the organisations you are in, with your role
profile/           your profile photo
organisations/     per organisation ("shared-space" is the shared space): your local user there,
                   the pages you own and the revisions you made (with their content), and the
                   documents and images you uploaded (details in the .json, files beside them)

Passwords and two-factor secrets are never exported.
"""


# --- Export --------------------------------------------------------------------------------------------


def personal_data_export_run(*, job: PersonalDataJob) -> Path:
    """Do a queued export job: writes the archive, marks the job ready (or failed, with the reason)."""
    _progress(job, step="reading_account", percent=EXPORT_STEPS["reading_account"], state=PersonalDataJob.State.RUNNING)
    try:
        account = Account.objects.filter(pk=job.account_id).first()
        if account is None:
            raise ValidationError(_("The account no longer exists."))
        with audited(actor=_actor(account.pk), action="account.data.export") as detail:
            path, summary = _export(account=account, job=job)
            detail.update(job=str(job.pk), bytes=path.stat().st_size, **summary)
    except Exception as exc:
        raise PersonalDataFailed(_fail(job, exc)) from exc
    _finish(job, result={"archive": str(path), "bytes": path.stat().st_size, **summary})
    return path


def _export(*, account: Account, job: PersonalDataJob) -> tuple[Path, dict[str, Any]]:
    target = export_root()
    target.mkdir(parents=True, exist_ok=True, mode=0o700)
    created = timezone.now()
    final = target / f"{account.pk}-{created:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}.zip"
    partial = final.with_name(f".{final.name}.part")
    try:
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            archive = _Archive(zf)
            archive.text("README.txt", _README.format(when=f"{created:%Y-%m-%d %H:%M}"))
            _export_account(archive=archive, account=account)
            links = list(LocalUserLink.objects.filter(account=account).order_by("schema_name"))
            _progress(job, step="reading_organisations", percent=EXPORT_STEPS["reading_organisations"])
            memberships = []
            for done, link in enumerate(links):
                memberships.append(_export_schema(archive=archive, account=account, schema_name=link.schema_name))
                start, end = EXPORT_STEPS["reading_organisations"], EXPORT_STEPS["writing_archive"]
                _progress(job, step="reading_organisations", percent=_between(start, end, done + 1, len(links)))
            connection.set_schema_to_public()
            archive.json("memberships.json", [entry for entry in memberships if entry is not None])
            _progress(job, step="writing_archive", percent=EXPORT_STEPS["writing_archive"])
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


def _export_account(*, archive: _Archive, account: Account) -> None:
    addresses = list(account.emails.all())
    address_filter = Q()
    for address in [account.email, *(a.email for a in addresses)]:
        address_filter |= Q(email__iexact=address)
    data = {
        "account": {**_row(account), "two_factor_enabled": bool(account.totp_confirmed_at)},
        "emails": [_row(address, exclude=("account",)) for address in addresses],
        "join_requests": [
            {"organisation": request.organisation.name, **_row(request, exclude=("account", "organisation"))}
            for request in JoinRequest.objects.filter(account=account).select_related("organisation")
        ],
        "invitations": [
            {"organisation": invitation.organisation.name, **_row(invitation, exclude=("organisation",))}
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
        data["account"]["photo_in_archive"] = archive.file(f"profile/{_safe_name(account.photo.name)}", account.photo)
    archive.json("account.json", data)


def _export_schema(*, archive: _Archive, account: Account, schema_name: str) -> dict[str, Any] | None:
    """Write the person's local user and content of one schema; return its line of memberships.json."""
    from tenant_apps.people.models import User
    from tenant_apps.people.selectors import role_from_group_names
    from tenants.schema_template import schema_exists

    organisation = Organisation.objects.filter(schema_name=schema_name).first()
    if schema_name != settings.PUBLIC_SCHEMA_NAME and (organisation is None or not schema_exists(schema_name)):
        return None
    label = organisation.slug if organisation is not None else SHARED_SPACE_LABEL
    base = f"organisations/{label}"
    with schema_context(schema_name):
        user = User.objects.filter(account_id=account.pk).first()
        if user is None:
            return None
        groups = sorted(user.groups.values_list("name", flat=True))
        role = role_from_group_names(set(groups)) if organisation is not None else None
        local_user = {**_row(user), "groups": groups, "role": role}
        profile = _wagtail_profile(user)
        if profile is not None:
            local_user["wagtail_profile"] = _row(profile, exclude=("user",))
            if profile.avatar:
                local_user["wagtail_profile"]["avatar_in_archive"] = archive.file(
                    f"{base}/avatar/{_safe_name(profile.avatar.name)}", profile.avatar
                )
        archive.json(f"{base}/local_user.json", local_user)
        archive.json(f"{base}/pages.json", _pages_owned(user))
        archive.json(f"{base}/revisions.json", _revisions_made(user))
        archive.json(f"{base}/documents.json", _uploads(archive, user, kind="documents", base=base))
        archive.json(f"{base}/images.json", _uploads(archive, user, kind="images", base=base))
    return {
        "organisation": organisation.name if organisation is not None else None,
        "slug": organisation.slug if organisation is not None else None,
        "schema": label,
        "role": role,
        "groups": groups,
    }


def _wagtail_profile(user: Any) -> Any:
    from wagtail.users.models import UserProfile

    return UserProfile.objects.filter(user=user).first()


def _pages_owned(user: Any) -> list[dict[str, Any]]:
    from wagtail.models import Page

    pages = []
    for page in Page.objects.filter(owner=user).order_by("path").specific():
        pages.append(
            {
                "id": page.pk,
                "type": page._meta.label_lower,
                "title": page.title,
                "url_path": page.url_path,
                "live": page.live,
                "first_published_at": page.first_published_at,
                "last_published_at": page.last_published_at,
                "content": page.serializable_data(),
            }
        )
    return pages


def _revisions_made(user: Any) -> list[dict[str, Any]]:
    from wagtail.models import Revision

    return [
        {
            "id": revision.pk,
            "type": f"{revision.content_type.app_label}.{revision.content_type.model}",
            "object_id": revision.object_id,
            "object": revision.object_str,
            "created_at": revision.created_at,
            "content": revision.content,
        }
        for revision in Revision.objects.filter(user=user).select_related("content_type").order_by("created_at")
    ]


def _uploads(archive: _Archive, user: Any, *, kind: str, base: str) -> list[dict[str, Any]]:
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model

    model = get_document_model() if kind == "documents" else get_image_model()
    rows = []
    for item in model.objects.filter(uploaded_by_user=user).select_related("collection").order_by("pk"):
        row = _row(item, exclude=("uploaded_by_user",))
        row["collection"] = item.collection.name if item.collection_id else None
        row["tags"] = sorted(item.tags.names()) if hasattr(item, "tags") else []
        row["file_in_archive"] = archive.file(f"{base}/{kind}/{item.pk}-{_safe_name(item.file.name)}", item.file)
        rows.append(row)
    return rows


# --- Delete --------------------------------------------------------------------------------------------


def personal_data_delete_run(*, job: PersonalDataJob) -> dict[str, Any]:
    """Do a queued deletion job: anonymise everywhere, then delete the account; marks the job."""
    _progress(
        job,
        step="deactivating_account",
        percent=DELETE_STEPS["deactivating_account"],
        state=PersonalDataJob.State.RUNNING,
    )
    try:
        result = _delete(job=job)
    except Exception as exc:
        raise PersonalDataFailed(_fail(job, exc)) from exc
    _finish(job, result=result)
    return result


def _delete(*, job: PersonalDataJob) -> dict[str, Any]:
    account_id = job.account_id
    actor = _actor(account_id)
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
            _progress(
                job,
                step="anonymising",
                percent=_between(DELETE_STEPS["anonymising"], DELETE_STEPS["deleting_account"], done, len(links)),
            )
            anonymised += _anonymise_in_schema(schema_name=link.schema_name, account_id=account_id, actor=actor)
        # 3. The account itself, and what hangs on it.
        _progress(job, step="deleting_account", percent=DELETE_STEPS["deleting_account"])
        _delete_account(account_id=account_id)
        detail.update(schemas=len(links), anonymised=anonymised)
    return {"schemas": len(links), "anonymised": anonymised}


def _anonymise_in_schema(*, schema_name: str, account_id: uuid.UUID, actor: Actor) -> int:
    """Anonymise the account's local user in one schema (1 if one was there), audited in that organisation's trail."""
    from tenants.schema_template import schema_exists

    organisation = Organisation.objects.filter(schema_name=schema_name).first()
    if not schema_exists(schema_name):
        return 0
    previous = connection.tenant
    try:
        with audited(
            actor=actor,
            action="membership.anonymise",
            organisation_slug=organisation.slug if organisation is not None else "",
            account=str(account_id),
            schema=schema_name,
        ) as detail:
            with schema_context(schema_name), transaction.atomic():
                user_id = local_user_anonymise(account_id=account_id)
            detail["local_user"] = user_id
    finally:
        connection.set_tenant(previous)
    return 1 if user_id is not None else 0


def local_user_anonymise(*, account_id: uuid.UUID | str) -> int | None:
    """In the current schema: turn the account's local user into an anonymous, inactive "Former user".

    The row stays, so pages, revisions, documents and images keep an (anonymous) author. Returns its id,
    or ``None`` if the schema holds no local user of the account (any more).
    """
    from tenant_apps.people.models import User

    user = User.objects.select_for_update().filter(account_id=account_id).first()
    if user is None:
        return None
    user.groups.clear()
    user.user_permissions.clear()
    user.first_name, user.last_name = ANONYMOUS_NAME, ""
    user.email = f"former-user-{uuid.uuid4().hex}@{PLACEHOLDER_EMAIL_DOMAIN}"
    user.is_active = user.is_staff = user.is_superuser = False
    user.last_login = None
    user.account = None
    user.set_unusable_password()
    user.save()
    profile = _wagtail_profile(user)
    if profile is not None:
        if profile.avatar:
            profile.avatar.delete(save=False)
        profile.delete()
    _revoke_oauth(user)
    return user.pk


def _revoke_oauth(user: Any) -> None:
    if not apps.is_installed("oauth2_provider"):
        return
    from oauth2_provider import models as oauth

    getters: list[Callable[[], Any]] = [
        oauth.get_access_token_model,
        oauth.get_refresh_token_model,
        oauth.get_id_token_model,
        oauth.get_grant_model,
    ]
    for get_model in getters:
        model = get_model()
        if any(field.name == "user" for field in model._meta.get_fields()):
            model.objects.filter(user=user).delete()


def _delete_account(*, account_id: uuid.UUID) -> None:
    connection.set_schema_to_public()
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
        for job in PersonalDataJob.objects.filter(account_id=account_id, kind=PersonalDataJob.Kind.EXPORT)
    ]
    with transaction.atomic():
        Invitation.objects.filter(address_filter).delete()
        account.delete()  # e-mail addresses, links, join requests, operator tokens go with it
    if photo:
        with schema_context(settings.PUBLIC_SCHEMA_NAME):
            account.photo.storage.delete(photo)
    root = export_root().resolve()
    for raw in archives:
        if raw and root in Path(raw).resolve().parents:
            Path(raw).unlink(missing_ok=True)
