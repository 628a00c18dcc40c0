"""``{% news_image_url image "width-800" %}``: the signed, visibility-checked rendition address of an image
(``tenant_apps.pages.views.signed_image_url``), never the stored file's media address."""

from __future__ import annotations

from typing import Any

from django import template

from tenant_apps.pages.views import signed_image_url

register = template.Library()


@register.simple_tag
def news_image_url(image: Any, filter_spec: str) -> str:
    return signed_image_url(image, filter_spec) if image is not None else ""
