"""The "Members" menu item and screens in an organisation's Wagtail admin, shown to its administrators only."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from tenant_apps.members import admin_urls
from tenant_apps.members.selectors import is_administrator
from tenants.models import Organisation


class AdministratorsMenuItem(MenuItem):
    """A menu item shown to the organisation's administrators only (Members, Visibility)."""

    def is_shown(self, request: HttpRequest) -> bool:
        return isinstance(getattr(request, "tenant", None), Organisation) and is_administrator(user=request.user)


@hooks.register("register_admin_urls")
def register_members_urls():  # type: ignore[no-untyped-def]
    return admin_urls.urlpatterns


@hooks.register("register_admin_menu_item")
def register_members_menu_item() -> MenuItem:
    return AdministratorsMenuItem(_("Members"), reverse("members_index"), name="members", icon_name="group", order=650)
