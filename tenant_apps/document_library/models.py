"""The document library page: Wagtail documents browsed by collection, searched, sorted and paginated.

Every list on it shows only the documents the viewer may see (their collection's level, decided in
``tenant_apps.pages.visibility``); the files themselves are served by Wagtail's document view, behind the
``before_serve_document`` check (``tenant_apps.pages.wagtail_hooks``).
"""

from __future__ import annotations

from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Collection, Page
from wagtail.search import index

from tenant_apps.document_library.forms import LibrarySearchForm
from tenant_apps.document_library.selectors import library_listing
from tenant_apps.pages.models import VisibilityMixin
from tenant_apps.pages.refusals import refusal
from tenant_apps.pages.visibility import viewer_for_user


class DocumentLibraryPage(VisibilityMixin, RoutablePageMixin, Page):
    """The organisation's documents by collection: the sub-collections with how many documents each holds
    for the viewer, the current collection's documents, breadcrumbs, search within, sort and pages."""

    intro = RichTextField(blank=True, verbose_name=gettext_lazy("introduction"))
    root_collection = models.ForeignKey(
        Collection,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=gettext_lazy("collection"),
        help_text=gettext_lazy("The collection this library shows, with everything below it. Empty: all documents."),
    )

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("root_collection")]
    search_fields = [*Page.search_fields, index.SearchField("intro")]
    subpage_types: list[str] = []
    template = "document_library/library_page.html"

    #: Documents per listing page.
    PAGE_SIZE = 25

    class Meta:
        verbose_name = gettext_lazy("document library")

    def _listing_response(self, request: HttpRequest, *, collection_id: int | None) -> HttpResponse:
        viewer = viewer_for_user(request.user)
        form = LibrarySearchForm(request.GET)
        valid = form.is_valid()
        listing = library_listing(
            viewer=viewer,
            root_collection_id=self.root_collection_id,
            collection_id=collection_id,
            query=form.cleaned_data.get("q", "") if valid else "",
            sort=form.cleaned_data.get("sort", "") if valid else "",
            page_number=request.GET.get("page"),
            per_page=self.PAGE_SIZE,
        )
        if listing is None:  # not in this library's collections (or not in this organisation at all)
            raise Http404
        if not listing.browsable:
            return refusal(request, viewer=viewer)
        base_url = self.get_url(request) or "/"
        response = self.render(
            request,
            context_overrides={
                "listing": listing,
                "form": form,
                "library_url": base_url,
                "collection_url_prefix": base_url + "collection/",
            },
        )
        if not valid:
            response.status_code = 400
        return response

    @path("")
    def library(self, request: HttpRequest) -> HttpResponse:
        return self._listing_response(request, collection_id=None)

    @path("collection/<int:collection_id>/", name="collection")
    def collection(self, request: HttpRequest, collection_id: int) -> HttpResponse:
        return self._listing_response(request, collection_id=collection_id)
