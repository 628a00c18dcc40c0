from __future__ import annotations

from django import forms

from tenant_apps.people.memberships import JOIN_REQUEST_MESSAGE_MAX
from tenant_apps.people.roles import Role

ROLE_CHOICES = [
    (Role.MEMBER.value, "Member"),
    (Role.EDITOR.value, "Editor"),
    (Role.ADMINISTRATOR.value, "Administrator"),
]


class InviteForm(forms.Form):
    email = forms.EmailField(label="E-mail address", max_length=254)
    role = forms.ChoiceField(choices=ROLE_CHOICES, initial=Role.MEMBER.value)


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=ROLE_CHOICES)


class JoinRequestForm(forms.Form):
    message = forms.CharField(
        label="Message to the administrators (optional)",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=JOIN_REQUEST_MESSAGE_MAX,
        required=False,
    )
