"""Writes to the organisation registry. ``organisation_create`` is the one way an organisation is made."""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django_tenants.utils import schema_context

from sites.blueprints import DEFAULT_BLUEPRINT, blueprint_get
from sites.seeding import site_seed
from tenants.models import Domain, Organisation
from tenants.naming import normalise_domain, schema_name_for_slug, validate_slug
from tenants.schema_template import clone_template, ensure_template_schema


def organisation_create(
    *,
    name: str,
    slug: str,
    domains: Sequence[str] = (),
    blueprint: str = DEFAULT_BLUEPRINT,
) -> Organisation:
    """Create an organisation with its schema (cloned from the template), domains and Wagtail site.

    All or nothing: the registry rows, the schema and the site are made in one transaction.
    Bad input raises ``ValidationError`` with field errors before anything is written.
    """
    name = (name or "").strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = ["A name is required."]
    elif len(name) > 200:
        errors["name"] = ["The name is longer than 200 characters."]
    try:
        validate_slug(slug)
    except ValidationError as exc:
        errors["slug"] = exc.messages
    try:
        chosen = blueprint_get(key=blueprint)
    except LookupError as exc:
        errors["blueprint"] = [str(exc)]
    hosts: list[str] = []
    for raw in domains or ([f"{slug}.{settings.PLATFORM_DOMAIN}"] if "slug" not in errors else []):
        try:
            host = normalise_domain(raw)
        except ValidationError as exc:
            errors.setdefault("domains", []).extend(exc.messages)
            continue
        if host in (settings.PLATFORM_DOMAIN, f"www.{settings.PLATFORM_DOMAIN}"):
            errors.setdefault("domains", []).append(f"{host} is the shared space's own domain.")
        elif host not in hosts:
            hosts.append(host)
    if errors:
        raise ValidationError(errors)
    if Organisation.objects.filter(slug=slug).exists():
        raise ValidationError({"slug": [f"An organisation with the slug '{slug}' already exists."]})
    taken = list(Domain.objects.filter(domain__in=hosts).values_list("domain", flat=True))
    if taken:
        raise ValidationError({"domains": [f"{host} is already in use." for host in taken]})

    template = ensure_template_schema()
    schema_name = schema_name_for_slug(slug)
    try:
        with transaction.atomic():
            organisation = Organisation(name=name, slug=slug, schema_name=schema_name)
            organisation.save()
            for index, host in enumerate(hosts):
                Domain.objects.create(tenant=organisation, domain=host, is_primary=index == 0)
            clone_template(target=schema_name, template=template)
            with schema_context(schema_name):
                site_seed(name=name, hostname=hosts[0], blueprint=chosen)
    except IntegrityError as exc:
        connection.set_schema_to_public()
        raise ValidationError(
            {"slug": [f"An organisation with the slug '{slug}' or one of its domains was created at the same time."]}
        ) from exc
    return organisation
