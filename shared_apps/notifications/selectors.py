"""Reads about notifications: the centre's list (trimmed in the query), the unread count, preferences."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from shared_apps.accounts.models import Account
from shared_apps.groups import access
from shared_apps.groups.access import GroupViewer
from shared_apps.groups.models import Group, GroupMembership
from shared_apps.notifications.models import (
    Frequency,
    GroupNotificationSetting,
    Notification,
    NotificationPreferences,
)

#: Kinds about a group rather than its content: shown while the person may see the group.
GROUP_KINDS = (Notification.Kind.INVITATION, Notification.Kind.JOIN_REQUEST)


def notifications_for_viewer(*, viewer: GroupViewer) -> QuerySet[Notification]:
    """The viewer's notifications they may still see, newest first: none withdrawn, each of a group whose
    content they may read (an invitation or a request: a group they may see), or of no group. One query."""
    if not viewer.signed_in:
        return Notification.objects.none()
    readable = Group.objects.filter(access.readable_groups_condition(viewer=viewer)).values("pk")
    visible = Group.objects.filter(access.visible_groups_condition(viewer=viewer)).values("pk")
    return (
        Notification.objects.filter(recipient_id=viewer.account_id, withdrawn_at__isnull=True)
        .filter(Q(group__isnull=True) | Q(group__in=readable) | (Q(kind__in=GROUP_KINDS) & Q(group__in=visible)))
        .select_related("actor", "group")
        .order_by("-created_at", "-pk")
    )


def unread_count(*, viewer: GroupViewer) -> int:
    return notifications_for_viewer(viewer=viewer).filter(read_at__isnull=True).count()


def preferences_of(*, account: Account) -> NotificationPreferences:
    """The person's preferences, or the defaults (unsaved) when they never changed them."""
    found = NotificationPreferences.objects.filter(account=account).first()
    return found if found is not None else NotificationPreferences(account=account)


def group_frequencies_of(*, account: Account) -> dict[int, str]:
    """group id -> the frequency the person chose for it (groups without a choice follow the default)."""
    return dict(GroupNotificationSetting.objects.filter(account=account).values_list("group_id", "frequency"))


def groups_for_settings(*, account: Account) -> list[Group]:
    """The groups the person is a member of: one frequency each on the settings page."""
    return list(
        Group.objects.filter(pk__in=GroupMembership.objects.filter(account=account).values("group_id")).order_by(
            "name", "pk"
        )
    )


def frequency_for_group(*, preferences: NotificationPreferences, chosen: dict[int, str], group_id: int) -> str:
    return chosen.get(group_id) or preferences.group_activity or Frequency.DAILY
