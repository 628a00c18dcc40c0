"""Writing notifications: the fan-out of what happened in a group, the centre's "read", preferences and
unsubscribing, and withdrawing notifications of items that were hidden or deleted.

Who may see an item is asked of ``shared_apps.groups.access`` for every recipient when a notification is
made (and again when it is mailed, ``shared_apps.notifications.mail``). The fan-out reads a group's members
in batches (``FAN_OUT_BATCH``), a bounded number of queries per batch.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shared_apps.accounts.models import Account, AccountEmail
from shared_apps.groups import access
from shared_apps.groups.access import GroupViewer
from shared_apps.groups.models import (
    GroupActivity,
    GroupContent,
    GroupInvitation,
    GroupJoinRequest,
    GroupMembership,
)
from shared_apps.notifications.models import (
    Frequency,
    GroupNotificationSetting,
    Notification,
    NotificationPreferences,
)
from shared_apps.notifications.selectors import frequency_for_group, notifications_for_viewer
from shared_apps.notifications.unsubscribe import DIGEST_LISTS, KIND_LISTS, Unsubscription, token_read

#: Members read, checked and written per round of a group's fan-out.
FAN_OUT_BATCH = 500
#: Activity verbs nobody is notified of (the group's own comings and goings).
SILENT_VERB_PREFIXES = ("member.", "group.")
#: Activity lines only for the people named in them (an edit that mentions someone new), not the members.
PERSONAL_ONLY_VERBS = ("mention.added",)

Kind = Notification.Kind


# --- Items ----------------------------------------------------------------------------------------------


def item_key(item: models.Model) -> str:
    return f"{item._meta.label_lower}:{item.pk}"


def item_keys_of(item: GroupContent) -> list[str]:
    """The item's key and those of everything it sits in: hiding any of them withdraws its notifications."""
    return [item_key(each) for each in [item, *item.containers()]]


def item_load(*, label: str, pk: object) -> GroupContent | None:
    """A group content item by its model label (``app_label.model``) and id; ``None`` if it is gone."""
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        return None
    if not issubclass(model, GroupContent):
        return None
    return model.objects.select_related("group").filter(pk=pk).first()


# --- Preferences, in bulk -------------------------------------------------------------------------------


def _preferences_for(account_ids: Iterable[object]) -> dict[object, NotificationPreferences]:
    ids = list(account_ids)
    found = {p.account_id: p for p in NotificationPreferences.objects.filter(account_id__in=ids)}
    return {pk: found.get(pk) or NotificationPreferences(account_id=pk) for pk in ids}


def _group_choices_for(account_ids: Iterable[object], group_id: int) -> dict[object, str]:
    rows = GroupNotificationSetting.objects.filter(account_id__in=list(account_ids), group_id=group_id)
    return {account_id: frequency for account_id, frequency in rows.values_list("account_id", "frequency")}


# --- The fan-out of a group's activity ------------------------------------------------------------------


@dataclass(frozen=True)
class FanOut:
    #: The line's notifications, all told (run again: the same number, nothing doubled).
    created: int
    #: Notifications to mail at once (``notification_mail_send``), made or found unmailed.
    immediate: list[int]


def is_silent(verb: str) -> bool:
    return verb.startswith(SILENT_VERB_PREFIXES)


def _personal_reasons(*, item: GroupContent, verb: str, mentioned: Iterable[object], actor_id: object) -> dict:
    """account id -> the personal reasons (mention, reply) to tell them of the item."""
    reasons: dict[object, set[str]] = {}
    for account_id in mentioned:
        reasons.setdefault(_as_uuid_key(account_id), set()).add(Kind.MENTION)
    if verb == "reply.created":
        containers = item.containers()
        author_id = containers[0].author_id if containers else None
        if author_id is not None:
            reasons.setdefault(author_id, set()).add(Kind.REPLY)
    reasons.pop(actor_id, None)  # never the actor themself
    return reasons


def _as_uuid_key(value: object) -> object:
    """Account ids arrive as strings through Celery; compare them as the model's UUIDs."""
    field = Account._meta.pk
    return field.to_python(value)


def _personal_kind(reasons: set[str], preferences: NotificationPreferences) -> tuple[str, str]:
    """The one notification for someone mentioned in a reply to their own post, and how it is delivered:
    mailed at once if the person wants e-mail for either reason, else in the centre only."""
    wanted = [
        kind
        for kind, on in ((Kind.MENTION, preferences.mentions), (Kind.REPLY, preferences.replies))
        if kind in reasons and on
    ]
    if wanted:
        return wanted[0], Frequency.IMMEDIATELY
    return (Kind.MENTION if Kind.MENTION in reasons else Kind.REPLY), Frequency.NEVER


def activity_fan_out(*, activity_id: int, item_label: str, item_id: object, mentioned: Iterable[object] = ()) -> FanOut:
    """Notify the people of one activity line: the group's members (their group frequency), the author of
    the post replied to (``reply``) and the people mentioned (``mention``) — one notification each, never to
    the actor, only to who may see the item now. Safe to run again (one per recipient per line)."""
    activity = GroupActivity.objects.select_related("group").filter(pk=activity_id).first()
    if activity is None or is_silent(activity.verb):
        return FanOut(created=0, immediate=[])
    item = item_load(label=item_label, pk=item_id)
    if item is None or item.group_id != activity.group_id:
        return FanOut(created=0, immediate=[])
    group = activity.group
    item.group = group
    keys = item_keys_of(item)
    content_type = ContentType.objects.get_for_model(item)
    actor_id = activity.actor_id
    personal = _personal_reasons(item=item, verb=activity.verb, mentioned=mentioned, actor_id=actor_id)

    def notification(recipient_id: object, kind: str, delivery: str) -> Notification:
        return Notification(
            recipient_id=recipient_id,
            kind=kind,
            group=group,
            actor_id=actor_id,
            activity=activity,
            verb=activity.verb,
            item_type=content_type,
            item_id=item.pk,
            item_keys=keys,
            text=activity.summary,
            url=activity.url or item.item_url(),
            created_at=activity.created_at,
            delivery=delivery,
        )

    members = GroupMembership.objects.filter(group=group).exclude(account_id=actor_id).order_by("pk")
    if activity.verb in PERSONAL_ONLY_VERBS:
        members = members.filter(account_id__in=list(personal))
    last_pk = 0
    while True:
        batch = list(members.filter(pk__gt=last_pk).values_list("pk", "account_id", "role")[:FAN_OUT_BATCH])
        if not batch:
            break
        last_pk = batch[-1][0]
        viewers = access.member_viewers(group=group, rows=[(account_id, role) for _, account_id, role in batch])
        preferences = _preferences_for(viewers)
        chosen = _group_choices_for(viewers, group.pk)
        rows = []
        for account_id, viewer in viewers.items():
            reasons = personal.pop(account_id, None)  # a member: decided here, once
            if not access.can_see_content_item(viewer=viewer, item=item):
                continue
            if reasons:
                kind, delivery = _personal_kind(reasons, preferences[account_id])
            else:
                kind = Kind.ACTIVITY
                delivery = frequency_for_group(
                    preferences=preferences[account_id],
                    chosen={group.pk: chosen.get(account_id, "")},
                    group_id=group.pk,
                )
            rows.append(notification(account_id, kind, delivery))
        with transaction.atomic():
            Notification.objects.bulk_create(rows, ignore_conflicts=True)
    # People told for a personal reason who are not members (mentioned in an open group): checked one by one.
    if personal:
        accounts = Account.objects.filter(pk__in=list(personal), is_active=True)
        preferences = _preferences_for(account.pk for account in accounts)
        rows = []
        for account in accounts:
            if not access.can_see_content_item(viewer=access.viewer_for_account(account), item=item):
                continue
            kind, delivery = _personal_kind(personal[account.pk], preferences[account.pk])
            rows.append(notification(account.pk, kind, delivery))
        with transaction.atomic():
            Notification.objects.bulk_create(rows, ignore_conflicts=True)
    created = Notification.objects.filter(activity=activity).count()
    immediate = list(
        Notification.objects.filter(
            activity=activity, delivery=Frequency.IMMEDIATELY, mailed_at__isnull=True, mail_skipped_at__isnull=True
        ).values_list("pk", flat=True)
    )
    return FanOut(created=created, immediate=immediate)


# --- Invitations and requests to join -------------------------------------------------------------------


def _public_path(name: str, **kwargs: object) -> str:
    return reverse(name, kwargs=kwargs, urlconf=settings.PUBLIC_SCHEMA_URLCONF)


def invitation_notify(*, invitation_id: int) -> int:
    """Tell the accounts that hold the invited address (verified) in their centre, unless they turned
    ``invitations`` off. The invitation's e-mail is the groups' (to the address, always), so these are marked
    mailed. Sent again: the notification is new (unread) again."""
    invitation = GroupInvitation.objects.select_related("group").filter(pk=invitation_id).first()
    if invitation is None or not invitation.is_open:
        return 0
    holders = Account.objects.filter(
        is_active=True,
        pk__in=AccountEmail.objects.filter(email__iexact=invitation.email, verified_at__isnull=False).values(
            "account_id"
        ),
    ).exclude(pk=invitation.invited_by_id)
    content_type = ContentType.objects.get_for_model(GroupInvitation)
    done = 0
    now = timezone.now()
    holders = list(holders)
    preferences = _preferences_for(account.pk for account in holders)
    for account in holders:
        if not preferences[account.pk].invitations:  # the person chose not to see them in the centre
            continue
        if not access.can_see_group(viewer=access.viewer_for_account(account), group=invitation.group):
            continue
        with transaction.atomic():
            Notification.objects.update_or_create(
                recipient=account,
                kind=Kind.INVITATION,
                item_type=content_type,
                item_id=invitation.pk,
                defaults={
                    "group": invitation.group,
                    "actor_id": invitation.invited_by_id,
                    "text": invitation.group.name,
                    "url": _public_path("groups:detail", slug=invitation.group.slug),
                    "created_at": now,
                    "read_at": None,
                    "delivery": Frequency.IMMEDIATELY,
                    "mailed_at": now,
                },
            )
        done += 1
    return done


def join_request_notify(*, join_request_id: int) -> list[int]:
    """Tell the group's managers of a new request to join; the ids of those to mail at once."""
    join_request = GroupJoinRequest.objects.select_related("group").filter(pk=join_request_id).first()
    if join_request is None or join_request.status != GroupJoinRequest.Status.PENDING:
        return []
    group = join_request.group
    content_type = ContentType.objects.get_for_model(GroupJoinRequest)
    managers = (
        GroupMembership.objects.filter(group=group, role__in=GroupMembership.MANAGING_ROLES, account__is_active=True)
        .exclude(account_id=join_request.account_id)
        .values_list("account_id", "role")
    )
    viewers = access.member_viewers(group=group, rows=list(managers))
    preferences = _preferences_for(viewers)
    existing = set(
        Notification.objects.filter(
            kind=Kind.JOIN_REQUEST, item_type=content_type, item_id=join_request.pk
        ).values_list("recipient_id", flat=True)
    )
    rows = [
        Notification(
            recipient_id=account_id,
            kind=Kind.JOIN_REQUEST,
            group=group,
            actor_id=join_request.account_id,
            item_type=content_type,
            item_id=join_request.pk,
            text=group.name,
            url=_public_path("groups:manage", slug=group.slug),
            delivery=Frequency.IMMEDIATELY if preferences[account_id].join_requests else Frequency.NEVER,
        )
        for account_id, viewer in viewers.items()
        if account_id not in existing and access.can_manage(viewer=viewer, group=group)
    ]
    with transaction.atomic():
        Notification.objects.bulk_create(rows)
    return list(
        Notification.objects.filter(
            kind=Kind.JOIN_REQUEST,
            item_type=content_type,
            item_id=join_request.pk,
            delivery=Frequency.IMMEDIATELY,
            mailed_at__isnull=True,
            mail_skipped_at__isnull=True,
        ).values_list("pk", flat=True)
    )


# --- The centre -----------------------------------------------------------------------------------------


def notification_open(*, viewer: GroupViewer, notification_id: int) -> Notification:
    """Mark one of the viewer's notifications read (``Notification.DoesNotExist`` for any other, or one
    they may no longer see)."""
    notification = notifications_for_viewer(viewer=viewer).get(pk=notification_id)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notifications_mark_all_read(*, viewer: GroupViewer) -> int:
    if not viewer.signed_in:
        return 0
    return Notification.objects.filter(recipient_id=viewer.account_id, read_at__isnull=True).update(
        read_at=timezone.now()
    )


# --- Preferences ----------------------------------------------------------------------------------------


def preferences_update(
    *,
    account: Account,
    group_activity: str,
    replies: bool,
    mentions: bool,
    invitations: bool,
    join_requests: bool,
    group_frequencies: dict[int, str],
) -> NotificationPreferences:
    """Save the person's preferences; ``group_frequencies``: group id -> frequency, or "" for the default.
    Only groups the person is a member of; a bad value: ``ValidationError``, nothing saved."""
    errors: dict[str, list[str]] = {}
    if group_activity not in Frequency.values:
        errors["group_activity"] = [_("Choose how often to hear about activity in your groups.")]
    member_of = set(GroupMembership.objects.filter(account=account).values_list("group_id", flat=True))
    for group_id, frequency in group_frequencies.items():
        if group_id not in member_of:
            errors.setdefault("groups", []).append(_("You can only choose for groups you are a member of."))
        elif frequency and frequency not in Frequency.values:
            errors[f"group_{group_id}"] = [_("Choose one of the frequencies offered.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        preferences, _created = NotificationPreferences.objects.select_for_update().get_or_create(account=account)
        preferences.group_activity = group_activity
        preferences.replies, preferences.mentions = bool(replies), bool(mentions)
        preferences.invitations, preferences.join_requests = bool(invitations), bool(join_requests)
        preferences.save()
        for group_id, frequency in group_frequencies.items():
            if frequency:
                GroupNotificationSetting.objects.update_or_create(
                    account=account, group_id=group_id, defaults={"frequency": frequency}
                )
            else:
                GroupNotificationSetting.objects.filter(account=account, group_id=group_id).delete()
        pending_deliveries_refresh(account=account)
    return preferences


def _pending(account: Account) -> models.QuerySet[Notification]:
    return Notification.objects.filter(recipient=account, mailed_at__isnull=True, mail_skipped_at__isnull=True)


def pending_deliveries_refresh(*, account: Account) -> None:
    """Notifications not mailed yet follow the person's current choices: what they stopped is not sent."""
    preferences = NotificationPreferences.objects.filter(account=account).first()
    if preferences is None:
        return
    chosen = dict(GroupNotificationSetting.objects.filter(account=account).values_list("group_id", "frequency"))
    activity = _pending(account).filter(kind=Kind.ACTIVITY)
    for group_id in set(activity.values_list("group_id", flat=True)):
        frequency = frequency_for_group(preferences=preferences, chosen=chosen, group_id=group_id)
        activity.filter(group_id=group_id).exclude(delivery=frequency).update(delivery=frequency)
    for kind, on in (
        (Kind.REPLY, preferences.replies),
        (Kind.MENTION, preferences.mentions),
        (Kind.JOIN_REQUEST, preferences.join_requests),
    ):
        if not on:
            _pending(account).filter(kind=kind).update(delivery=Frequency.NEVER)


# --- Unsubscribe (no sign-in: the token names the person and the list) ----------------------------------


def unsubscribe_apply(*, token: str) -> Unsubscription:
    """Stop the e-mails of the token's list for the token's person; the same again changes nothing.
    A bad or changed token: ``ValidationError``, nothing changed."""
    subscription = token_read(token=token)
    account, name = subscription.account, subscription.list_name
    with transaction.atomic():
        preferences, _created = NotificationPreferences.objects.select_for_update().get_or_create(account=account)
        if name in KIND_LISTS:
            setattr(preferences, KIND_LISTS[name], False)
            preferences.save()
        elif name in DIGEST_LISTS:
            frequency = DIGEST_LISTS[name]
            if preferences.group_activity == frequency:
                preferences.group_activity = Frequency.NEVER
                preferences.save()
            GroupNotificationSetting.objects.filter(account=account, frequency=frequency).update(
                frequency=Frequency.NEVER
            )
            # A digest already due holds nothing any more.
            _pending(account).filter(delivery=frequency).update(delivery=Frequency.NEVER)
        elif subscription.group is not None:
            GroupNotificationSetting.objects.update_or_create(
                account=account, group=subscription.group, defaults={"frequency": Frequency.NEVER}
            )
        pending_deliveries_refresh(account=account)
    return subscription


# --- Withdrawn with their item --------------------------------------------------------------------------


def item_withdraw(*, item: models.Model) -> int:
    """The item was hidden or deleted: its notifications, and those of what sits in it, leave the centre
    and every e-mail."""
    return Notification.objects.filter(item_keys__contains=[item_key(item)], withdrawn_at__isnull=True).update(
        withdrawn_at=timezone.now()
    )


def item_restore(*, item: models.Model) -> int:
    """The item was shown again: its notifications (and those below it) come back, unless they are still
    under something hidden."""
    withdrawn = Notification.objects.filter(item_keys__contains=[item_key(item)], withdrawn_at__isnull=False)
    restored = 0
    for item_type_id, item_id in set(withdrawn.values_list("item_type_id", "item_id")):
        model = ContentType.objects.get_for_id(item_type_id).model_class()
        found = model.objects.filter(pk=item_id).first() if model is not None else None
        if found is None or any(each.is_hidden for each in [found, *found.containers()]):
            continue
        restored += withdrawn.filter(item_type_id=item_type_id, item_id=item_id).update(withdrawn_at=None)
    return restored
