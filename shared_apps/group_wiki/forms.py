"""Forms of the wiki pages. They shape the input; the services check it (and who may)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from shared_apps.group_wiki.models import NOTE_MAX, TITLE_MAX
from shared_apps.group_wiki.tree import WikiNode, WikiTree

TOP = ""


def parent_choices(tree: WikiTree, *, moving: WikiNode | None = None) -> list[tuple[str, str]]:
    """Where a page may go: the top, or under any page of the viewer's tree but itself and its subpages."""
    excluded = {moving.page.pk, *(node.page.pk for node in moving.descendants())} if moving is not None else set()
    return [(TOP, str(_("At the top of the wiki")))] + [
        (str(node.page.pk), "\u2003" * node.depth + node.page.title)
        for node in tree.flat()
        if node.page.pk not in excluded
    ]


class WikiPageForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    body = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 20}),
        required=False,
        help_text=_("Paragraphs, lists, headings, quotes, code and links. Leave a blank line between paragraphs."),
    )
    parent = forms.ChoiceField(label=_("Place the page under"), required=False, choices=())

    def __init__(self, *args, parents: list[tuple[str, str]], **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = parents

    def parent_id(self) -> int | None:
        value = self.cleaned_data.get("parent") or TOP
        return None if value == TOP else int(value)


class WikiEditForm(WikiPageForm):
    note = forms.CharField(
        label=_("What changed (optional)"), max_length=NOTE_MAX, required=False, help_text=_("Shown in the history.")
    )
    base_revision = forms.IntegerField(widget=forms.HiddenInput, required=False)
