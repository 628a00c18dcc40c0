"""Forms of the files tab: they shape the input; the services check it (and say what is wrong)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from shared_apps.group_files.kinds import accepted_extensions


class UploadForm(forms.Form):
    prefix = "upload"
    # Not required here: the service says what is missing, in the same words everywhere.
    file = forms.FileField(label=_("File"), required=False, allow_empty_file=True)
    folder = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("Up to %(limit)s. Accepted: %(kinds)s.") % {
            "limit": filesizeformat(settings.GROUP_FILE_MAX_BYTES),
            "kinds": ", ".join(accepted_extensions()),
        }
        self.fields["file"].widget.attrs["accept"] = ",".join(f".{ext}" for ext in accepted_extensions())


class FolderForm(forms.Form):
    prefix = "new-folder"
    name = forms.CharField(label=_("Name of the new folder"), required=False)
    parent = forms.IntegerField(widget=forms.HiddenInput, required=False)


class RenameForm(forms.Form):
    prefix = "rename"
    name = forms.CharField(label=_("New name"), required=False)


class MoveForm(forms.Form):
    prefix = "move"
    target = forms.TypedChoiceField(label=_("Move to"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, targets: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = [("", _("The top (no folder)")), *targets]
