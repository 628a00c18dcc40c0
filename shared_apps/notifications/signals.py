"""What the notifications listen to, connected in ``NotificationsConfig.ready()``.

* The groups' events (``shared_apps.groups.events``): each only schedules a task once the transaction has
  committed, ``robust``: a broker that is down is logged and never fails the action that caused it.
* ``post_save`` / ``post_delete`` of every group content model: an item hidden or deleted withdraws its
  notifications (and those of what sits in it); shown again, they come back.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from shared_apps.groups import events
from shared_apps.groups.models import GroupContent, group_content_models
from shared_apps.notifications import services, tasks


def on_activity(sender: type, activity: Any, item: Any = None, mentioned: Any = (), **kwargs: Any) -> None:
    if item is None or not isinstance(item, GroupContent) or services.is_silent(activity.verb):
        return
    arguments = {
        "activity_id": activity.pk,
        "item_label": item._meta.label_lower,
        "item_id": item.pk,
        "mentioned": [str(account_id) for account_id in mentioned or ()],
    }
    transaction.on_commit(lambda: tasks.activity_fan_out.delay(**arguments), robust=True)


def on_invitation(sender: type, invitation: Any, **kwargs: Any) -> None:
    invitation_id = invitation.pk
    transaction.on_commit(lambda: tasks.invitation_notify.delay(invitation_id=invitation_id), robust=True)


def on_join_request(sender: type, join_request: Any, **kwargs: Any) -> None:
    join_request_id = join_request.pk
    transaction.on_commit(lambda: tasks.join_request_notify.delay(join_request_id=join_request_id), robust=True)


def on_item_saved(sender: type, instance: GroupContent, created: bool = False, **kwargs: Any) -> None:
    update_fields = kwargs.get("update_fields")
    if created or (update_fields is not None and "hidden_at" not in update_fields):
        return
    if instance.is_hidden:
        services.item_withdraw(item=instance)
    else:
        services.item_restore(item=instance)


def on_item_deleted(sender: type, instance: GroupContent, **kwargs: Any) -> None:
    services.item_withdraw(item=instance)


def connect() -> None:
    events.activity_recorded.connect(on_activity, dispatch_uid="notifications.activity")
    events.invitation_sent.connect(on_invitation, dispatch_uid="notifications.invitation")
    events.join_requested.connect(on_join_request, dispatch_uid="notifications.join_request")
    for model in group_content_models():
        label = model._meta.label_lower
        post_save.connect(on_item_saved, sender=model, dispatch_uid=f"notifications.item_saved.{label}")
        post_delete.connect(on_item_deleted, sender=model, dispatch_uid=f"notifications.item_deleted.{label}")
