"""The platform's people directory on the shared space (``/people/``); who sees whom is decided in ``selectors``."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from shared_apps.accounts.models import Account
from shared_apps.shared_space.selectors import directory_accounts, directory_profile, profiles_for
from tenants.nul_bytes import refuse_nul_bytes

PAGE_SIZE = 50


def _viewer(request: HttpRequest) -> Account | None:
    account_id = getattr(request.user, "account_id", None) if request.user.is_authenticated else None
    return Account.objects.filter(pk=account_id, is_active=True).first() if account_id else None


@require_GET
@refuse_nul_bytes
def people(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:100]
    viewer = _viewer(request)
    page = Paginator(directory_accounts(viewer=viewer, query=query), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "shared_space/people.html",
        {"profiles": profiles_for(accounts=page.object_list, viewer=viewer), "page": page, "query": query},
    )


@require_GET
@refuse_nul_bytes
def person(request: HttpRequest, account_id: str) -> HttpResponse:
    profile = directory_profile(viewer=_viewer(request), account_id=account_id)
    if profile is None:
        raise Http404("No such profile.")
    return render(request, "shared_space/person.html", {"profile": profile})
