"""Colour contrast, as WCAG 2.1 defines it (one formula: no library is kept for it)."""

from __future__ import annotations

import re

from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy

WHITE = "#ffffff"
#: WCAG 2.1 success criterion 1.4.3 (level AA): normal text needs at least this contrast ratio.
AA_NORMAL_TEXT = 4.5

_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")

hex_colour_validator = RegexValidator(
    regex=_HEX,
    message=gettext_lazy("Enter a colour as # followed by six hexadecimal digits, e.g. #154273."),
)


def _channel(value: int) -> float:
    """One sRGB channel (0-255), linearised."""
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: str) -> float:
    """The relative luminance (0 black .. 1 white) of a ``#rrggbb`` colour, as WCAG 2.1 defines it."""
    if not _HEX.match(colour or ""):
        raise ValueError(f"Not a #rrggbb colour: {colour!r}")
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast_ratio(a: str, b: str) -> float:
    """The contrast ratio between two ``#rrggbb`` colours, from 1 (none) to 21 (black on white).

    WCAG 2.1, success criterion 1.4.3 "Contrast (Minimum)" and its definitions of "contrast ratio"
    and "relative luminance": (L1 + 0.05) / (L2 + 0.05), L1 the lighter colour's relative luminance.
    Level AA asks 4.5:1 for normal text (3:1 for large text).
    """
    lighter, darker = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def shown_ratio(ratio: float) -> str:
    """A ratio as a person reads it: one decimal, or two where one would round a failure up to a pass
    (4.48 shows as "4.48", not as "4.5")."""
    shown = f"{ratio:.1f}"
    if ratio < AA_NORMAL_TEXT <= float(shown):
        shown = f"{ratio:.2f}"
    return shown
