"""The search form: the words, a source, a kind and a date range (whole days, from/to)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy, pgettext_lazy

from shared_apps.search.models import SearchEntry
from shared_apps.search.selectors import QUERY_MAX, SOURCE_GROUPS, SOURCE_OTHERS, SOURCE_THIS


def source_labels(*, on_subsite: bool) -> dict[str, str]:
    """The source filters offered: on a subsite "this organisation" and "other organisations"; on the
    shared space (no organisation of its own) "organisations"."""
    if on_subsite:
        return {
            SOURCE_THIS: pgettext_lazy("search source", "This organisation"),
            SOURCE_GROUPS: pgettext_lazy("search source", "Groups"),
            SOURCE_OTHERS: pgettext_lazy("search source", "Other organisations"),
        }
    return {
        SOURCE_GROUPS: pgettext_lazy("search source", "Groups"),
        SOURCE_OTHERS: pgettext_lazy("search source", "Organisations"),
    }


class SearchForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Search for"), required=False, strip=True)
    source = forms.ChoiceField(label=gettext_lazy("Where"), required=False)
    kind = forms.ChoiceField(label=gettext_lazy("Type"), required=False)

    def __init__(self, *args: Any, on_subsite: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = [
            ("", gettext_lazy("Everywhere")),
            *source_labels(on_subsite=on_subsite).items(),
        ]
        self.fields["kind"].choices = [("", gettext_lazy("Any type")), *SearchEntry.Kind.choices]
        # "from" and "to" are the addresses' parameter names (a Python keyword cannot be declared above).
        self.fields["from"] = forms.DateField(
            label=pgettext_lazy("search dates", "From"),
            required=False,
            widget=forms.DateInput(attrs={"type": "date"}),
            error_messages={"invalid": gettext_lazy("Enter the start date as YYYY-MM-DD.")},
        )
        self.fields["to"] = forms.DateField(
            label=pgettext_lazy("search dates", "To"),
            required=False,
            widget=forms.DateInput(attrs={"type": "date"}),
            error_messages={"invalid": gettext_lazy("Enter the end date as YYYY-MM-DD.")},
        )

    def clean_q(self) -> str:
        return " ".join(self.cleaned_data["q"].split())[:QUERY_MAX]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        since, until = cleaned.get("from"), cleaned.get("to")
        if since and until and since > until:
            raise ValidationError(gettext_lazy("The start date is after the end date."))
        return cleaned
