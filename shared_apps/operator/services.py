"""Writes of the operator interfaces: operator rights, API tokens, and queueing the registry's jobs.

The organisation lifecycle itself lives in ``tenants.services`` and ``tenants.provisioning``; the
API and the operator pages call those directly, and these functions only where a job must also be
queued (provisioning) or the service is optional (export, ``tenants.archive``).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shared_apps.accounts.models import Account
from shared_apps.operator.tokens import token_key_hash, token_key_new
from sites.blueprints import DEFAULT_BLUEPRINT
from tenants.audit import Actor, audited
from tenants.jobs import job_enqueue
from tenants.models import Job, OperatorToken
from tenants.provisioning import organisation_provision_submit

TOKEN_NAME_MAX_LENGTH = 100
_PREFIX_ATTEMPTS = 5


def account_set_platform_operator(*, account: Account, value: bool, actor: Actor | None = None) -> Account:
    """Grant (``value=True``) or withdraw the operator role. Tokens stay, but refuse to work without it."""
    actor = actor or Actor.system("operator")
    action = "operator.grant" if value else "operator.revoke"
    with audited(actor=actor, action=action, account=account.email):
        account.is_platform_operator = value
        account.save(update_fields=["is_platform_operator"])
    return account


def operator_token_create(*, account: Account, name: str, actor: Actor | None = None) -> tuple[OperatorToken, str]:
    """A new API token for an operator: ``(token, raw_key)``. The raw key is returned once and never stored."""
    actor = actor or Actor.system("operator")
    name = (name or "").strip()
    with audited(actor=actor, action="operator.token.create", account=account.email, name=name) as detail:
        errors: dict[str, list[str]] = {}
        if not name:
            errors["name"] = [_("A token name is required (say what the token is for).")]
        elif len(name) > TOKEN_NAME_MAX_LENGTH:
            errors["name"] = [
                _("The token name is longer than %(maximum)s characters.") % {"maximum": TOKEN_NAME_MAX_LENGTH}
            ]
        if not account.is_active:
            errors["account"] = [_("The account %(email)s is inactive.") % {"email": account.email}]
        elif not account.is_platform_operator:
            errors["account"] = [
                _("%(email)s is not a platform operator; grant the role first.") % {"email": account.email}
            ]
        if errors:
            raise ValidationError(errors)
        for attempt in range(_PREFIX_ATTEMPTS):
            prefix, raw_key = token_key_new()
            try:
                with transaction.atomic():
                    token = OperatorToken.objects.create(
                        account=account, name=name, prefix=prefix, key_hash=token_key_hash(raw_key)
                    )
                break
            except IntegrityError:
                if attempt == _PREFIX_ATTEMPTS - 1:
                    raise
        detail["prefix"] = token.prefix
    return token, raw_key


def operator_token_revoke(*, token: OperatorToken, actor: Actor | None = None) -> OperatorToken:
    """Revoke a token for good (idempotent: a revoked token keeps its first revocation time)."""
    actor = actor or Actor.system("operator")
    with audited(actor=actor, action="operator.token.revoke", account=token.account.email, prefix=token.prefix):
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
    return token


def organisation_provision_queue(
    *,
    actor: Actor,
    name: str,
    slug: str,
    domains: Sequence[str] = (),
    email_domains: Sequence[str] = (),
    blueprint: str = DEFAULT_BLUEPRINT,
    admin_email: str = "",
    apps: Sequence[str] | None = None,
) -> Job:
    """Validate, reserve and queue a new organisation; the task is sent once the transaction commits.

    ``ValidationError`` (field errors) on bad input, with nothing written and nothing queued.
    """
    # No transaction of our own around this: the request commits its reservation itself, and an
    # outer block would roll back the audit record of a refused request along with it.
    job = organisation_provision_submit(
        actor=actor,
        name=name,
        slug=slug,
        domains=domains,
        email_domains=email_domains,
        blueprint=blueprint,
        admin_email=admin_email,
        apps=apps,
    )
    return job_enqueue(job=job)
