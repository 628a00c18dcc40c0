"""Platform-wide counters in the cache: failed sign-ins per IP address, and one-time codes already used.

The cache's keys carry the current schema (``django_tenants.cache.make_key``), which would give every
subsite counters of its own: an attacker could spread guesses over the subsites. These counters are
always kept under the public schema's keys, so a sign-in on any host counts against the same limit.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django_tenants.utils import get_public_schema_name, schema_context

_FAILURES = "accounts:sign-in-failures:{ip}"
_BLOCKED = "accounts:sign-in-blocked:{ip}"
_USED_CODE = "accounts:totp-used:{account_id}:{step}"


@contextmanager
def _platform_keys() -> Iterator[None]:
    with schema_context(get_public_schema_name()):
        yield


def _window() -> timedelta:
    return timedelta(minutes=getattr(settings, "ACCOUNT_IP_WINDOW_MINUTES", 15))


def ip_blocked_until(*, ip: str | None) -> datetime | None:
    """When ``ip`` may try again, if it has failed too often within the window; else ``None``."""
    if not ip:
        return None
    with _platform_keys():
        until = cache.get(_BLOCKED.format(ip=ip))
    if until is None:
        return None
    until_at = datetime.fromtimestamp(float(until), tz=timezone.get_current_timezone())
    return until_at if until_at > timezone.now() else None


def ip_failure_record(*, ip: str | None) -> datetime | None:
    """Count a failed sign-in from ``ip``; returns when it may try again if this one reached the limit."""
    if not ip:
        return None
    limit = getattr(settings, "ACCOUNT_IP_MAX_FAILURES", 50)
    window = _window()
    seconds = int(window.total_seconds())
    key = _FAILURES.format(ip=ip)
    with _platform_keys():
        cache.add(key, 0, timeout=seconds)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=seconds)
            count = 1
        if count < limit:
            return None
        until = timezone.now() + window
        cache.set(_BLOCKED.format(ip=ip), until.timestamp(), timeout=seconds)
    return until


def totp_step_claim(*, account_id: object, step: int) -> bool:
    """Mark the code of ``step`` as used by this account; ``False`` if it was used already (a replay)."""
    seconds = 30 * (2 * 2 + 1)  # longer than the drift window on either side
    with _platform_keys():
        return bool(cache.add(_USED_CODE.format(account_id=account_id, step=step), 1, timeout=seconds))
