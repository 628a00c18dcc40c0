"""A local user's share of a person's data, in the current schema: its row in the export, its anonymisation.

Called by ``shared_apps.accounts.personal_data`` for every schema the person has been in (the local user
is on both sides of the boundary, so the public side calls it directly).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from oauth2_provider import models as oauth
from wagtail.users.models import UserProfile

from shared_apps.accounts.personal_data.archive import PersonalArchive, row_data, safe_name
from shared_apps.people.models import User

ANONYMOUS_NAME = "Former user"
#: RFC 2606 reserves ``.invalid``: mail to it can never be delivered.
PLACEHOLDER_EMAIL_DOMAIN = "former-user.invalid"


def local_user_export(*, user: User, archive: PersonalArchive, folder: str, role: str | None) -> list[str]:
    """Write ``<folder>/local_user.json`` (the row without password, its groups and ``role`` there, its Wagtail
    profile and avatar); the names of its groups."""
    groups = sorted(user.groups.values_list("name", flat=True))
    local_user: dict[str, Any] = {**row_data(user), "groups": groups, "role": role}
    profile = UserProfile.objects.filter(user=user).first()
    if profile is not None:
        local_user["wagtail_profile"] = row_data(profile, exclude=("user",))
        if profile.avatar:
            local_user["wagtail_profile"]["avatar_in_archive"] = archive.file(
                f"{folder}/avatar/{safe_name(profile.avatar.name)}", profile.avatar
            )
    archive.json(f"{folder}/local_user.json", local_user)
    return groups


def local_user_anonymise(*, account_id: uuid.UUID | str) -> int | None:
    """In the current schema: turn the account's local user into an anonymous, inactive "Former user".

    The row stays, so pages, revisions, documents and images keep an (anonymous) author. Returns its id,
    or ``None`` if the schema holds no local user of the account (any more).
    """
    user = User.objects.select_for_update().filter(account_id=account_id).first()
    if user is None:
        return None
    user.groups.clear()
    user.user_permissions.clear()
    user.first_name, user.last_name = ANONYMOUS_NAME, ""
    user.email = f"former-user-{uuid.uuid4().hex}@{PLACEHOLDER_EMAIL_DOMAIN}"
    user.is_active = user.is_staff = user.is_superuser = False
    user.last_login = None
    user.account = None
    user.set_unusable_password()
    user.save()
    profile = UserProfile.objects.filter(user=user).first()
    if profile is not None:
        if profile.avatar:
            profile.avatar.delete(save=False)
        profile.delete()
    _revoke_oauth(user)
    return user.pk


def _revoke_oauth(user: User) -> None:
    getters: list[Callable[[], Any]] = [
        oauth.get_access_token_model,
        oauth.get_refresh_token_model,
        oauth.get_id_token_model,
        oauth.get_grant_model,
    ]
    for get_model in getters:
        model = get_model()
        if any(field.name == "user" for field in model._meta.get_fields()):
            model.objects.filter(user=user).delete()
