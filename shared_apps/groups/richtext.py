"""Text members write is rich text, sanitised by a kept sanitiser (nh3, the Ammonia HTML sanitiser)."""

from __future__ import annotations

import nh3

#: What members may use: paragraphs, emphasis, lists, quotes, code, headings and links.
ALLOWED_TAGS = {
    "p", "br", "strong", "b", "em", "i", "u", "s", "ul", "ol", "li", "blockquote", "code", "pre",
    "h2", "h3", "h4", "a", "hr",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = {"http", "https", "mailto"}


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
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    ).strip()
