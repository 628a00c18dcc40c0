"""Settings > Audit trail in an organisation's Wagtail admin: its administrators read their organisation's
own trail (keyed by its id, newest first, paginated, filtered by action). Read only: no form writes here.
Platform operators keep the platform-wide trail in the operator screens."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from tenant_apps.members.admin_views import organisation_of
from tenant_apps.members.selectors import is_administrator
from tenants.audit import organisation_audit_actions, organisation_audit_trail

PER_PAGE = 50


@require_GET
def audit_trail(request: HttpRequest) -> HttpResponse:
    organisation = organisation_of(request)
    if not is_administrator(user=request.user):
        raise PermissionDenied(_("Only the organisation's administrators read its audit trail."))
    actions = organisation_audit_actions(organisation=organisation)
    action = request.GET.get("action", "")
    if action not in actions:
        action = ""
    paginator = Paginator(organisation_audit_trail(organisation=organisation, action=action), PER_PAGE)
    page = paginator.get_page(request.GET.get("p"))
    context = {
        "organisation": organisation,
        "events": page,
        "items": page,
        "elided_page_range": paginator.get_elided_page_range(page.number),
        "actions": actions,
        "action": action,
    }
    return TemplateResponse(request, "members/admin/audit_trail.html", context)
