"""The search page: on the shared space (``/search/``) and, through ``search_page``, on every subsite.

Thin: the form is read, ``selectors.search`` answers, one template shows it. An answer made for a
signed-in viewer is marked ``Cache-Control: private`` and varies on the cookie.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control, patch_vary_headers

from shared_apps.search.access import SearchViewer, search_viewer_for_request
from shared_apps.search.forms import SearchForm, source_labels
from shared_apps.search.models import SearchEntry
from shared_apps.search.selectors import SearchResults, search

PER_PAGE = 20


def _page_number(raw: str | None) -> int:
    try:
        return max(1, int(raw or 1))
    except ValueError:
        return 1


def _facets(*, results: SearchResults, form: SearchForm, on_subsite: bool) -> dict[str, list[dict[str, Any]]]:
    """The filter links: every kind and source with its count (zero counts left out)."""
    kind, source = form.cleaned_data.get("kind") or "", form.cleaned_data.get("source") or ""
    kinds = [
        {"value": value, "label": label, "count": results.counts_by_kind[value], "selected": value == kind}
        for value, label in SearchEntry.Kind.choices
        if results.counts_by_kind.get(value)
    ]
    sources = [
        {"value": value, "label": label, "count": results.counts_by_source[value], "selected": value == source}
        for value, label in source_labels(on_subsite=on_subsite).items()
        if results.counts_by_source.get(value)
    ]
    return {"kinds": kinds, "sources": sources}


def search_page(
    request: HttpRequest, *, template_name: str, per_page: int = PER_PAGE, extra_context: dict[str, Any] | None = None
) -> HttpResponse:
    """The search form and its results, for the shared space or the request's subsite (or a search page there)."""
    viewer: SearchViewer = search_viewer_for_request(request)
    on_subsite = viewer.current_organisation_id is not None
    form = SearchForm(request.GET, on_subsite=on_subsite)
    context: dict[str, Any] = {"form": form, "query": "", "results": None, "facets": None, **(extra_context or {})}
    status = 200
    if form.is_valid():
        data = form.cleaned_data
        context["query"] = data["q"]
        if data["q"]:
            results = search(
                viewer=viewer,
                query=data["q"],
                source=data["source"] or None,
                kind=data["kind"] or None,
                since=data["from"],
                until=data["to"],
                page=_page_number(request.GET.get("page")),
                per_page=per_page,
            )
            context["results"] = results
            context["facets"] = _facets(results=results, form=form, on_subsite=on_subsite)
    else:
        status = 400
        context["query"] = " ".join(request.GET.get("q", "").split())
    response = render(request, template_name, context, status=status)
    patch_vary_headers(response, ["Cookie"])
    if viewer.signed_in or request.user.is_authenticated:
        patch_cache_control(response, private=True)
    return response


def search_view(request: HttpRequest) -> HttpResponse:
    """``/search/`` on the shared space."""
    return search_page(request, template_name="search/results.html")
