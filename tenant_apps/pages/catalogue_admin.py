"""Settings > Apps in an organisation's Wagtail admin: its administrators switch the catalogue's apps on and
off (``sites.catalogue``). Thin: the change is ``tenants.services.organisation_set_apps`` (audited)."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.apps import apps as django_apps
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from sites import catalogue
from tenant_apps.members.admin_views import administrator_required
from tenant_apps.members.memberships import actor_for_user
from tenants.models import Organisation
from tenants.services import organisation_set_apps


class AppsForm(forms.Form):
    apps = forms.MultipleChoiceField(
        label=gettext_lazy("Apps switched on for this subsite"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["apps"].choices = [(app.key, _(app.label)) for app in catalogue.catalogue_apps()]


@dataclass(frozen=True)
class AppRow:
    """One app as the screen shows it: what it brings, and whether it is on."""

    app: catalogue.CatalogueApp
    on: bool
    page_types: list[str]
    home_blocks: list[str]
    settings_links: list[tuple[str, str]]
    scheduled: list[str]

    @property
    def label(self) -> str:
        return _(self.app.label)

    @property
    def description(self) -> str:
        return _(self.app.description)


def _page_type_name(label: str) -> str:
    try:
        return str(django_apps.get_model(label)._meta.verbose_name)
    except LookupError:
        return label


def _settings_links(app: catalogue.CatalogueApp) -> list[tuple[str, str]]:
    links = []
    for name in app.settings_urls:
        try:
            links.append((name, reverse(name)))
        except NoReverseMatch:
            continue
    return links


def app_rows(*, organisation: Organisation) -> list[AppRow]:
    enabled = set(organisation.enabled_apps or [])
    return [
        AppRow(
            app=app,
            on=app.key in enabled,
            page_types=[_page_type_name(label) for label in app.page_types],
            home_blocks=[_(block.label) for block in app.home_blocks],
            settings_links=_settings_links(app),
            scheduled=[task.name for task in app.scheduled_tasks],
        )
        for app in catalogue.catalogue_apps()
    ]


@require_http_methods(["GET", "POST"])
@administrator_required
def apps_settings(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    enabled = [key for key in organisation.enabled_apps or [] if key in {app.key for app in catalogue.catalogue_apps()}]
    form = AppsForm(request.POST or None, initial={"apps": enabled})
    if request.method == "POST":
        if form.is_valid():
            chosen = form.cleaned_data["apps"]
            try:
                organisation_set_apps(organisation=organisation, apps=chosen, actor=actor_for_user(user=request.user))
            except ValidationError as error:
                for message in error.messages:
                    form.add_error(None, message)
            else:
                on = [_(catalogue.catalogue_app(key).label) for key in chosen if key not in enabled]
                off = [_(catalogue.catalogue_app(key).label) for key in enabled if key not in chosen]
                if on:
                    messages.success(request, _("Switched on: %(apps)s.") % {"apps": ", ".join(on)})
                if off:
                    messages.success(
                        request,
                        _("Switched off: %(apps)s. Their pages are kept and come back when switched on again.")
                        % {"apps": ", ".join(off)},
                    )
                if not on and not off:
                    messages.info(request, _("Nothing changed."))
                return redirect("pages_apps_settings")
        status = 400
    else:
        status = 200
    context = {"form": form, "organisation": organisation, "rows": app_rows(organisation=organisation)}
    return TemplateResponse(request, "pages/admin/apps.html", context, status=status)
