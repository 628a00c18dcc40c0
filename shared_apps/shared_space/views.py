"""The shared space's pages (public schema, served on PLATFORM_DOMAIN)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control, patch_vary_headers

from shared_apps.accounts.selectors import account_for_user
from shared_apps.groups.access import viewer_for_user
from shared_apps.groups.selectors import directory_groups
from shared_apps.shared_space.selectors import directory_accounts, profiles_for
from tenants.selectors import organisations_active

#: How many groups and people the home page shows (the directories list them all).
HOME_GROUPS = 8
HOME_PEOPLE = 8


def shared_space_home(request: HttpRequest) -> HttpResponse:
    """The active organisations, the groups the viewer may see (theirs first) and the people they may see."""
    account = account_for_user(user=request.user) if request.user.is_authenticated else None
    groups = list(directory_groups(viewer=viewer_for_user(request.user))[:HOME_GROUPS])
    people = profiles_for(accounts=directory_accounts(viewer=account)[:HOME_PEOPLE], viewer=account)
    response = render(
        request,
        "shared_space/home.html",
        {"organisations": organisations_active().prefetch_related("domains"), "groups": groups, "people": people},
    )
    if request.user.is_authenticated:
        patch_cache_control(response, private=True)
        patch_vary_headers(response, ["Cookie"])
    return response
