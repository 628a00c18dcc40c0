"""A group's wiki: pages in a tree (``WikiPage``), and every saved version of a page (``WikiRevision``).

A page's current text is its latest revision; the page keeps its current title too, so the tree is read
without the revisions. Who may do what: ``shared_apps.groups.access`` (through ``services``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from shared_apps.groups.models import GroupContent

TITLE_MAX = 200
SLUG_MAX = 80
NOTE_MAX = 200


class WikiPage(GroupContent):
    """A page of a group's wiki, at the top or under another page (its subpages go with it)."""

    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
        verbose_name=gettext_lazy("under"),
    )
    title = models.CharField(gettext_lazy("title"), max_length=TITLE_MAX)
    slug = models.SlugField(max_length=SLUG_MAX)
    position = models.PositiveIntegerField(default=0)  # order among its siblings

    class Meta:
        ordering = ["parent_id", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["group", "slug"], name="group_wiki_one_slug_per_group")]
        indexes = [models.Index(fields=["group", "parent", "position"], name="group_wiki_page_tree")]

    def __str__(self) -> str:
        return self.title

    def containers(self) -> list[GroupContent]:
        return self.chain_of_parents(self.parent)

    def item_url(self) -> str:
        return reverse(
            "group_wiki:page",
            kwargs={"slug": self.group.slug, "page_slug": self.slug},
            urlconf=settings.PUBLIC_SCHEMA_URLCONF,
        )


class WikiRevision(models.Model):
    """One saved version of a page: its title and (sanitised) text, who saved it, when, and why."""

    page = models.ForeignKey(WikiPage, on_delete=models.CASCADE, related_name="revisions")
    title = models.CharField(gettext_lazy("title"), max_length=TITLE_MAX)
    body = models.TextField(gettext_lazy("text"), blank=True)  # sanitised HTML (shared_apps.groups.richtext)
    author = models.ForeignKey("accounts.Account", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    note = models.CharField(gettext_lazy("what changed"), max_length=NOTE_MAX, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["page", "-created_at", "-id"], name="group_wiki_revision_newest")]

    def __str__(self) -> str:
        return f"{self.title} ({self.created_at:%Y-%m-%d %H:%M})"
