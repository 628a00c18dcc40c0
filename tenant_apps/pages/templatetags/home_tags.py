"""The intranet home's blocks: ``{% home_block value %}`` renders an app's block (nothing while its app is
off), ``{% new_since_last_visit value as pages %}`` the pages published since the person's previous visit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from wagtail.models import Page

from sites import catalogue
from tenant_apps.pages.catalogue import app_is_on
from tenant_apps.pages.selectors import pages_new_since
from tenant_apps.pages.visibility import viewer_for_user

register = template.Library()


@dataclass(frozen=True)
class RenderedBlock:
    html: SafeString
    dom_id: str  # the id of the block's heading, for the section's aria-labelledby


NOTHING = RenderedBlock(html=mark_safe(""), dom_id="")


@register.simple_tag(takes_context=True)
def home_block(context: template.Context, value: Any, position: int = 0) -> RenderedBlock:
    """The app block ``value`` (its ``block`` key, ``heading``, ``count``) rendered; nothing when the block's
    app is off or no longer in the catalogue. The block's template gets ``heading`` and ``block_id`` (the id its
    ``<h2>`` carries) beside its own context."""
    found = catalogue.home_block(value.get("block") or "")
    if found is None:
        return NOTHING
    app, block = found
    if not app_is_on(key=app.key):
        return NOTHING
    request = context.get("request")
    options = dict(value)
    dom_id = f"{block.key.replace('.', '-')}-{position}" if position else block.key.replace(".", "-")
    block_context = dict(block.context(request=request, page=context.get("page"), value=options))
    block_context.setdefault("heading", options.get("heading") or _(block.label))
    block_context.setdefault("block_id", dom_id)
    html = render_to_string(block.template, block_context, request=request).strip()
    return RenderedBlock(html=mark_safe(html), dom_id=dom_id) if html else NOTHING  # noqa: S308 - a rendered template


@register.simple_tag(takes_context=True)
def new_since_last_visit(context: template.Context, value: Any) -> list[Page]:
    request = context.get("request")
    page = context.get("page")
    if request is None or page is None or not request.user.is_authenticated:
        return []
    return pages_new_since(
        root=page,
        viewer=viewer_for_user(request.user),
        since=getattr(request, "previous_home_visit", None),
        limit=int(value.get("count") or 8),
    )


@register.simple_tag(takes_context=True)
def catalogue_menu_links(context: template.Context) -> list[dict[str, str]]:
    """The menu links of the apps that are on (``CatalogueApp.menu_links``), as label + address."""
    request = context.get("request")
    signed_in = bool(request is not None and request.user.is_authenticated)
    return [
        {"key": app.key, "label": _(link.label), "url": link.url()}
        for app in catalogue.catalogue_apps()
        if app_is_on(key=app.key)
        for link in app.menu_links
        if signed_in or not link.signed_in_only
    ]
