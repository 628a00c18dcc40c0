"""The names people give folders and files: shown as they are, never used as a path.

A name is stripped and put in Unicode's composed form (NFC), and refused when it holds a path separator,
a NUL or any other control or format character (the right-to-left override that disguises ``exe.pdf`` as
``fdp.exe`` among them), or is ``.`` or ``..``.
"""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

FOLDER_NAME_MAX = 120
FILE_NAME_MAX = 200

#: Unicode categories no name may contain: controls (NUL among them), format characters (the bidirectional
#: overrides), line and paragraph separators, surrogates, private use and unassigned code points.
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"})


def clean_name(value: str, *, field: str, max_length: int) -> str:
    """``value`` as a name, or ``ValidationError`` on ``field`` saying what is wrong with it."""
    name = unicodedata.normalize("NFC", str(value or "")).strip()
    if not name:
        raise ValidationError({field: [_("Give it a name.")]})
    if "/" in name or "\\" in name:
        raise ValidationError({field: [_("A name cannot contain / or \\.")]})
    if any(unicodedata.category(character) in _REFUSED_CATEGORIES for character in name):
        raise ValidationError({field: [_("A name cannot contain control characters.")]})
    if name in {".", ".."}:
        raise ValidationError({field: [_("“.” and “..” are not names.")]})
    if len(name) > max_length:
        raise ValidationError({field: [_("Keep the name to %(count)s characters.") % {"count": max_length}]})
    return name
