"""People directories: the one place that decides whose profile a viewer may see.

* **An organisation's directory** (its subsite, ``/people/``): its members, shown to its members only —
  ``tenant_apps.members.selectors.organisation_directory``, which lists them through ``profiles_for``.
* **The platform directory** (the shared space, ``/people/``): a civil servant sees every civil servant's
  profile and every public one; a citizen, or an anonymous visitor, sees only profiles with
  ``profile_public``. Only active accounts are ever listed.

A civil servant has a verified e-mail address at an e-mail domain registered by an organisation that is
not being deleted (the rule of ``shared_apps.accounts.selectors.account_is_civil_servant``, here as a
query over many accounts at once).

A profile shows the display name, job title, photo and bio, and of the (active) organisations the person
is a member of only those the viewer is a member of too: a membership is the organisation's own information,
shown in its own directory to its own members; a colleague's other memberships are not the viewer's business.
A citizen or an anonymous visitor sees no memberships; a person sees all of their own. Never an e-mail address.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID

from django.conf import settings
from django.db.models import CharField, Exists, F, Func, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Lower

from shared_apps.accounts.models import Account, AccountEmail, LocalUserLink
from tenants import organisation_hooks
from tenants.models import EmailDomain, Organisation
from tenants.schemas import in_public_schema


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
    return profiles_for(accounts=[account], viewer=viewer)[0] if account is not None else None


# --- Profiles --------------------------------------------------------------------------------------------


def profiles_for(*, accounts: Iterable[Account], viewer: Account | None = None) -> list[Profile]:
    """The profiles of ``accounts`` as ``viewer`` sees them (``None``: anonymous), in their order (one query
    across the schemas for the memberships): each names only the organisations it shares with the viewer."""
    accounts = list(accounts)
    viewer_id = viewer.pk if viewer is not None and viewer.is_active else None
    ids = [account.pk for account in accounts]
    memberships = memberships_of(account_ids=[*ids, viewer_id] if viewer_id is not None else ids)
    shared = {ref.slug for ref in memberships.get(viewer_id, ())} if viewer_id is not None else set()
    with in_public_schema():  # profile photos are stored with the public schema's media
        return [
            Profile(
                account_id=account.pk,
                display_name=account.display_name,
                job_title=account.job_title,
                bio=account.bio,
                photo_url=account.photo.url if account.photo else "",
                organisations=tuple(ref for ref in memberships.get(account.pk, ()) if ref.slug in shared),
            )
            for account in accounts
        ]


def memberships_of(*, account_ids: list[UUID]) -> dict[UUID, list[OrganisationRef]]:
    """For each account, the active organisations it is a member of, by name.

    ``LocalUserLink`` says which schemas to look in; the organisation side's ``roles_of_accounts`` hook
    reads them in one query.
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
    roles = organisation_hooks.roles_of_accounts.call_one(account_ids=account_ids, schema_names=list(organisations))
    found: dict[UUID, list[OrganisationRef]] = defaultdict(list)
    for (schema_name, account_id), held in roles.items():
        if held.role is None:
            continue
        organisation = organisations[schema_name]
        found[account_id].append(
            OrganisationRef(name=organisation.name, slug=organisation.slug, host=organisation.platform_host)
        )
    for refs in found.values():
        refs.sort(key=lambda ref: ref.name)
    return dict(found)
