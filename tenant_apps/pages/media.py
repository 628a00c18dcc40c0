"""Every file under ``MEDIA_URL`` is served here, after the visibility of the item it belongs to is checked.

django-tenants' storage keeps each organisation's files under ``MEDIA_ROOT/<schema>/`` and links
them as ``MEDIA_URL<schema>/<name>``; Wagtail links image renditions (``{% image %}``, the admin's
thumbnails) and originals that way. Those URLs are guessable, so no web server may serve
``MEDIA_ROOT`` itself: this view finds the content item that owns the requested file (a rendition's
image, an original image, a document), asks ``tenant_apps.pages.visibility`` whether the viewer may
see it, and only then sends the file — through the web server when ``SENDFILE_BACKEND`` is set
(X-Accel-Redirect to an internal location), or streamed by Django otherwise.

A file that no content item owns is not served at all. An app that stores files of its own adds
its folder to ``FILE_OWNERS``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.http import require_safe
from wagtail.documents import get_document_model
from wagtail.documents.views.serve import serve as wagtail_serve_document
from wagtail.images import get_image_model
from wagtail.utils import sendfile_streaming_backend
from wagtail.utils.sendfile import sendfile

from tenant_apps.pages.refusals import refusal
from tenant_apps.pages.views import DOCUMENT_CHECKED, cache_for_level, document_cache_headers
from tenant_apps.pages.visibility import Level, can_view, collection_level, viewer_for_user
from tenants.nul_bytes import refuse_nul_bytes


@dataclass(frozen=True)
class FileOwner:
    """What the platform knows of a stored file: the level it is shown at, and where it is served."""

    level: Level
    #: Where the file is served instead of here (documents keep Wagtail's own download view).
    canonical_url: str | None = None


def _rendition_owner(name: str) -> FileOwner | None:
    renditions = get_image_model().get_rendition_model().objects.select_related("image__collection")
    rendition = renditions.filter(file=name).first()
    return FileOwner(level=collection_level(rendition.image.collection)) if rendition else None


def _original_image_owner(name: str) -> FileOwner | None:
    image = get_image_model().objects.select_related("collection").filter(file=name).first()
    return FileOwner(level=collection_level(image.collection)) if image else None


def _document_owner(name: str) -> FileOwner | None:
    document = get_document_model().objects.select_related("collection").filter(file=name).first()
    if document is None:
        return None
    return FileOwner(level=collection_level(document.collection), canonical_url=document.url)


#: The folders files are stored in (relative to the organisation's media folder), and how to find
#: the item that owns a file there.
FILE_OWNERS: dict[str, Callable[[str], FileOwner | None]] = {
    "images/": _rendition_owner,
    "original_images/": _original_image_owner,
    "documents/": _document_owner,
}


def file_owner(*, name: str) -> FileOwner | None:
    """The owner of the current organisation's stored file ``name`` (``images/x.width-800.png``), if any."""
    for folder, find in FILE_OWNERS.items():
        if name.startswith(folder):
            return find(name)
    return None


def send_stored_file(request: HttpRequest, *, name: str) -> HttpResponse:
    """The current organisation's stored file, by the configured sendfile backend (as Wagtail's documents)."""
    options = {} if getattr(settings, "SENDFILE_BACKEND", None) else {"backend": sendfile_streaming_backend.sendfile}
    return sendfile(request, default_storage.path(name), **options)


@require_safe
@refuse_nul_bytes
def serve_media(request: HttpRequest, schema: str, path: str) -> HttpResponse:
    """``MEDIA_URL<schema>/<path>``: a file of this organisation's, to those who may see what it belongs to."""
    if schema != connection.schema_name:
        raise Http404("Not found.")  # another organisation's file: this host does not know it
    owner = file_owner(name=path)
    if owner is None:
        raise Http404("Not found.")
    viewer = viewer_for_user(request.user)
    if not can_view(viewer=viewer, level=owner.level):
        return refusal(request, viewer=viewer)
    if owner.canonical_url is not None:
        return HttpResponseRedirect(owner.canonical_url)
    return cache_for_level(send_stored_file(request, name=path), level=owner.level)


def serve_document(request: HttpRequest, document_id: str, document_filename: str) -> HttpResponse:
    """``/documents/<id>/<file>``: Wagtail's view (the visibility hook, then its ETag answers and sendfile),
    with the answer marked for caches by the level the hook found (``views.document_cache_headers``).
    A refusal or a 404 stays as it is: never ``public``."""
    response = wagtail_serve_document(request, document_id, document_filename)
    checked = getattr(request, DOCUMENT_CHECKED, None)
    if checked is not None:
        level, viewer = checked
        return document_cache_headers(response, level=level, viewer=viewer)
    patch_cache_control(response, private=True)
    patch_vary_headers(response, ["Cookie"])
    return response
