"""Reads about local users in the current schema."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone

from shared_apps.accounts.models import Account, AccountEmail, Invitation, JoinRequest
from tenant_apps.people.models import User
from tenant_apps.people.roles import ADMINISTRATORS_GROUP, MEMBERS_GROUP, ROLE_GROUPS, Role
from tenants.models import EmailDomain, Organisation


def local_user_for_account_id(*, account_id: object) -> User | None:
    return User.objects.filter(account_id=account_id).first()


def role_of(*, user: User) -> Role | None:
    """The highest role ``user`` holds in the current schema, or ``None`` if not a member."""
    names = set(user.groups.values_list("name", flat=True))
    for role in (Role.ADMINISTRATOR, Role.EDITOR, Role.MEMBER):
        if set(ROLE_GROUPS[role]) <= names:
            return role
    return None


# --- Memberships of the current schema's organisation ---------------------------------------------


def role_from_group_names(names: set[str] | frozenset[str]) -> Role | None:
    """The highest role whose groups are all in ``names`` (what ``role_of`` decides, without a query)."""
    for role in (Role.ADMINISTRATOR, Role.EDITOR, Role.MEMBER):
        if set(ROLE_GROUPS[role]) <= names:
            return role
    return None


def is_member(*, user: object) -> bool:
    """A signed-in local user with a role (member, editor or administrator) in the current schema."""
    return bool(getattr(user, "is_authenticated", False) and user.is_active and role_of(user=user) is not None)  # type: ignore[attr-defined]


def is_administrator(*, user: object) -> bool:
    """A signed-in local user with the administrator role in the current schema (by groups, not by a
    superuser flag alone: a platform operator let into the admin is not an administrator)."""
    return bool(
        getattr(user, "is_authenticated", False) and user.is_active and role_of(user=user) == Role.ADMINISTRATOR  # type: ignore[attr-defined]
    )


@dataclass(frozen=True)
class Membership:
    user: User
    role: Role


def members_list() -> list[Membership]:
    """Every active local user with a role in the current schema, by name."""
    users = (
        User.objects.filter(is_active=True, groups__name=MEMBERS_GROUP)
        .distinct()
        .prefetch_related("groups")
        .order_by("first_name", "last_name", "email")
    )
    found = []
    for user in users:
        role = role_from_group_names({group.name for group in user.groups.all()})
        if role is not None:
            found.append(Membership(user=user, role=role))
    return found


def administrators_count() -> int:
    """Active administrators of the current schema's organisation."""
    return User.objects.filter(is_active=True, groups__name=ADMINISTRATORS_GROUP).distinct().count()


def account_has_verified_email_at_organisation(*, account: Account, organisation: Organisation) -> bool:
    """Whether ``account`` has a verified e-mail address at one of ``organisation``'s e-mail domains."""
    domains = {
        domain.lower()
        for domain in EmailDomain.objects.filter(organisation=organisation).values_list("domain", flat=True)
    }
    if not domains:
        return False
    addresses = AccountEmail.objects.filter(account=account, verified_at__isnull=False).values_list("email", flat=True)
    return any(address.rpartition("@")[2].lower() in domains for address in addresses)


def join_requests_pending(*, organisation: Organisation) -> QuerySet[JoinRequest]:
    return JoinRequest.objects.filter(organisation=organisation, status=JoinRequest.Status.PENDING).select_related(
        "account"
    )


def join_request_pending_for(*, organisation: Organisation, account: Account) -> JoinRequest | None:
    return join_requests_pending(organisation=organisation).filter(account=account).first()


def invitations_open(*, organisation: Organisation) -> QuerySet[Invitation]:
    return Invitation.objects.filter(organisation=organisation, accepted_at__isnull=True).order_by("email")


def invitations_acceptable_by(*, organisation: Organisation, account: Account) -> QuerySet[Invitation]:
    """Open, unexpired invitations to ``organisation`` addressed to an address the account has verified
    (anyone can sign up with any address: only a verified one proves the invitation is theirs)."""
    verified = [
        address.lower()
        for address in AccountEmail.objects.filter(account=account, verified_at__isnull=False).values_list(
            "email", flat=True
        )
    ]
    return (
        Invitation.objects.annotate(email_lower=Lower("email"))
        .filter(organisation=organisation, accepted_at__isnull=True, email_lower__in=verified)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()))
        .order_by("created_at")
    )


def invitation_open_for(*, organisation: Organisation, account: Account) -> Invitation | None:
    return invitations_acceptable_by(organisation=organisation, account=account).first()
