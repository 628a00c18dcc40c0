"""The tenancy boundary: the real code base passes, and each rule catches a model on the wrong side."""

from __future__ import annotations

import pytest
from django.apps import AppConfig, apps
from django.conf import settings
from django.core.management import call_command
from django.db import models
from django.test.utils import isolate_apps

from govsquare import layout
from govsquare.architecture import check_app_placement, check_models
from shared_apps.people.models import User  # the real, both-sides user model

SHARED = settings.SHARED_APPS
TENANT = settings.TENANT_APPS


def _codes(violations):
    return sorted(v.code for v in violations)


def test_installed_apps_follow_the_folders():
    for name in layout.apps_in_folder("shared_apps"):
        assert name in SHARED, name
        assert name not in TENANT or name in layout.BOTH_SIDES_APPS, name
    for name in layout.apps_in_folder("tenant_apps"):
        assert name in TENANT, name
        assert name not in SHARED or name in layout.BOTH_SIDES_APPS, name
    assert "tenants" in SHARED and "tenants" not in TENANT
    assert settings.INSTALLED_APPS[:2] == ["django_tenants", "tenants"]


def test_the_code_base_has_no_boundary_violations():
    violations = check_app_placement(
        apps.get_app_configs(), shared_apps=SHARED, tenant_apps=TENANT, both_sides=layout.BOTH_SIDES_APPS
    )
    violations += check_models(apps.get_models(include_auto_created=True), shared_apps=SHARED, tenant_apps=TENANT)
    assert violations == []


def test_manage_py_check_runs_the_boundary_rules():
    call_command("check", "--fail-level", "ERROR", tags=["govsquare"])


@isolate_apps("shared_apps.accounts", "shared_apps.people", "tenants", "tenant_apps.pages")
def test_fk_from_a_shared_model_into_an_organisation_schema_is_caught():
    class OrgOnly(models.Model):
        class Meta:
            app_label = "org_pages"

        __module__ = "tenant_apps.pages.models"

    class SharedThing(models.Model):
        target = models.ForeignKey(OrgOnly, on_delete=models.CASCADE)

        class Meta:
            app_label = "accounts"

        __module__ = "shared_apps.accounts.models"

    # Treat the pages app as organisation-only for this check.
    shared = [name for name in SHARED if name != "tenant_apps.pages"]
    assert _codes(check_models([SharedThing], shared_apps=shared, tenant_apps=TENANT)) == ["boundary.E005"]


@isolate_apps("shared_apps.accounts", "tenant_apps.pages")
def test_fk_from_an_organisation_model_to_a_public_model_needs_no_constraint_and_do_nothing():
    class PublicThing(models.Model):
        class Meta:
            app_label = "accounts"

        __module__ = "shared_apps.accounts.models"

    class Careless(models.Model):
        account = models.ForeignKey(PublicThing, on_delete=models.CASCADE)

        class Meta:
            app_label = "org_pages"

        __module__ = "tenant_apps.pages.models"

    class Careful(models.Model):
        account = models.ForeignKey(PublicThing, on_delete=models.DO_NOTHING, db_constraint=False)

        class Meta:
            app_label = "org_pages"

        __module__ = "tenant_apps.pages.models"

    tenant_only = [name for name in TENANT]
    shared = [name for name in SHARED if name != "tenant_apps.pages"]
    assert _codes(check_models([Careless], shared_apps=shared, tenant_apps=tenant_only)) == [
        "boundary.E006",
        "boundary.E007",
    ]
    assert check_models([Careful], shared_apps=shared, tenant_apps=tenant_only) == []


@isolate_apps("shared_apps.people", "tenant_apps.pages")
def test_organisation_only_model_cascading_from_a_both_sides_model_is_caught():
    class Note(models.Model):
        author = models.ForeignKey(User, on_delete=models.CASCADE)

        class Meta:
            app_label = "org_pages"

        __module__ = "tenant_apps.pages.models"

    shared = [name for name in SHARED if name != "tenant_apps.pages"]
    assert "boundary.E007" in _codes(check_models([Note], shared_apps=shared, tenant_apps=TENANT))


@isolate_apps("shared_apps.accounts")
def test_model_defined_outside_its_apps_folder_is_caught():
    class Stray(models.Model):
        class Meta:
            app_label = "accounts"

        __module__ = "tenant_apps.pages.models"  # code in an organisation app, table in the public one

    assert _codes(check_models([Stray], shared_apps=SHARED, tenant_apps=TENANT)) == ["boundary.E004"]


def test_shared_app_installed_in_organisation_schemas_is_caught():
    config = apps.get_app_config("accounts")
    violations = check_app_placement(
        [config], shared_apps=SHARED, tenant_apps=[*TENANT, config.name], both_sides=layout.BOTH_SIDES_APPS
    )
    assert _codes(violations) == ["boundary.E002"]


def test_organisation_app_installed_in_public_schema_without_being_declared_is_caught():
    config = apps.get_app_config("org_pages")
    both = [name for name in layout.BOTH_SIDES_APPS if name != config.name]
    violations = check_app_placement([config], shared_apps=SHARED, tenant_apps=TENANT, both_sides=both)
    assert _codes(violations) == ["boundary.E003"]


def test_app_without_explicit_label_is_caught():
    class Unlabelled(AppConfig):
        name = "tenant_apps.pages"

    config = Unlabelled("tenant_apps.pages", apps.get_app_config("org_pages").module)
    violations = check_app_placement(
        [config], shared_apps=SHARED, tenant_apps=TENANT, both_sides=layout.BOTH_SIDES_APPS
    )
    assert _codes(violations) == ["boundary.E001"]


@pytest.mark.parametrize("folder", ["shared_apps", "tenant_apps"])
def test_every_project_app_declares_its_label(folder):
    for name in layout.apps_in_folder(folder):
        config = next(c for c in apps.get_app_configs() if c.name == name)
        assert "label" in type(config).__dict__, name
