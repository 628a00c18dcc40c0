"""The events tab listens to the groups core: a member who leaves a group (or is removed from it, or whose
account is deleted) gives up their places at its coming events, and the waiting list moves up.

``pre_delete``, not ``post_delete``: when an account is deleted, its answers go in the same cascade, and
only before it are they still there to free the places they held. It runs in the deleting transaction.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import pre_delete

from shared_apps.group_events.services import responses_withdraw_for_leaving_member
from shared_apps.groups.models import GroupMembership


def member_leaving(sender: type, instance: GroupMembership, **kwargs: Any) -> None:
    responses_withdraw_for_leaving_member(group_id=instance.group_id, account_id=instance.account_id)


def connect() -> None:
    pre_delete.connect(member_leaving, sender=GroupMembership, dispatch_uid="group_events.member_leaving")
