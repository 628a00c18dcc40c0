"""The "News comments" screen of an organisation's Wagtail admin: the comments, newest first, with hide and
restore, for its editors and administrators (permission ``org_news.change_comment``)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tenant_apps.news.models import Comment
from tenant_apps.news.selectors import comments_for_moderation, may_moderate
from tenant_apps.news.services import comment_hide, comment_restore

PAGE_SIZE = 50


def moderator_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Editors and administrators only; anyone else gets a 403."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not may_moderate(user=request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


@require_GET
@moderator_required
def comments(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in Comment.Status.values:
        status = ""
    listing = Paginator(comments_for_moderation(status=status), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"comments": listing, "status": status, "statuses": Comment.Status.choices}
    return TemplateResponse(request, "news/admin/comments.html", context)


def _back(request: HttpRequest) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("news_comments")


@require_POST
@moderator_required
def hide(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment_hide(comment=get_object_or_404(Comment, pk=comment_id), by=request.user)
    messages.success(request, _("The comment is hidden."))
    return _back(request)


@require_POST
@moderator_required
def restore(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment_restore(comment=get_object_or_404(Comment, pk=comment_id), by=request.user)
    messages.success(request, _("The comment is shown again."))
    return _back(request)
