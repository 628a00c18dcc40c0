"""The files tab of a group: the folder pages, a file's page, the forms that change them, and the one
download view. Views are thin: reads in ``selectors``, writes in ``services``; every view is wrapped by
``group_page(tab="files")`` (404 for a group the viewer may not see or a tab switched off, sign-in or the
closed-group page for one whose content the viewer may not read)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe
from django_sendfile import sendfile

from shared_apps.group_files import selectors, services
from shared_apps.group_files.forms import FolderForm, MoveForm, RenameForm, UploadForm
from shared_apps.group_files.models import Folder, GroupFile
from shared_apps.groups import access
from shared_apps.groups.views.common import (
    group_page,
    messages_of,
    render_group,
    request_account,
    the_group,
    the_viewer,
)
from tenants.errors import error_messages_by_field

TAB = "files"
FILES_PAGE_SIZE = 100


def _index_url(request: HttpRequest) -> str:
    return reverse("group_files:index", kwargs={"slug": the_group(request).slug})


def _place_url(request: HttpRequest, folder: Folder | None) -> str:
    """The page of ``folder``, or the tab's top for ``None``."""
    return (
        services.folder_url(group=the_group(request), folder_id=folder.pk)
        if folder is not None
        else _index_url(request)
    )


def _refused_into(form: forms.Form, error: ValidationError | PermissionDenied, aliases: dict[str, str]) -> None:
    """Put a service's refusal on the form's fields (by name, or ``aliases``), the rest on the form."""
    if isinstance(error, PermissionDenied):
        for message in messages_of(error):
            form.add_error(None, message)
        return
    for field, field_messages in error_messages_by_field(error).items():
        field = aliases.get(field, field)
        for message in field_messages:
            form.add_error(field if field in form.fields and field != NON_FIELD_ERRORS else None, message)


def _attempt(form: forms.Form, action: Callable[[], Any], aliases: dict[str, str] | None = None) -> tuple[Any, int]:
    """Run a service with the form's input: ``(its result, 200)``, or ``(None, status)`` with the reasons on
    the form when it was refused (400: bad input; 403: not allowed)."""
    if not form.is_valid():
        return None, 400
    try:
        return action(), 200
    except (ValidationError, PermissionDenied) as error:
        _refused_into(form, error, aliases or {})
        return None, 403 if isinstance(error, PermissionDenied) else 400


def _refusals(status: int, forms_: dict[str, forms.Form]) -> list[str]:
    """Why an action was not allowed (403): said at the top of the page, where its form may not be shown."""
    if status != 403:
        return []
    return [str(message) for form in forms_.values() for message in form.non_field_errors()]


def _moderation(item: Folder | GroupFile) -> dict[str, Any]:
    return {"content_type_id": ContentType.objects.get_for_model(item).pk, "item": item}


# --- Folder pages (the tab's top is the folder ``None``) --------------------------------------------------


def _folder_page(request: HttpRequest, folder: Folder | None, *, status: int = 200, **forms_: Any) -> HttpResponse:
    group, viewer = the_group(request), the_viewer(request)
    files = selectors.files_in(viewer=viewer, group=group, folder=folder)
    context: dict[str, Any] = {
        "active_tab": TAB,
        "folder": folder,
        "refusals": _refusals(status, forms_),
        "breadcrumbs": selectors.breadcrumbs(group=group, folder=folder),
        "folders": selectors.folders_in(viewer=viewer, group=group, parent=folder),
        "page": Paginator(files, FILES_PAGE_SIZE).get_page(request.GET.get("page")),
        "upload_form": forms_.get("upload_form") or UploadForm(initial={"folder": folder.pk if folder else None}),
        "folder_form": forms_.get("folder_form") or FolderForm(initial={"parent": folder.pk if folder else None}),
    }
    if folder is not None:
        context |= {
            "may_edit": access.can_edit_item(viewer=viewer, group=group, author_id=folder.author_id),
            "rename_form": forms_.get("rename_form") or RenameForm(initial={"name": folder.name}),
            "move_form": forms_.get("move_form")
            or MoveForm(
                targets=selectors.move_targets(viewer=viewer, group=group, moving=folder),
                initial={"target": folder.parent_id},
            ),
            "up_url": _place_url(request, folder.parent),
            **_moderation(folder),
        }
    return render_group(request, "group_files/folder.html", status=status, **context)


@require_safe
@group_page(tab=TAB)
def index(request: HttpRequest) -> HttpResponse:
    return _folder_page(request, None)


@require_safe
@group_page(tab=TAB)
def folder(request: HttpRequest, folder_id: int) -> HttpResponse:
    found = selectors.folder_for(viewer=the_viewer(request), group=the_group(request), folder_id=folder_id)
    return _folder_page(request, found)


def _posted_place(request: HttpRequest, folder_id: object) -> Folder | None:
    """The folder a form was posted from, to show it again (``None``: the top, or one the viewer does not see)."""
    try:
        return selectors.folder_for(viewer=the_viewer(request), group=the_group(request), folder_id=int(folder_id))
    except (TypeError, ValueError, Http404):
        return None


@require_POST
@group_page(tab=TAB)
def upload(request: HttpRequest) -> HttpResponse:
    group, actor = the_group(request), request_account(request)
    form = UploadForm(request.POST, request.FILES)
    stored, status = _attempt(
        form,
        lambda: services.file_upload(
            group=group, actor=actor, upload=form.cleaned_data["file"], folder_id=form.cleaned_data["folder"]
        ),
    )
    if stored is None:
        place = _posted_place(request, form.cleaned_data.get("folder"))
        return _folder_page(request, place, status=status, upload_form=form)
    messages.success(request, _("“%(name)s” is uploaded.") % {"name": stored.original_name})
    return redirect(_place_url(request, stored.folder))


@require_POST
@group_page(tab=TAB)
def folder_create(request: HttpRequest) -> HttpResponse:
    group, actor = the_group(request), request_account(request)
    form = FolderForm(request.POST)
    made, status = _attempt(
        form,
        lambda: services.folder_create(
            group=group, actor=actor, name=form.cleaned_data["name"], parent_id=form.cleaned_data["parent"]
        ),
    )
    if made is None:
        place = _posted_place(request, form.cleaned_data.get("parent"))
        return _folder_page(request, place, status=status, folder_form=form)
    messages.success(request, _("The folder “%(name)s” is made.") % {"name": made.name})
    return redirect(services.folder_url(group=group, folder_id=made.pk))


@require_POST
@group_page(tab=TAB)
def folder_rename(request: HttpRequest, folder_id: int) -> HttpResponse:
    group, actor = the_group(request), request_account(request)
    found = selectors.folder_for(viewer=the_viewer(request), group=group, folder_id=folder_id)
    form = RenameForm(request.POST)
    done, status = _attempt(
        form,
        lambda: services.folder_rename(group=group, actor=actor, folder_id=found.pk, name=form.cleaned_data["name"]),
    )
    if done is None:
        return _folder_page(request, found, status=status, rename_form=form)
    messages.success(request, _("The folder is renamed."))
    return redirect(services.folder_url(group=group, folder_id=done.pk))


@require_POST
@group_page(tab=TAB)
def folder_move(request: HttpRequest, folder_id: int) -> HttpResponse:
    group, viewer, actor = the_group(request), the_viewer(request), request_account(request)
    found = selectors.folder_for(viewer=viewer, group=group, folder_id=folder_id)
    # Every folder of the group is offered to the form's check; the service refuses the impossible ones.
    form = MoveForm(request.POST, targets=selectors.move_targets(viewer=viewer, group=group))
    done, status = _attempt(
        form,
        lambda: services.folder_move(
            group=group, actor=actor, folder_id=found.pk, parent_id=form.cleaned_data["target"]
        ),
        aliases={"parent": "target"},
    )
    if done is None:
        return _folder_page(request, found, status=status, move_form=form)
    messages.success(request, _("The folder is moved."))
    return redirect(services.folder_url(group=group, folder_id=done.pk))


@require_POST
@group_page(tab=TAB)
def folder_delete(request: HttpRequest, folder_id: int) -> HttpResponse:
    group, actor = the_group(request), request_account(request)
    found = selectors.folder_for(viewer=the_viewer(request), group=group, folder_id=folder_id)
    try:
        services.folder_delete(group=group, actor=actor, folder_id=found.pk)
    except (ValidationError, PermissionDenied) as error:
        for message in messages_of(error):
            messages.error(request, message)
        return redirect(services.folder_url(group=group, folder_id=found.pk))
    messages.success(request, _("The folder “%(name)s” and what was in it are deleted.") % {"name": found.name})
    return redirect(_place_url(request, found.parent))


# --- A file -----------------------------------------------------------------------------------------------


def _file_page(request: HttpRequest, item: GroupFile, *, status: int = 200, **forms_: Any) -> HttpResponse:
    group, viewer = the_group(request), the_viewer(request)
    return render_group(
        request,
        "group_files/file.html",
        status=status,
        active_tab=TAB,
        file=item,
        refusals=_refusals(status, forms_),
        breadcrumbs=selectors.breadcrumbs(group=group, folder=item.folder),
        may_edit=access.can_edit_item(viewer=viewer, group=group, author_id=item.author_id),
        rename_form=forms_.get("rename_form") or RenameForm(initial={"name": item.original_name}),
        move_form=forms_.get("move_form")
        or MoveForm(targets=selectors.move_targets(viewer=viewer, group=group), initial={"target": item.folder_id}),
        up_url=_place_url(request, item.folder),
        **_moderation(item),
    )


@require_safe
@group_page(tab=TAB)
def file(request: HttpRequest, file_id: int) -> HttpResponse:
    return _file_page(
        request, selectors.file_for(viewer=the_viewer(request), group=the_group(request), file_id=file_id)
    )


@require_safe
@group_page(tab=TAB)
def download(request: HttpRequest, file_id: int) -> HttpResponse:
    """The file itself, to those who may read the group's content (hidden files: its moderators only)."""
    item = selectors.file_for(viewer=the_viewer(request), group=the_group(request), file_id=file_id)
    storage = item.file.storage
    if not item.file.name or not storage.exists(item.file.name):
        raise Http404("The file is missing.")
    if getattr(settings, "SENDFILE_BACKEND", None):
        # The web server sends it (nginx: X-Accel-Redirect to an internal location over MEDIA_ROOT).
        response = sendfile(
            request,
            storage.path(item.file.name),
            attachment=True,
            attachment_filename=item.original_name,
            mimetype=item.content_type,
        )
    else:
        response = FileResponse(
            storage.open(item.file.name, "rb"),
            as_attachment=True,
            filename=item.original_name,
            content_type=item.content_type,
        )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    patch_cache_control(response, private=True)
    return response


@require_POST
@group_page(tab=TAB)
def file_rename(request: HttpRequest, file_id: int) -> HttpResponse:
    group, actor = the_group(request), request_account(request)
    item = selectors.file_for(viewer=the_viewer(request), group=group, file_id=file_id)
    form = RenameForm(request.POST)
    done, status = _attempt(
        form, lambda: services.file_rename(group=group, actor=actor, file_id=item.pk, name=form.cleaned_data["name"])
    )
    if done is None:
        return _file_page(request, item, status=status, rename_form=form)
    messages.success(request, _("The file is renamed."))
    return redirect(services.file_url(group=group, file_id=done.pk))


@require_POST
@group_page(tab=TAB)
def file_move(request: HttpRequest, file_id: int) -> HttpResponse:
    group, viewer, actor = the_group(request), the_viewer(request), request_account(request)
    item = selectors.file_for(viewer=viewer, group=group, file_id=file_id)
    form = MoveForm(request.POST, targets=selectors.move_targets(viewer=viewer, group=group))
    done, status = _attempt(
        form,
        lambda: services.file_move(group=group, actor=actor, file_id=item.pk, folder_id=form.cleaned_data["target"]),
        aliases={"folder": "target"},
    )
    if done is None:
        return _file_page(request, item, status=status, move_form=form)
    messages.success(request, _("The file is moved."))
    return redirect(services.file_url(group=group, file_id=done.pk))


@require_POST
@group_page(tab=TAB)
def file_delete(request: HttpRequest, file_id: int) -> HttpResponse:
    group, actor = the_group(request), request_account(request)
    item = selectors.file_for(viewer=the_viewer(request), group=group, file_id=file_id)
    try:
        services.file_delete(group=group, actor=actor, file_id=item.pk)
    except (ValidationError, PermissionDenied) as error:
        for message in messages_of(error):
            messages.error(request, message)
        return redirect(services.file_url(group=group, file_id=item.pk))
    messages.success(request, _("“%(name)s” is deleted.") % {"name": item.original_name})
    return redirect(_place_url(request, item.folder))
