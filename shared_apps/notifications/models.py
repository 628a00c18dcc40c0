"""A person's notifications and how they want to be told (public schema).

One ``Notification`` per recipient per thing that happened, made by the fan-out task
(``shared_apps.notifications.services``) after the recipient's right to see the item was checked; it is
shown in the notification centre on every host and, depending on its ``delivery`` (decided from the
recipient's preferences when it is made), mailed at once, in a daily or weekly digest, or never.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy, pgettext_lazy


class Frequency(models.TextChoices):
    IMMEDIATELY = "immediately", pgettext_lazy("notification frequency", "Immediately, one e-mail each")
    DAILY = "daily", pgettext_lazy("notification frequency", "Daily digest")
    WEEKLY = "weekly", pgettext_lazy("notification frequency", "Weekly digest")
    NEVER = "never", pgettext_lazy("notification frequency", "Never by e-mail")


#: The frequencies of a digest (built by Celery beat).
DIGEST_FREQUENCIES = (Frequency.DAILY, Frequency.WEEKLY)


class Notification(models.Model):
    class Kind(models.TextChoices):
        ACTIVITY = "activity", pgettext_lazy("notification kind", "Activity in a group")
        REPLY = "reply", pgettext_lazy("notification kind", "A reply to your post")
        MENTION = "mention", pgettext_lazy("notification kind", "A mention")
        INVITATION = "invitation", pgettext_lazy("notification kind", "An invitation")
        JOIN_REQUEST = "join_request", pgettext_lazy("notification kind", "A request to join")

    recipient = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    group = models.ForeignKey("groups.Group", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey("accounts.Account", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    #: The activity line it tells of (one notification per recipient per line); gone with the line.
    activity = models.ForeignKey(
        "groups.GroupActivity", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    verb = models.CharField(max_length=40, blank=True)  # the activity's verb, worded when shown
    # Content types live in every schema: no cascade across (govsquare.architecture, rule 4).
    item_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.DO_NOTHING, related_name="+")
    item_id = models.PositiveBigIntegerField(null=True, blank=True)
    #: ``<app_label.model>:<pk>`` of the item and of everything it sits in (``GroupContent.containers``):
    #: hiding or deleting any of them withdraws the notification.
    item_keys = ArrayField(models.CharField(max_length=120), default=list, blank=True)
    text = models.CharField(gettext_lazy("summary"), max_length=300)  # the item's title (or the group's name)
    url = models.CharField(max_length=300, blank=True)  # a path on the shared space
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    delivery = models.CharField(max_length=12, choices=Frequency.choices)
    mailed_at = models.DateTimeField(null=True, blank=True)
    #: Looked at for an e-mail and left out (the recipient may no longer see it): never tried again.
    mail_skipped_at = models.DateTimeField(null=True, blank=True)
    #: The item was hidden or deleted: out of the centre and of every e-mail (cleared when shown again).
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notif_recipient_newest"),
            models.Index(
                fields=["delivery", "recipient"],
                condition=Q(mailed_at__isnull=True, mail_skipped_at__isnull=True),
                name="notif_pending_mail",
            ),
            GinIndex(fields=["item_keys"], name="notif_item_keys_gin"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "activity"],
                condition=Q(activity__isnull=False),
                name="notif_one_per_recipient_per_activity",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id}: {self.text}"

    @property
    def is_unread(self) -> bool:
        return self.read_at is None

    @property
    def is_pending_mail(self) -> bool:
        return self.mailed_at is None and self.mail_skipped_at is None


class NotificationPreferences(models.Model):
    """How a person wants to be told, made with the defaults the first time it is needed."""

    account = models.OneToOneField(
        "accounts.Account", on_delete=models.CASCADE, primary_key=True, related_name="notification_preferences"
    )
    group_activity = models.CharField(
        gettext_lazy("Activity in my groups"), max_length=12, choices=Frequency.choices, default=Frequency.DAILY
    )
    replies = models.BooleanField(gettext_lazy("Replies to my discussions and questions"), default=True)
    mentions = models.BooleanField(gettext_lazy("Mentions of me"), default=True)
    invitations = models.BooleanField(gettext_lazy("Invitations to groups"), default=True)
    join_requests = models.BooleanField(gettext_lazy("Requests to join groups I manage"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "notification preferences"

    def __str__(self) -> str:
        return f"preferences of {self.account_id}"


class GroupNotificationSetting(models.Model):
    """A person's frequency for one group, overriding their default (``group_activity``)."""

    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="+")
    group = models.ForeignKey("groups.Group", on_delete=models.CASCADE, related_name="+")
    frequency = models.CharField(max_length=12, choices=Frequency.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "group"], name="notif_one_setting_per_person_per_group")
        ]

    def __str__(self) -> str:
        return f"{self.account_id} in {self.group_id}: {self.frequency}"
