"""The news section: an index page, articles, and the comments and reactions colleagues leave on them.

Who may see an article is decided in one place (``tenant_apps.pages.visibility``); who may comment or react
is "who may see it, signed in" (``tenant_apps.news.selectors.may_take_part``). Writes go through
``tenant_apps.news.services``, reads through ``tenant_apps.news.selectors``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail import blocks
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField, StreamField
from wagtail.images.blocks import ImageChooserBlock
from wagtail.models import Page
from wagtail.search import index

from tenant_apps.news import selectors, services
from tenant_apps.pages.models import VisibilityMixin
from tenant_apps.pages.refusals import refusal
from tenant_apps.pages.visibility import viewer_for_user

COMMENT_MAX_LENGTH = 5000


class NewsIndexPage(VisibilityMixin, Page):
    """The news section: the articles below it the visitor may see, newest first, filtered by tag."""

    intro = RichTextField(blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    search_fields = [*Page.search_fields, index.SearchField("intro")]
    subpage_types = ["org_news.NewsArticlePage"]
    template = "news/news_index_page.html"

    #: Articles per listing page.
    PAGE_SIZE = 20

    class Meta:
        verbose_name = gettext_lazy("news index page")

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context(request, *args, **kwargs)
        tag = selectors.tag_for_slug(slug=request.GET.get("tag", ""))
        articles = selectors.articles_for_index(index=self, viewer=viewer_for_user(request.user), tag=tag)
        context["tag"] = tag
        context["articles"] = Paginator(articles, self.PAGE_SIZE).get_page(request.GET.get("page"))
        return context


class NewsArticleTag(TaggedItemBase):
    content_object = ParentalKey("org_news.NewsArticlePage", on_delete=models.CASCADE, related_name="tagged_items")

    class Meta:
        verbose_name = gettext_lazy("news article tag")


class NewsArticlePage(VisibilityMixin, RoutablePageMixin, Page):
    """A news article, with comments and reactions from the people who may see it."""

    lead = models.CharField(
        gettext_lazy("lead"), max_length=300, help_text=gettext_lazy("One or two sentences shown in listings.")
    )
    image = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=gettext_lazy("image"),
        help_text=gettext_lazy("Its title is used as the alternative text."),
    )
    body = StreamField(
        [
            ("paragraph", blocks.RichTextBlock(label=gettext_lazy("Paragraph"))),
            ("image", ImageChooserBlock(label=gettext_lazy("Image"), template="news/blocks/body_image.html")),
            ("quote", blocks.BlockQuoteBlock(label=gettext_lazy("Quote"))),
        ],
        blank=True,
        verbose_name=gettext_lazy("body"),
    )
    tags = ClusterTaggableManager(through=NewsArticleTag, blank=True, verbose_name=gettext_lazy("tags"))
    date = models.DateField(gettext_lazy("publication date"), default=timezone.localdate)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=gettext_lazy("author"),
        help_text=gettext_lazy("Left empty: the editor who creates the article."),
    )
    allow_comments = models.BooleanField(gettext_lazy("allow comments"), default=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("lead"),
        FieldPanel("image"),
        FieldPanel("body"),
        FieldPanel("tags"),
        FieldPanel("date"),
        FieldPanel("author"),
    ]
    settings_panels = [*VisibilityMixin.settings_panels, FieldPanel("allow_comments")]
    search_fields = [
        *Page.search_fields,
        index.SearchField("lead"),
        index.SearchField("body"),
        index.SearchField("tag_text"),
        index.RelatedFields("tags", [index.SearchField("name")]),
        index.FilterField("date"),
    ]
    parent_page_types = ["org_news.NewsIndexPage"]
    subpage_types: list[str] = []
    template = "news/news_article_page.html"

    class Meta:
        verbose_name = gettext_lazy("news article")

    @property
    def tag_text(self) -> str:
        """The tags as one line of text (the platform search indexes plain text fields)."""
        return " ".join(tag.name for tag in self.tags.all())

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.author_id is None and self.owner_id is not None and self._state.adding:
            self.author_id = self.owner_id  # the editor who creates the article, unless another is named
        super().save(*args, **kwargs)

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context(request, *args, **kwargs)
        context.update(selectors.article_detail(article=self, user=request.user))
        base = self.get_url(request) or self.url or ""
        context["comment_url"] = base + self.reverse_subpage("comment")
        context["react_url"] = base + self.reverse_subpage("react")
        return context

    # --- Routes: taking part. The page's visibility is checked before these run (``before_serve_page``). ---

    def _refuse_unless_post(self, request: HttpRequest) -> HttpResponse | None:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not request.user.is_authenticated:
            return refusal(request)
        return None

    @path("comment/", name="comment")
    def comment_route(self, request: HttpRequest) -> HttpResponse:
        refused = self._refuse_unless_post(request)
        if refused is not None:
            return refused
        body = request.POST.get("body", "")
        try:
            services.comment_post(article=self, author=request.user, body=body)
        except PermissionDenied:
            return refusal(request)
        except ValidationError as error:
            response = self.render(
                request, context_overrides={"comment_errors": error.messages, "comment_body": body[:COMMENT_MAX_LENGTH]}
            )
            response.status_code = 400
            return response
        messages.success(request, _("Your comment has been placed."))
        return HttpResponseRedirect((self.get_url(request) or "") + "#comments")

    @path("react/", name="react")
    def react_route(self, request: HttpRequest) -> HttpResponse:
        refused = self._refuse_unless_post(request)
        if refused is not None:
            return refused
        try:
            services.reaction_toggle(article=self, user=request.user, kind=request.POST.get("kind", ""))
        except PermissionDenied:
            return refusal(request)
        except ValidationError as error:
            return HttpResponse(" ".join(error.messages), status=400, content_type="text/plain; charset=utf-8")
        return HttpResponseRedirect((self.get_url(request) or "") + "#reactions")


class Comment(models.Model):
    """A comment on an article; editors may hide it (moderation) and restore it."""

    class Status(models.TextChoices):
        PUBLISHED = "published", gettext_lazy("Published")
        HIDDEN = "hidden", gettext_lazy("Hidden")

    article = models.ForeignKey(NewsArticlePage, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="news_comments"
    )
    body = models.TextField(gettext_lazy("comment"), max_length=COMMENT_MAX_LENGTH)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PUBLISHED)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    hidden_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = gettext_lazy("news comment")
        verbose_name_plural = gettext_lazy("news comments")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["article", "status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.article_id}: {self.body[:40]}"


class Reaction(models.Model):
    """One person's reaction of one kind to an article (toggled on and off)."""

    class Kind(models.TextChoices):
        LIKE = "like", gettext_lazy("Like")
        THANKS = "thanks", gettext_lazy("Thanks")
        INSIGHTFUL = "insightful", gettext_lazy("Insightful")

    article = models.ForeignKey(NewsArticlePage, on_delete=models.CASCADE, related_name="reactions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="news_reactions")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = gettext_lazy("news reaction")
        constraints = [
            models.UniqueConstraint(fields=["article", "user", "kind"], name="org_news_reaction_once_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.article_id}: {self.kind}"
