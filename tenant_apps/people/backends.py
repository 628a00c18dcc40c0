"""Sign-in against the platform account; permissions from the local user, as Django and Wagtail expect."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from shared_apps.accounts.selectors import account_authenticate
from tenant_apps.people.models import User
from tenant_apps.people.services import local_user_for_account


class AccountBackend(ModelBackend):
    """Checks the e-mail and password on the public ``Account`` and returns the local user of the
    current schema (created on first sign-in). Everything else (``has_perm``, groups) is Django's
    ``ModelBackend`` on the local user, which is what Wagtail's permission policies call."""

    def authenticate(  # type: ignore[override]
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        email: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        email = email or username or kwargs.get(User.USERNAME_FIELD)
        if not email or password is None:
            return None
        account = account_authenticate(email=email, password=password)
        if account is None:
            return None
        user = local_user_for_account(account=account)
        return user if self.user_can_authenticate(user) else None
