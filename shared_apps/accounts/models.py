"""The one account a person has on the whole platform (public schema).

See docs/decisions/0001-identity.md: the account is the identity (e-mail, password, name); every
schema in which the person acts holds a *local user* (``people.User``) linked to it, on which
Wagtail's and Django's groups and permissions work unmodified.
"""

from __future__ import annotations

import uuid

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone


class AccountManager(BaseUserManager["Account"]):
    def get_by_natural_key(self, email: str) -> Account:
        return self.get(email__iexact=email)


class Account(AbstractBaseUser):
    """A person's platform-wide identity. Passwords are checked here, never on local users."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField(max_length=254)
    display_name = models.CharField(max_length=150)
    is_active = models.BooleanField(default=True)
    is_platform_operator = models.BooleanField(
        default=False, help_text="Runs the platform: the operator UI and API on the shared space."
    )
    date_joined = models.DateTimeField(default=timezone.now)
    language = models.CharField(max_length=8, default="nl", choices=[("nl", "Nederlands"), ("en", "English")])

    # Profile (shown in people directories; see accounts.selectors for who sees what).
    job_title = models.CharField(max_length=150, blank=True)
    bio = models.TextField(max_length=2000, blank=True)
    photo = models.ImageField(upload_to="profiles/", blank=True)
    profile_public = models.BooleanField(
        default=False, help_text="Show the profile to everyone, citizens included (else to civil servants only)."
    )
    # Filled in once for the platform; shown in the directory of every organisation the person is a member of
    # (tenant_apps.people_directory). Checked and normalised by accounts.services.accounts.account_update_profile.
    team = models.CharField(max_length=150, blank=True)
    phone = models.CharField(max_length=32, blank=True)
    location = models.CharField(max_length=150, blank=True)
    expertise = ArrayField(
        models.CharField(max_length=50),
        size=20,
        default=list,
        blank=True,
        help_text="Subjects the person knows about (at most 20, each at most 50 characters).",
    )

    # Sign-in protection.
    failed_sign_ins = models.PositiveIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    totp_secret = models.CharField(max_length=64, blank=True, help_text="Base32 TOTP secret (two-factor).")
    totp_confirmed_at = models.DateTimeField(null=True, blank=True)
    #: Raised to end every session of the account on every subsite at once (single sign-out).
    session_epoch = models.PositiveIntegerField(default=0)

    objects = AccountManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["display_name"]

    class Meta:
        constraints = [models.UniqueConstraint(Lower("email"), name="accounts_account_email_ci_unique")]
        ordering = ["display_name", "email"]

    def __str__(self) -> str:
        return f"{self.display_name} <{self.email}>"


class AccountEmail(models.Model):
    """An e-mail address of an account. A verified address at an organisation's e-mail domain makes
    the account a civil servant (``accounts.selectors.account_is_civil_servant``)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="emails")
    email = models.EmailField(max_length=254)
    is_primary = models.BooleanField(default=False)
    verified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-is_primary", "email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_email_address_ci_unique"),
            models.UniqueConstraint(
                fields=["account"], condition=models.Q(is_primary=True), name="accounts_one_primary_email"
            ),
        ]

    def __str__(self) -> str:
        return self.email

    @property
    def domain(self) -> str:
        return self.email.rpartition("@")[2].lower()


class LocalUserLink(models.Model):
    """Records that ``schema_name`` holds a local user for ``account``.

    It is what lets platform-wide work (a name change, a data export, deleting an account) reach
    every schema the person has been in, without scanning them all.
    """

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="local_user_links")
    schema_name = models.CharField(max_length=63)
    local_user_id = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "schema_name"], name="accounts_link_one_per_schema"),
        ]
        ordering = ["schema_name"]

    def __str__(self) -> str:
        return f"{self.account_id} in {self.schema_name}"


class Invitation(models.Model):
    """An invitation to join an organisation with a role; applied when the person first signs in there."""

    email = models.EmailField(max_length=254)
    organisation = models.ForeignKey("tenants.Organisation", on_delete=models.CASCADE, related_name="invitations")
    role = models.CharField(max_length=20)
    invited_by = models.CharField(max_length=200)
    #: sha256 of the token in the invitation link (a new person signs up through it).
    token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                "organisation",
                condition=models.Q(accepted_at__isnull=True),
                name="accounts_one_open_invitation_per_org",
            )
        ]

    def __str__(self) -> str:
        return f"{self.email} -> {self.organisation_id} as {self.role}"


class JoinRequest(models.Model):
    """A person asks to become a member of an organisation; its administrators approve or refuse."""

    class Status(models.TextChoices):
        PENDING = "pending"
        APPROVED = "approved"
        REFUSED = "refused"

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="join_requests")
    organisation = models.ForeignKey("tenants.Organisation", on_delete=models.CASCADE, related_name="join_requests")
    message = models.TextField(max_length=1000, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.CharField(max_length=200, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "organisation"],
                condition=models.Q(status="pending"),
                name="accounts_one_pending_join_request",
            )
        ]

    def __str__(self) -> str:
        return f"{self.account_id} -> {self.organisation_id}: {self.status}"
