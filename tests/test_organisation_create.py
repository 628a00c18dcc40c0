"""Organisations are cloned from a template schema that cannot be stale; creation is all or nothing."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import connection
from django_tenants.utils import tenant_context
from psycopg import sql

from tenants import provisioning, schema_template
from tenants.models import Domain, Organisation
from tenants.provisioning import organisation_create
from tenants.schema_template import (
    TemplateError,
    clone_template,
    ensure_template_schema,
    migration_graph_hash,
    template_schema_name,
)
from tenants.selectors import schemas_behind_migrations
from tests.accounts_support import account_mails_inline  # noqa: F401 (autouse: the e-mails' task runs when queued)
from tests.harness.clients import client_for

pytestmark = pytest.mark.django_db


def _catalogue(schema: str) -> dict[str, list]:
    queries = {
        "tables": "SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE nspname = %s AND relkind = 'r' ORDER BY 1",
        "columns": "SELECT table_name, column_name, data_type, is_nullable, is_identity FROM "
        "information_schema.columns WHERE table_schema = %s ORDER BY 1, 2",
        "constraints": "SELECT cl.relname, con.conname, con.contype, pg_get_constraintdef(con.oid) "
        "FROM pg_constraint con JOIN pg_class cl ON cl.oid = con.conrelid JOIN pg_namespace n "
        "ON n.oid = cl.relnamespace WHERE nspname = %s AND con.contype <> 'n' ORDER BY 1, 2",
        # Structure of each index; a partial index's predicate text is re-deparsed by PostgreSQL on
        # the way through pg_get_indexdef(), so only its presence is compared.
        "indexes": "SELECT ic.relname, i.indisunique, i.indisprimary, i.indclass::text, (SELECT array_agg(a.attname "
        "ORDER BY k.n) FROM unnest(i.indkey) WITH ORDINALITY k(attnum, n) JOIN pg_attribute a "
        "ON a.attrelid = i.indrelid AND a.attnum = k.attnum)::text, "
        "i.indexprs IS NULL, i.indpred IS NULL, am.amname FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid "
        "JOIN pg_am am ON am.oid = ic.relam JOIN pg_namespace n ON n.oid = ic.relnamespace "
        "WHERE nspname = %s ORDER BY 1",
    }
    with connection.cursor() as cursor:
        result = {}
        for key, query in queries.items():
            cursor.execute(query, [schema])
            # A clone's foreign keys must point into the clone itself: compare with the schema name blanked.
            result[key] = [tuple(str(v).replace(f"{schema}.", "<schema>.") for v in row) for row in cursor.fetchall()]
    return result


def test_a_clone_has_exactly_the_template_tables_constraints_and_indexes(world):
    template = ensure_template_schema()
    clone, original = _catalogue("org_a"), _catalogue(template)
    assert clone["tables"] == original["tables"] and len(clone["tables"]) > 40
    assert clone["columns"] == original["columns"]
    assert clone["constraints"] == original["constraints"]
    assert clone["indexes"] == original["indexes"]


def test_a_clone_is_born_with_every_migration_applied(world):
    assert schemas_behind_migrations(schema_names=["public", "org_a", "org_b"]) == {}


def test_a_schema_behind_the_code_is_reported(world):
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM org_b.django_migrations WHERE app = 'people' AND name = '0002_role_groups'")
    assert schemas_behind_migrations(schema_names=["org_a", "org_b", "no_such_schema"]) == {
        "org_b": 1,
        "no_such_schema": len(schema_template.MigrationLoader(None).graph.leaf_nodes()),
    }


def test_identity_columns_continue_after_the_template_rows(world):
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("SELECT max(id) FROM {}.auth_group").format(sql.Identifier(ensure_template_schema())))
        template_max = cursor.fetchone()[0]
    assert template_max >= 4  # Wagtail's groups and the role groups came with the template
    with tenant_context(world.org_a):
        assert Group.objects.create(name="Made after the clone").pk == template_max + 1  # no duplicate key


def test_template_name_follows_the_migration_graph(monkeypatch, tmp_path):
    before = migration_graph_hash()
    changed = tmp_path / "0002_changed.py"
    changed.write_text("# a different migration file\n")
    real = schema_template._module_file
    monkeypatch.setattr(
        schema_template, "_module_file", lambda name: changed if name.endswith("0002_role_groups") else real(name)
    )
    after = migration_graph_hash()
    assert before != after
    assert template_schema_name(graph_hash=before) != template_schema_name(graph_hash=after)


def test_an_incomplete_template_is_never_cloned(world):
    template = ensure_template_schema()
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("COMMENT ON SCHEMA {} IS NULL").format(sql.Identifier(template)))
    with pytest.raises(TemplateError, match="missing or incomplete"):
        clone_template(target="never_made", template=template)


def test_new_organisation_serves_its_home_page_on_its_default_host(world):
    organisation = organisation_create(name="Organisation C", slug="org-c")

    assert organisation.schema_name == "org_c"
    assert list(organisation.domains.values_list("domain", "is_primary")) == [("org-c.govsquare.localhost", True)]
    response = client_for(organisation).get("/")
    assert response.status_code == 200 and b"Organisation C" in response.content
    assert b"Organisation C" not in client_for(world.org_a).get("/").content


def test_custom_domains_are_stored_as_punycode_and_the_first_is_primary(world):
    organisation = organisation_create(
        name="Gemeente Ærø", slug="aero", domains=["Intranet.ÆRØ.example", "aero.govsquare.localhost"]
    )
    domains = list(organisation.domains.order_by("-is_primary").values_list("domain", "is_primary"))
    punycode = "ærø".encode("idna").decode()
    assert punycode.startswith("xn--")
    assert domains == [(f"intranet.{punycode}.example", True), ("aero.govsquare.localhost", False)]
    assert client_for(None, host=f"intranet.{punycode}.example").get("/").status_code == 200


def _schemas() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nspname FROM pg_namespace")
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"slug": "public"}, "slug"),
        ({"slug": "pg-catalog"}, "slug"),
        ({"slug": "information-schema"}, "slug"),
        ({"slug": "Upper"}, "slug"),
        ({"slug": "with space"}, "slug"),
        ({"slug": 'x"; DROP SCHEMA public; --'}, "slug"),
        ({"slug": "a" * 41}, "slug"),
        ({"slug": "-leading"}, "slug"),
        ({"slug": "org-a"}, "slug"),  # taken by the world
        ({"name": ""}, "name"),
        ({"blueprint": "casino"}, "blueprint"),
        ({"domains": ["not a domain"]}, "domains"),
        ({"domains": ["http://x.example/"]}, "domains"),
        ({"domains": ["org-a.govsquare.localhost"]}, "domains"),  # org A's
        ({"domains": ["govsquare.localhost"]}, "domains"),  # the shared space's
    ],
)
def test_bad_input_is_refused_with_a_field_error_and_creates_nothing(world, kwargs, field):
    before_schemas, before_orgs, before_domains = _schemas(), Organisation.objects.count(), Domain.objects.count()
    arguments = {"name": "New organisation", "slug": "new-org"} | kwargs

    with pytest.raises(ValidationError) as error:
        organisation_create(**arguments)

    assert field in error.value.message_dict
    assert _schemas() == before_schemas
    assert (Organisation.objects.count(), Domain.objects.count()) == (before_orgs, before_domains)


@pytest.mark.parametrize("failing_step", ["create_schema", "seed_site", "invite_first_administrator", "activate"])
def test_a_failure_at_any_step_leaves_nothing_behind_and_a_retry_succeeds(world, monkeypatch, failing_step, mailoutbox):
    def explode(**kwargs):
        raise RuntimeError(f"injected failure in {failing_step}")

    before_schemas = _schemas()
    monkeypatch.setattr(provisioning, failing_step, explode)
    with pytest.raises(provisioning.ProvisioningFailed, match="injected failure"):
        organisation_create(name="Fragile", slug="fragile", admin_email="boss@fragile.example")

    assert connection.schema_name == "public"
    assert _schemas() == before_schemas
    assert not Organisation.objects.filter(slug="fragile").exists()
    assert not Domain.objects.filter(domain__startswith="fragile.").exists()
    assert mailoutbox == []  # no invitation went out

    monkeypatch.undo()
    organisation = organisation_create(name="Fragile", slug="fragile", admin_email="boss@fragile.example")
    assert client_for(organisation).get("/").status_code == 200
