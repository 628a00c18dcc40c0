"""Page serving and document serving ask ``tenant_apps.pages.visibility`` who may see what.

Runs beside Wagtail's own privacy options (login, password, groups), which Wagtail checks when the
page is served (its ``on_serve_page`` hook, after every ``before_serve_page`` hook): a visitor must
pass both, neither overrides the other.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import path, reverse
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.documents.views import multiple as multiple_documents
from wagtail.images.formats import get_image_format
from wagtail.images.rich_text import ImageEmbedHandler
from wagtail.models import PageViewRestriction

from tenant_apps.members.wagtail_hooks import AdministratorsMenuItem
from tenant_apps.pages import admin_views, catalogue_admin
from tenant_apps.pages.catalogue import page_is_switched_off
from tenant_apps.pages.models import HomePage
from tenant_apps.pages.refusals import refusal
from tenant_apps.pages.services import home_visit_record
from tenant_apps.pages.views import DOCUMENT_CHECKED, signed_image_url
from tenant_apps.pages.visibility import (
    can_view_document,
    can_view_page,
    collection_level,
    viewer_for_user,
)


@hooks.register("before_serve_page")
def enforce_visibility(page, request: HttpRequest, serve_args, serve_kwargs) -> HttpResponse | None:  # type: ignore[no-untyped-def]
    """The level first (before Wagtail's own restrictions, which run when the page is served), so that
    someone outside a page's audience is not even offered its password form.

    Then one part of Wagtail's own: a signed-in person outside a "private, for these groups" page is
    refused here with the platform's 403 page, where Wagtail would send them to sign in again.
    Anonymous visitors and password restrictions are left to Wagtail (sign in, the password form).
    """
    if page_is_switched_off(page=page):  # its app is off for this organisation: as if it were not there
        raise Http404
    viewer = viewer_for_user(request.user)
    if not can_view_page(viewer=viewer, page=page):
        return refusal(request, viewer=viewer)
    if viewer.authenticated and any(
        restriction.restriction_type == PageViewRestriction.GROUPS and not restriction.accept_request(request)
        for restriction in page.get_view_restrictions()
    ):
        return refusal(request, viewer=viewer)
    return None


@hooks.register("before_serve_page")
def record_home_visit(page, request: HttpRequest, serve_args, serve_kwargs) -> None:  # type: ignore[no-untyped-def]
    """Opening the intranet home records the visit; the home's "new since your last visit" reads the one before.
    (Registered after ``enforce_visibility``, so only a visit that is served is recorded.)"""
    if isinstance(page, HomePage):
        request.previous_home_visit = home_visit_record(user=request.user)  # type: ignore[attr-defined]


@hooks.register("before_serve_document")
def enforce_document_visibility(document, request: HttpRequest) -> HttpResponse | None:  # type: ignore[no-untyped-def]
    """Documents are served by Wagtail's view (``WAGTAILDOCS_SERVE_METHOD = "serve_view"``), through
    ``tenant_apps.pages.media.serve_document``; their stored file's media URL leads back there too.

    This runs before Wagtail's ETag and ``If-Modified-Since`` answers, so someone who may not see the
    document is refused, never answered 304. For someone who may, it notes the level on the request, and
    ``serve_document`` marks the answer (a 304 included) by it: ``views.document_cache_headers``.
    """
    viewer = viewer_for_user(request.user)
    if not can_view_document(viewer=viewer, document=document):
        return refusal(request, viewer=viewer)
    setattr(request, DOCUMENT_CHECKED, (collection_level(document.collection), viewer))
    return None


class CheckedImageEmbedHandler(ImageEmbedHandler):
    """Images in rich text point at the signed, visibility-checked rendition view, never at the media file."""

    @classmethod
    def expand_db_attributes_many(cls, attrs_list: list[dict]) -> list[str]:
        tags = []
        for attrs, image in zip(attrs_list, cls.get_many(attrs_list), strict=True):
            if image is None:
                tags.append('<img alt="">')
                continue
            image_format = get_image_format(attrs["format"])
            classname = f' class="{escape(image_format.classname)}"' if image_format.classname else ""
            url = signed_image_url(image, image_format.filter_spec)
            tags.append(f'<img src="{escape(url)}" alt="{escape(attrs.get("alt", ""))}"{classname}>')
        return tags


@hooks.register("register_rich_text_features")
def register_checked_image_embeds(features) -> None:  # type: ignore[no-untyped-def]
    # Registered after wagtail.images' own hook (this app comes later), so it replaces the "image" type.
    features.register_embed_type(CheckedImageEmbedHandler)


# --- The "Visibility" screen (Settings menu), for the organisation's administrators ----------------------


@hooks.register("register_admin_urls")
def register_visibility_urls():  # type: ignore[no-untyped-def]
    return [
        path("visibility/", admin_views.default_visibility, name="pages_default_visibility"),
        path("apps/", catalogue_admin.apps_settings, name="pages_apps_settings"),
        path(
            "visibility/collections/<int:collection_id>/",
            admin_views.collection_level,
            name="pages_collection_level",
        ),
    ]


@hooks.register("register_settings_menu_item")
def register_visibility_menu_item() -> MenuItem:
    return AdministratorsMenuItem(
        gettext_lazy("Visibility"), reverse("pages_default_visibility"), name="visibility", icon_name="view", order=610
    )


@hooks.register("register_settings_menu_item")
def register_apps_menu_item() -> MenuItem:
    return AdministratorsMenuItem(
        gettext_lazy("Apps"), reverse("pages_apps_settings"), name="apps", icon_name="cogs", order=600
    )


# --- Wagtail's multiple document upload: a POST without a file is a bad request, not a server error -----------


def documents_add_multiple(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """Wagtail's multiple-upload view reads ``request.FILES["files[]"]`` unchecked; a POST without it (or a
    malformed multipart body) is answered 400 here, everything else goes to Wagtail's view as before."""
    if request.method == "POST" and "files[]" not in request.FILES:
        return JsonResponse({"success": False, "error_message": _("Choose a file to upload.")}, status=400)
    return multiple_documents.AddView.as_view()(request, *args, **kwargs)


@hooks.register("register_admin_urls", order=-100)
def register_documents_add_multiple():  # type: ignore[no-untyped-def]
    # Before wagtail.documents' own admin URLs (same address), so the guard runs first.
    return [path("documents/multiple/add/", documents_add_multiple)]
