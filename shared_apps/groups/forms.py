"""Forms of the groups pages. Validation of the content happens in the services; these shape the input."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from shared_apps.groups.models import Group, GroupMembership
from shared_apps.groups.tabs import switchable_tabs


class GroupCreateForm(forms.Form):
    # Not required here: the service says what is missing, in the same words everywhere.
    name = forms.CharField(label=_("Name"), required=False)
    purpose = forms.CharField(label=_("Purpose"), required=False, help_text=_("One sentence: what is it for?"))


class GroupSettingsForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    purpose = forms.CharField(label=_("Purpose"), max_length=300)
    introduction = forms.CharField(label=_("Introduction"), widget=forms.Textarea, required=False)
    welcome_message = forms.CharField(label=_("Welcome message"), widget=forms.Textarea, required=False)
    tags = forms.CharField(label=_("Tags"), required=False, help_text=_("Separated by commas."))
    visibility = forms.ChoiceField(label=_("Who sees the group"), choices=Group.Visibility.choices)
    audience = forms.ChoiceField(label=_("Who it is for"), choices=Group.Audience.choices)
    joining = forms.ChoiceField(label=_("How people join"), choices=Group.Joining.choices)
    disabled_tabs = forms.MultipleChoiceField(
        label=_("Tabs switched off"), required=False, widget=forms.CheckboxSelectMultiple, choices=()
    )
    picture = forms.ImageField(label=_("Picture"), required=False)
    remove_picture = forms.BooleanField(label=_("Remove the picture"), required=False)

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["disabled_tabs"].choices = [(tab.key, tab.label) for tab in switchable_tabs()]


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=254)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=GroupMembership.Role.choices)


class JoinRequestForm(forms.Form):
    message = forms.CharField(label=_("Message to the administrators"), widget=forms.Textarea, required=False)


class ReportForm(forms.Form):
    reason = forms.CharField(label=_("What is wrong with it?"), widget=forms.Textarea)


class InvitationSignUpForm(forms.Form):
    display_name = forms.CharField(label=_("Your name"), max_length=150)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput)
