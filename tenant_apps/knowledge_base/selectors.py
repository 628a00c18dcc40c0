"""Reads of the knowledge base (current schema; they never write). Every listing is trimmed by
``tenant_apps.pages.visibility`` and issues a fixed number of queries, whatever the number of pages."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import QuerySet
from wagtail.models import Page

from tenant_apps.knowledge_base import models as kb_models
from tenant_apps.knowledge_base import reviews
from tenant_apps.pages.visibility import HOME_DEPTH, Viewer, visible_pages


def topics_under(*, parent: Page, viewer: Viewer) -> list[Any]:
    """The live topics directly under ``parent`` the viewer may see, in menu order. One query."""
    queryset = kb_models.TopicPage.objects.child_of(parent).live().public().order_by("path")
    return list(visible_pages(queryset=queryset, viewer=viewer))


def _articles(queryset: QuerySet, *, viewer: Viewer) -> QuerySet:
    return visible_pages(queryset=queryset.live().public(), viewer=viewer).select_related("content_owner")


def articles_under(*, parent: Page, viewer: Viewer) -> QuerySet:
    """The live articles directly under ``parent`` the viewer may see, in menu order, with their owner."""
    return _articles(kb_models.KnowledgeArticlePage.objects.child_of(parent), viewer=viewer).order_by("path")


def articles_recently_updated(*, viewer: Viewer, root: Page | None = None, limit: int = 5) -> list[Any]:
    """The ``limit`` articles last published (below ``root`` if given) the viewer may see. One query."""
    queryset = kb_models.KnowledgeArticlePage.objects.all()
    if root is not None:
        queryset = queryset.descendant_of(root)
    return list(_articles(queryset, viewer=viewer).order_by("-last_published_at", "-pk")[: max(int(limit), 0)])


def breadcrumbs_for(*, page: Page) -> list[Page]:
    """The pages from the home page down to ``page``'s parent (whoever sees a page sees the pages above it:
    a page is never more visible than its parent). One query."""
    return list(Page.objects.ancestor_of(page).filter(depth__gte=HOME_DEPTH).order_by("depth"))


# --- Reviews ------------------------------------------------------------------------------------------


def articles_needing_a_reminder(*, today: datetime.date, owner_id: int | None = None) -> QuerySet:
    """Live articles with an active content owner whose review is due by ``today`` + ``DUE_SOON_DAYS`` and whose
    owner was not reminded of them in the last ``REMIND_AGAIN_AFTER_DAYS`` days (so a re-run sends nothing)."""
    recently = today - datetime.timedelta(days=reviews.REMIND_AGAIN_AFTER_DAYS)
    queryset = (
        kb_models.KnowledgeArticlePage.objects.live()
        .filter(
            review_due__lte=today + datetime.timedelta(days=reviews.DUE_SOON_DAYS),
            content_owner__isnull=False,
            content_owner__is_active=True,
        )
        .exclude(review_reminder__reminded_on__gt=recently)
    )
    if owner_id is not None:
        queryset = queryset.filter(content_owner_id=owner_id)
    return queryset.order_by("review_due", "pk")


def owners_to_remind(*, today: datetime.date) -> list[int]:
    """The content owners (local user ids) with at least one article to be reminded of. One query."""
    return list(
        articles_needing_a_reminder(today=today)
        .order_by("content_owner_id")
        .values_list("content_owner_id", flat=True)
        .distinct()
    )
