"""Writes for the branding: dropping the cached copy whenever what it was made from changes."""

from __future__ import annotations

from django.core.cache import cache
from django.db import connection, transaction
from django_tenants.utils import schema_context

from tenant_apps.branding.selectors import CACHE_KEY


def branding_cache_clear() -> None:
    """Forget the current organisation's cached branding, now and once the transaction commits.

    Now, so the next read in this request sees the change; at commit as well, because the admin saves
    the setting before its links, and a read in between would cache the half-saved state. (The cache
    key carries the schema, so the later delete runs in the schema of the write.)
    """
    cache.delete(CACHE_KEY)
    schema = connection.schema_name

    def _again() -> None:
        with schema_context(schema):
            cache.delete(CACHE_KEY)

    transaction.on_commit(_again)
