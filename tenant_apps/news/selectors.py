"""Reads of the news section. Every listing is trimmed by ``tenant_apps.pages.visibility`` and issues a fixed
number of queries, whatever the number of articles, comments or reactions it shows."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from taggit.models import Tag

from tenant_apps.news import models as news_models
from tenant_apps.pages.visibility import Viewer, can_view_page, viewer_for_user, visible_pages


def _count_of(queryset: QuerySet) -> Coalesce:
    """A correlated ``COUNT(*)`` of ``queryset`` (filtered on ``article=OuterRef("pk")``) as an annotation."""
    counted = queryset.order_by().values("article").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def with_counts(queryset: QuerySet) -> QuerySet:
    """Articles annotated with ``comment_count`` (published comments) and ``reaction_count``: no query per item."""
    Comment, Reaction = news_models.Comment, news_models.Reaction
    return queryset.annotate(
        comment_count=_count_of(Comment.objects.filter(article=OuterRef("pk"), status=Comment.Status.PUBLISHED)),
        reaction_count=_count_of(Reaction.objects.filter(article=OuterRef("pk"))),
    )


def articles_visible(*, viewer: Viewer, under: Any = None) -> QuerySet:
    """The live articles ``viewer`` may see (below the page ``under``, if given), newest first, with their
    image, author, tags and counts loaded in a fixed number of queries."""
    queryset = news_models.NewsArticlePage.objects.live().public()
    if under is not None:
        queryset = queryset.descendant_of(under)
    queryset = visible_pages(queryset=queryset, viewer=viewer)
    return (
        with_counts(queryset)
        .select_related("image", "author")
        .prefetch_related("tags")
        .order_by("-date", "-first_published_at", "-pk")
    )


def tag_for_slug(*, slug: str) -> Tag | None:
    """The tag with ``slug`` that some article carries, or None."""
    if not slug:
        return None
    return Tag.objects.filter(slug=slug, org_news_newsarticletag_items__isnull=False).distinct().first()


def articles_for_index(*, index: Any, viewer: Viewer, tag: Tag | None = None) -> QuerySet:
    """The articles of a news index page the viewer may see, newest first, optionally with one tag."""
    queryset = articles_visible(viewer=viewer, under=index)
    if tag is not None:
        queryset = queryset.filter(tagged_items__tag=tag)
    return queryset


def latest_articles(*, viewer: Viewer, count: int = 5) -> list:
    """The newest ``count`` articles of the subsite the viewer may see (the home's "Latest news")."""
    return list(articles_visible(viewer=viewer)[: max(1, min(count, 50))])


def may_take_part(*, user: Any, article: Any) -> bool:
    """Whether ``user`` may comment on and react to ``article``: signed in, and allowed to see it (a citizen
    only on an article everyone may see)."""
    if user is None or not user.is_authenticated or not article.live:
        return False
    return can_view_page(viewer=viewer_for_user(user), page=article)


def may_moderate(*, user: Any) -> bool:
    """Editors and administrators of the organisation (Wagtail permission ``org_news.change_comment``)."""
    return bool(user is not None and user.is_authenticated and user.has_perm("org_news.change_comment"))


def published_comments(*, article: Any) -> QuerySet:
    Comment = news_models.Comment
    return (
        Comment.objects.filter(article=article, status=Comment.Status.PUBLISHED)
        .select_related("author")
        .order_by("created_at", "pk")
    )


def reaction_summary(*, article: Any, user: Any) -> list[dict[str, Any]]:
    """Per kind of reaction: its label, how many gave it and whether ``user`` did. Two queries."""
    Reaction = news_models.Reaction
    counts = dict(
        Reaction.objects.filter(article=article)
        .order_by()
        .values_list("kind")
        .annotate(n=Count("pk"))
        .values_list("kind", "n")
    )
    mine: set[str] = set()
    if user is not None and user.is_authenticated:
        mine = set(Reaction.objects.filter(article=article, user=user).values_list("kind", flat=True))
    return [
        {"kind": kind, "label": label, "count": counts.get(kind, 0), "mine": kind in mine}
        for kind, label in Reaction.Kind.choices
    ]


def article_detail(*, article: Any, user: Any) -> dict[str, Any]:
    """What an article's page shows beside the article: its published comments, its reactions, and whether
    the visitor may take part."""
    comments = list(published_comments(article=article))
    taking_part = may_take_part(user=user, article=article)
    return {
        "comments": comments,
        "comment_count": len(comments),
        "reactions": reaction_summary(article=article, user=user),
        "may_take_part": taking_part,
        "may_comment": taking_part and article.allow_comments,
        "comment_max_length": news_models.COMMENT_MAX_LENGTH,
    }


def comments_for_moderation(*, status: str = "") -> QuerySet:
    """Every comment (or those with ``status``), newest first, for the editors' moderation screen."""
    queryset = news_models.Comment.objects.select_related("article", "author", "hidden_by").order_by(
        "-created_at", "-pk"
    )
    if status:
        queryset = queryset.filter(status=status)
    return queryset
