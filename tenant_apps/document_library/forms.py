"""The library's search and sort form (read from the address: ``?q=…&sort=…``)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

#: The longest search accepted; a longer one is refused with a clear error (400).
QUERY_MAX_LENGTH = 200

SORT_TITLE = "title"
SORT_NEWEST = "newest"
SORT_CHOICES = [(SORT_TITLE, gettext_lazy("Title (A to Z)")), (SORT_NEWEST, gettext_lazy("Newest first"))]


class LibrarySearchForm(forms.Form):
    # Django's CharField refuses NUL characters itself (ProhibitNullCharactersValidator).
    q = forms.CharField(
        label=gettext_lazy("Search in the documents"),
        required=False,
        strip=True,
        max_length=QUERY_MAX_LENGTH,
        error_messages={
            "max_length": gettext_lazy("Use at most %(limit_value)d characters to search."),
            "null_characters_not_allowed": gettext_lazy("The search may not contain NUL characters."),
        },
    )
    sort = forms.ChoiceField(label=gettext_lazy("Sort by"), required=False, choices=SORT_CHOICES)

    def clean_q(self) -> str:
        return " ".join(self.cleaned_data["q"].split())
