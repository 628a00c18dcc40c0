"""The directory's search and filters (GET). Django's text fields refuse NUL characters and over-long
input, so a bad query is a clear 400, never a database error."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tenant_apps.people_directory.selectors import DirectoryFilters


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search by name, job title, team or expertise"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    team = forms.CharField(label=_("Team"), max_length=150, required=False, widget=forms.Select())
    expertise = forms.CharField(label=_("Expertise"), max_length=50, required=False, widget=forms.Select())

    def __init__(self, *args: Any, filters: DirectoryFilters, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A value that is not offered (an old link) is no error: it simply finds nobody.
        for name in ("team", "expertise"):
            self.fields[name].widget.attrs.pop("maxlength", None)  # no such attribute on a <select>
        self.fields["team"].widget.choices = [("", _("All teams")), *((team, team) for team in filters.teams)]
        self.fields["expertise"].widget.choices = [
            ("", _("All expertise")),
            *((subject, subject) for subject in filters.expertise),
        ]
