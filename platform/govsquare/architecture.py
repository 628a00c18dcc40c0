"""Architecture rules of the tenancy boundary, checked by ``manage.py check`` and by the test suite.

A model's table exists in the schemas of its app: the public schema if the app is in
``SHARED_APPS``, every organisation schema if it is in ``TENANT_APPS`` (both for the few apps
listed in ``govsquare.layout.BOTH_SIDES_APPS``). From that follow the rules:

1. Apps under ``shared_apps/`` are public-only and apps under ``tenant_apps/`` are organisation-side,
   unless listed on both sides on purpose; a model's module must sit inside its app's folder; each of
   the project's apps names its label explicitly.
2. A foreign key from a public-only model into an organisation-only model is forbidden: the public
   schema cannot know which organisation's row it means.
3. A foreign key whose rows exist in a schema where the target table does not (an organisation model
   pointing at a public account) cannot have a database constraint: ``db_constraint=False``.
4. A foreign key between models that do not live in the same set of schemas must be
   ``on_delete=DO_NOTHING``: a cascade would look for the table in the wrong schema, or be partial.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.core import checks
from django.db import models

from govsquare.layout import BOTH_SIDES_APPS

PUBLIC = "public"
ORGANISATION = "organisation"
PROJECT_APP_PREFIXES = ("shared_apps.", "tenant_apps.")
PROJECT_APPS = ("tenants",)


@dataclass(frozen=True)
class Violation:
    code: str
    message: str
    obj: object = None


def app_sides(app_name: str, *, shared_apps: Iterable[str], tenant_apps: Iterable[str]) -> frozenset[str]:
    sides = set()
    if app_name in shared_apps:
        sides.add(PUBLIC)
    if app_name in tenant_apps:
        sides.add(ORGANISATION)
    return frozenset(sides)


def _is_project_app(name: str) -> bool:
    return name.startswith(PROJECT_APP_PREFIXES) or name in PROJECT_APPS


def check_app_placement(
    app_configs: Iterable, *, shared_apps: list[str], tenant_apps: list[str], both_sides: list[str]
) -> list[Violation]:
    """Rule 1 for apps: folder decides the side; labels are explicit."""
    found = []
    for config in app_configs:
        name = config.name
        if not _is_project_app(name):
            continue
        if "label" not in type(config).__dict__:
            found.append(Violation("boundary.E001", f"App {name} must set an explicit label in its AppConfig.", config))
        in_shared, in_tenant = name in shared_apps, name in tenant_apps
        if name.startswith("shared_apps.") and ((in_tenant and name not in both_sides) or not in_shared):
            found.append(Violation("boundary.E002", f"App {name} is in shared_apps/ but is not public-only.", config))
        if name.startswith("tenant_apps.") and ((in_shared and name not in both_sides) or not in_tenant):
            found.append(
                Violation("boundary.E003", f"App {name} is in tenant_apps/ but is not organisation-side.", config)
            )
    return found


def check_models(
    model_list: Iterable[type[models.Model]], *, shared_apps: list[str], tenant_apps: list[str]
) -> list[Violation]:
    """Rules 1 (model placement) to 4 (foreign keys) for the given models."""
    found: list[Violation] = []

    def sides(model: type[models.Model]) -> frozenset[str]:
        return app_sides(model._meta.app_config.name, shared_apps=shared_apps, tenant_apps=tenant_apps)

    for model in model_list:
        opts = model._meta
        app_name = opts.app_config.name
        if _is_project_app(app_name) and not opts.auto_created:
            if not (model.__module__ == app_name or model.__module__.startswith(app_name + ".")):
                found.append(
                    Violation(
                        "boundary.E004",
                        f"Model {opts.label} is defined in {model.__module__}, outside its app {app_name}: "
                        "it would live on the other side of the boundary from its code.",
                        model,
                    )
                )
        if opts.proxy or not opts.managed:
            continue
        source = sides(model)
        for field in opts.local_fields:
            if not field.is_relation or field.related_model is None:
                continue
            target_model = field.related_model
            target = sides(target_model)
            where = f"{opts.label}.{field.name} -> {target_model._meta.label}"
            if source == frozenset({PUBLIC}) and target == frozenset({ORGANISATION}):
                found.append(
                    Violation(
                        "boundary.E005",
                        f"{where}: a shared (public-schema) model must not point into an organisation schema.",
                        model,
                    )
                )
                continue
            if not source <= target and field.db_constraint:
                found.append(
                    Violation(
                        "boundary.E006",
                        f"{where}: rows exist in schemas where the target table does not; use db_constraint=False.",
                        model,
                    )
                )
            if source != target and field.remote_field.on_delete is not models.DO_NOTHING:
                found.append(
                    Violation(
                        "boundary.E007",
                        f"{where}: the two models live in different schemas; use on_delete=DO_NOTHING "
                        "and clean up schema by schema.",
                        model,
                    )
                )
    return found


def tenancy_boundary_check(app_configs=None, **kwargs) -> list[checks.CheckMessage]:  # type: ignore[no-untyped-def]
    """Django system check: ``manage.py check`` fails on any violation."""
    violations = check_app_placement(
        apps.get_app_configs(),
        shared_apps=settings.SHARED_APPS,
        tenant_apps=settings.TENANT_APPS,
        both_sides=BOTH_SIDES_APPS,
    )
    violations += check_models(
        apps.get_models(include_auto_created=True),
        shared_apps=settings.SHARED_APPS,
        tenant_apps=settings.TENANT_APPS,
    )
    return [checks.Error(v.message, obj=v.obj, id=v.code) for v in violations]
