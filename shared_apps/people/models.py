"""The local user (``AUTH_USER_MODEL``): one row per person per schema, linked to a public Account.

Because the table, ``auth_group`` and the group memberships all live in the same schema, Wagtail's
own permission checks work unmodified, and "editor in org A, plain member in org B" is two rows in
two schemas. Local users never hold a usable password: sign-in checks the account
(``shared_apps.people.backends.AccountBackend``).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models


class LocalUserManager(UserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields: Any) -> User:  # type: ignore[override]
        if not email:
            raise ValueError("A local user needs an e-mail address.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_unusable_password()  # passwords live on the account, never here
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields: Any) -> User:  # type: ignore[override]
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields: Any) -> User:  # type: ignore[override]
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person's presence in the current schema (an organisation's, or the shared space's)."""

    username = None  # type: ignore[assignment]
    email = models.EmailField("e-mail address", unique=True)
    # The account lives in the public schema, so no database constraint can span to it from an
    # organisation schema, and deleting an account must not look for this table in the public
    # schema: DO_NOTHING + db_constraint=False; the platform cleans local users schema by schema.
    account = models.OneToOneField(
        "accounts.Account",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        help_text="The platform account this local user belongs to.",
    )

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = LocalUserManager()  # type: ignore[misc]

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        ordering = ["last_name", "first_name", "email"]

    def __str__(self) -> str:
        return self.get_full_name() or self.email
