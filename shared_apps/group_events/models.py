"""Events in a group, and the members' answers to them (attend / maybe / decline, with a waiting list)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy, pgettext_lazy

from shared_apps.groups.models import GroupContent


class GroupEvent(GroupContent):
    """A meeting, at a place and/or online. ``capacity`` ``None``: as many as come."""

    title = models.CharField(gettext_lazy("title"), max_length=200)
    description = models.TextField(gettext_lazy("description"), blank=True)  # sanitised HTML
    starts_at = models.DateTimeField(gettext_lazy("starts at"))
    ends_at = models.DateTimeField(gettext_lazy("ends at"))
    place = models.CharField(gettext_lazy("place"), max_length=200, blank=True)
    online_url = models.URLField(gettext_lazy("online link"), max_length=500, blank=True)
    capacity = models.PositiveIntegerField(gettext_lazy("places"), null=True, blank=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        indexes = [models.Index(fields=["group", "starts_at"], name="group_events_group_start")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="group_events_ends_after_start"
            ),
            models.CheckConstraint(condition=~Q(place="") | ~Q(online_url=""), name="group_events_place_or_link"),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(capacity__gte=1), name="group_events_capacity_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_past(self) -> bool:
        return self.ends_at <= timezone.now()

    def item_url(self) -> str:
        return reverse(
            "group_events:detail",
            kwargs={"slug": self.group.slug, "event_id": self.pk},
            urlconf=settings.PUBLIC_SCHEMA_URLCONF,
        )


class EventResponse(models.Model):
    """One person's answer to one event. An "attend" beyond the event's places waits (``waiting``) in the
    order it was given (``queued_at``); the first waiting moves up when a place frees (``services``)."""

    class Answer(models.TextChoices):
        ATTEND = "attend", pgettext_lazy("event answer", "Attend")
        MAYBE = "maybe", pgettext_lazy("event answer", "Maybe")
        DECLINE = "decline", pgettext_lazy("event answer", "Decline")

    event = models.ForeignKey(GroupEvent, on_delete=models.CASCADE, related_name="responses")
    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="+")
    answer = models.CharField(max_length=10, choices=Answer.choices)
    waiting = models.BooleanField(default=False)  # an "attend" without a place yet
    queued_at = models.DateTimeField(null=True, blank=True)  # when the "attend" was given: the waiting order
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["queued_at", "pk"]
        indexes = [models.Index(fields=["event", "answer", "waiting", "queued_at"], name="group_events_resp_queue")]
        constraints = [
            models.UniqueConstraint(fields=["event", "account"], name="group_events_one_answer_per_person"),
            models.CheckConstraint(
                condition=Q(waiting=False) | Q(answer="attend"), name="group_events_only_attend_waits"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} to {self.event_id}: {self.answer}{' (waiting)' if self.waiting else ''}"
