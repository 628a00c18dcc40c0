"""Forms of the discussions pages: they shape the input; the services check and sanitise it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from shared_apps.group_discussions.models import BODY_MAX, TITLE_MAX

MENTIONS_HELP = _(
    "To mention someone, type @ and a few letters of their name, then choose them from the list (this needs "
    "JavaScript). Only people who may read it are notified."
)


class _MentionsForm(forms.Form):
    """``mentions_url``: the group's suggestions (``groups:mentions``), for the script ``groups/mentions.js``."""

    def __init__(self, *args: Any, mentions_url: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if mentions_url:
            attrs = self.fields["body"].widget.attrs
            attrs["data-mention-suggestions"] = mentions_url
            attrs["data-mention-label"] = _("People to mention")


class DiscussionForm(_MentionsForm):
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    body = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=BODY_MAX,
        help_text=format_lazy(
            "{} {}", _("Paragraphs, emphasis, lists, quotes, code and links are kept."), MENTIONS_HELP
        ),
    )


class ReplyForm(_MentionsForm):
    body = forms.CharField(
        label=_("Your reply"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=BODY_MAX,
        help_text=MENTIONS_HELP,
    )
