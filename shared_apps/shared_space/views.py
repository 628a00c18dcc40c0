"""The shared space's pages (public schema, served on PLATFORM_DOMAIN)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tenants.selectors import organisation_list


def shared_space_home(request: HttpRequest) -> HttpResponse:
    return render(request, "shared_space/home.html", {"organisations": organisation_list()})
