"""Reads about accounts."""

from __future__ import annotations

from uuid import UUID

from django.db.models.functions import Lower

from shared_apps.accounts.models import Account, AccountEmail, Invitation, LocalUserLink
from shared_apps.accounts.tokens import invitation_token_hash
from tenants import organisation_hooks
from tenants.models import Organisation


def account_get(*, account_id: UUID | str) -> Account:
    return Account.objects.get(pk=account_id)


def account_find_by_email(*, email: str) -> Account | None:
    return Account.objects.filter(email__iexact=email.strip()).first()


def account_linked_schemas(*, account: Account) -> list[str]:
    """The schemas that hold a local user for ``account`` (the public schema included, if it does)."""
    return list(LocalUserLink.objects.filter(account=account).values_list("schema_name", flat=True))


def account_civil_servant_organisations(*, account: Account):  # type: ignore[no-untyped-def]
    """The organisations (not pending deletion) at whose e-mail domains the account has a verified address."""

    domains = [
        email.rpartition("@")[2].lower()
        for email in account.emails.filter(verified_at__isnull=False).values_list("email", flat=True)
    ]
    return (
        Organisation.objects.filter(email_domains__domain__in=domains)
        .exclude(status=Organisation.Status.PENDING_DELETION)
        .distinct()
    )


def account_is_civil_servant(*, account: Account) -> bool:
    """A civil servant has a verified address at an e-mail domain registered by a government organisation.

    Computed on every call, never stored: removing the address or deregistering the domain takes
    effect at once. Everyone else is a citizen.
    """
    return account_civil_servant_organisations(account=account).exists()


# --- Addresses, sign-in, second factor, invitations (the account pages on the shared space) --------------


def account_for_user(*, user: object) -> Account | None:
    """The active account behind a signed-in local user (any schema), or ``None``."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "account_id", None):
        return None
    return Account.objects.filter(pk=user.account_id, is_active=True).first()  # type: ignore[attr-defined]


def account_for_sign_in(*, email: str) -> Account | None:
    """The account that signs in with ``email``: its primary address, or another address it has verified."""

    email = (email or "").strip()
    if not email:
        return None
    account = Account.objects.filter(email__iexact=email).first()
    if account is not None:
        return account
    row = AccountEmail.objects.select_related("account").filter(email__iexact=email, verified_at__isnull=False).first()
    return row.account if row is not None else None


def account_holding_address(*, email: str) -> Account | None:
    """The account that has ``email`` as any of its addresses (verified or not), or ``None``."""

    email = (email or "").strip()
    account = Account.objects.filter(email__iexact=email).first()
    if account is not None:
        return account
    row = AccountEmail.objects.select_related("account").filter(email__iexact=email).first()
    return row.account if row is not None else None


def account_emails(*, account: Account) -> list:  # type: ignore[type-arg]
    """The account's addresses, the primary one first."""
    return list(account.emails.order_by("-is_primary", "email"))


def account_verified_addresses(*, account: Account) -> list[str]:
    """The account's verified addresses, lower-cased (what invitations and civil-servant status go by)."""
    return [e.lower() for e in account.emails.filter(verified_at__isnull=False).values_list("email", flat=True)]


def account_email_is_verified(*, account: Account) -> bool:
    """Whether the account's primary address has been verified."""
    return account.emails.filter(is_primary=True, verified_at__isnull=False).exists()


def account_administered_organisations(*, account: Account) -> list[Organisation]:
    """The organisations in which ``account`` is an administrator, read live from their schemas.

    Only the schemas the account has a local user in are asked (``LocalUserLink``), through the
    organisation side's ``roles_of_accounts`` hook (one query): a role given or taken away counts at
    once, nothing is stored.
    """
    schemas = set(LocalUserLink.objects.filter(account=account).values_list("schema_name", flat=True))
    organisations = {
        organisation.schema_name: organisation
        for organisation in Organisation.objects.filter(schema_name__in=schemas).exclude(
            status=Organisation.Status.PROVISIONING
        )
    }
    if not organisations:
        return []
    roles = organisation_hooks.roles_of_accounts.call_one(account_ids=[account.pk], schema_names=list(organisations))
    found = {schema for (schema, _), role in roles.items() if role.administers}
    return sorted((organisations[schema] for schema in found), key=lambda o: o.name)


def account_is_organisation_administrator(*, account: Account) -> bool:
    return bool(account_administered_organisations(account=account))


def account_second_factor_required(*, account: Account) -> bool:
    """Two-factor sign-in is compulsory for platform operators and organisation administrators."""
    return account.is_platform_operator or account_is_organisation_administrator(account=account)


def account_second_factor_enabled(*, account: Account) -> bool:
    """The account has a confirmed TOTP authenticator."""
    return bool(account.totp_secret and account.totp_confirmed_at)


class SecondFactor:
    """What a sign-in needs after the password: nothing, a code, or setting up the authenticator first."""

    NONE = "none"
    VERIFY = "verify"
    SETUP = "setup"


def account_second_factor_state(*, account: Account) -> str:
    """``SecondFactor.VERIFY`` when the account has TOTP, ``SETUP`` when it must but has not set it up yet."""
    if account_second_factor_enabled(account=account):
        return SecondFactor.VERIFY
    if account_second_factor_required(account=account):
        return SecondFactor.SETUP
    return SecondFactor.NONE


def invitation_for_token(*, token: str):  # type: ignore[no-untyped-def]
    """The open (not yet accepted) invitation whose link carries ``token``, expired or not; else ``None``."""

    if not token or len(token) > 200:
        return None
    return (
        Invitation.objects.select_related("organisation")
        .filter(token_hash=invitation_token_hash(token), accepted_at__isnull=True)
        .first()
    )


def civil_servant_organisations_of(*, account_ids: list[object]) -> dict[object, list[Organisation]]:
    """For many accounts at once (two queries): the organisations (not pending deletion) at whose e-mail
    domains each has a verified address. An account missing from the answer is a citizen."""
    addresses = AccountEmail.objects.filter(account_id__in=account_ids, verified_at__isnull=False).values_list(
        "account_id", "email"
    )
    domains_of: dict[object, set[str]] = {}
    for account_id, email in addresses:
        domains_of.setdefault(account_id, set()).add(email.rpartition("@")[2].lower())
    wanted = set().union(*domains_of.values()) if domains_of else set()
    by_domain: dict[str, list[Organisation]] = {}
    for organisation in (
        Organisation.objects.filter(email_domains__domain__in=wanted)
        .exclude(status=Organisation.Status.PENDING_DELETION)
        .annotate(matched_domain=Lower("email_domains__domain"))
        .order_by("name")
    ):
        by_domain.setdefault(organisation.matched_domain, []).append(organisation)
    found: dict[object, list[Organisation]] = {}
    for account_id, domains in domains_of.items():
        seen: dict[int, Organisation] = {}
        for domain in sorted(domains):
            for organisation in by_domain.get(domain, []):
                seen.setdefault(organisation.pk, organisation)
        if seen:
            found[account_id] = sorted(seen.values(), key=lambda o: o.name)
    return found
