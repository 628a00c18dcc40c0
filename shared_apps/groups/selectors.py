"""Reads about groups, always for a viewer (``shared_apps.groups.access``): lists are trimmed in the query."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Case, Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.http import Http404

from shared_apps.accounts.models import Account
from shared_apps.accounts.selectors import civil_servant_organisations_of
from shared_apps.groups import access
from shared_apps.groups.access import GroupViewer
from shared_apps.groups.models import (
    Group,
    GroupActivity,
    GroupInvitation,
    GroupJoinRequest,
    GroupMembership,
    GroupReport,
)

QUERY_MAX = 100


class GroupNotFound(Http404):
    """No such group — or one the viewer may not know exists: the same answer for both."""


def group_for_viewer(*, viewer: GroupViewer, slug: str) -> Group:
    """The group at ``slug`` if ``viewer`` may see it; ``GroupNotFound`` (a 404) otherwise, hidden groups included."""
    group = Group.objects.filter(slug=slug).first()
    if group is None or not access.can_see_group(viewer=viewer, group=group):
        raise GroupNotFound("No such group.")
    return group


def directory_groups(*, viewer: GroupViewer, query: str = "", tag: str = "") -> QuerySet[Group]:
    """The groups ``viewer`` may see, found by name, purpose or tag; the viewer's own groups first."""
    groups = access.visible_groups(viewer=viewer)
    query = " ".join((query or "").replace("\x00", "").split())[:QUERY_MAX]
    if query:
        groups = groups.filter(
            Q(name__icontains=query) | Q(purpose__icontains=query) | Q(tags__contains=[query.lower()])
        )
    tag = (tag or "").replace("\x00", "").strip().lower()[:40]
    if tag:
        groups = groups.filter(tags__contains=[tag])
    mine = list(viewer.roles)
    return groups.annotate(
        member_count=Count("memberships", distinct=True),
        mine=Case(When(pk__in=mine, then=Value(0)), default=Value(1), output_field=IntegerField()),
    ).order_by("mine", "name", "pk")


def my_groups(*, viewer: GroupViewer) -> QuerySet[Group]:
    return Group.objects.filter(pk__in=list(viewer.roles)).order_by("name", "pk")


@dataclass(frozen=True)
class MyGroup:
    group: Group
    new: int  # what others did in it since the member last opened it (hidden items left out)


def my_groups_with_news(*, account_id: object) -> list[MyGroup]:
    """The groups ``account_id`` is a member of, with what is new for them, most news first. One query,
    read live from the shared space's tables (from any schema: they are in the public schema)."""
    if account_id is None:
        return []
    news = (
        GroupActivity.objects.filter(
            group_id=OuterRef("group_id"),
            hidden=False,
            created_at__gt=Coalesce(OuterRef("last_visit_at"), OuterRef("joined_at")),
        )
        .exclude(actor_id=account_id)
        .order_by()
        .values("group_id")
        .annotate(count=Count("pk"))
        .values("count")
    )
    memberships = (
        GroupMembership.objects.filter(account_id=account_id)
        .select_related("group")
        .annotate(new=Coalesce(Subquery(news, output_field=IntegerField()), Value(0)))
        .order_by("-new", "group__name", "pk")
    )
    return [MyGroup(group=membership.group, new=membership.new) for membership in memberships]


@dataclass(frozen=True)
class Member:
    account: Account
    role: str
    organisations: tuple[str, ...]  # names; empty: a citizen

    @property
    def is_citizen(self) -> bool:
        return not self.organisations

    @property
    def role_label(self) -> str:
        return str(GroupMembership.Role(self.role).label)


def members_of(*, group: Group) -> list[Member]:
    """The group's members with each person's organisation (or none: a citizen). Three queries."""
    memberships = list(
        GroupMembership.objects.filter(group=group, account__is_active=True)
        .select_related("account")
        .order_by(
            Case(
                When(role=GroupMembership.Role.OWNER, then=Value(0)),
                When(role=GroupMembership.Role.ADMINISTRATOR, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            ),
            "account__display_name",
            "pk",
        )
    )
    organisations = civil_servant_organisations_of(account_ids=[m.account_id for m in memberships])
    return [
        Member(
            account=m.account,
            role=m.role,
            organisations=tuple(o.name for o in organisations.get(m.account_id, [])),
        )
        for m in memberships
    ]


def member_count(*, group: Group) -> int:
    return GroupMembership.objects.filter(group=group, account__is_active=True).count()


def activity_of(*, group: Group, viewer: GroupViewer | None = None) -> QuerySet[GroupActivity]:
    """The group's stream, newest first; lines of hidden items only for its moderators."""
    lines = GroupActivity.objects.filter(group=group).select_related("actor").order_by("-created_at", "-pk")
    if viewer is None or not access.can_see_hidden_items(viewer=viewer, group=group):
        lines = lines.filter(hidden=False)
    return lines


def join_requests_pending(*, group: Group) -> QuerySet[GroupJoinRequest]:
    return GroupJoinRequest.objects.filter(group=group, status=GroupJoinRequest.Status.PENDING).select_related(
        "account"
    )


def join_request_pending_for(*, group: Group, account_id: object) -> GroupJoinRequest | None:
    return join_requests_pending(group=group).filter(account_id=account_id).first()


def invitations_open(*, group: Group) -> QuerySet[GroupInvitation]:
    return GroupInvitation.objects.filter(group=group, accepted_at__isnull=True, withdrawn_at__isnull=True).order_by(
        "email"
    )


def reports_open_everywhere() -> QuerySet[GroupReport]:
    """Every open report on the platform, oldest first (for the platform operators)."""
    return (
        GroupReport.objects.filter(status=GroupReport.Status.OPEN)
        .select_related("reporter", "group")
        .order_by("created_at", "pk")
    )


def reports_open(*, group: Group) -> QuerySet[GroupReport]:
    return GroupReport.objects.filter(group=group, status=GroupReport.Status.OPEN).select_related("reporter")
