"""How a subsite refuses someone a page, a file or an action: the one answer every page type and view gives.

Imports only Django and the visibility rule, so page models may use it while models are loading.
"""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers

from tenant_apps.pages.visibility import Viewer, viewer_for_user


def refusal(request: HttpRequest, *, viewer: Viewer | None = None) -> HttpResponse:
    """Anonymous: off to sign in. Signed in without the right: a 403 that names nothing it refuses."""
    viewer = viewer if viewer is not None else viewer_for_user(request.user)
    if not viewer.authenticated:
        response = redirect_to_login(request.get_full_path())
    else:
        response = render(request, "pages/forbidden.html", status=403)
    patch_vary_headers(response, ["Cookie"])
    return response
