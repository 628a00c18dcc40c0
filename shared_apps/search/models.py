"""The platform-wide search index (public schema): one row per page, document, group or group item.

Each entry carries its organisation (organisation content) or its group (groups and their content) and,
for organisation content, its audience — the effective visibility level computed on the organisation side
(``tenant_apps.pages.visibility``). Who may find an entry is decided in the query
(``shared_apps.search.access``), never after paging. The body text is not stored: it is folded into
``search_vector`` only (``services.entries_upsert``).
"""

from __future__ import annotations

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy, pgettext_lazy


class SearchEntry(models.Model):
    """One findable thing: where it lives, who may find it, what it says (as a weighted tsvector)."""

    class Source(models.TextChoices):
        ORGANISATION = "organisation", pgettext_lazy("search source", "Organisation")
        GROUP = "group", pgettext_lazy("search source", "Group")

    class Kind(models.TextChoices):
        PAGE = "page", pgettext_lazy("search kind", "Page")
        DOCUMENT = "document", pgettext_lazy("search kind", "Document")
        GROUP = "group", pgettext_lazy("search kind", "Group")
        DISCUSSION = "discussion", pgettext_lazy("search kind", "Discussion")
        QUESTION = "question", pgettext_lazy("search kind", "Question")
        EVENT = "event", pgettext_lazy("search kind", "Event")
        FILE = "file", pgettext_lazy("search kind", "File")
        WIKI = "wiki", pgettext_lazy("search kind", "Wiki page")

    class Audience(models.TextChoices):
        ORGANISATION = "organisation", pgettext_lazy("search audience", "Own organisation")
        CIVIL_SERVANTS = "civil_servants", pgettext_lazy("search audience", "Civil servants")
        PUBLIC = "public", pgettext_lazy("search audience", "Everyone")

    #: "<schema>:<app_label.model>:<pk>" for organisation content, "group:<app_label.model>:<pk>" for groups.
    key = models.CharField(max_length=200, unique=True)
    source = models.CharField(max_length=20, choices=Source.choices)
    organisation = models.ForeignKey(
        "tenants.Organisation", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    group = models.ForeignKey("groups.Group", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    #: Organisation content: its effective level; blank for group entries (trimmed by the group's state).
    audience = models.CharField(max_length=20, choices=Audience.choices, blank=True)
    title = models.CharField(gettext_lazy("title"), max_length=300)
    summary = models.TextField(gettext_lazy("summary"), blank=True)
    url = models.CharField(max_length=500)
    language = models.CharField(max_length=8, blank=True)
    published_at = models.DateTimeField(db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    search_vector = SearchVectorField(null=True)

    class Meta:
        ordering = ["-published_at", "pk"]
        indexes = [
            GinIndex(fields=["search_vector"], name="search_entry_vector_gin"),
            models.Index(fields=["organisation", "audience"], name="search_entry_org_audience"),
            models.Index(fields=["group"], name="search_entry_group"),
            # Deleting by key prefix (an organisation's entries, a page's subtree) uses LIKE 'prefix%'.
            models.Index(fields=["key"], name="search_entry_key_prefix", opclasses=["varchar_pattern_ops"]),
        ]
        verbose_name = gettext_lazy("search entry")
        verbose_name_plural = gettext_lazy("search entries")

    def __str__(self) -> str:
        return f"{self.key}: {self.title}"
