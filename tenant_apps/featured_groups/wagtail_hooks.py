"""The "Featured groups" screen in the Settings menu of an organisation's Wagtail admin."""

from __future__ import annotations

from django.urls import path, reverse
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from tenant_apps.featured_groups import admin_views
from tenant_apps.members.wagtail_hooks import AdministratorsMenuItem


@hooks.register("register_admin_urls")
def register_featured_groups_urls():  # type: ignore[no-untyped-def]
    return [
        path("featured-groups/", admin_views.featured_groups, name="featured_groups"),
        path("featured-groups/<int:featured_id>/remove/", admin_views.remove, name="featured_groups_remove"),
    ]


@hooks.register("register_settings_menu_item")
def register_featured_groups_menu_item() -> MenuItem:
    return AdministratorsMenuItem(
        gettext_lazy("Featured groups"),
        reverse("featured_groups"),
        name="featured-groups",
        icon_name="group",
        order=620,
    )
