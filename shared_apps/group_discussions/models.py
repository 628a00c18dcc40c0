"""Discussions and questions of a group, and their replies (public schema).

One model for both tabs: a *question* is a discussion whose asker (or a moderator) marks one reply as the
answer. Bodies are rich text, sanitised by ``shared_apps.groups.richtext.sanitise`` in the services.
"""

from __future__ import annotations

import html

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy, pgettext_lazy

from shared_apps.groups.models import GroupContent

TITLE_MAX = 200
BODY_MAX = 20_000  # characters a member writes (before sanitising)


class Discussion(GroupContent):
    class Kind(models.TextChoices):
        DISCUSSION = "discussion", pgettext_lazy("group discussion kind", "Discussion")
        QUESTION = "question", pgettext_lazy("group discussion kind", "Question")

    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.DISCUSSION)
    title = models.CharField(gettext_lazy("title"), max_length=TITLE_MAX)
    body = models.TextField(gettext_lazy("text"))  # sanitised HTML
    #: When it was started or last replied to: the list shows the newest activity first.
    last_activity_at = models.DateTimeField(default=timezone.now)
    #: A question's answer, one of its replies (marked by the asker or a moderator).
    answer = models.ForeignKey("Reply", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-last_activity_at", "-pk"]
        indexes = [
            models.Index(fields=["group", "kind", "-last_activity_at"], name="group_disc_newest_activity"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def namespace(self) -> str:
        """The URL namespace of its tab (``urls.py``)."""
        return NAMESPACES[self.kind]

    def url(self, *, group_slug: str) -> str:
        """Its page on the shared space (from anywhere: a request on another host, a task)."""
        return reverse(
            f"{self.namespace}:detail",
            kwargs={"slug": group_slug, "pk": self.pk},
            urlconf=settings.PUBLIC_SCHEMA_URLCONF,
        )

    def item_url(self) -> str:
        return self.url(group_slug=self.group.slug)


class Reply(GroupContent):
    discussion = models.ForeignKey(Discussion, on_delete=models.CASCADE, related_name="replies")
    body = models.TextField(gettext_lazy("text"))  # sanitised HTML

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["discussion", "created_at"], name="group_disc_reply_oldest")]
        verbose_name_plural = "replies"

    def __str__(self) -> str:
        return Truncator(html.unescape(strip_tags(self.body))).words(8, truncate="…") or f"reply {self.pk}"

    def containers(self) -> list[GroupContent]:
        return [self.discussion]

    def item_url(self) -> str:
        return f"{self.discussion.item_url()}#reply-{self.pk}"


#: The URL namespace of each kind's tab; the tab's key is also its address under the group.
NAMESPACES = {Discussion.Kind.DISCUSSION: "group_discussions", Discussion.Kind.QUESTION: "group_questions"}
TAB_KEYS = {Discussion.Kind.DISCUSSION: "discussions", Discussion.Kind.QUESTION: "questions"}
