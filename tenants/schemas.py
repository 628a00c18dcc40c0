"""The one way to run code in another schema and come back.

Every switch of schema outside the request's own (which ``tenants.middleware`` decides) goes through
``in_schema`` or ``in_public_schema``: the block runs in the schema asked for, and the caller's schema —
a request's organisation, a task's, an outer ``in_schema`` — is put back when the block ends, whether it
returned or raised. Hand-written ``set_schema_to_public()`` / ``set_tenant(previous)`` pairs forget the way
back on one path or another (an audited write once left an organisation's admin request in the public
schema for its session save, messages and redirect).

Built on django-tenants' ``tenant_context`` / ``schema_context``, which restore the previous tenant on exit.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django_tenants.utils import schema_context, tenant_context


@contextmanager
def in_schema(target: Any) -> Iterator[None]:
    """Run the block in ``target``'s schema: an organisation (any tenant object) or a schema name."""
    context = schema_context(target) if isinstance(target, str) else tenant_context(target)
    with context:
        yield


@contextmanager
def in_public_schema() -> Iterator[None]:
    """Run the block in the public schema (the registry, accounts, the shared space)."""
    with schema_context(settings.PUBLIC_SCHEMA_NAME):
        yield
