"""``{% branding as brand %}``: the current organisation's branding (cached), for the page frame."""

from __future__ import annotations

from typing import Any

from django import template

from tenant_apps.branding.selectors import Brand, branding_for_request

register = template.Library()


@register.simple_tag(takes_context=True)
def branding(context: Any) -> Brand | None:
    request = context.get("request")
    return branding_for_request(request) if request is not None else None
