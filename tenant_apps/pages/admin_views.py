"""The "Visibility" screen of an organisation's Wagtail admin (Settings menu): its administrators choose
who sees the content that has no level of its own, and the level each collection of documents and
images carries. Thin: the changes are ``tenants.services``' and ``tenant_apps.pages.services``'."""

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
from wagtail.models import Collection

from sites.blueprints import VISIBILITY_CHOICES
from tenant_apps.members.admin_views import administrator_required
from tenant_apps.members.memberships import actor_for_user
from tenant_apps.pages.services import collection_level_set
from tenant_apps.pages.visibility import Level, collections_with_levels
from tenants.models import Organisation
from tenants.services import organisation_set_default_visibility


class DefaultVisibilityForm(forms.Form):
    default_visibility = forms.ChoiceField(
        label=gettext_lazy("Who sees pages, documents and images that have no level of their own"),
        choices=VISIBILITY_CHOICES,
        widget=forms.RadioSelect,
    )


@require_http_methods(["GET", "POST"])
@administrator_required
def default_visibility(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    form = DefaultVisibilityForm(request.POST or None, initial={"default_visibility": organisation.default_visibility})
    if request.method == "POST" and form.is_valid():
        level = form.cleaned_data["default_visibility"]
        try:
            organisation_set_default_visibility(
                organisation=organisation, level=level, actor=actor_for_user(user=request.user)
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(
                request,
                _("Content without a level of its own is now visible to: %(audience)s.")
                % {"audience": str(dict(VISIBILITY_CHOICES)[level]).lower()},
            )
            return redirect("pages_default_visibility")
    status = 400 if request.method == "POST" else 200
    return TemplateResponse(request, "pages/admin/default_visibility.html", _context(organisation, form), status=status)


def _context(organisation: Organisation, form: DefaultVisibilityForm) -> dict:
    labels = dict(VISIBILITY_CHOICES)
    collections = [
        {
            "collection": row.collection,
            "own": labels[row.own.key] if row.own is not None else None,
            "own_key": row.own.key if row.own is not None else "",
            "effective": labels[row.effective.key],
            "choices": [(level.key, labels[level.key]) for level in Level if level <= row.widest_allowed],
        }
        for row in collections_with_levels()
    ]
    return {"organisation": organisation, "form": form, "collections": collections}


class CollectionLevelForm(forms.Form):
    level = forms.ChoiceField(choices=VISIBILITY_CHOICES)


@require_POST
@administrator_required
def collection_level(request: HttpRequest, organisation: Organisation, collection_id: int) -> HttpResponse:
    collection = Collection.objects.filter(pk=collection_id).first()
    form = CollectionLevelForm(request.POST)
    if collection is None:
        messages.error(request, _("That collection no longer exists."))
    elif not form.is_valid():
        messages.error(request, _("Choose a level: the organisation, all civil servants or everyone."))
    else:
        level = form.cleaned_data["level"]
        try:
            collection_level_set(collection=collection, level=level, actor=actor_for_user(user=request.user))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("Documents and images in %(collection)s are now visible to: %(audience)s.")
                % {"collection": collection.name, "audience": str(dict(VISIBILITY_CHOICES)[level]).lower()},
            )
    return redirect("pages_default_visibility")
