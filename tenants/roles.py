"""The roles a person can hold in an organisation: member, editor, administrator.

The vocabulary both sides share — an invitation (public schema) carries a role, provisioning invites
the first administrator. How a role is expressed inside an organisation's schema (Wagtail groups) is
the organisation side's business: ``tenant_apps.members.roles``.
"""

from __future__ import annotations

from enum import StrEnum

from django.utils.translation import pgettext_lazy


class Role(StrEnum):
    MEMBER = "member"
    EDITOR = "editor"
    ADMINISTRATOR = "administrator"


#: A role as it reads inside a sentence ("invited as editor"); the value itself is the English name.
ROLE_LABELS = {
    Role.MEMBER: pgettext_lazy("role in a sentence", "member"),
    Role.EDITOR: pgettext_lazy("role in a sentence", "editor"),
    Role.ADMINISTRATOR: pgettext_lazy("role in a sentence", "administrator"),
}

#: From the lowest role to the highest.
ROLE_ORDER = (Role.MEMBER, Role.EDITOR, Role.ADMINISTRATOR)


def role_label(role: object) -> str:
    """``role`` (a ``Role`` or its value) in the current language, lower case; anything else as it is."""
    try:
        return str(ROLE_LABELS[Role(str(role))])
    except (KeyError, ValueError):
        return str(role)
