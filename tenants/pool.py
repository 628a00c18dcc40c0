"""The warm pool: spare schemas cloned ahead of time, so that a new organisation's schema is a rename.

``ALTER SCHEMA … RENAME`` is instant, so claiming a pool schema costs milliseconds. A pool schema
belongs to one template (one migration graph); stale ones are migrated by the fleet command or
dropped by ``pool_drain_stale``. The pool size is ``ORGANISATION_POOL_SIZE`` (0 disables it).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import connection, transaction
from psycopg import sql

from tenants.models import PoolSchema
from tenants.naming import POOL_SCHEMA_PREFIX
from tenants.schema_template import clone_template, ensure_template_schema, template_schema_name


def pool_claim(*, target: str) -> bool:
    """Rename a ready pool schema of the current template to ``target``; ``False`` if the pool is empty.

    Must run inside the caller's transaction: the rename and the pool row's removal commit (or roll
    back) with the rest of the provisioning.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("pool_claim() must run inside the provisioning transaction.")
    template = template_schema_name()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, name FROM tenants_poolschema WHERE template = %s ORDER BY created_at LIMIT 1 "
            "FOR UPDATE SKIP LOCKED",
            [template],
        )
        row = cursor.fetchone()
        if row is None:
            return False
        cursor.execute(sql.SQL("ALTER SCHEMA {} RENAME TO {}").format(sql.Identifier(row[1]), sql.Identifier(target)))
        cursor.execute("DELETE FROM tenants_poolschema WHERE id = %s", [row[0]])
    return True


def pool_size() -> int:
    return PoolSchema.objects.filter(template=template_schema_name()).count()


def pool_refill(*, size: int | None = None) -> int:
    """Clone spare schemas until the pool holds ``size`` (default ``ORGANISATION_POOL_SIZE``). Returns how many."""
    wanted = settings.ORGANISATION_POOL_SIZE if size is None else size
    template = ensure_template_schema()
    made = 0
    while PoolSchema.objects.filter(template=template).count() < wanted:
        name = f"{POOL_SCHEMA_PREFIX}{uuid.uuid4().hex[:16]}"
        with transaction.atomic():
            clone_template(target=name, template=template)
            PoolSchema.objects.create(name=name, template=template)
        made += 1
    return made


def pool_drain_stale() -> int:
    """Drop pool schemas cloned from another template than the current one."""
    current = template_schema_name()
    dropped = 0
    for entry in PoolSchema.objects.exclude(template=current):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(entry.name)))
            entry.delete()
        dropped += 1
    return dropped
