"""The "News comments" moderation screen in an organisation's Wagtail admin, for its editors and administrators."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import path, reverse
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from tenant_apps.news import admin_views
from tenant_apps.news.selectors import may_moderate
from tenant_apps.pages.catalogue import app_is_on


class ModeratorsMenuItem(MenuItem):
    """Shown to those who may moderate comments, while the news app is on."""

    def is_shown(self, request: HttpRequest) -> bool:
        return may_moderate(user=request.user) and app_is_on(key="news")


@hooks.register("register_admin_urls")
def register_news_urls():  # type: ignore[no-untyped-def]
    return [
        path("news/comments/", admin_views.comments, name="news_comments"),
        path("news/comments/<int:comment_id>/hide/", admin_views.hide, name="news_comment_hide"),
        path("news/comments/<int:comment_id>/restore/", admin_views.restore, name="news_comment_restore"),
    ]


@hooks.register("register_admin_menu_item")
def register_news_comments_menu_item() -> MenuItem:
    return ModeratorsMenuItem(
        gettext_lazy("News comments"), reverse("news_comments"), name="news-comments", icon_name="comment", order=310
    )
