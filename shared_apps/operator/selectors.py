"""Reads of the operator interfaces: who may operate, and what the API and the pages show."""

from __future__ import annotations

import hmac
import uuid
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shared_apps.accounts.models import Account
from shared_apps.operator.tokens import token_key_hash, token_key_prefix
from tenants.archive.format import EXPORT_STEPS, IMPORT_STEPS
from tenants.jobs import job_live_step
from tenants.models import AuditEvent, Job, OperatorToken, Organisation
from tenants.provisioning import STEPS as PROVISIONING_STEPS

#: The visible steps of each kind of job, in order (a job may report a step not listed: it is shown too).
#: Export and import steps come from ``tenants.archive`` when it is installed (see ``_job_step_keys``).
JOB_STEPS: dict[str, list[str]] = {
    Job.Kind.PROVISION: list(PROVISIONING_STEPS),
    Job.Kind.DELETE: ["queued", "dropping_schema", "ready"],
}

_DUMMY_HASH = token_key_hash("gsq_00000000_no-such-token")


# --- Who may operate ------------------------------------------------------------------------------


def account_is_operator(*, account: Account | None) -> bool:
    """An active account with the platform operator role."""
    return bool(account is not None and account.is_active and account.is_platform_operator)


def operator_account_for_user(*, user: Any) -> Account | None:
    """The operator account behind a signed-in local user of the shared space, or ``None``."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "account_id", None):
        return None
    try:
        account = user.account
    except Account.DoesNotExist:  # the link has no database constraint: the account may be gone
        return None
    return account if account_is_operator(account=account) else None


def operator_token_identify(*, raw_key: str) -> OperatorToken | None:
    """The unrevoked token whose key this is (its account not checked), else ``None``. Constant-time compare."""
    prefix = token_key_prefix(raw_key)
    token = (
        OperatorToken.objects.select_related("account").filter(prefix=prefix).first() if prefix is not None else None
    )
    presented = token_key_hash(raw_key)
    matches = hmac.compare_digest(token.key_hash if token is not None else _DUMMY_HASH, presented)
    if token is None or not matches or token.revoked_at is not None:
        return None
    return token


def operator_token_authenticate(*, raw_key: str) -> OperatorToken | None:
    """The token for an API request: valid, unrevoked, of an active operator; records its use. Else ``None``."""
    token = operator_token_identify(raw_key=raw_key)
    if token is None or not account_is_operator(account=token.account):
        return None
    token.last_used_at = timezone.now()
    OperatorToken.objects.filter(pk=token.pk).update(last_used_at=token.last_used_at)
    return token


def operator_tokens_of(*, account: Account) -> QuerySet[OperatorToken]:
    return OperatorToken.objects.filter(account=account).order_by("-created_at")


# --- Organisations, jobs, audit trail ----------------------------------------------------------------


def organisations_overview(*, status: str | None = None) -> QuerySet[Organisation]:
    """Every organisation with its domains (for the primary one), by name; optionally of one status."""
    organisations = Organisation.objects.prefetch_related("domains", "email_domains").order_by("name")
    return organisations.filter(status=status) if status else organisations


def organisation_detail(*, slug: str) -> Organisation:
    """One organisation with its domains and e-mail domains. ``Organisation.DoesNotExist`` if unknown."""
    return Organisation.objects.prefetch_related("domains", "email_domains").get(slug=slug)


def organisation_primary_domain(*, organisation: Organisation) -> str:
    """The primary domain, from the prefetched domains when there are (no extra query in a list)."""
    for domain in organisation.domains.all():
        if domain.is_primary:
            return domain.domain
    return organisation.platform_host


def organisation_jobs(*, organisation: Organisation, limit: int = 20) -> QuerySet[Job]:
    return Job.objects.filter(organisation=organisation, kind__in=Job.ORGANISATION_KINDS).order_by("-created_at")[
        :limit
    ]


def organisation_audit_events(*, organisation: Organisation, limit: int = 100) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(organisation_id=organisation.pk).order_by("-at", "-id")[:limit]


def job_get(*, job_id: uuid.UUID | str) -> Job:
    """An organisation's job by id. ``Job.DoesNotExist`` for an unknown id, for a string that is not a UUID at
    all, and for a person's own data job (those are the person's, never the operator's)."""
    try:
        key = job_id if isinstance(job_id, uuid.UUID) else uuid.UUID(str(job_id))
    except ValueError:
        raise Job.DoesNotExist(f"No job with the id '{job_id}'.") from None
    return Job.objects.select_related("organisation").get(pk=key, kind__in=Job.ORGANISATION_KINDS)


def job_status(*, job: Job) -> dict[str, Any]:
    """What the API, the job page and its poller show of a job (the step live while it runs)."""
    live = job_live_step(job=job)
    return {
        "id": job.pk,
        "kind": job.kind,
        "state": job.state,
        "step": live["step"],
        "step_label": step_label(live["step"]),
        "percent": live["percent"],
        "is_finished": job.is_finished,
        "organisation_slug": job.organisation_slug,
        "requested_by": job.requested_by,
        "error": job.error,
        "result": job.result,
        "created_at": job.created_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
    }


def job_steps(*, job: Job, current: str) -> list[dict[str, str]]:
    """The visible steps of ``job`` with the state of each (``done``, ``current``, ``pending``, ``failed``)."""
    keys = _job_step_keys(kind=job.kind)
    if job.state == Job.State.FAILED:
        # Which step failed is not recorded (the job's step becomes "failed"); the reason is its error.
        return [
            {"key": keys[0], "label": step_label(keys[0]), "state": "done"},
            {"key": "failed", "label": step_label("failed"), "state": "failed"},
        ]
    if current not in keys:
        keys.insert(len(keys) - 1, current)
    position = keys.index(current)
    steps = []
    for index, key in enumerate(keys):
        if index < position or (job.state == Job.State.READY and index == position):
            state = "done"
        elif index == position:
            state = "current"
        else:
            state = "pending"
        steps.append({"key": key, "label": step_label(key), "state": state})
    return steps


def _job_step_keys(*, kind: str) -> list[str]:
    if kind in JOB_STEPS:
        return list(JOB_STEPS[kind])
    return list({Job.Kind.EXPORT: EXPORT_STEPS, Job.Kind.IMPORT: IMPORT_STEPS}.get(kind, ["queued", "ready"]))


#: What each visible step reads as (a step not listed here reads as its key, capitalised).
STEP_LABELS = {
    "queued": _("Queued"),
    "creating_schema": _("Creating schema"),
    "seeding_site": _("Seeding site"),
    "inviting_admin": _("Inviting admin"),
    "dropping_schema": _("Dropping schema"),
    "reading_database": _("Reading database"),
    "writing_archive": _("Writing archive"),
    "validating": _("Validating"),
    "loading_data": _("Loading data"),
    "linking_accounts": _("Linking accounts"),
    "extracting_media": _("Extracting media"),
    "ready": _("Ready"),
    "failed": _("Failed"),
}


def step_label(step: str) -> str:
    label = STEP_LABELS.get(step)
    return str(label) if label is not None else step.replace("_", " ").capitalize()
