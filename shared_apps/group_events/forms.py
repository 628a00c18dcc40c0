"""Forms of the events tab. They shape the input; the services validate it (``services._cleaned``)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from shared_apps.group_events.models import EventResponse

LOCAL_DATETIME = "%Y-%m-%dT%H:%M"


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self) -> None:
        super().__init__(format=LOCAL_DATETIME)


class EventForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, required=False)
    starts_at = forms.DateTimeField(label=_("Starts"), widget=LocalDateTimeInput())
    ends_at = forms.DateTimeField(label=_("Ends"), widget=LocalDateTimeInput())
    place = forms.CharField(
        label=_("Place"), max_length=200, required=False, help_text=_("An address or a room; or give an online link.")
    )
    online_url = forms.CharField(
        label=_("Online link"),
        max_length=500,
        required=False,
        widget=forms.URLInput,
        help_text=_("A web address (https://…)."),
    )
    capacity = forms.IntegerField(
        label=_("Places"), required=False, help_text=_("Leave it empty when there is no limit.")
    )


class AnswerForm(forms.Form):
    answer = forms.ChoiceField(choices=EventResponse.Answer.choices)
