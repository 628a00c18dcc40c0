"""The subsite's other ways in to its content — search, feed, sitemap, pages API, image renditions.

Each asks ``tenant_apps.pages.visibility`` what the viewer may see, exactly as page serving does.
Answers computed for a signed-in viewer are marked ``Cache-Control: private`` (and vary on the
session cookie), so no shared cache hands them to anyone else.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from rest_framework.authentication import SessionAuthentication
from wagtail.api.v2.views import PagesAPIViewSet
from wagtail.contrib.sitemaps.sitemap_generator import Sitemap
from wagtail.images.utils import verify_signature
from wagtail.images.views.serve import ServeView, generate_image_url
from wagtail.models import Page, Site

from shared_apps.search.views import search_page
from tenant_apps.pages.refusals import refusal
from tenant_apps.pages.visibility import (
    ANONYMOUS,
    Level,
    Viewer,
    can_view_image,
    collection_level,
    viewer_for_user,
    visible_pages,
)
from tenants.nul_bytes import nul_refusal, refuse_nul_bytes, request_has_nul

SEARCH_RESULTS = 20  # per page
FEED_ITEMS = 20


def _per_viewer(response: HttpResponse, *, viewer: Viewer) -> HttpResponse:
    """An answer made for a signed-in viewer is theirs alone: never stored by a shared cache."""
    patch_vary_headers(response, ["Cookie"])
    if viewer.authenticated:
        patch_cache_control(response, private=True)
    return response


def cache_for_level(response: HttpResponse, *, level: Level) -> HttpResponse:
    """A file only everyone may see may be kept by shared caches; any other is the viewer's alone."""
    if level == Level.PUBLIC:
        patch_cache_control(response, public=True, max_age=3600)
    else:
        patch_cache_control(response, private=True, max_age=3600)
        patch_vary_headers(response, ["Cookie"])
    return response


#: Set on the request by the ``before_serve_document`` hook once the viewer may see the document: (level, viewer).
DOCUMENT_CHECKED = "_govsquare_document_checked"


def document_cache_headers(response: HttpResponse, *, level: Level, viewer: Viewer) -> HttpResponse:
    """A public document asked for by an anonymous visitor may be kept by shared caches; any other answer
    (signed in, or a document not for everyone) is the viewer's alone: ``private``, never ``public``."""
    if level == Level.PUBLIC and not viewer.authenticated:
        patch_cache_control(response, public=True, max_age=3600)
        return response
    response.headers.pop("Cache-Control", None)  # a "public" set on the way must not survive
    patch_cache_control(response, private=True, max_age=3600)
    patch_vary_headers(response, ["Cookie"])
    return response


def site_pages(request: HttpRequest) -> QuerySet:
    """The live pages of the request's site that Wagtail's own privacy options do not close."""
    site = Site.find_for_request(request)
    if site is None:
        return Page.objects.none()
    return Page.objects.live().public().descendant_of(site.root_page, inclusive=True)


@refuse_nul_bytes
def search(request: HttpRequest) -> HttpResponse:
    """``/search/``: the platform search (``shared_apps.search``), with this subsite's organisation as "this
    organisation": its pages and documents, other organisations' and the groups' — what the viewer may see."""
    return search_page(request, template_name="pages/search.html", per_page=SEARCH_RESULTS)


class RecentPagesFeed(Feed):
    """``/feed/``: the subsite's recently published pages the reader may see (feed readers: public only)."""

    def __call__(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:  # type: ignore[no-untyped-def]
        return _per_viewer(super().__call__(request, *args, **kwargs), viewer=viewer_for_user(request.user))

    def get_object(self, request: HttpRequest, *args, **kwargs) -> HttpRequest:  # type: ignore[no-untyped-def]
        return request

    def title(self, request: HttpRequest) -> str:
        return request.tenant.name  # type: ignore[attr-defined]

    def link(self) -> str:
        return "/"

    def description(self, request: HttpRequest) -> str:
        return _("Recently published on %(name)s") % {"name": request.tenant.name}  # type: ignore[attr-defined]

    def items(self, request: HttpRequest) -> list:
        pages = visible_pages(queryset=site_pages(request), viewer=viewer_for_user(request.user))
        return list(pages.order_by("-first_published_at").specific()[:FEED_ITEMS])

    def item_title(self, page: Page) -> str:
        return page.title

    def item_description(self, page: Page) -> str:
        return getattr(page, "summary", "") or page.search_description

    def item_link(self, page: Page) -> str:
        return page.get_url()

    def item_pubdate(self, page: Page):  # type: ignore[no-untyped-def]
        return page.first_published_at


class PublicSitemap(Sitemap):
    """``/sitemap.xml`` is for search engines: the public pages only, whoever asks."""

    def items(self) -> QuerySet:
        return visible_pages(queryset=super().items(), viewer=ANONYMOUS)


class VisiblePagesAPIViewSet(PagesAPIViewSet):
    """``/api/v2/pages/``: Wagtail's pages API over the pages the caller may see; others answer 404.

    Session authentication only: HTTP Basic would let a password in without the platform's sign-on,
    two-factor step and lockout.
    """

    authentication_classes = [SessionAuthentication]

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:  # type: ignore[no-untyped-def]
        if request_has_nul(request):  # PostgreSQL cannot compare text with a NUL: bad input, not a 500
            return nul_refusal()
        return super().dispatch(request, *args, **kwargs)

    def finalize_response(self, request, response, *args, **kwargs):  # type: ignore[no-untyped-def]
        """The pages a signed-in caller may see are theirs alone: kept by no shared cache."""
        response = super().finalize_response(request, response, *args, **kwargs)
        return _per_viewer(response, viewer=viewer_for_user(request.user))

    def get_base_queryset(self) -> QuerySet:
        return visible_pages(queryset=super().get_base_queryset(), viewer=viewer_for_user(self.request.user))


def image_signing_key() -> str:
    """The key image URLs are signed with: one per organisation, so a URL signed on one subsite is
    worthless on another (image ids repeat across schemas)."""
    return f"{settings.SECRET_KEY}:images:{connection.schema_name}"


def signed_image_url(image, filter_spec: str) -> str:  # type: ignore[no-untyped-def]
    """The checked, signed URL of a rendition of ``image`` on the current organisation's subsite."""
    return generate_image_url(image, filter_spec, viewname="wagtailimages_serve", key=image_signing_key())


class VisibleImageServeView(ServeView):
    """Image renditions through Wagtail's signed serve view, with the image's visibility checked first.

    The signature stops anyone making up new renditions; the check stops a copied URL working for
    someone who may not see the image. Only public images may be kept by shared caches.
    """

    @property
    def key(self) -> str:  # type: ignore[override]
        return image_signing_key()

    def get(self, request, signature, image_id, filter_spec, filename=None):  # type: ignore[no-untyped-def]
        if not verify_signature(signature.encode(), image_id, filter_spec, key=self.key):
            raise PermissionDenied
        image = get_object_or_404(self.model, id=image_id)
        viewer = viewer_for_user(request.user)
        if not can_view_image(viewer=viewer, image=image):
            return refusal(request, viewer=viewer)
        response = super().get(request, signature, image_id, filter_spec, filename)
        return cache_for_level(response, level=collection_level(image.collection))
