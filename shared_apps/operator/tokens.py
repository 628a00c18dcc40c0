"""The format of operator API keys: ``gsq_<prefix>_<secret>``. Only the prefix and a SHA-256 hash are stored.

The prefix finds the token row (a unique column); the hash of the whole key is compared in constant
time. The secret has 256 bits of entropy, so a plain SHA-256 (no slow hash) is enough.
"""

from __future__ import annotations

import hashlib
import re
import secrets

KEY_LABEL = "gsq"
PREFIX_BYTES = 4  # 8 hex characters (the column holds 12)
SECRET_BYTES = 32
_PREFIX_RE = re.compile(r"^[0-9a-f]{8}$")


def token_key_new() -> tuple[str, str]:
    """A fresh ``(prefix, raw_key)``."""
    prefix = secrets.token_hex(PREFIX_BYTES)
    return prefix, f"{KEY_LABEL}_{prefix}_{secrets.token_urlsafe(SECRET_BYTES)}"


def token_key_prefix(raw_key: str) -> str | None:
    """The prefix of a well-formed key, else ``None``."""
    label, _, rest = (raw_key or "").strip().partition("_")
    prefix, _, secret = rest.partition("_")
    if label != KEY_LABEL or not _PREFIX_RE.match(prefix) or not secret:
        return None
    return prefix


def token_key_hash(raw_key: str) -> str:
    return hashlib.sha256((raw_key or "").strip().encode()).hexdigest()
