"""Invitations to a group by e-mail — to a person of any organisation, a citizen, or an address without an
account yet (who signs up through the link and lands in the group). They expire, can be resent and withdrawn.

The link carries a random token (only its sha256 is stored): holding it proves the mailbox, so signing up
through it verifies the invited address, and a signed-in person who follows it joins.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from shared_apps.accounts.mail import Mail, in_language, mail_queue, platform_url
from shared_apps.accounts.models import Account
from shared_apps.accounts.services.accounts import account_sign_up
from shared_apps.accounts.services.addresses import clean_address
from shared_apps.accounts.tokens import invitation_token_hash, invitation_token_new
from shared_apps.groups import access, events
from shared_apps.groups.models import Group, GroupInvitation, GroupMembership
from shared_apps.groups.services.common import actor_of, refuse
from shared_apps.groups.services.memberships import membership_add
from tenants.audit import audited


def _days() -> int:
    return int(getattr(settings, "GROUP_INVITATION_DAYS", getattr(settings, "ACCOUNT_INVITATION_DAYS", 14)))


def _require_manager(group: Group, actor: Account) -> None:
    if not access.can_manage(viewer=access.viewer_for_account(actor), group=group):
        raise refuse(_("Only the group's owners and administrators invite people."))
    if group.is_archived:
        raise refuse(_("This group is archived: it takes no new members."))


def _send(invitation: GroupInvitation, token: str, *, inviter: Account) -> None:
    """The invitation's e-mail (to the address, account or not), and the platform told (``events.invitation_sent``)."""
    events.invitation_sent.send(sender=GroupInvitation, invitation=invitation)
    mail_queue(
        builder="shared_apps.groups.services.invitations.group_invitation_mail",
        invitation_id=invitation.pk,
        token=token,
        inviter_id=str(inviter.pk),
    )


def group_invitation_mail(*, invitation_id: int, token: str, inviter_id: str) -> Mail | None:
    """The invitation's e-mail as things are now: none once accepted, withdrawn or sent again with a newer link;
    in the language of the account holding the address, if there is one."""
    invitation = (
        GroupInvitation.objects.select_related("group")
        .filter(pk=invitation_id, accepted_at__isnull=True, withdrawn_at__isnull=True)
        .first()
    )
    if invitation is None or invitation.token_hash != invitation_token_hash(token):
        return None
    inviter = Account.objects.filter(pk=inviter_id).first()
    holder = Account.objects.filter(email__iexact=invitation.email).first()
    link = platform_url(reverse("groups:invitation", kwargs={"token": token}, urlconf=settings.PUBLIC_SCHEMA_URLCONF))
    with in_language(holder.language if holder is not None else None):
        expires = date_format(timezone.localtime(invitation.expires_at), "d F Y")
        words = {
            "group": invitation.group.name,
            "inviter": inviter.display_name if inviter is not None else _("A group manager"),
            "link": link,
            "expires": expires,
        }
        return Mail(
            to=invitation.email,
            subject=_("%(inviter)s invites you to the group %(group)s on GovSquare") % words,
            body=_(
                "%(inviter)s invites you to join the group %(group)s on GovSquare.\n\n"
                "Follow this link to join (you can create an account with this address there if you have none):\n"
                "%(link)s\n\nThe invitation works until %(expires)s."
            )
            % words,
        )


def group_invite(*, group: Group, actor: Account, email: str) -> GroupInvitation:
    """Invite ``email`` to the group; the e-mail goes out after commit. An expired open invitation is replaced."""
    _require_manager(group, actor)
    email = clean_address(email)
    if GroupMembership.objects.filter(group=group, account__emails__email__iexact=email).exists():
        raise ValidationError({"email": [_("%(email)s is a member of this group already.") % {"email": email}]})
    token, token_hash = invitation_token_new()
    now = timezone.now()
    with audited(actor=actor_of(actor), action="group.invite", group=group.slug, email=email):
        try:
            with transaction.atomic():
                GroupInvitation.objects.filter(
                    group=group,
                    email__iexact=email,
                    accepted_at__isnull=True,
                    withdrawn_at__isnull=True,
                    expires_at__lte=now,
                ).update(withdrawn_at=now)
                invitation = GroupInvitation.objects.create(
                    group=group,
                    email=email,
                    invited_by=actor,
                    token_hash=token_hash,
                    expires_at=now + timedelta(days=_days()),
                )
        except IntegrityError as exc:
            raise ValidationError(
                {"email": [_("%(email)s has an open invitation already: resend it instead.") % {"email": email}]}
            ) from exc
        _send(invitation, token, inviter=actor)
    return invitation


def _open_invitation(group: Group, invitation_id: int) -> GroupInvitation:
    invitation = GroupInvitation.objects.filter(
        group=group, pk=invitation_id, accepted_at__isnull=True, withdrawn_at__isnull=True
    ).first()
    if invitation is None:
        raise ValidationError(_("That invitation is no longer open."))
    return invitation


def group_invitation_resend(*, group: Group, actor: Account, invitation_id: int) -> GroupInvitation:
    """Send the invitation again with a new link (the old one stops working) and a new expiry date."""
    _require_manager(group, actor)
    with audited(actor=actor_of(actor), action="group.invite.resend", group=group.slug, invitation=invitation_id):
        with transaction.atomic():
            invitation = _open_invitation(group, invitation_id)
            token, invitation.token_hash = invitation_token_new()
            invitation.sent_at = timezone.now()
            invitation.expires_at = invitation.sent_at + timedelta(days=_days())
            invitation.save(update_fields=["token_hash", "sent_at", "expires_at"])
        _send(invitation, token, inviter=actor)
    return invitation


def group_invitation_withdraw(*, group: Group, actor: Account, invitation_id: int) -> None:
    _require_manager(group, actor)
    with audited(actor=actor_of(actor), action="group.invite.withdraw", group=group.slug, invitation=invitation_id):
        invitation = _open_invitation(group, invitation_id)
        invitation.withdrawn_at = timezone.now()
        invitation.save(update_fields=["withdrawn_at"])


def group_invitation_for_token(*, token: str) -> GroupInvitation | None:
    """The open, unexpired invitation a link's token belongs to, or ``None``."""
    invitation = (
        GroupInvitation.objects.select_related("group")
        .filter(token_hash=invitation_token_hash(token or ""), accepted_at__isnull=True, withdrawn_at__isnull=True)
        .first()
    )
    return invitation if invitation is not None and invitation.is_open else None


def group_invitation_accept(*, token: str, account: Account) -> GroupMembership:
    """The signed-in person who follows the link joins the group (whatever its audience: they were invited)."""
    with transaction.atomic():
        invitation = group_invitation_for_token(token=token)
        if invitation is None:
            raise ValidationError(_("This invitation has expired or was withdrawn. Ask for a new one."))
        if invitation.group.is_archived:
            raise refuse(_("This group is archived: it takes no new members."))
        invitation = GroupInvitation.objects.select_for_update().get(pk=invitation.pk)
        membership = membership_add(group=invitation.group, account=account, how="invited")
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_at"])
    return membership


def group_invitation_sign_up(*, token: str, display_name: str, password: str) -> tuple[Account, GroupMembership]:
    """Someone without an account signs up through the link: the invited address is theirs (verified by the
    token) and they land in the group."""
    invitation = group_invitation_for_token(token=token)
    if invitation is None:
        raise ValidationError(_("This invitation has expired or was withdrawn. Ask for a new one."))
    with transaction.atomic():
        account = account_sign_up(
            email=invitation.email, display_name=display_name, password=password, email_verified=True
        )
        membership = group_invitation_accept(token=token, account=account)
    return account, membership
