from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tenant_apps.members.memberships import JOIN_REQUEST_MESSAGE_MAX
from tenants.roles import Role

ROLE_CHOICES = [
    (Role.MEMBER.value, _("Member")),
    (Role.EDITOR.value, _("Editor")),
    (Role.ADMINISTRATOR.value, _("Administrator")),
]


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    role = forms.ChoiceField(label=_("Role"), choices=ROLE_CHOICES, initial=Role.MEMBER.value)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=ROLE_CHOICES)


class JoinRequestForm(forms.Form):
    message = forms.CharField(
        label=_("Message to the administrators (optional)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=JOIN_REQUEST_MESSAGE_MAX,
        required=False,
    )
