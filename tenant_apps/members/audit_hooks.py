"""Settings > Audit trail in an organisation's Wagtail admin (imported by ``MembersConfig.ready()``)."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from tenant_apps.members.audit_admin import audit_trail
from tenant_apps.members.selectors import is_administrator
from tenants.models import Organisation


class AuditTrailMenuItem(MenuItem):
    """Shown to the organisation's administrators only."""

    def is_shown(self, request: HttpRequest) -> bool:
        return isinstance(getattr(request, "tenant", None), Organisation) and is_administrator(user=request.user)


@hooks.register("register_admin_urls")
def register_audit_trail_url():  # type: ignore[no-untyped-def]
    return [path("audit-trail/", audit_trail, name="members_audit_trail")]


@hooks.register("register_settings_menu_item")
def register_audit_trail_menu_item() -> MenuItem:
    return AuditTrailMenuItem(
        _("Audit trail"), reverse("members_audit_trail"), name="audit-trail", icon_name="history", order=900
    )
