"""The warm pool: spare schemas made ahead of time, so that a new organisation's schema is a rename.

Each pool schema is cloned from the template AND seeded with a blueprint's complete site tree for a
placeholder organisation. Claiming one is ``ALTER SCHEMA … RENAME`` (instant) plus personalising the
few rows that carry the organisation's name (the ``site_personalise`` hook point). A pool schema
belongs to one template (one migration graph) and one blueprint version; entries that no longer
match are never claimed and ``pool_drain_stale`` drops them. ``ORGANISATION_POOL_SIZE`` is the
number kept per blueprint (0 disables the pool).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from psycopg import sql

from sites.blueprints import BLUEPRINTS, Blueprint
from sites.seeding import POOL_PLACEHOLDER_NAME
from tenants import organisation_hooks
from tenants.models import PoolSchema
from tenants.naming import POOL_SCHEMA_PREFIX
from tenants.schema_template import clone_template, ensure_template_schema, template_schema_name
from tenants.schemas import in_schema


def pool_claim(*, target: str, blueprint: Blueprint, apps: Sequence[str]) -> bool:
    """Rename a ready pool schema seeded with ``blueprint`` to ``target``; ``False`` if none fits.

    A pool schema carries the blueprint's default apps, so a request for other apps is not served
    from the pool. Must run inside the caller's transaction: the rename and the pool row's removal
    commit (or roll back) with the rest of the provisioning.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("pool_claim() must run inside the provisioning transaction.")
    if list(apps) != blueprint.default_apps:
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, name FROM tenants_poolschema WHERE template = %s AND blueprint = %s "
            "AND blueprint_version = %s ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED",
            [template_schema_name(), blueprint.key, blueprint.version],
        )
        row = cursor.fetchone()
        if row is None:
            return False
        cursor.execute(sql.SQL("ALTER SCHEMA {} RENAME TO {}").format(sql.Identifier(row[1]), sql.Identifier(target)))
        cursor.execute("DELETE FROM tenants_poolschema WHERE id = %s", [row[0]])
    return True


def pool_size(*, blueprint: Blueprint | None = None) -> int:
    entries = PoolSchema.objects.filter(template=template_schema_name())
    if blueprint is not None:
        entries = entries.filter(blueprint=blueprint.key, blueprint_version=blueprint.version)
    return entries.count()


def pool_refill(*, size: int | None = None, blueprints: Sequence[Blueprint] | None = None) -> int:
    """Make pool schemas until each blueprint has ``size`` (default ``ORGANISATION_POOL_SIZE``). Returns how many."""
    wanted = settings.ORGANISATION_POOL_SIZE if size is None else size
    template = ensure_template_schema()
    made = 0
    for blueprint in blueprints or BLUEPRINTS.values():
        while True:
            with transaction.atomic():
                # Counted under a lock held until the new schema commits: concurrent refills (a refill
                # queued after each provisioning, the scheduler's) take turns and never overfill.
                _lock_pool_of(blueprint)
                if pool_size(blueprint=blueprint) >= wanted:
                    break
                name = f"{POOL_SCHEMA_PREFIX}{uuid.uuid4().hex[:16]}"
                clone_template(target=name, template=template)
                with in_schema(name):
                    organisation_hooks.site_seed.call_one(
                        name=POOL_PLACEHOLDER_NAME, hostname=f"{name[1:]}.pool.invalid", blueprint=blueprint
                    )
                PoolSchema.objects.create(
                    name=name, template=template, blueprint=blueprint.key, blueprint_version=blueprint.version
                )
            made += 1
    return made


#: The first key of the pool's advisory locks (the second is the blueprint's); any constant of our own.
_POOL_LOCK_CLASS = 0x504F4F4C  # "POOL"


def _lock_pool_of(blueprint: Blueprint) -> None:
    """Wait for, and hold until the transaction ends, the refill lock of ``blueprint``'s pool."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [_POOL_LOCK_CLASS, blueprint.key])


def pool_drain_stale() -> int:
    """Drop pool schemas of another template or of a blueprint version that is no longer current."""
    current = Q(template=template_schema_name()) & Q(
        *[Q(blueprint=bp.key, blueprint_version=bp.version) for bp in BLUEPRINTS.values()], _connector=Q.OR
    )
    dropped = 0
    for entry in PoolSchema.objects.exclude(current):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # DROP refuses tables with pending trigger events
            cursor.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(entry.name)))
            entry.delete()
        dropped += 1
    return dropped
