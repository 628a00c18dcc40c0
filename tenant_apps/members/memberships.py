"""Memberships of an organisation: auto-join, join requests, invitations, roles and removal.

Every operation

* runs in the organisation's schema, whatever schema the caller is in (the caller's schema is back in
  place afterwards, also after ``audited`` has written its record in the public schema);
* is recorded in the organisation's audit trail (``tenants.audit.audited`` with its slug), a refusal
  with its reason;
* refuses with a ``ValidationError`` that says why, in words an administrator can act on.

Local users are named by their id *in the organisation's schema* (``user_id``): a ``User`` object
carries no schema, and the same id means another person in another organisation.

E-mails (invitation, decision on a join request) are sent after commit.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shared_apps.accounts.mail import mail_queue
from shared_apps.accounts.models import Account, Invitation, JoinRequest
from shared_apps.accounts.selectors import account_find_by_email
from shared_apps.accounts.services.invitations import invitation_create
from shared_apps.people.models import User
from shared_apps.people.services import local_user_for_account
from tenant_apps.members.roles import ADMINISTRATORS_GROUP
from tenant_apps.members.selectors import (
    account_has_verified_email_at_organisation,
    administrators_count,
    invitations_acceptable_by,
    role_of,
)
from tenant_apps.members.services import membership_set_role
from tenants.audit import Actor, audited_in
from tenants.models import Organisation
from tenants.roles import Role

JOIN_REQUEST_MESSAGE_MAX = 1000


def actor_for_user(*, user: Any) -> Actor:
    """The audit trail's name for a signed-in person acting on an organisation."""
    return Actor(f"account:{getattr(user, 'email', '') or 'unknown'}")


def membership_operation(
    *, organisation: Organisation, actor: Actor, action: str, **detail: Any
) -> AbstractContextManager[dict[str, Any]]:
    """``audited`` in ``organisation``'s trail around a block that runs in its schema (``audited_in``)."""
    return audited_in(tenant=organisation, actor=actor, action=action, **detail)


def parse_role(role: Role | str) -> Role:
    try:
        return Role(role)
    except ValueError:
        known = ", ".join(r.value for r in Role)
        raise ValidationError(
            {"role": [_("'%(role)s' is not a role. Choose one of: %(known)s.") % {"role": role, "known": known}]}
        ) from None


# --- Joining -------------------------------------------------------------------------------------------


def membership_auto_join(*, user: User, account: Account) -> bool:
    """Make a just-created local user a member when its organisation lets staff join by themselves.

    Runs in the current schema (``local_user_for_account`` calls it). ``True`` if the person joined:
    the organisation has ``auto_join_staff`` and the account a verified address at one of its e-mail
    domains, and the person holds no role yet (an invitation may have given one).
    """
    organisation = Organisation.objects.filter(schema_name=connection.schema_name).first()
    if organisation is None or not organisation.auto_join_staff or role_of(user=user) is not None:
        return False
    if not account_has_verified_email_at_organisation(account=account, organisation=organisation):
        return False

    with membership_operation(
        organisation=organisation,
        actor=Actor.system("auto-join"),
        action="membership.auto_join",
        account=str(account.pk),
        email=account.email,
        role=Role.MEMBER.value,
    ):
        with transaction.atomic():
            membership_set_role(user=user, role=Role.MEMBER)
    return True


def join_request_create(*, organisation: Organisation, account: Account, message: str = "") -> JoinRequest:
    """``account`` asks to become a member of ``organisation``: one pending request per person and organisation."""
    message = (message or "").strip()
    with membership_operation(
        organisation=organisation,
        actor=Actor(f"account:{account.email}"),
        action="membership.join_request.create",
        account=str(account.pk),
        email=account.email,
    ) as detail:
        if organisation.status != Organisation.Status.ACTIVE:
            raise ValidationError(
                _("%(organisation)s does not accept requests to join at the moment.")
                % {"organisation": organisation.name}
            )
        if not account.is_active:
            raise ValidationError(_("This account is not active."))
        user = User.objects.filter(account_id=account.pk).first()
        if user is not None and role_of(user=user) is not None:
            raise ValidationError(
                _("You are already a member of %(organisation)s.") % {"organisation": organisation.name}
            )
        if len(message) > JOIN_REQUEST_MESSAGE_MAX:
            raise ValidationError(
                {
                    "message": [
                        _("Keep the message under %(maximum)s characters.") % {"maximum": JOIN_REQUEST_MESSAGE_MAX}
                    ]
                }
            )
        try:
            with transaction.atomic():
                join_request = JoinRequest.objects.create(account=account, organisation=organisation, message=message)
        except IntegrityError as exc:
            raise ValidationError(
                _("You have already asked to join %(organisation)s; an administrator will decide.")
                % {"organisation": organisation.name}
            ) from exc
        detail["join_request"] = join_request.pk
    return join_request


def _decide(
    *, organisation: Organisation, join_request_id: int, actor: Actor, approve: bool, detail: dict[str, Any]
) -> JoinRequest:
    join_request = JoinRequest.objects.select_for_update().select_related("account").filter(pk=join_request_id).first()
    if join_request is None or join_request.organisation_id != organisation.pk:
        raise ValidationError(
            _("There is no request to join %(organisation)s with the id %(id)s.")
            % {"organisation": organisation.name, "id": join_request_id}
        )
    detail.update(account=str(join_request.account_id), email=join_request.account.email)
    if join_request.status == JoinRequest.Status.APPROVED:
        raise ValidationError(_("This request to join was already approved."))
    if join_request.status != JoinRequest.Status.PENDING:  # refused: the only other decision
        raise ValidationError(_("This request to join was already refused."))
    join_request.status = JoinRequest.Status.APPROVED if approve else JoinRequest.Status.REFUSED
    join_request.decided_by = actor.label[:200]
    join_request.decided_at = timezone.now()
    join_request.save(update_fields=["status", "decided_by", "decided_at"])
    return join_request


def join_request_approve(*, organisation: Organisation, join_request_id: int, actor: Actor) -> JoinRequest:
    """Approve a pending request: the person becomes a member (a higher role they hold meanwhile is kept)."""

    with membership_operation(
        organisation=organisation, actor=actor, action="membership.join_request.approve", join_request=join_request_id
    ) as detail:
        with transaction.atomic():
            join_request = _decide(
                organisation=organisation, join_request_id=join_request_id, actor=actor, approve=True, detail=detail
            )
            if not join_request.account.is_active:
                raise ValidationError(_("The account that asked to join is no longer active."))
            user = local_user_for_account(account=join_request.account)
            if role_of(user=user) is None:
                membership_set_role(user=user, role=Role.MEMBER)
            _tell_after_commit(organisation=organisation, account=join_request.account, approved=True)
    return join_request


def join_request_refuse(*, organisation: Organisation, join_request_id: int, actor: Actor) -> JoinRequest:
    """Refuse a pending request (the person may ask again later)."""
    with membership_operation(
        organisation=organisation, actor=actor, action="membership.join_request.refuse", join_request=join_request_id
    ) as detail:
        with transaction.atomic():
            join_request = _decide(
                organisation=organisation, join_request_id=join_request_id, actor=actor, approve=False, detail=detail
            )
            _tell_after_commit(organisation=organisation, account=join_request.account, approved=False)
    return join_request


def invitation_accept(*, organisation: Organisation, account: Account) -> User:
    """Accept now an open invitation addressed to a verified address of ``account`` (a person who already
    had a local user there never passes the first-sign-in step that applies invitations)."""

    with membership_operation(
        organisation=organisation,
        actor=Actor(f"account:{account.email}"),
        action="membership.invitation.accept",
        account=str(account.pk),
        email=account.email,
    ) as detail:
        with transaction.atomic():
            invitation = (
                invitations_acceptable_by(organisation=organisation, account=account).select_for_update().first()
            )
            if invitation is None:
                raise ValidationError(
                    _("There is no open invitation to %(organisation)s for a verified address of this account.")
                    % {"organisation": organisation.name}
                )
            role = parse_role(invitation.role)
            detail.update(invitation=invitation.pk, role=role.value)
            user = local_user_for_account(account=account)
            current = role_of(user=user)
            if current is None or _rank(role) > _rank(current):
                membership_set_role(user=user, role=role)
            invitation.accepted_at = timezone.now()
            invitation.save(update_fields=["accepted_at"])
    return user


# --- Invitations ---------------------------------------------------------------------------------------


def membership_invite(*, organisation: Organisation, email: str, role: Role | str, actor: Actor) -> Invitation:
    """Invite ``email`` to ``organisation`` with ``role`` (through ``invitation_create``; e-mail after commit)."""
    role = parse_role(role)
    email = (email or "").strip()
    with membership_operation(
        organisation=organisation, actor=actor, action="membership.invite", email=email, role=role.value
    ) as detail:
        account = account_find_by_email(email=email) if email else None
        user = User.objects.filter(account_id=account.pk).first() if account is not None else None
        if user is not None and role_of(user=user) is not None:
            raise ValidationError(
                {
                    "email": [
                        _("%(email)s is already a member of %(organisation)s; change their role instead.")
                        % {"email": email, "organisation": organisation.name}
                    ]
                }
            )
        with transaction.atomic():
            invitation = invitation_create(organisation=organisation, email=email, role=role, actor=actor)
        detail["invitation"] = invitation.pk
    return invitation


def _open_invitation(*, organisation: Organisation, invitation_id: int) -> Invitation:
    invitation = Invitation.objects.select_for_update().filter(pk=invitation_id).first()
    if invitation is None or invitation.organisation_id != organisation.pk:
        raise ValidationError(
            _("There is no invitation to %(organisation)s with the id %(id)s.")
            % {"organisation": organisation.name, "id": invitation_id}
        )
    if invitation.accepted_at is not None:
        raise ValidationError(_("The invitation of %(email)s was already accepted.") % {"email": invitation.email})
    return invitation


def invitation_revoke(*, organisation: Organisation, invitation_id: int, actor: Actor) -> None:
    """Withdraw an open invitation (its link and first sign-in no longer give the role)."""
    with membership_operation(
        organisation=organisation, actor=actor, action="membership.invitation.revoke", invitation=invitation_id
    ) as detail:
        with transaction.atomic():
            invitation = _open_invitation(organisation=organisation, invitation_id=invitation_id)
            detail.update(email=invitation.email, role=invitation.role)
            invitation.delete()


def invitation_resend(*, organisation: Organisation, invitation_id: int, actor: Actor) -> Invitation:
    """Send an open invitation again: a fresh invitation (same address and role) replaces it."""
    with membership_operation(
        organisation=organisation, actor=actor, action="membership.invitation.resend", invitation=invitation_id
    ) as detail:
        with transaction.atomic():
            old = _open_invitation(organisation=organisation, invitation_id=invitation_id)
            email, role = old.email, parse_role(old.role)
            detail.update(email=email, role=role.value)
            old.delete()
            invitation = invitation_create(organisation=organisation, email=email, role=role, actor=actor)
            detail["new_invitation"] = invitation.pk
    return invitation


# --- Roles and removal ---------------------------------------------------------------------------------


_RANKS = {Role.MEMBER: 1, Role.EDITOR: 2, Role.ADMINISTRATOR: 3}


def _rank(role: Role) -> int:
    return _RANKS[role]


def _lock_administrators() -> None:
    """Serialise changes that could leave the organisation without an administrator (this schema)."""
    Group.objects.select_for_update().filter(name=ADMINISTRATORS_GROUP).first()


def _member(*, organisation: Organisation, user_id: int) -> tuple[User, Role]:
    user = User.objects.filter(pk=user_id).first()
    role = role_of(user=user) if user is not None else None
    if user is None or role is None:
        raise ValidationError(
            _("There is no member of %(organisation)s with the id %(id)s.")
            % {"organisation": organisation.name, "id": user_id}
        )
    return user, role


def _require_another_administrator(*, organisation: Organisation, user: User, what: str) -> None:
    """``what``: ``"demoted"`` or ``"removed"``."""
    if user.is_active and administrators_count() <= 1:
        words = {"user": user, "organisation": organisation.name}
        if what == "demoted":
            raise ValidationError(
                _(
                    "%(user)s is the last administrator of %(organisation)s and cannot be demoted; "
                    "make someone else an administrator first."
                )
                % words
            )
        raise ValidationError(
            _(
                "%(user)s is the last administrator of %(organisation)s and cannot be removed; "
                "make someone else an administrator first."
            )
            % words
        )


def membership_change_role(*, organisation: Organisation, user_id: int, role: Role | str, actor: Actor) -> User:
    """Give a member another role; the last administrator cannot be demoted."""

    role = parse_role(role)
    with membership_operation(
        organisation=organisation, actor=actor, action="membership.role.change", user=user_id, role=role.value
    ) as detail:
        with transaction.atomic():
            _lock_administrators()
            user, current = _member(organisation=organisation, user_id=user_id)
            detail.update(email=user.email, previous_role=current.value)
            if current == Role.ADMINISTRATOR and role != Role.ADMINISTRATOR:
                _require_another_administrator(organisation=organisation, user=user, what="demoted")
            membership_set_role(user=user, role=role)
    return user


def membership_remove(*, organisation: Organisation, user_id: int, actor: Actor) -> User:
    """End a membership: every group and permission in this schema gone, not a superuser.

    Takes effect on the person's next request (permissions are read per request). The local user
    stays (their content keeps its author); the last administrator cannot be removed.
    """

    with membership_operation(
        organisation=organisation, actor=actor, action="membership.remove", user=user_id
    ) as detail:
        with transaction.atomic():
            _lock_administrators()
            user, current = _member(organisation=organisation, user_id=user_id)
            detail.update(email=user.email, previous_role=current.value)
            if current == Role.ADMINISTRATOR:
                _require_another_administrator(organisation=organisation, user=user, what="removed")
            membership_set_role(user=user, role=None)
            user.groups.clear()  # groups an administrator made by hand too: no access is left behind
            user.user_permissions.clear()
            user.is_superuser = False
            user.is_staff = False
            user.save(update_fields=["is_superuser", "is_staff"])
    return user


# --- E-mail --------------------------------------------------------------------------------------------


def _tell_after_commit(*, organisation: Organisation, account: Account, approved: bool) -> None:
    """The decision's e-mail, built and sent by a worker after commit (``shared_apps.accounts.mail``)."""
    mail_queue(
        builder="shared_apps.accounts.services.invitations.organisation_join_decision_mail",
        account_id=str(account.pk),
        organisation_id=organisation.pk,
        approved=approved,
    )
