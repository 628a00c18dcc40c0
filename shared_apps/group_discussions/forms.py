"""Forms of the discussions pages: they shape the input; the services check and sanitise it."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from shared_apps.group_discussions.models import BODY_MAX, TITLE_MAX


class DiscussionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    body = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=BODY_MAX,
        help_text=_("Paragraphs, emphasis, lists, quotes, code and links are kept."),
    )


class ReplyForm(forms.Form):
    body = forms.CharField(label=_("Your reply"), widget=forms.Textarea(attrs={"rows": 5}), max_length=BODY_MAX)
