"""The document library in the app catalogue: its page type, its "Documents" section, the home's "Recent
documents" block and the demo's example files. Its search source is the organisation's documents ("document")."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_noop
from wagtail.models import Page

from sites.catalogue import CatalogueApp, HomeBlock, Section
from tenant_apps.document_library.demo import demo_documents_ensure
from tenant_apps.document_library.models import DocumentLibraryPage
from tenant_apps.document_library.selectors import documents_recent
from tenant_apps.pages.visibility import viewer_for_user, visible_pages

PAGE_TYPE = "org_document_library.documentlibrarypage"
SECTION_SLUG = "documents"
TITLES = {"nl": "Documenten", "en": "Documents"}
SUMMARIES = {
    "nl": "Beleidsstukken, handreikingen en formulieren, per map.",
    "en": "Policies, guides and forms, by collection.",
}
#: The most documents the home block lists, whatever its options say.
RECENT_MAX = 20


def section_seed(*, home: Page, language: str) -> Page:
    """The library section under ``home``, live and in the menu, titled in ``language``."""
    language = language if language in TITLES else "en"
    return home.add_child(
        instance=DocumentLibraryPage(
            title=TITLES[language],
            slug=SECTION_SLUG,
            intro=f"<p>{SUMMARIES[language]}</p>",
            live=True,
            show_in_menus=True,
        )
    )


def recent_documents_context(*, request: HttpRequest | None, page: Any, value: dict[str, Any]) -> dict[str, Any]:
    """The newest documents the visitor may see, and the library to see more (if they may see one)."""
    viewer = viewer_for_user(getattr(request, "user", None))
    limit = max(1, min(int(value.get("count") or 5), RECENT_MAX))
    library = (
        visible_pages(queryset=DocumentLibraryPage.objects.live().public(), viewer=viewer).order_by("path").first()
    )
    return {
        "documents": documents_recent(viewer=viewer, limit=limit),
        "library_url": library.get_url(request) if library is not None else None,
    }


APP = CatalogueApp(
    key="documents",
    label=gettext_noop("Documents"),
    description=gettext_noop(
        "A document library: browse the organisation's files by collection, search and sort them; each visitor "
        "sees only the documents they may see."
    ),
    page_types=(PAGE_TYPE,),
    section=Section(
        slug=SECTION_SLUG, index_page_type=PAGE_TYPE, titles=TITLES, summaries=SUMMARIES, seed=section_seed
    ),
    home_blocks=(
        HomeBlock(
            key="documents.recent",
            label=gettext_noop("Recent documents"),
            template="document_library/blocks/recent.html",
            context=recent_documents_context,
        ),
    ),
    search_kinds=("document",),
    demo_content=demo_documents_ensure,
    order=40,
)
