"""What drops the cached branding: saving or deleting the setting, its links, or any page (a linked
page's title, address or visibility may have changed)."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models.signals import post_delete, post_save
from wagtail.models import Page

from tenant_apps.branding.models import Branding, BrandingFooterLink, BrandingNavigationLink
from tenant_apps.branding.services import branding_cache_clear


def _branding_changed(sender: type, **kwargs: Any) -> None:
    branding_cache_clear()


def _page_changed(sender: type, instance: Any = None, **kwargs: Any) -> None:
    if isinstance(instance, Page) and connection.schema_name != "public":
        branding_cache_clear()


def connect() -> None:
    for model in (Branding, BrandingNavigationLink, BrandingFooterLink):
        post_save.connect(_branding_changed, sender=model, dispatch_uid=f"org_branding_save_{model.__name__}")
        post_delete.connect(_branding_changed, sender=model, dispatch_uid=f"org_branding_delete_{model.__name__}")
    post_save.connect(_page_changed, dispatch_uid="org_branding_page_saved")
    post_delete.connect(_page_changed, dispatch_uid="org_branding_page_deleted")
