"""Who may see, read, join, write in and manage a group: the one place that decides it.

Every way a group or its content leaves the platform asks here — the directory, a group's pages and
tabs, file downloads, the activity stream, notifications and their e-mails, mentions and search
entries: ``can_see_group``, ``can_read_content``, … for one group, ``can_see_content_item`` for one item
carried out of its tab, ``visible_groups`` / ``readable_groups_condition`` for a list (one SQL filter,
so a list is trimmed in the query, never after paging).

* **See** (listed, found, opened: its name, purpose and introduction): an *open* or *closed* group by
  anyone its audience allows to know it — a group for civil servants only is shown to civil servants; a
  group for civil servants and citizens to everyone, signed in or not. A *hidden* group only to its
  members and to people with an open invitation; to anyone else it does not exist (404, as for a
  missing group). Platform operators see every group (they moderate the platform).
* **Read its content**: its members; and, in an *open* group, everyone in its audience who is signed in.
* **Join**: someone in its audience, signed in, not yet a member, when the group is active and takes
  members directly (*open*) or asks them to request it (*request*); *invitation* groups take invitees only.
* **Write** (post, reply, upload, edit the wiki): members of an active group. An archived group is read-only.
* **Moderate** (hide or remove items, see reports) and **manage** (members, invitations, requests,
  settings): the group's owners and administrators; platform operators moderate every group.

The audience: *civil servants* — people with a verified address at an organisation's e-mail domain
(``shared_apps.accounts.selectors.account_is_civil_servant``, computed on every check); *everyone* —
civil servants and citizens (any active account).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone

from shared_apps.accounts.models import Account
from shared_apps.accounts.selectors import account_for_user, account_is_civil_servant, account_verified_addresses
from shared_apps.groups.models import Group, GroupContent, GroupInvitation, GroupMembership
from shared_apps.shared_space.selectors import civil_servant_condition

Role = GroupMembership.Role


@dataclass(frozen=True)
class GroupViewer:
    """A person looking at groups, worked out once per request (``viewer_for_account``)."""

    account_id: object | None = None
    civil_servant: bool = False
    operator: bool = False
    #: group id -> the viewer's role there
    roles: dict[int, str] = field(default_factory=dict)
    #: ids of the groups the viewer holds an open invitation to (at a verified address)
    invited: frozenset[int] = frozenset()

    @property
    def signed_in(self) -> bool:
        return self.account_id is not None

    def role_in(self, group: Group) -> str | None:
        return self.roles.get(group.pk)

    def is_member(self, group: Group) -> bool:
        return group.pk in self.roles


ANONYMOUS = GroupViewer()


def viewer_for_account(account: Account | None) -> GroupViewer:
    """The viewer for an account (``None`` or an inactive account: anonymous). Three queries."""
    if account is None or account.pk is None or not account.is_active:
        return ANONYMOUS
    roles = dict(GroupMembership.objects.filter(account=account).values_list("group_id", "role"))
    addresses = account_verified_addresses(account=account)
    invited = frozenset(
        GroupInvitation.objects.annotate(email_lower=Lower("email"))
        .filter(email_lower__in=addresses, accepted_at__isnull=True, withdrawn_at__isnull=True)
        .filter(expires_at__gt=timezone.now())
        .values_list("group_id", flat=True)
    )
    return GroupViewer(
        account_id=account.pk,
        civil_servant=account_is_civil_servant(account=account),
        operator=account.is_platform_operator,
        roles=roles,
        invited=invited,
    )


def member_viewers(*, group: Group, rows: list[tuple[object, str]]) -> dict[object, GroupViewer]:
    """Viewers of ``group``'s members (``rows``: account id, role) for questions about this one group, in
    two queries for the whole batch (a notification fan-out asks for hundreds at once).

    A member's right to see an item of the group depends on their role in it (hidden items: moderators),
    on being an operator and on being a civil servant; nothing about other groups is needed, so ``roles``
    holds this group only. Inactive accounts are left out (they see nothing)."""
    roles = dict(rows)
    accounts = (
        Account.objects.filter(pk__in=list(roles), is_active=True)
        .annotate(civil_servant=civil_servant_condition())
        .values_list("pk", "is_platform_operator", "civil_servant")
    )
    return {
        pk: GroupViewer(account_id=pk, civil_servant=civil_servant, operator=operator, roles={group.pk: roles[pk]})
        for pk, operator, civil_servant in accounts
    }


def viewer_for_user(user: object) -> GroupViewer:
    """The viewer for a request's user (a local user of the shared space or of a subsite), once per user object."""
    remembered = getattr(user, "_group_viewer", None)
    if remembered is not None:
        return remembered
    account = account_for_user(user=user) if getattr(user, "is_authenticated", False) else None
    viewer = viewer_for_account(account)
    if getattr(user, "is_authenticated", False):
        user._group_viewer = viewer  # type: ignore[attr-defined]
    return viewer


# --- One group ----------------------------------------------------------------------------------------


def in_audience(*, viewer: GroupViewer, group: Group) -> bool:
    """Signed in, and a civil servant where the group is for civil servants only."""
    if not viewer.signed_in:
        return False
    return viewer.civil_servant or group.audience == Group.Audience.EVERYONE


def can_see_group(*, viewer: GroupViewer, group: Group) -> bool:
    if viewer.operator or viewer.is_member(group) or group.pk in viewer.invited:
        return True
    if group.visibility == Group.Visibility.HIDDEN:
        return False
    return group.audience == Group.Audience.EVERYONE or viewer.civil_servant


def can_read_content(*, viewer: GroupViewer, group: Group) -> bool:
    if viewer.is_member(group) or viewer.operator:
        return True
    return group.visibility == Group.Visibility.OPEN and in_audience(viewer=viewer, group=group)


def _takes_members(*, viewer: GroupViewer, group: Group, joining: str) -> bool:
    return (
        group.joining == joining
        and group.visibility != Group.Visibility.HIDDEN
        and not group.is_archived
        and not viewer.is_member(group)
        and in_audience(viewer=viewer, group=group)
    )


def can_join(*, viewer: GroupViewer, group: Group) -> bool:
    """Join at once (an open group) — see ``can_request_to_join`` for the others."""
    return _takes_members(viewer=viewer, group=group, joining=Group.Joining.OPEN)


def can_request_to_join(*, viewer: GroupViewer, group: Group) -> bool:
    return _takes_members(viewer=viewer, group=group, joining=Group.Joining.REQUEST)


def can_accept_invitation(*, viewer: GroupViewer, group: Group) -> bool:
    """An invitee joins whatever the group's audience: being invited is the group's own choice."""
    return viewer.signed_in and group.pk in viewer.invited and not viewer.is_member(group) and not group.is_archived


def can_write(*, viewer: GroupViewer, group: Group) -> bool:
    return viewer.is_member(group) and not group.is_archived


def can_manage(*, viewer: GroupViewer, group: Group) -> bool:
    """Members, invitations, requests and settings: the group's owners and administrators."""
    return viewer.role_in(group) in GroupMembership.MANAGING_ROLES


def can_moderate(*, viewer: GroupViewer, group: Group) -> bool:
    """Hide or remove items and decide reports: the group's owners and administrators, and operators."""
    return viewer.operator or can_manage(viewer=viewer, group=group)


def can_report(*, viewer: GroupViewer, group: Group) -> bool:
    return viewer.is_member(group)


def can_edit_item(*, viewer: GroupViewer, group: Group, author_id: object) -> bool:
    """An item's author edits it (while still a member of an active group); moderators too."""
    if group.is_archived:
        return False
    return (author_id is not None and author_id == viewer.account_id and viewer.is_member(group)) or can_moderate(
        viewer=viewer, group=group
    )


# --- Items in a group (every tab's discussions, replies, events, files, wiki pages) -----------------------


def can_see_hidden_items(*, viewer: GroupViewer, group: Group) -> bool:
    """Items a moderator hid stay in sight, marked, for the group's moderators only."""
    return can_moderate(viewer=viewer, group=group)


def can_see_item(*, viewer: GroupViewer, group: Group, item: object) -> bool:
    """An item of a group whose content the viewer may read: unless it is hidden (``can_see_hidden_items``).
    An item under a hidden one (a file in a hidden folder, a wiki subpage) counts as hidden too: the tab
    that nests items asks ``can_see_hidden_items`` for the whole branch."""
    return not getattr(item, "is_hidden", False) or can_see_hidden_items(viewer=viewer, group=group)


def can_see_content_item(*, viewer: GroupViewer, item: GroupContent) -> bool:
    """One item of any tab, asked from outside its tab (a notification, its e-mail, a search entry, a
    mention): the viewer may read its group's content, and neither it nor anything it sits in
    (``GroupContent.containers``) is hidden from them. The question every channel that carries an item
    out of its group asks, at the moment it carries it."""
    group = item.group
    if not can_see_group(viewer=viewer, group=group) or not can_read_content(viewer=viewer, group=group):
        return False
    return all(can_see_item(viewer=viewer, group=group, item=each) for each in [item, *item.containers()])


def visible_items_condition(*, viewer: GroupViewer, group: Group, prefix: str = "") -> Q:
    """The items of ``group`` the viewer may see, as a filter (``prefix``: the path to them, e.g. ``"replies__"``)."""
    if can_see_hidden_items(viewer=viewer, group=group):
        return Q()
    return Q(**{f"{prefix}hidden_at__isnull": True})


# --- Lists --------------------------------------------------------------------------------------------


def visible_groups_condition(*, viewer: GroupViewer) -> Q:
    """The ``Group`` rows ``viewer`` may see, as one filter (the rule of ``can_see_group``)."""
    if viewer.operator:
        return Q()
    listed = Q(visibility__in=[Group.Visibility.OPEN, Group.Visibility.CLOSED])
    if not viewer.civil_servant:
        listed &= Q(audience=Group.Audience.EVERYONE)
    return listed | Q(pk__in=list(viewer.roles)) | Q(pk__in=list(viewer.invited))


def visible_groups(*, viewer: GroupViewer, queryset: QuerySet[Group] | None = None) -> QuerySet[Group]:
    base = Group.objects.all() if queryset is None else queryset
    return base.filter(visible_groups_condition(viewer=viewer))


def readable_groups_condition(*, viewer: GroupViewer) -> Q:
    """The ``Group`` rows whose content ``viewer`` may read (the rule of ``can_read_content``)."""
    if viewer.operator:
        return Q()
    mine = Q(pk__in=list(viewer.roles))
    if not viewer.signed_in:
        return mine
    open_to_me = Q(visibility=Group.Visibility.OPEN)
    if not viewer.civil_servant:
        open_to_me &= Q(audience=Group.Audience.EVERYONE)
    return mine | open_to_me
