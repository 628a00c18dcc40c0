"""Background work on local users. A task runs in the schema that queued it (tenant-schemas-celery)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from celery import shared_task
from django.db import connection

from shared_apps.accounts.models import Account
from shared_apps.accounts.selectors import account_linked_schemas
from shared_apps.people.services import local_user_sync as local_user_sync_service
from tenants.schemas import in_schema


@shared_task(name="people.local_user_sync")
def local_user_sync(*, account_id: str) -> dict[str, Any]:
    """Bring the current schema's local copy of an account up to date."""
    account = Account.objects.get(pk=account_id)
    changed = local_user_sync_service(account=account)
    return {"schema": connection.schema_name, "changed": changed}


def queue_local_user_sync(*, account_id: UUID | str) -> None:
    """Queue ``local_user_sync`` once in every schema that holds a local user of the account."""
    account = Account.objects.get(pk=account_id)
    for schema_name in account_linked_schemas(account=account):
        with in_schema(schema_name):
            local_user_sync.delay(account_id=str(account_id))


def account_changed_receiver(*, account_id: UUID | str, **kwargs: Any) -> None:
    """``shared_apps.accounts.signals.account_changed``: the account's local users follow."""
    queue_local_user_sync(account_id=account_id)
