"""The "Featured groups" screen of an organisation's Wagtail admin (Settings menu), for its administrators."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from tenant_apps.featured_groups.selectors import featured_groups_all
from tenant_apps.featured_groups.services import FEATURED_MAX, featured_group_add, featured_group_remove
from tenant_apps.members.admin_views import administrator_required
from tenant_apps.members.memberships import actor_for_user
from tenants.errors import error_messages_by_field
from tenants.models import Organisation


class FeatureForm(forms.Form):
    group = forms.CharField(
        label=gettext_lazy("The group's address on the shared space (the part after /groups/)"), max_length=60
    )


@require_http_methods(["GET", "POST"])
@administrator_required
def featured_groups(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    form = FeatureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            featured = featured_group_add(
                organisation=organisation,
                group_slug=form.cleaned_data["group"],
                actor=actor_for_user(user=request.user),
            )
        except ValidationError as error:
            for message_list in error_messages_by_field(error).values():
                for message in message_list:
                    form.add_error(None, message)
        else:
            messages.success(request, _("%(group)s is featured on the home page.") % {"group": featured.group.name})
            return redirect("featured_groups")
    status = 400 if request.method == "POST" else 200
    context = {"organisation": organisation, "form": form, "featured": featured_groups_all(), "limit": FEATURED_MAX}
    return TemplateResponse(request, "featured_groups/admin.html", context, status=status)


@require_POST
@administrator_required
def remove(request: HttpRequest, organisation: Organisation, featured_id: int) -> HttpResponse:
    try:
        featured_group_remove(
            organisation=organisation, featured_id=featured_id, actor=actor_for_user(user=request.user)
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The group is no longer featured."))
    return redirect("featured_groups")
