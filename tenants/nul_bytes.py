"""A NUL byte in a request is bad input: a 400, never a 500.

PostgreSQL's text fields cannot hold NUL (``DataError``), so a ``%00`` that reaches a query, in a path
(``/media/<schema>/documents/%00``) or a search term (``?q=%00``), was a server error on every host.

``RefuseNulBytesMiddleware`` answers 400 to a NUL (raw or percent-encoded) anywhere in the path, in any
query or form key or value, or escaped in a JSON body, before any view runs. It is placed first in
``MIDDLEWARE``. ``refuse_nul_bytes`` does the same for one view, for the views that met it first.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, QueryDict, RawPostDataException
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _

NUL = "\x00"
#: How JSON writes a NUL inside a string.
_JSON_NUL = b"\\u0000"


def _query_has_nul(query: QueryDict) -> bool:
    return any(NUL in key or any(NUL in value for value in values) for key, values in query.lists())


def _json_body_has_nul(request: HttpRequest) -> bool:
    if not request.content_type or not request.content_type.endswith("json"):
        return False
    try:
        body = request.body
    except (RequestDataTooBig, RawPostDataException, OSError):  # an unreadable body is the view's to refuse
        return False
    return b"\x00" in body or _JSON_NUL in body


def request_has_nul(request: HttpRequest) -> bool:
    """Whether the path, a query or form key or value, or a JSON body carries a NUL byte."""
    if NUL in request.path or NUL in request.path_info or "%00" in request.META.get("QUERY_STRING", ""):
        return True
    if _query_has_nul(request.GET):
        return True
    if request.method == "POST":
        try:
            if _query_has_nul(request.POST):
                return True
        except MultiPartParserError:
            return False  # a malformed upload: the view (or CSRF) refuses it
    return _json_body_has_nul(request)


def nul_refusal() -> HttpResponse:
    return HttpResponseBadRequest(
        _("The request contains a NUL character, which is not allowed.") + "\n",
        content_type="text/plain; charset=utf-8",
    )


class RefuseNulBytesMiddleware:
    """Answers 400 to a request with a NUL byte (``request_has_nul``); first in ``MIDDLEWARE``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request_has_nul(request):
            return nul_refusal()
        return self.get_response(request)


def refuse_nul_bytes(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A view decorator: 400 for a request with a NUL byte, whether or not the middleware is installed."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request_has_nul(request) or any(NUL in str(value) for value in (*args, *kwargs.values())):
            return nul_refusal()
        return view(request, *args, **kwargs)

    return wrapped
