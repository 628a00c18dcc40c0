"""Tokens in links sent by e-mail, and the time-based one-time passwords of the second factor.

* Links (verify an address, reset a password) carry a payload signed with ``SECRET_KEY``
  (``django.core.signing``) and a timestamp; they expire after a given age. A password-reset link also
  carries a fingerprint of the account's password hash and last sign-in, so it works once: setting the
  password (or signing in) changes the fingerprint.
* Invitation links carry a random token; only its sha256 is stored (``Invitation.token_hash``).
* TOTP (RFC 6238, 30-second steps, 6 digits) with pyotp; the QR code is an inline SVG made by segno.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from datetime import timedelta
from typing import Any

import pyotp
import segno
from django.core import signing
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

_SALT_PREFIX = "govsquare.accounts."

VERIFY_EMAIL = "verify-email"
PASSWORD_RESET = "password-reset"  # noqa: S105 - a signing salt, not a password

TOTP_ISSUER = "GovSquare"
#: Codes one step (30 s) before or after the current one are accepted too: clocks drift.
TOTP_DRIFT_STEPS = 1


class TokenProblem(Exception):
    """Why a link cannot be used: ``reason`` is ``expired`` or ``invalid``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def link_token_make(*, purpose: str, payload: dict[str, Any]) -> str:
    return signing.dumps(payload, salt=_SALT_PREFIX + purpose, compress=True)


def link_token_read(*, purpose: str, token: str, max_age: timedelta) -> dict[str, Any]:
    """The payload of a link token made for ``purpose``; ``TokenProblem`` when expired or not genuine."""
    try:
        payload = signing.loads(token, salt=_SALT_PREFIX + purpose, max_age=max_age)
    except signing.SignatureExpired:
        raise TokenProblem("expired") from None
    except signing.BadSignature:
        raise TokenProblem("invalid") from None
    if not isinstance(payload, dict):
        raise TokenProblem("invalid")
    return payload


def account_fingerprint(*, password_hash: str, last_login: object) -> str:
    """Changes whenever the password is set or the person signs in: makes a reset link single-use."""
    return salted_hmac(_SALT_PREFIX + "fingerprint", f"{password_hash}|{last_login}").hexdigest()[:24]


def fingerprints_match(a: str, b: str) -> bool:
    return constant_time_compare(a, b)


def invitation_token_new() -> tuple[str, str]:
    """A fresh invitation token and its sha256 (the only part that is stored)."""
    token = secrets.token_urlsafe(32)
    return token, invitation_token_hash(token)


def invitation_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- TOTP ------------------------------------------------------------------------------------------------


def totp_secret_new() -> str:
    return pyotp.random_base32()


def totp_uri(*, secret: str, email: str) -> str:
    """The ``otpauth://`` URI an authenticator app reads (from the QR code, or typed in)."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=TOTP_ISSUER)


def totp_qr_svg(*, uri: str) -> str:
    """The URI as an inline SVG QR code (no image request, nothing leaves the page)."""
    return segno.make(uri, error="m").svg_inline(scale=5, title=_("Scan with your authenticator app"))


def totp_clean_code(code: str | None) -> str:
    """The code as typed, without spaces and dashes (apps show ``123 456``)."""
    return "".join(ch for ch in (code or "") if ch not in " -\t")


def totp_match(*, secret: str, code: str, at: float | None = None) -> int | None:
    """The time step whose code ``code`` is (within the drift window), or ``None``. Constant-time compare."""
    code = totp_clean_code(code)
    if not secret or len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    now = time.time() if at is None else at
    found = None
    for offset in range(-TOTP_DRIFT_STEPS, TOTP_DRIFT_STEPS + 1):
        if constant_time_compare(totp.at(now, counter_offset=offset), code) and found is None:
            found = totp.timecode(now) + offset
    return found
