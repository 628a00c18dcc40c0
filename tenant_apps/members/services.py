"""Writes of the members app (memberships themselves: ``tenant_apps.people.memberships``)."""

from __future__ import annotations

from django.db import connection

from shared_apps.accounts.models import Account
from tenants.audit import Actor, audited
from tenants.models import Organisation


def operator_admin_entry_record(*, organisation: Organisation, account: Account, path: str = "") -> None:
    """Record in ``organisation``'s audit trail that a platform operator entered its Wagtail admin.

    ``audited`` writes in the public schema; the caller's schema is put back afterwards.
    """
    previous = connection.tenant
    try:
        with audited(
            actor=Actor.operator(account.email),
            action="operator.admin.enter",
            organisation_slug=organisation.slug,
            account=str(account.pk),
            path=path[:500],
        ):
            pass
    finally:
        connection.set_tenant(previous)
