"""The notification settings form: a default frequency, four toggles, and one frequency per group."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy, pgettext_lazy

from shared_apps.groups.models import Group
from shared_apps.notifications.models import Frequency, NotificationPreferences

DEFAULT_CHOICE = ("", pgettext_lazy("notification frequency", "As my default"))
NOT_MAILED = gettext_lazy("When off, you still see them here in your notifications, but get no e-mail.")


def group_field_name(group: Group) -> str:
    return f"group_{group.pk}"


class PreferencesForm(forms.Form):
    group_activity = forms.ChoiceField(
        label=gettext_lazy("Activity in my groups, by default"),
        choices=Frequency.choices,
        error_messages={"invalid_choice": gettext_lazy("Choose one of the frequencies offered.")},
    )
    replies = forms.BooleanField(
        label=gettext_lazy("E-mail me at once about replies to my discussions and questions"),
        required=False,
        help_text=NOT_MAILED,
    )
    mentions = forms.BooleanField(
        label=gettext_lazy("E-mail me at once when someone mentions me"), required=False, help_text=NOT_MAILED
    )
    invitations = forms.BooleanField(
        label=gettext_lazy("Show invitations to groups in my notifications"),
        required=False,
        help_text=gettext_lazy("The invitation itself always comes by e-mail to the invited address."),
    )
    join_requests = forms.BooleanField(
        label=gettext_lazy("E-mail me at once about requests to join groups I manage"),
        required=False,
        help_text=NOT_MAILED,
    )

    def __init__(
        self,
        *args: Any,
        groups: list[Group],
        preferences: NotificationPreferences,
        chosen: dict[int, str],
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault(
            "initial",
            {
                "group_activity": preferences.group_activity,
                "replies": preferences.replies,
                "mentions": preferences.mentions,
                "invitations": preferences.invitations,
                "join_requests": preferences.join_requests,
                **{group_field_name(group): chosen.get(group.pk, "") for group in groups},
            },
        )
        super().__init__(*args, **kwargs)
        self.groups = groups
        for group in groups:
            self.fields[group_field_name(group)] = forms.ChoiceField(
                label=group.name,
                choices=[DEFAULT_CHOICE, *Frequency.choices],
                required=False,
                error_messages={"invalid_choice": gettext_lazy("Choose one of the frequencies offered.")},
            )

    def group_fields(self) -> list[forms.BoundField]:
        return [self[group_field_name(group)] for group in self.groups]

    def general_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("group_activity", "replies", "mentions", "invitations", "join_requests")]

    def group_frequencies(self) -> dict[int, str]:
        return {group.pk: self.cleaned_data.get(group_field_name(group), "") for group in self.groups}
