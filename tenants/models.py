"""Organisations and their domains: the registry in the public schema (django-tenants' tenant and domain)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django_tenants.models import DomainMixin, TenantMixin


class Organisation(TenantMixin):
    """A government organisation with its own intranet subsite in its own schema.

    Created only through ``tenants.services.organisation_create`` (schema cloned from the template).
    """

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=40, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    # Schemas are cloned by tenants.services, never created by django-tenants on save().
    auto_create_schema = False
    auto_drop_schema = False

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def platform_host(self) -> str:
        """The organisation's host on the platform domain: ``<slug>.<PLATFORM_DOMAIN>``."""
        return f"{self.slug}.{settings.PLATFORM_DOMAIN}"

    def primary_host(self) -> str:
        domain = self.domains.filter(is_primary=True).first()
        return domain.domain if domain else self.platform_host


class Domain(DomainMixin):
    """A host name on which an organisation's subsite answers (stored lower-case, punycode)."""

    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-is_primary", "domain"]
