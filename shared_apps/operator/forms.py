"""Forms of the operator pages. Deliberately lenient: the registry's services do the validating, so a
refusal reads the same in the pages, the API and the command line; the forms only carry input back."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from sites.blueprints import BLUEPRINTS, DEFAULT_BLUEPRINT
from sites.catalogue import catalogue_apps


def split_hosts(text: str) -> list[str]:
    """Host names typed one per line (commas and spaces separate too)."""
    return [part for part in re.split(r"[\s,;]+", text or "") if part]


class _UncheckedMultipleChoiceField(forms.MultipleChoiceField):
    """Checkboxes whose keys the service checks (and names, when unknown)."""

    def validate(self, value: Any) -> None:
        return None


class OrganisationCreateForm(forms.Form):
    name = forms.CharField(label=_("Name"), required=False, strip=False)
    slug = forms.CharField(
        label=_("Slug"),
        required=False,
        help_text=_("Lower-case letters, digits and hyphens; also the subsite's host name."),
    )
    domains = forms.CharField(
        label=_("Domains"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line; the first is primary. Empty: <slug> on the platform domain."),
    )
    email_domains = forms.CharField(
        label=_("E-mail domains"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Government e-mail domains of the organisation's staff, one per line."),
    )
    blueprint = forms.CharField(
        label=_("Blueprint"),
        required=False,
        initial=DEFAULT_BLUEPRINT,
        # The labels are marked for translation where they are defined (sites.blueprints).
        widget=forms.Select(choices=[(key, _(blueprint.label)) for key, blueprint in BLUEPRINTS.items()]),
    )
    admin_email = forms.CharField(
        label=_("First administrator's e-mail"),
        required=False,
        help_text=_("Invited as administrator of the subsite."),
    )
    apps = _UncheckedMultipleChoiceField(
        label=_("Apps"),
        required=False,
        # The catalogue's apps register themselves when Django starts (sites.catalogue), so the choices are read
        # when the form is shown; labels and descriptions are marked for translation where they are declared.
        choices=lambda: [
            (app.key, format_lazy("{} — {}", _(app.label), _(app.description))) for app in catalogue_apps()
        ],
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: the blueprint's default apps."),
    )

    def service_inputs(self) -> dict[str, Any]:
        """The cleaned input as ``organisation_provision_queue`` takes it."""
        data = self.cleaned_data
        return {
            "name": data.get("name", ""),
            "slug": (data.get("slug") or "").strip(),
            "domains": split_hosts(data.get("domains", "")),
            "email_domains": split_hosts(data.get("email_domains", "")),
            "blueprint": data.get("blueprint") or DEFAULT_BLUEPRINT,
            "admin_email": data.get("admin_email", ""),
            "apps": list(data.get("apps") or []) or None,
        }

    def add_service_errors(self, errors: dict[str, list[str]]) -> None:
        """Show a service's refusal on the fields it names (anything else above the form)."""
        for field, messages in errors.items():
            for message in messages:
                self.add_error(field if field in self.fields else None, message)
