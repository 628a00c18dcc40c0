"""The pages of the "Discussions" and "Questions" tabs: the same views, the kind given by the URLconf.

Views are thin: reads in ``selectors``, writes in ``services`` (which check access and input), what the
viewer may do from ``shared_apps.groups.access``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shared_apps.group_discussions import selectors, services
from shared_apps.group_discussions.forms import DiscussionForm, ReplyForm
from shared_apps.group_discussions.models import NAMESPACES, TAB_KEYS, Discussion, Reply
from shared_apps.groups import access
from shared_apps.groups.views.common import (
    done_or_refused,
    group_page,
    messages_of,
    render_group,
    request_account,
    the_group,
    the_viewer,
)
from tenants.errors import error_messages_by_field

PAGE_SIZE = 20
REPLIES_PAGE_SIZE = 50
QUESTION = Discussion.Kind.QUESTION

View = Callable[..., HttpResponse]


def tab_page(view: View) -> View:
    """``group_page(tab=...)`` for the tab of the URL's ``kind`` (given by the URLconf, ``urls_public``)."""
    guarded = {kind: group_page(tab=TAB_KEYS[kind])(view) for kind in Discussion.Kind.values}

    @wraps(view)
    def page(request: HttpRequest, slug: str, *args: Any, kind: str, **kwargs: Any) -> HttpResponse:
        return guarded[kind](request, slug, *args, kind=kind, **kwargs)

    return page


def _url(kind: str, name: str, **kwargs: Any) -> str:
    return reverse(f"{NAMESPACES[kind]}:{name}", kwargs=kwargs)


def _render(request: HttpRequest, template: str, *, kind: str, status: int = 200, **extra: Any) -> HttpResponse:
    return render_group(
        request, template, status=status, active_tab=TAB_KEYS[kind], kind=kind, is_question=kind == QUESTION, **extra
    )


def _errors_into(form: forms.Form, error: ValidationError | PermissionDenied) -> None:
    """The service's refusal or its messages by field, shown on the form."""
    if isinstance(error, PermissionDenied):
        form.add_error(None, str(error))
        return
    for field, field_messages in error_messages_by_field(error).items():
        for message in field_messages:
            form.add_error(field if field in form.fields else None, message)


def _mentions_url(request: HttpRequest) -> str:
    """Where the body's suggestion widget asks for people to mention (``groups/mentions.js``)."""
    return reverse("groups:mentions", kwargs={"slug": the_group(request).slug})


def _tell_refused_mentions(request: HttpRequest, item: Discussion | Reply) -> None:
    """One message for each person mentioned who was not notified, and why (``services``' ``mentions_refused``)."""
    for name, reason in getattr(item, "mentions_refused", []):
        messages.info(request, _("%(name)s was not notified: %(reason)s.") % {"name": name, "reason": reason})


def _may_edit(request: HttpRequest, item: Discussion | Reply) -> bool:
    return access.can_edit_item(viewer=the_viewer(request), group=the_group(request), author_id=item.author_id)


# --- Lists and pages -------------------------------------------------------------------------------------


@require_GET
@tab_page
def index(request: HttpRequest, kind: str) -> HttpResponse:
    discussions = selectors.discussions_of(group=the_group(request), viewer=the_viewer(request), kind=kind)
    page = Paginator(discussions, PAGE_SIZE).get_page(request.GET.get("page"))
    return _render(request, "group_discussions/index.html", kind=kind, page=page)


def _discussion_page(
    request: HttpRequest, kind: str, discussion: Discussion, *, reply_form: ReplyForm, status: int = 200
) -> HttpResponse:
    viewer = the_viewer(request)
    replies = selectors.replies_of(discussion=discussion, viewer=viewer)
    page = Paginator(replies, REPLIES_PAGE_SIZE).get_page(request.GET.get("page"))
    return _render(
        request,
        "group_discussions/detail.html",
        kind=kind,
        status=status,
        discussion=discussion,
        may_edit=_may_edit(request, discussion),
        may_choose_answer=kind == QUESTION and _may_edit(request, discussion),
        page=page,
        replies=[(reply, _may_edit(request, reply)) for reply in page.object_list],
        reply_form=reply_form,
        discussion_type=ContentType.objects.get_for_model(Discussion).pk,
        reply_type=ContentType.objects.get_for_model(Reply).pk,
    )


@require_GET
@tab_page
def detail(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    discussion = selectors.discussion_for(group=the_group(request), viewer=the_viewer(request), kind=kind, pk=pk)
    return _discussion_page(request, kind, discussion, reply_form=ReplyForm(mentions_url=_mentions_url(request)))


# --- Discussions and questions -------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@tab_page
def new(request: HttpRequest, kind: str) -> HttpResponse:
    group = the_group(request)
    if not access.can_write(viewer=the_viewer(request), group=group):
        raise PermissionDenied(_("Only the group's members write in it, while it is active."))
    form = DiscussionForm(request.POST or None, mentions_url=_mentions_url(request))
    if request.method == "POST" and form.is_valid():
        try:
            discussion = services.discussion_create(
                group=group,
                author=request_account(request),
                kind=kind,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
            )
        except (ValidationError, PermissionDenied) as error:
            _errors_into(form, error)
        else:
            messages.success(
                request, _("Your question is asked.") if kind == QUESTION else _("Your discussion is started.")
            )
            _tell_refused_mentions(request, discussion)
            return redirect(_url(kind, "detail", slug=group.slug, pk=discussion.pk))
    status = 400 if request.method == "POST" else 200
    return _render(request, "group_discussions/discussion_form.html", kind=kind, status=status, form=form)


@require_http_methods(["GET", "POST"])
@tab_page
def edit(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    group = the_group(request)
    discussion = selectors.discussion_for(group=group, viewer=the_viewer(request), kind=kind, pk=pk)
    if not _may_edit(request, discussion):
        raise PermissionDenied(_("Only its author, and the group's moderators, change it."))
    form = DiscussionForm(
        request.POST or None,
        initial={"title": discussion.title, "body": discussion.body},
        mentions_url=_mentions_url(request),
    )
    if request.method == "POST" and form.is_valid():
        try:
            discussion = services.discussion_edit(
                group=group,
                discussion=discussion,
                actor=request_account(request),
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
            )
        except (ValidationError, PermissionDenied) as error:
            _errors_into(form, error)
        else:
            messages.success(request, _("Your changes are saved."))
            _tell_refused_mentions(request, discussion)
            return redirect(_url(kind, "detail", slug=group.slug, pk=discussion.pk))
    status = 400 if request.method == "POST" else 200
    return _render(
        request, "group_discussions/discussion_form.html", kind=kind, status=status, form=form, discussion=discussion
    )


@require_POST
@tab_page
def delete(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    group = the_group(request)
    discussion = selectors.discussion_for(group=group, viewer=the_viewer(request), kind=kind, pk=pk)
    try:
        services.discussion_delete(group=group, discussion=discussion, actor=request_account(request))
    except (ValidationError, PermissionDenied) as error:
        for message in messages_of(error):
            messages.error(request, message)
        return redirect(_url(kind, "detail", slug=group.slug, pk=discussion.pk))
    messages.success(request, _("It has been deleted, with its replies."))
    return redirect(_url(kind, "index", slug=group.slug))


# --- Replies -------------------------------------------------------------------------------------------


@require_POST
@tab_page
def reply(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    group, viewer = the_group(request), the_viewer(request)
    discussion = selectors.discussion_for(group=group, viewer=viewer, kind=kind, pk=pk)
    form = ReplyForm(request.POST, mentions_url=_mentions_url(request))
    if form.is_valid():
        try:
            new_reply = services.reply_create(
                group=group, discussion=discussion, author=request_account(request), body=form.cleaned_data["body"]
            )
        except (ValidationError, PermissionDenied) as error:
            _errors_into(form, error)
        else:
            messages.success(request, _("Your reply is posted."))
            _tell_refused_mentions(request, new_reply)
            last = Paginator(selectors.replies_of(discussion=discussion, viewer=viewer), REPLIES_PAGE_SIZE).num_pages
            where = _url(kind, "detail", slug=group.slug, pk=discussion.pk)
            return redirect(f"{where}?page={last}#reply-{new_reply.pk}")
    return _discussion_page(request, kind, discussion, reply_form=form, status=400)


def _reply_of(request: HttpRequest, kind: str, pk: int, reply_pk: int) -> Reply:
    viewer = the_viewer(request)
    discussion = selectors.discussion_for(group=the_group(request), viewer=viewer, kind=kind, pk=pk)
    return selectors.reply_for(discussion=discussion, viewer=viewer, pk=reply_pk)


@require_http_methods(["GET", "POST"])
@tab_page
def reply_edit(request: HttpRequest, kind: str, pk: int, reply_pk: int) -> HttpResponse:
    group = the_group(request)
    item = _reply_of(request, kind, pk, reply_pk)
    if not _may_edit(request, item):
        raise PermissionDenied(_("Only its author, and the group's moderators, change it."))
    form = ReplyForm(request.POST or None, initial={"body": item.body}, mentions_url=_mentions_url(request))
    if request.method == "POST" and form.is_valid():
        try:
            item = services.reply_edit(
                group=group, reply=item, actor=request_account(request), body=form.cleaned_data["body"]
            )
        except (ValidationError, PermissionDenied) as error:
            _errors_into(form, error)
        else:
            messages.success(request, _("Your changes are saved."))
            _tell_refused_mentions(request, item)
            return redirect(f"{_url(kind, 'detail', slug=group.slug, pk=pk)}#reply-{item.pk}")
    status = 400 if request.method == "POST" else 200
    return _render(request, "group_discussions/reply_form.html", kind=kind, status=status, form=form, reply=item)


@require_POST
@tab_page
def reply_delete(request: HttpRequest, kind: str, pk: int, reply_pk: int) -> HttpResponse:
    group = the_group(request)
    item = _reply_of(request, kind, pk, reply_pk)
    return done_or_refused(
        request,
        lambda: services.reply_delete(group=group, reply=item, actor=request_account(request)),
        success=_("The reply has been deleted."),
        back=_url(kind, "detail", slug=group.slug, pk=pk),
    )


@require_POST
@tab_page
def answer(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """Mark a reply as the question's answer (the ``reply`` field), or clear it (an empty ``reply``)."""
    group, viewer = the_group(request), the_viewer(request)
    discussion = selectors.discussion_for(group=group, viewer=viewer, kind=kind, pk=pk)
    chosen = str(request.POST.get("reply", "")).strip()
    item = selectors.reply_for(discussion=discussion, viewer=viewer, pk=int(chosen)) if chosen.isdigit() else None
    return done_or_refused(
        request,
        lambda: services.answer_choose(group=group, discussion=discussion, actor=request_account(request), reply=item),
        success=_("The answer is marked.") if item is not None else _("The question has no answer marked now."),
        back=_url(kind, "detail", slug=group.slug, pk=pk),
    )
