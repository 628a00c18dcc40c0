"""The "Members" menu item and screens in an organisation's Wagtail admin, shown to its administrators only."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import re_path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from tenant_apps.members import admin_urls, admin_views
from tenant_apps.members.selectors import is_administrator
from tenants.models import Organisation


class AdministratorsMenuItem(MenuItem):
    """A menu item shown to the organisation's administrators only (Members, Visibility)."""

    def is_shown(self, request: HttpRequest) -> bool:
        return isinstance(getattr(request, "tenant", None), Organisation) and is_administrator(user=request.user)


@hooks.register("register_admin_urls")
def register_members_urls():  # type: ignore[no-untyped-def]
    return admin_urls.urlpatterns


#: Wagtail's own Users and Groups admin (its ``wagtailusers`` viewsets), closed on every subsite.
WAGTAIL_ACCOUNT_MENU_ITEMS = frozenset({"users", "groups"})


@hooks.register("register_admin_urls", order=-100)
def close_wagtails_users_and_groups():  # type: ignore[no-untyped-def]
    """Before Wagtail's viewsets' URLs (its own ``register_admin_urls`` hook, order 0), so these answer first."""
    return [re_path(r"^(?:users|groups)/", admin_views.wagtail_accounts_closed, name="members_wagtail_accounts_closed")]


@hooks.register("construct_settings_menu")
def hide_wagtails_users_and_groups(request: HttpRequest, menu_items: list[MenuItem]) -> None:
    menu_items[:] = [item for item in menu_items if item.name not in WAGTAIL_ACCOUNT_MENU_ITEMS]


@hooks.register("construct_search")
def hide_wagtails_users_search(request: HttpRequest, search_areas: list) -> None:
    """The admin's search offers no "Users" area (it leads to the closed screen)."""
    search_areas[:] = [area for area in search_areas if area.name not in WAGTAIL_ACCOUNT_MENU_ITEMS]


@hooks.register("register_admin_menu_item")
def register_members_menu_item() -> MenuItem:
    return AdministratorsMenuItem(_("Members"), reverse("members_index"), name="members", icon_name="group", order=650)
