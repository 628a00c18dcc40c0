"""Reads for the organisation's people directory (the current schema's members, their platform profiles).

Who is a member is in the organisation's schema (local users in the "Members" group, which every role
includes); the profile is on the person's ``Account`` in the public schema. A listing is therefore two
steps, each one query whatever the number of people: the members' account ids from the schema, then
their accounts (filtered, counted and sliced in the database). Memberships in other organisations are
never read here: an organisation's directory shows its own members only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from django.core.paginator import Page as PaginatorPage
from django.core.paginator import Paginator
from django.db.models import F, Func, Q, QuerySet, TextField, Value
from django.db.models.functions import Concat
from django.utils import timezone

from shared_apps.accounts.models import Account
from shared_apps.people.models import User
from tenant_apps.members.roles import MEMBERS_GROUP, role_from_group_names
from tenants.roles import Role

PER_PAGE = 30
NEW_COLLEAGUES_DAYS = 30
NEW_COLLEAGUES_MAX = 5
#: Joins the subjects of expertise into one text for matching; the profile service turns every whitespace
#: character (this one included) into a space, so no stored subject holds it.
_SEPARATOR = "\x1f"


@dataclass(frozen=True)
class DirectoryPerson:
    """A member as the directory shows them (never their e-mail address or other organisations)."""

    account_id: UUID
    display_name: str
    job_title: str
    team: str
    location: str
    phone: str
    expertise: tuple[str, ...]
    bio: str

    @property
    def initials(self) -> str:
        words = [word for word in self.display_name.split() if word[:1].isalnum()]
        if not words:
            return "?"
        letters = words[0][0] + (words[-1][0] if len(words) > 1 else "")
        return letters.upper()


@dataclass(frozen=True)
class DirectoryFilters:
    """What the directory's filters offer: the teams and subjects of expertise its members filled in."""

    teams: list[str]
    expertise: list[str]


def _person(account: Account) -> DirectoryPerson:
    return DirectoryPerson(
        account_id=account.pk,
        display_name=account.display_name,
        job_title=account.job_title,
        team=account.team,
        location=account.location,
        phone=account.phone,
        expertise=tuple(account.expertise or ()),
        bio=account.bio,
    )


def _members() -> QuerySet[User]:
    """The current schema's active local users with a role (every role is in the "Members" group)."""
    return User.objects.filter(is_active=True, groups__name=MEMBERS_GROUP, account__isnull=False)


def member_account_ids() -> list[UUID]:
    """The account ids of the current organisation's members. One query."""
    return list(_members().order_by().values_list("account_id", flat=True).distinct())


def _member_accounts(account_ids: Iterable[UUID]) -> QuerySet[Account]:
    return Account.objects.filter(pk__in=list(account_ids), is_active=True)


def _expertise_text() -> Concat:
    """The subjects of expertise as one text, each between separators (``\\x1fHousing\\x1fGIS\\x1f``)."""
    joined = Func(F("expertise"), Value(_SEPARATOR), function="array_to_string", output_field=TextField())
    return Concat(Value(_SEPARATOR), joined, Value(_SEPARATOR), output_field=TextField())


def _unique_casefolded(values: Iterable[str]) -> list[str]:
    """``values`` without blanks and without repeats in another case (the first spelling), sorted."""
    found: dict[str, str] = {}
    for value in values:
        if value and value.casefold() not in found:
            found[value.casefold()] = value
    return sorted(found.values(), key=str.casefold)


def directory_people(
    *,
    query: str = "",
    team: str = "",
    expertise: str = "",
    page: object = 1,
    account_ids: list[UUID] | None = None,
    per_page: int = PER_PAGE,
) -> PaginatorPage:
    """One page (``per_page`` people, by name) of the current organisation's members as ``DirectoryPerson``.

    ``query``: every word must be in the name, job title, team or one of the subjects of expertise (any
    case). ``team`` and ``expertise``: exactly that team / subject (any case). ``page``: as typed (a bad
    number gives the first or last page). Three queries: the members, the count, the page.
    """
    ids = member_account_ids() if account_ids is None else account_ids
    accounts = _member_accounts(ids).annotate(expertise_text=_expertise_text())
    for word in query.split():
        accounts = accounts.filter(
            Q(display_name__icontains=word)
            | Q(job_title__icontains=word)
            | Q(team__icontains=word)
            | Q(expertise_text__icontains=word)
        )
    if team.strip():
        accounts = accounts.filter(team__iexact=team.strip())
    if expertise.strip():
        accounts = accounts.filter(expertise_text__icontains=f"{_SEPARATOR}{expertise.strip()}{_SEPARATOR}")
    accounts = accounts.order_by("display_name", "pk")
    found = Paginator(accounts, per_page).get_page(page)
    found.object_list = [_person(account) for account in found.object_list]
    return found


def directory_filters(*, account_ids: list[UUID] | None = None) -> DirectoryFilters:
    """The teams and subjects of expertise among the current organisation's members. Two queries."""
    ids = member_account_ids() if account_ids is None else account_ids
    accounts = _member_accounts(ids).order_by()  # no ordering columns in the DISTINCT
    teams = accounts.exclude(team="").values_list("team", flat=True).distinct()
    subjects = (
        accounts.annotate(subject=Func(F("expertise"), function="unnest", output_field=TextField()))
        .values_list("subject", flat=True)
        .distinct()
    )
    return DirectoryFilters(teams=_unique_casefolded(teams), expertise=_unique_casefolded(subjects))


@dataclass(frozen=True)
class DirectoryProfile:
    """A member's full profile on the directory's person page, with their role in this organisation."""

    person: DirectoryPerson
    role: Role


def directory_person(*, account_id: UUID) -> DirectoryProfile | None:
    """The profile of the current organisation's member with ``account_id``, or None if they are not one
    (not a member here, inactive, or no such account). Two queries."""
    user = _members().filter(account_id=account_id).prefetch_related("groups").first()
    if user is None:
        return None
    role = role_from_group_names({group.name for group in user.groups.all()})
    account = _member_accounts([account_id]).first()
    if account is None or role is None:
        return None
    return DirectoryProfile(person=_person(account), role=role)


@dataclass(frozen=True)
class NewColleague:
    person: DirectoryPerson
    joined: datetime


def new_colleagues(*, limit: int = NEW_COLLEAGUES_MAX, days: int = NEW_COLLEAGUES_DAYS) -> list[NewColleague]:
    """Members whose local user was made in the last ``days`` days (when they first joined or signed in
    here), newest first, at most ``limit``. Two queries."""
    since = timezone.now() - timedelta(days=days)
    rows = list(
        _members()
        .filter(date_joined__gte=since)
        .values_list("account_id", "date_joined")
        .distinct()
        .order_by("-date_joined")[: max(limit, 0)]
    )
    if not rows:
        return []
    accounts = {account.pk: account for account in _member_accounts(account_id for account_id, _ in rows)}
    return [
        NewColleague(person=_person(accounts[account_id]), joined=joined)
        for account_id, joined in rows
        if account_id in accounts
    ]
