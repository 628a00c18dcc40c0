"""``{{ invitation.role|role_label }}``: a role as it reads in a sentence, in the current language."""

from __future__ import annotations

from django import template

from tenants.roles import role_label as _role_label

register = template.Library()


@register.filter
def role_label(role: object) -> str:
    return _role_label(role)
