"""Page types of an organisation's subsite."""

from __future__ import annotations

from django.db import models
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page


class HomePage(Page):
    """The root of an organisation's subsite: one per organisation, created by its blueprint."""

    intro = RichTextField(blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["wagtailcore.Page"]
    max_count_per_parent = 1
    template = "pages/home_page.html"

    class Meta:
        verbose_name = "home page"


class ContentPage(Page):
    """A general page: news item, knowledge-base article, or anything else with a body."""

    summary = models.CharField(max_length=300, blank=True)
    body = RichTextField(blank=True)

    content_panels = [*Page.content_panels, FieldPanel("summary"), FieldPanel("body")]
    template = "pages/content_page.html"

    class Meta:
        verbose_name = "content page"
