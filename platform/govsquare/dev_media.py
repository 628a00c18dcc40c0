"""Development-only media serving that stays inside the organisation of the request.

django-tenants' storage keeps each schema's files under ``MEDIA_ROOT/<schema>/`` and links them as
``MEDIA_URL<schema>/…``. Serving ``MEDIA_ROOT`` as a whole would let any organisation's host serve
every other organisation's files; this serves only the current schema's folder, and never the
originals of documents and images, which have their own permission-checked views.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse
from django.views.static import serve

#: Folders whose files are only ever served through permission-checked views: documents through
#: Wagtail's ``serve_view``, images through the signed rendition view (``tenant_apps.pages.views``).
PROTECTED_FOLDERS = ("documents/", "original_images/")


def serve_own_media(request: HttpRequest, schema: str, path: str) -> HttpResponse:
    if schema != connection.schema_name or path.startswith(PROTECTED_FOLDERS):
        raise Http404("Not found.")
    return serve(request, path, document_root=str(Path(settings.MEDIA_ROOT) / schema))
