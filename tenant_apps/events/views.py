"""Calendar files at their natural addresses (``/events/agenda.ics``, ``/events/<event>/event.ics``).

Wagtail's page URL pattern takes only ``[\\w-]`` path segments, so an address ending in ``.ics`` never reaches
the page tree. This view hands it on to Wagtail's own ``serve`` as the page's route (``…/agenda.ics/``): the page
is found, its visibility checked (``before_serve_page``) and its route answers, exactly as for any page.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from wagtail import views as wagtail_views


def calendar_file(request: HttpRequest, path: str) -> HttpResponse:
    return wagtail_views.serve(request, f"{path}/")
