"""Roles inside one organisation, expressed as Wagtail's own groups in that organisation's schema.

* member: may see organisation content, no admin;
* editor: member + Wagtail's "Editors" group (admin access, edit pages);
* administrator: editor + "Moderators" + "Administrators" and superuser *within this schema only*.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    MEMBER = "member"
    EDITOR = "editor"
    ADMINISTRATOR = "administrator"


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
