"""Invitations to an organisation: inviting an address, and a new person signing up through the link."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from shared_apps.accounts.mail import Mail, host_url, in_language, mail_queue, platform_url
from shared_apps.accounts.models import Account, Invitation
from shared_apps.accounts.selectors import invitation_for_token
from shared_apps.accounts.services._links import public_path
from shared_apps.accounts.services.accounts import account_sign_up
from shared_apps.accounts.services.addresses import address_holder, normalise_email
from shared_apps.accounts.tokens import invitation_token_hash, invitation_token_new
from tenants.models import Organisation
from tenants.roles import role_label

_INVITATION_MAIL = "shared_apps.accounts.services.invitations.invitation_mail"


def invitation_create(*, organisation, email: str, role: str, actor) -> Invitation:  # type: ignore[no-untyped-def]
    """Invite ``email`` to ``organisation`` with ``role``; the e-mail goes out after commit.

    The role is applied when the person first signs in to that organisation's subsite (see
    ``shared_apps.people.services.local_user_for_account``) with the invited address verified on
    their account. Someone without an account gets a sign-up link on the shared space carrying a
    random token (only its sha256 is stored); signing up through it verifies the invited address.
    The invitation expires after ``ACCOUNT_INVITATION_DAYS``; an expired open one is replaced.
    """

    email = (email or "").strip()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ValidationError({"email": [_("'%(email)s' is not a valid e-mail address.") % {"email": email}]}) from exc
    email = normalise_email(email)
    token, token_hash = invitation_token_new()
    now = timezone.now()
    try:
        with transaction.atomic():
            Invitation.objects.filter(
                organisation=organisation, email__iexact=email, accepted_at__isnull=True, expires_at__lte=now
            ).delete()
            invitation = Invitation.objects.create(
                email=email,
                organisation=organisation,
                role=str(role),
                invited_by=actor.label,
                token_hash=token_hash,
                expires_at=now + timedelta(days=getattr(settings, "ACCOUNT_INVITATION_DAYS", 14)),
            )
    except IntegrityError as exc:
        raise ValidationError(
            {
                "email": [
                    _("%(email)s already has an open invitation to %(organisation)s.")
                    % {"email": email, "organisation": organisation.name}
                ]
            }
        ) from exc
    mail_queue(builder=_INVITATION_MAIL, invitation_id=invitation.pk, token=token)
    return invitation


def invitation_mail(*, invitation_id: int, token: str) -> Mail | None:
    """The invitation's e-mail as things are now: none once it was accepted or withdrawn. Someone with an
    account gets a sign-in link (in their language), an address without one a sign-up link."""
    invitation = Invitation.objects.select_related("organisation").filter(pk=invitation_id).first()
    if invitation is None or invitation.accepted_at is not None:
        return None  # accepted or withdrawn
    if invitation.token_hash != invitation_token_hash(token):
        return None  # sent again with a newer link
    organisation = invitation.organisation
    holder = address_holder(email=invitation.email)
    with in_language(holder.language if holder is not None else None):
        sign_in = host_url(organisation.primary_host(), "/accounts/login/")
        expires = date_format(timezone.localtime(invitation.expires_at), "d F Y")
        words = {
            "organisation": organisation.name,
            "role": role_label(invitation.role),
            "sign_in": sign_in,
            "expires": expires,
        }
        if holder is not None:
            body = _(
                "You have been invited to %(organisation)s as %(role)s.\nSign in here: %(sign_in)s\n\n"
                "Forgot your password? Set a new one here: %(reset)s\n"
            ) % {**words, "reset": platform_url(public_path("accounts:password_reset"))}
        else:
            sign_up = platform_url(public_path("accounts:invitation_sign_up", token=token))
            body = _(
                "You have been invited to %(organisation)s as %(role)s.\n\n"
                "Create your GovSquare account with this link (it works until %(expires)s):\n%(sign_up)s\n\n"
                "Then sign in to %(organisation)s here: %(sign_in)s\n"
            ) % {**words, "sign_up": sign_up}
        subject = _("You are invited to %(organisation)s on GovSquare") % words
        return Mail(to=invitation.email, subject=str(subject), body=str(body))


def organisation_join_decision_mail(*, account_id: str, organisation_id: int, approved: bool) -> Mail | None:
    """Tell a person what an organisation's administrators decided on their request to join (in their language),
    with a link to the organisation's subsite (``tenant_apps.members`` queues it)."""
    account = Account.objects.filter(pk=account_id).first()
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if account is None or organisation is None:
        return None
    words = {"organisation": organisation.name}
    link = host_url(organisation.primary_host(), "/")
    with in_language(account.language):
        if approved:
            subject = _("Welcome to %(organisation)s on GovSquare") % words
            body = _("Your request to join %(organisation)s was approved. Welcome!\n") % words
        else:
            subject = _("Your request to join %(organisation)s") % words
            body = _("Your request to join %(organisation)s was not approved.\n") % words
        return Mail(to=account.email, subject=str(subject), body=f"{body}\n{link}\n")


def invitation_sign_up(*, token: str, display_name: str, password: str, language: str | None = None) -> Account:
    """Make the account of a person invited by e-mail, through the invitation's link. The invited
    address is verified (the link reached it); the role is given on first arrival at the subsite."""

    invitation = invitation_for_token(token=token)
    if invitation is None:
        raise ValidationError(_("This invitation link is not valid, or the invitation was withdrawn or accepted."))
    if invitation.expires_at is not None and invitation.expires_at <= timezone.now():
        raise ValidationError(
            _("This invitation to %(organisation)s has expired. Ask its administrators for a new one.")
            % {"organisation": invitation.organisation.name}
        )
    if address_holder(email=invitation.email) is not None:
        raise ValidationError(
            _("There is an account for %(email)s already: sign in to %(organisation)s with it.")
            % {"email": invitation.email, "organisation": invitation.organisation.name}
        )
    return account_sign_up(
        email=invitation.email, display_name=display_name, password=password, email_verified=True, language=language
    )
