"""Reads of an organisation's pages for its subsite (they never write)."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet
from django.utils import timezone
from wagtail.models import Page

from tenant_apps.pages.visibility import Viewer, visible_pages

#: A first visit (no earlier one recorded) shows what was published in this many days.
FIRST_VISIT_DAYS = 14


def pages_new_since(*, root: Page, viewer: Viewer, since: datetime.datetime | None, limit: int = 8) -> list[Page]:
    """The pages below ``root`` first published after ``since`` that ``viewer`` may see, newest first.

    ``since`` None (a first visit): the last ``FIRST_VISIT_DAYS`` days. One query for the pages and one per
    page type among them (``specific``), however many pages there are.
    """
    since = since or timezone.now() - datetime.timedelta(days=FIRST_VISIT_DAYS)
    found: QuerySet = Page.objects.live().public().descendant_of(root).filter(first_published_at__gt=since)
    found = visible_pages(queryset=found, viewer=viewer).order_by("-first_published_at")
    return list(found[:limit].specific())
