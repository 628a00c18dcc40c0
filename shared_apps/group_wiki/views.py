"""The wiki tab of a group (``/groups/<slug>/wiki/``): the tree of pages, a page, its history, and the forms.

Thin: what a viewer sees comes from ``selectors``, every change goes through ``services``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shared_apps.group_wiki import selectors, services
from shared_apps.group_wiki.forms import WikiEditForm, WikiPageForm, parent_choices
from shared_apps.group_wiki.models import WikiPage
from shared_apps.group_wiki.tree import WikiNode, WikiTree
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

TAB = "wiki"
HISTORY_PAGE_SIZE = 25


def _index_url(request: HttpRequest) -> str:
    return f"/groups/{the_group(request).slug}/wiki/"


def _tree(request: HttpRequest) -> WikiTree:
    return selectors.wiki_tree(group=the_group(request), viewer=the_viewer(request))


def _may_manage_page(request: HttpRequest, page: WikiPage) -> bool:
    """Restore old versions and delete: the page's author or a moderator."""
    return access.can_edit_item(viewer=the_viewer(request), group=the_group(request), author_id=page.author_id)


def _render(request: HttpRequest, template: str, status: int = 200, **extra: Any) -> HttpResponse:
    return render_group(request, template, status=status, active_tab=TAB, **extra)


def _add_errors(form: WikiPageForm, error: ValidationError | PermissionDenied) -> None:
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        for field, field_errors in error.message_dict.items():
            for message in field_errors:
                form.add_error(field if field in form.fields else None, message)
        return
    for message in messages_of(error):
        form.add_error(None, message)


def _parent_of(form: WikiPageForm, tree: WikiTree) -> WikiPage | None:
    parent_id = form.parent_id()
    node = tree.by_id.get(parent_id) if parent_id is not None else None
    return node.page if node is not None else None


@require_GET
@group_page(tab=TAB)
def index(request: HttpRequest) -> HttpResponse:
    """Every page of the wiki, as an indented tree."""
    return _render(request, "group_wiki/index.html", tree=_tree(request))


@require_http_methods(["GET", "POST"])
@group_page(tab=TAB)
def create(request: HttpRequest) -> HttpResponse:
    """A new page, at the top or under the page named by ``?parent=<page slug>``."""
    group, viewer = the_group(request), the_viewer(request)
    if not access.can_write(viewer=viewer, group=group):
        raise PermissionDenied(_("Only the group's members write in its wiki, while the group is active."))
    tree = _tree(request)
    under = tree.find(str(request.GET.get("parent", ""))) if request.GET.get("parent") else None
    form = WikiPageForm(
        request.POST or None,
        parents=parent_choices(tree),
        initial={"parent": str(under.page.pk) if under is not None else ""},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            page = services.wiki_page_create(
                group=group,
                actor=request_account(request),
                title=data["title"],
                body=data["body"],
                parent=_parent_of(form, tree),
            )
        except (ValidationError, PermissionDenied) as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The page is saved."))
            return redirect(services.page_url(page, group=group))
    status = 400 if request.method == "POST" else 200
    return _render(request, "group_wiki/form.html", status=status, form=form, page=None, under=under)


@require_GET
@group_page(tab=TAB)
def page(request: HttpRequest, page_slug: str) -> HttpResponse:
    """A page: its current text, who last edited it and when, and its subpages."""
    tree = _tree(request)
    node = selectors.wiki_node(tree=tree, page_slug=page_slug)
    return _render(
        request,
        "group_wiki/page.html",
        node=node,
        page=node.page,
        current=selectors.current_revision(page=node.page),
        may_manage_page=_may_manage_page(request, node.page),
        content_type_id=ContentType.objects.get_for_model(WikiPage).pk,
    )


@require_http_methods(["GET", "POST"])
@group_page(tab=TAB)
def edit(request: HttpRequest, page_slug: str) -> HttpResponse:
    """Edit a page's title and text (a new revision) or move it under another page."""
    group, viewer = the_group(request), the_viewer(request)
    if not access.can_write(viewer=viewer, group=group):
        raise PermissionDenied(_("Only the group's members write in its wiki, while the group is active."))
    tree = _tree(request)
    node = selectors.wiki_node(tree=tree, page_slug=page_slug)
    current = selectors.current_revision(page=node.page)
    initial = {
        "title": node.page.title,
        "body": current.body if current is not None else "",
        "parent": str(node.page.parent_id or ""),
        "base_revision": current.pk if current is not None else None,
    }
    form = WikiEditForm(request.POST or None, parents=parent_choices(tree, moving=node), initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = services.wiki_page_edit(
                group=group,
                actor=request_account(request),
                page=node.page,
                title=data["title"],
                body=data["body"],
                note=data["note"],
                parent=_parent_of(form, tree),
                base_revision_id=data["base_revision"],
            )
        except (ValidationError, PermissionDenied) as error:
            if isinstance(error, ValidationError) and getattr(error, "code", None) == "conflict":
                form = _with_newer_base(form, request, tree, node)
            _add_errors(form, error)
        else:
            messages.success(request, _("The page is saved.") if result.changed else _("Nothing changed."))
            return redirect(services.page_url(node.page, group=group))
    status = 400 if request.method == "POST" else 200
    return _render(request, "group_wiki/form.html", status=status, form=form, node=node, page=node.page)


def _with_newer_base(form: WikiEditForm, request: HttpRequest, tree: WikiTree, node: WikiNode) -> WikiEditForm:
    """The editor's own text again, now based on the revision saved meanwhile (saving again replaces it)."""
    newer = selectors.current_revision(page=node.page)
    data = request.POST.copy()
    data["base_revision"] = str(newer.pk) if newer is not None else ""
    refreshed = WikiEditForm(data, parents=parent_choices(tree, moving=node))
    refreshed.is_valid()
    return refreshed


@require_GET
@group_page(tab=TAB)
def history(request: HttpRequest, page_slug: str) -> HttpResponse:
    """Every saved version of a page, newest first."""
    node = selectors.wiki_node(tree=_tree(request), page_slug=page_slug)
    revisions = Paginator(selectors.revisions_of(page=node.page), HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    current = selectors.current_revision(page=node.page)
    return _render(
        request,
        "group_wiki/history.html",
        node=node,
        page=node.page,
        revisions=revisions,
        current_id=current.pk if current is not None else None,
        may_manage_page=_may_manage_page(request, node.page),
    )


@require_GET
@group_page(tab=TAB)
def revision(request: HttpRequest, page_slug: str, revision_id: int) -> HttpResponse:
    """One saved version of a page, as it was."""
    node = selectors.wiki_node(tree=_tree(request), page_slug=page_slug)
    old = selectors.revision_of(page=node.page, revision_id=revision_id)
    current = selectors.current_revision(page=node.page)
    return _render(
        request,
        "group_wiki/revision.html",
        node=node,
        page=node.page,
        revision=old,
        is_current=current is not None and current.pk == old.pk,
        may_manage_page=_may_manage_page(request, node.page),
    )


@require_POST
@group_page(tab=TAB)
def restore(request: HttpRequest, page_slug: str, revision_id: int) -> HttpResponse:
    group = the_group(request)
    node = selectors.wiki_node(tree=_tree(request), page_slug=page_slug)
    return done_or_refused(
        request,
        lambda: services.wiki_page_restore(
            group=group, actor=request_account(request), page=node.page, revision_id=revision_id
        ),
        success=_("The earlier version is the current one again."),
        back=services.page_url(node.page, group=group),
    )


@require_http_methods(["GET", "POST"])
@group_page(tab=TAB)
def delete(request: HttpRequest, page_slug: str) -> HttpResponse:
    """Ask first (saying which subpages go with the page), then delete."""
    group = the_group(request)
    node = selectors.wiki_node(tree=_tree(request), page_slug=page_slug)
    if not _may_manage_page(request, node.page):
        raise PermissionDenied(_("Only the page's author and the group's moderators delete a page."))
    if request.method == "POST":
        try:
            count = services.wiki_page_delete(group=group, actor=request_account(request), page=node.page)
        except (ValidationError, PermissionDenied) as error:
            for message in messages_of(error):
                messages.error(request, message)
            return redirect(services.page_url(node.page, group=group))
        messages.success(
            request, _("The page is deleted.") if count == 1 else _("The page and its subpages are deleted.")
        )
        return redirect(_index_url(request))
    return _render(request, "group_wiki/delete.html", node=node, page=node.page, below=list(node.descendants()))
