"""People directories: the one place that decides whose profile a viewer may see.

* **An organisation's directory** (its subsite, ``/people/``): its members, shown to its members only.
* **The platform directory** (the shared space, ``/people/``): a civil servant sees every civil servant's
  profile and every public one; a citizen, or an anonymous visitor, sees only profiles with
  ``profile_public``. Only active accounts are ever listed.

A civil servant has a verified e-mail address at an e-mail domain registered by an organisation that is
not being deleted (the rule of ``shared_apps.accounts.selectors.account_is_civil_servant``, here as a
query over many accounts at once).

A profile shows the display name, job title, the organisations the person is a member of (active ones),
photo and bio; never an e-mail address.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import CharField, Exists, F, Func, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Lower
from django_tenants.utils import schema_context, tenant_context

from shared_apps.accounts.models import Account, AccountEmail, LocalUserLink
from tenant_apps.people.models import User
from tenant_apps.people.roles import MEMBERS_GROUP
from tenant_apps.people.selectors import is_member
from tenants.models import EmailDomain, Organisation


@dataclass(frozen=True)
class OrganisationRef:
    name: str
    slug: str
    host: str


@dataclass(frozen=True)
class Profile:
    account_id: UUID
    display_name: str
    job_title: str
    bio: str
    photo_url: str
    organisations: tuple[OrganisationRef, ...]


# --- Who is a civil servant ------------------------------------------------------------------------------


def _email_domain(field: str) -> Func:
    """The lower-cased part after the last ``@`` of an e-mail column."""
    return Lower(Func(F(field), Value("@([^@]*)$"), function="substring", output_field=CharField()))


def civil_servant_condition() -> Exists:
    """``Account`` rows with a verified address at an e-mail domain of an organisation not being deleted."""
    domains = (
        EmailDomain.objects.exclude(organisation__status=Organisation.Status.PENDING_DELETION)
        .annotate(lower_domain=Lower("domain"))
        .values("lower_domain")
    )
    return Exists(
        AccountEmail.objects.filter(account=OuterRef("pk"), verified_at__isnull=False)
        .annotate(address_domain=_email_domain("email"))
        .filter(address_domain__in=domains)
    )


def viewer_is_civil_servant(*, account: Account | None) -> bool:
    if account is None or account.pk is None:
        return False
    return Account.objects.filter(pk=account.pk).filter(civil_servant_condition()).exists()


# --- Who sees whom ---------------------------------------------------------------------------------------


def directory_accounts(*, viewer: Account | None, query: str = "") -> QuerySet[Account]:
    """The accounts whose profile ``viewer`` (``None``: anonymous) sees in the platform directory."""
    accounts = Account.objects.filter(is_active=True)
    if viewer is not None and viewer.is_active and viewer_is_civil_servant(account=viewer):
        accounts = accounts.filter(Q(profile_public=True) | civil_servant_condition())
    else:
        accounts = accounts.filter(profile_public=True)
    query = (query or "").strip()
    if query:
        accounts = accounts.filter(Q(display_name__icontains=query) | Q(job_title__icontains=query))
    return accounts.order_by("display_name", "pk")


def directory_profile(*, viewer: Account | None, account_id: UUID | str) -> Profile | None:
    """One profile of the platform directory, or ``None`` when ``viewer`` may not see it (or it does not exist)."""
    account = directory_accounts(viewer=viewer).filter(pk=account_id).first()
    return profiles_for(accounts=[account])[0] if account is not None else None


def organisation_directory(*, organisation: Organisation, viewer: User) -> list[Profile]:
    """The members of ``organisation``, for ``viewer`` (a local user of that organisation's schema).

    Raises ``PermissionDenied`` unless the viewer is a member (any role) of the organisation.
    """
    with tenant_context(organisation):
        if not is_member(user=viewer):
            raise PermissionDenied(f"Only members of {organisation.name} see its people.")
        account_ids = list(
            User.objects.filter(is_active=True, groups__name=MEMBERS_GROUP, account__isnull=False)
            .values_list("account_id", flat=True)
            .distinct()
        )
    with schema_context(settings.PUBLIC_SCHEMA_NAME):
        accounts = Account.objects.filter(pk__in=account_ids, is_active=True).order_by("display_name", "pk")
        return profiles_for(accounts=accounts)


# --- Profiles --------------------------------------------------------------------------------------------


def profiles_for(*, accounts: Iterable[Account]) -> list[Profile]:
    """The profiles of ``accounts``, in their order (one query across the schemas for the memberships)."""
    accounts = list(accounts)
    memberships = memberships_of(account_ids=[account.pk for account in accounts])
    with schema_context(settings.PUBLIC_SCHEMA_NAME):  # profile photos are stored with the public schema's media
        return [
            Profile(
                account_id=account.pk,
                display_name=account.display_name,
                job_title=account.job_title,
                bio=account.bio,
                photo_url=account.photo.url if account.photo else "",
                organisations=tuple(memberships.get(account.pk, ())),
            )
            for account in accounts
        ]


def memberships_of(*, account_ids: list[UUID]) -> dict[UUID, list[OrganisationRef]]:
    """For each account, the active organisations it is a member of, by name.

    ``LocalUserLink`` says which schemas to look in; one ``UNION ALL`` query reads the "Members" group of
    every one of them.
    """
    if not account_ids:
        return {}
    schemas = set(
        LocalUserLink.objects.filter(account_id__in=account_ids)
        .exclude(schema_name=settings.PUBLIC_SCHEMA_NAME)
        .values_list("schema_name", flat=True)
    )
    organisations = {
        organisation.schema_name: organisation
        for organisation in Organisation.objects.filter(schema_name__in=schemas, status=Organisation.Status.ACTIVE)
    }
    if not organisations:
        return {}
    quote = connection.ops.quote_name
    user_table, group_table = quote(User._meta.db_table), quote(Group._meta.db_table)
    through = User.groups.through._meta
    through_table = quote(through.db_table)
    user_column = quote(through.get_field("user").column)
    group_column = quote(through.get_field("group").column)
    parts, params = [], []
    for schema_name in sorted(organisations):
        schema = quote(schema_name)
        parts.append(
            f"SELECT %s AS schema_name, u.account_id FROM {schema}.{user_table} u "
            f"JOIN {schema}.{through_table} ug ON ug.{user_column} = u.id "
            f"JOIN {schema}.{group_table} g ON g.id = ug.{group_column} "
            "WHERE g.name = %s AND u.is_active AND u.account_id = ANY(%s)"
        )
        params += [schema_name, MEMBERS_GROUP, list(account_ids)]
    found: dict[UUID, list[OrganisationRef]] = defaultdict(list)
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        for schema_name, account_id in cursor.fetchall():
            organisation = organisations[schema_name]
            found[account_id].append(
                OrganisationRef(name=organisation.name, slug=organisation.slug, host=organisation.platform_host)
            )
    for refs in found.values():
        refs.sort(key=lambda ref: ref.name)
    return dict(found)
