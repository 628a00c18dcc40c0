"""Asking to join a group that takes members on request; its owners and administrators decide."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shared_apps.accounts.mail import Mail, in_language, mail_queue, platform_url
from shared_apps.accounts.models import Account
from shared_apps.groups import access, events
from shared_apps.groups.models import Group, GroupJoinRequest
from shared_apps.groups.services.common import actor_of, refuse
from shared_apps.groups.services.memberships import membership_add
from tenants.audit import audited

MESSAGE_MAX = 1000


def group_join_request_create(*, group: Group, account: Account, message: str = "") -> GroupJoinRequest:
    viewer = access.viewer_for_account(account)
    if viewer.is_member(group):
        raise ValidationError(_("You are a member of this group already."))
    if not access.can_request_to_join(viewer=viewer, group=group):
        raise refuse(_("This group does not take requests to join."))
    message = (message or "").replace("\x00", "").strip()
    if len(message) > MESSAGE_MAX:
        raise ValidationError({"message": [_("Keep the message to %(count)s characters.") % {"count": MESSAGE_MAX}]})
    try:
        with transaction.atomic():
            join_request = GroupJoinRequest.objects.create(group=group, account=account, message=message)
            events.join_requested.send(sender=GroupJoinRequest, join_request=join_request)
            return join_request
    except IntegrityError as exc:
        raise ValidationError(_("You have asked to join this group already; its administrators will decide.")) from exc


def _decide(*, group: Group, actor: Account, request_id: int, approve: bool) -> GroupJoinRequest:
    if not access.can_manage(viewer=access.viewer_for_account(actor), group=group):
        raise refuse(_("Only the group's owners and administrators decide on requests to join."))
    action = "group.request.approve" if approve else "group.request.refuse"
    with audited(actor=actor_of(actor), action=action, group=group.slug, request=request_id), transaction.atomic():
        request = (
            GroupJoinRequest.objects.select_for_update()
            .select_related("account")
            .filter(group=group, pk=request_id, status=GroupJoinRequest.Status.PENDING)
            .first()
        )
        if request is None:
            raise ValidationError(_("That request has been decided already."))
        request.status = GroupJoinRequest.Status.APPROVED if approve else GroupJoinRequest.Status.REFUSED
        request.decided_by, request.decided_at = actor, timezone.now()
        request.save(update_fields=["status", "decided_by", "decided_at"])
        if approve:
            membership_add(group=group, account=request.account, how="approved")
        mail_queue(builder="shared_apps.groups.services.join_requests.join_decision_mail", join_request_id=request.pk)
    return request


def join_decision_mail(*, join_request_id: int) -> Mail | None:
    """Tell the person who asked what was decided (in their language); none while the request is pending."""
    request = GroupJoinRequest.objects.select_related("group", "account").filter(pk=join_request_id).first()
    if request is None or request.status == GroupJoinRequest.Status.PENDING:
        return None
    approve = request.status == GroupJoinRequest.Status.APPROVED
    group = request.group
    link = platform_url(reverse("groups:detail", kwargs={"slug": group.slug}, urlconf=settings.PUBLIC_SCHEMA_URLCONF))
    words = {"group": group.name, "link": link}
    with in_language(request.account.language):
        return Mail(
            to=request.account.email,
            subject=(_("Welcome to %(group)s") if approve else _("Your request to join %(group)s")) % words,
            body=(
                _("Your request to join the group %(group)s has been approved.\n\n%(link)s")
                if approve
                else _("Your request to join the group %(group)s was not approved.")
            )
            % words,
        )


def group_join_request_approve(*, group: Group, actor: Account, request_id: int) -> GroupJoinRequest:
    return _decide(group=group, actor=actor, request_id=request_id, approve=True)


def group_join_request_refuse(*, group: Group, actor: Account, request_id: int) -> GroupJoinRequest:
    return _decide(group=group, actor=actor, request_id=request_id, approve=False)
