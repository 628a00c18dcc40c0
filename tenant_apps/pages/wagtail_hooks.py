"""Page serving and document serving ask ``tenant_apps.pages.visibility`` who may see what.

Runs beside Wagtail's own privacy options (login, password, groups), which are checked by
Wagtail's own ``before_serve_page`` hook: a visitor must pass both, neither overrides the other.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from wagtail import hooks

from tenant_apps.pages.views import refusal
from tenant_apps.pages.visibility import can_view_document, can_view_page, viewer_for_user


@hooks.register("before_serve_page")
def enforce_visibility(page, request: HttpRequest, serve_args, serve_kwargs) -> HttpResponse | None:  # type: ignore[no-untyped-def]
    viewer = viewer_for_user(request.user)
    if can_view_page(viewer=viewer, page=page):
        return None
    return refusal(request, viewer=viewer)


@hooks.register("before_serve_document")
def enforce_document_visibility(document, request: HttpRequest) -> HttpResponse | None:  # type: ignore[no-untyped-def]
    """Documents are served by Wagtail's view (``WAGTAILDOCS_SERVE_METHOD = "serve_view"``), never from media."""
    viewer = viewer_for_user(request.user)
    if can_view_document(viewer=viewer, document=document):
        return None
    return refusal(request, viewer=viewer)
