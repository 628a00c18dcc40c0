"""Roles inside one organisation, expressed as Wagtail's own groups in that organisation's schema.

* member: may see organisation content, no admin;
* editor: member + Wagtail's "Editors" group (admin access, edit pages);
* administrator: editor + "Moderators" + "Administrators" and superuser *within this schema only*.

The roles themselves (``Role``, their labels) are shared with the public side: ``tenants.roles``.
"""

from __future__ import annotations

from tenants.roles import Role

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


def role_from_group_names(names: set[str] | frozenset[str]) -> Role | None:
    """The highest role whose groups are all in ``names``."""
    for role in (Role.ADMINISTRATOR, Role.EDITOR, Role.MEMBER):
        if set(ROLE_GROUPS[role]) <= names:
            return role
    return None
