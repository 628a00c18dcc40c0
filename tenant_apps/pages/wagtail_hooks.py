"""Page serving asks ``tenant_apps.pages.visibility`` who may see a page.

Runs beside Wagtail's own privacy options (login, password, groups), which are checked by
Wagtail's own ``before_serve_page`` hook: a visitor must pass both, neither overrides the other.
"""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from wagtail import hooks

from tenant_apps.pages.visibility import can_view_page, viewer_for_user


@hooks.register("before_serve_page")
def enforce_visibility(page, request: HttpRequest, serve_args, serve_kwargs) -> HttpResponse | None:  # type: ignore[no-untyped-def]
    viewer = viewer_for_user(request.user)
    if can_view_page(viewer=viewer, page=page):
        return None
    if not viewer.authenticated:
        return redirect_to_login(request.get_full_path())
    # Signed in without the right: a refusal that names neither the page nor its content.
    return render(request, "pages/forbidden.html", status=403)
