"""Roles inside one organisation, expressed as Wagtail's own groups in that organisation's schema.

* member: may see organisation content, no admin;
* editor: member + Wagtail's "Editors" group (admin access, edit pages);
* administrator: editor + "Moderators" + "Administrators" and superuser *within this schema only*.
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


def role_label(role: object) -> str:
    """``role`` (a ``Role`` or its value) in the current language, lower case; anything else as it is."""
    try:
        return str(ROLE_LABELS[Role(str(role))])
    except (KeyError, ValueError):
        return str(role)


MEMBERS_GROUP = "Members"
EDITORS_GROUP = "Editors"  # created by Wagtail's own migrations, with page permissions
MODERATORS_GROUP = "Moderators"  # idem
ADMINISTRATORS_GROUP = "Administrators"

ROLE_GROUPS: dict[Role, tuple[str, ...]] = {
    Role.MEMBER: (MEMBERS_GROUP,),
    Role.EDITOR: (MEMBERS_GROUP, EDITORS_GROUP),
    Role.ADMINISTRATOR: (MEMBERS_GROUP, EDITORS_GROUP, MODERATORS_GROUP, ADMINISTRATORS_GROUP),
}

#: Every group a role may hand out; groups an administrator made by hand are left alone.
ROLE_MANAGED_GROUPS = frozenset(name for names in ROLE_GROUPS.values() for name in names)
