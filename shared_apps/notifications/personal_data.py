"""A person's notifications, preferences and per-group choices in their data export (``notifications.json``).

Registered for ``tenants.organisation_hooks.personal_data_export`` in ``NotificationsConfig.ready()``; the
export calls it once per schema the person has a local user in, and the notifications live in the public
schema, so it writes only when called there (the shared space's turn).

Erasure needs nothing here: deleting the account removes its notifications, preferences and choices (their
foreign keys cascade); notifications others received about the person's actions keep "Former user".
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import connection

from shared_apps.accounts.models import Account
from shared_apps.accounts.personal_data.archive import PersonalArchive, row_data
from shared_apps.notifications.models import GroupNotificationSetting, Notification, NotificationPreferences

NAME = "notifications.json"


def export_notifications(*, account: Account, local_user: Any, archive: PersonalArchive, folder: str) -> None:
    """Write ``notifications.json`` at the archive's top (in the public schema's turn only)."""
    if connection.schema_name != settings.PUBLIC_SCHEMA_NAME:
        return
    preferences = NotificationPreferences.objects.filter(account=account).first()
    data = {
        "preferences": row_data(preferences, exclude=("account",)) if preferences is not None else None,
        "groups": [
            {"group": setting.group.name, "slug": setting.group.slug, "frequency": setting.frequency}
            for setting in GroupNotificationSetting.objects.filter(account=account).select_related("group")
        ],
        "notifications": [
            {
                "group": n.group.name if n.group is not None else None,
                "actor": n.actor.display_name if n.actor is not None else None,
                **row_data(n, exclude=("recipient", "group", "actor", "activity", "item_type", "item_keys")),
            }
            for n in Notification.objects.filter(recipient=account).select_related("group", "actor")
        ],
    }
    archive.json(NAME, data)
