"""Reads about organisations and schemas. The request -> organisation decision lives here."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.models import QuerySet
from psycopg import sql

from tenants.models import Domain, Organisation
from tenants.naming import host_without_port


@dataclass(frozen=True)
class HostResolution:
    """What a request's host is for: the shared space (``organisation is None``) or one organisation."""

    organisation: Organisation | None
    primary_domain: str | None = None

    @property
    def is_shared_space(self) -> bool:
        return self.organisation is None


def resolve_host(*, host: str) -> HostResolution | None:
    """Decide which schema serves ``host``. ``None`` means: unknown host (answer 404, name nobody).

    * ``PLATFORM_DOMAIN`` (and ``www.`` in front of it) -> the shared space, public schema;
    * a registered domain (``<slug>.<PLATFORM_DOMAIN>`` or a custom domain) -> that organisation,
      with its primary domain (other domains redirect there).
    """
    name = host_without_port(host)
    platform = settings.PLATFORM_DOMAIN
    if name in (platform, f"www.{platform}"):
        return HostResolution(organisation=None)
    try:
        domain = Domain.objects.select_related("tenant").get(domain=name)
    except Domain.DoesNotExist:
        return None
    if domain.is_primary:
        return HostResolution(organisation=domain.tenant, primary_domain=name)
    primary = Domain.objects.filter(tenant_id=domain.tenant_id, is_primary=True).values_list("domain", flat=True)
    return HostResolution(organisation=domain.tenant, primary_domain=primary.first())


def organisation_list() -> QuerySet[Organisation]:
    return Organisation.objects.prefetch_related("domains").order_by("name")


def organisations_active() -> QuerySet[Organisation]:
    """The organisations people can visit: never one being set up, suspended or scheduled for deletion."""
    return Organisation.objects.filter(status=Organisation.Status.ACTIVE).order_by("name", "pk")


def organisation_get(*, slug: str) -> Organisation:
    return Organisation.objects.get(slug=slug)


def expected_migration_leaves() -> set[tuple[str, str]]:
    """The leaf nodes of the migration graph on disk: a schema that has applied these is up to date."""
    loader = MigrationLoader(None, ignore_no_migrations=True, load=True)
    return set(loader.graph.leaf_nodes())


def schemas_behind_migrations(*, schema_names: list[str]) -> dict[str, int]:
    """``{schema: number of leaf migrations not applied}`` for every given schema that is behind.

    One query over every schema's ``django_migrations`` (a schema without the table counts as fully
    behind), so checking hundreds of organisations costs one round trip.
    """
    if not schema_names:
        return {}
    leaves = sorted(expected_migration_leaves())
    existing = _schemas_with_migrations_table(schema_names=schema_names)
    behind = {name: len(leaves) for name in schema_names if name not in existing}
    present = [name for name in schema_names if name in existing]
    if not present:
        return behind
    union = sql.SQL(" UNION ALL ").join(
        sql.SQL("SELECT {label} AS schema_name, app, name FROM {schema}.django_migrations").format(
            label=sql.Literal(name), schema=sql.Identifier(name)
        )
        for name in present
    )
    leaf_values = sql.SQL(", ").join(sql.SQL("({}, {})").format(sql.Literal(a), sql.Literal(n)) for a, n in leaves)
    query = sql.SQL(
        "SELECT schema_name, count(DISTINCT (app, name)) FROM ({union}) applied "
        "WHERE (app, name) IN ({leaves}) GROUP BY schema_name"
    ).format(union=union, leaves=leaf_values)
    with connection.cursor() as cursor:
        cursor.execute(query.as_string(cursor.connection))
        applied = dict(cursor.fetchall())
    for name in present:
        missing = len(leaves) - applied.get(name, 0)
        if missing:
            behind[name] = missing
    return behind


def _schemas_with_migrations_table(*, schema_names: list[str]) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_schema FROM information_schema.tables "
            "WHERE table_name = 'django_migrations' AND table_schema = ANY(%s)",
            [list(schema_names)],
        )
        return {row[0] for row in cursor.fetchall()}
