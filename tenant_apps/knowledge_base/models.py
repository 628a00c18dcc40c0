"""The knowledge base: an index, a tree of topics and articles with a content owner and review dates.

Who may see a page is decided in one place (``tenant_apps.pages.visibility``); the listings read through
``tenant_apps.knowledge_base.selectors``. An article's ``review_due`` is computed on every save
(``tenant_apps.knowledge_base.reviews``); its history is Wagtail's own (revisions, the admin's history).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core.paginator import Paginator
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from tenant_apps.knowledge_base import reviews, selectors
from tenant_apps.pages.models import VisibilityMixin, VisibilityPageForm
from tenant_apps.pages.visibility import viewer_for_user

# --- The article's body -------------------------------------------------------------------------------


class StepsBlock(blocks.StructBlock):
    """Numbered steps ("how do I …")."""

    title = blocks.CharBlock(required=False, max_length=120, label=gettext_lazy("Title"))
    steps = blocks.ListBlock(
        blocks.CharBlock(max_length=500, label=gettext_lazy("Step")), min_num=1, label=gettext_lazy("Steps")
    )

    class Meta:
        icon = "list-ol"
        label = gettext_lazy("Steps")
        template = "knowledge_base/blocks/steps.html"


class CalloutBlock(blocks.StructBlock):
    """A highlighted note: a tip or a warning (said in words, not only by colour)."""

    kind = blocks.ChoiceBlock(
        choices=[("tip", gettext_lazy("Tip")), ("warning", gettext_lazy("Warning"))],
        default="tip",
        label=gettext_lazy("Kind"),
    )
    text = blocks.RichTextBlock(features=["bold", "italic", "link"], label=gettext_lazy("Text"))

    class Meta:
        icon = "warning"
        label = gettext_lazy("Callout")
        template = "knowledge_base/blocks/callout.html"


class HeadingBlock(blocks.CharBlock):
    class Meta:
        icon = "title"
        label = gettext_lazy("Heading")
        template = "knowledge_base/blocks/heading.html"


ARTICLE_BODY_BLOCKS = [
    (
        "paragraph",
        blocks.RichTextBlock(
            features=["bold", "italic", "link", "ol", "ul", "document-link"], label=gettext_lazy("Paragraph")
        ),
    ),
    ("heading", HeadingBlock(max_length=120)),
    ("steps", StepsBlock()),
    ("callout", CalloutBlock()),
]


# --- Page types ---------------------------------------------------------------------------------------


class KnowledgeBasePage(VisibilityMixin, Page):
    """The knowledge base's section index: its top-level topics and the articles updated most recently."""

    intro = RichTextField(blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    search_fields = [*Page.search_fields, index.SearchField("intro")]
    parent_page_types = ["org_pages.HomePage"]
    subpage_types = ["org_knowledge_base.TopicPage", "org_knowledge_base.KnowledgeArticlePage"]
    max_count_per_parent = 1
    template = "knowledge_base/knowledge_base_page.html"

    #: How many recently updated articles the index shows.
    RECENT_COUNT = 10

    class Meta:
        verbose_name = gettext_lazy("knowledge base")

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context(request, *args, **kwargs)
        viewer = viewer_for_user(request.user)
        context["topics"] = selectors.topics_under(parent=self, viewer=viewer)
        context["recent_articles"] = selectors.articles_recently_updated(
            root=self, viewer=viewer, limit=self.RECENT_COUNT
        )
        context["today"] = timezone.localdate()
        return context


class TopicPage(VisibilityMixin, Page):
    """A topic of the knowledge base: its sub-topics and its articles. Topics form a tree."""

    intro = RichTextField(blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    search_fields = [*Page.search_fields, index.SearchField("intro")]
    parent_page_types = ["org_knowledge_base.KnowledgeBasePage", "org_knowledge_base.TopicPage"]
    subpage_types = ["org_knowledge_base.TopicPage", "org_knowledge_base.KnowledgeArticlePage"]
    template = "knowledge_base/topic_page.html"

    #: Articles per listing page.
    PAGE_SIZE = 30

    class Meta:
        verbose_name = gettext_lazy("knowledge base topic")

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context(request, *args, **kwargs)
        viewer = viewer_for_user(request.user)
        context["breadcrumbs"] = selectors.breadcrumbs_for(page=self)
        context["subtopics"] = selectors.topics_under(parent=self, viewer=viewer)
        articles = selectors.articles_under(parent=self, viewer=viewer)
        context["articles"] = Paginator(articles, self.PAGE_SIZE).get_page(request.GET.get("page"))
        context["today"] = timezone.localdate()
        return context


class KnowledgeArticleForm(VisibilityPageForm):
    """An article needs a content owner: the person who keeps it right (the field may be empty in the
    database, when the owner's account was removed, but not when an editor saves the article)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "content_owner" in self.fields:
            self.fields["content_owner"].required = True


class KnowledgeArticlePage(VisibilityMixin, Page):
    """Guidance: a summary, a body of paragraphs, headings, steps and callouts, a content owner and review dates."""

    summary = models.CharField(max_length=300, blank=True, verbose_name=gettext_lazy("summary"))
    body = StreamField(ARTICLE_BODY_BLOCKS, blank=True, verbose_name=gettext_lazy("body"))
    content_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=gettext_lazy("content owner"),
        help_text=gettext_lazy("The colleague who keeps this article right; reminded when its review is due."),
    )
    last_reviewed = models.DateField(
        null=True,
        blank=True,
        verbose_name=gettext_lazy("last reviewed"),
        help_text=gettext_lazy("The day the content owner last checked that the article is still right."),
    )
    review_interval_months = models.PositiveSmallIntegerField(
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        verbose_name=gettext_lazy("review every (months)"),
    )
    #: Computed on save: ``last_reviewed`` (else the first publication, else today) + the interval.
    review_due = models.DateField(
        null=True, blank=True, editable=False, db_index=True, verbose_name=gettext_lazy("review due")
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("body"),
        MultiFieldPanel(
            [FieldPanel("content_owner"), FieldPanel("last_reviewed"), FieldPanel("review_interval_months")],
            heading=gettext_lazy("Ownership and review"),
        ),
    ]
    search_fields = [*Page.search_fields, index.SearchField("summary"), index.SearchField("body")]
    parent_page_types = ["org_knowledge_base.KnowledgeBasePage", "org_knowledge_base.TopicPage"]
    subpage_types: list[str] = []
    base_form_class = KnowledgeArticleForm
    template = "knowledge_base/knowledge_article_page.html"

    class Meta:
        verbose_name = gettext_lazy("knowledge article")

    def compute_review_due(self, *, today: datetime.date | None = None) -> datetime.date:
        return reviews.review_due_for(
            last_reviewed=self.last_reviewed,
            first_published_at=self.first_published_at,
            interval_months=self.review_interval_months,
            today=today or timezone.localdate(),
        )

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.review_due = self.compute_review_due()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "review_due" not in update_fields:
            kwargs["update_fields"] = [*update_fields, "review_due"]
        super().save(*args, **kwargs)

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context(request, *args, **kwargs)
        today = timezone.localdate()
        context["breadcrumbs"] = selectors.breadcrumbs_for(page=self)
        context["review_state"] = reviews.review_state(review_due=self.review_due, today=today)
        context["today"] = today
        return context


class ReviewReminder(models.Model):
    """When the content owner was last reminded of an article's review (kept beside the page, not on it, so
    that publishing an older revision never brings back an older date)."""

    article = models.OneToOneField(KnowledgeArticlePage, on_delete=models.CASCADE, related_name="review_reminder")
    reminded_on = models.DateField()

    class Meta:
        verbose_name = gettext_lazy("review reminder")

    def __str__(self) -> str:
        return f"{self.article_id}: {self.reminded_on:%Y-%m-%d}"
