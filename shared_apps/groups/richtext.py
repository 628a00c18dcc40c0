"""Text members write is rich text, sanitised by a kept sanitiser (nh3, the Ammonia HTML sanitiser)."""

from __future__ import annotations

import re

import nh3

#: What members may use: paragraphs, emphasis, lists, quotes, code, headings and links.
ALLOWED_TAGS = {
    "p", "br", "strong", "b", "em", "i", "u", "s", "ul", "ol", "li", "blockquote", "code", "pre",
    "h2", "h3", "h4", "a", "hr",
}  # fmt: skip
#: ``data-mention`` carries the id of the account a mention links to (``shared_apps.groups.mentions``).
ALLOWED_ATTRIBUTES = {"a": {"href", "title", "data-mention"}}
#: The one class kept: a mention's link (any other class is dropped).
ALLOWED_CLASSES = {"a": {"mention"}}
URL_SCHEMES = {"http", "https", "mailto"}
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    """A ``data-mention`` value is an account id (a UUID) or the attribute goes."""
    if attribute == "data-mention":
        return value if tag == "a" and _UUID.fullmatch(value) else None
    return value


def sanitise(html: str) -> str:
    """``html`` with everything but the allowed tags and attributes stripped; links get ``rel`` for safety.

    Plain text (no tags) becomes paragraphs, one per blank-line-separated block.
    """
    text = (html or "").replace("\x00", "").strip()
    if not text:
        return ""
    if "<" not in text:
        blocks = [block.strip() for block in text.replace("\r\n", "\n").split("\n\n") if block.strip()]
        text = "".join(f"<p>{nh3.clean_text(block).replace(chr(10), '<br>')}</p>" for block in blocks)
    return nh3.clean(
        text,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        attribute_filter=_attribute_filter,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    ).strip()
