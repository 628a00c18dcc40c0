"""Forms of the operator pages. Deliberately lenient: the registry's services do the validating, so a
refusal reads the same in the pages, the API and the command line; the forms only carry input back."""

from __future__ import annotations

import re
from typing import Any

from django import forms

from sites.blueprints import BLUEPRINTS, DEFAULT_BLUEPRINT
from sites.catalogue import CATALOGUE


def split_hosts(text: str) -> list[str]:
    """Host names typed one per line (commas and spaces separate too)."""
    return [part for part in re.split(r"[\s,;]+", text or "") if part]


class _UncheckedMultipleChoiceField(forms.MultipleChoiceField):
    """Checkboxes whose keys the service checks (and names, when unknown)."""

    def validate(self, value: Any) -> None:
        return None


class OrganisationCreateForm(forms.Form):
    name = forms.CharField(required=False, strip=False)
    slug = forms.CharField(
        required=False, help_text="Lower-case letters, digits and hyphens; also the subsite's host name."
    )
    domains = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One per line; the first is primary. Empty: <slug> on the platform domain.",
    )
    email_domains = forms.CharField(
        label="E-mail domains",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Government e-mail domains of the organisation's staff, one per line.",
    )
    blueprint = forms.CharField(
        required=False,
        initial=DEFAULT_BLUEPRINT,
        widget=forms.Select(choices=[(key, blueprint.label) for key, blueprint in BLUEPRINTS.items()]),
    )
    admin_email = forms.CharField(
        label="First administrator's e-mail", required=False, help_text="Invited as administrator of the subsite."
    )
    apps = _UncheckedMultipleChoiceField(
        required=False,
        choices=[(key, f"{app.label} — {app.description}") for key, app in CATALOGUE.items()],
        widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: the blueprint's default apps.",
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
