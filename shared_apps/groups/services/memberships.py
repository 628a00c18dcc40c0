"""Joining, leaving, removing, roles and ownership. A group always keeps an owner."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shared_apps.accounts.models import Account
from shared_apps.groups import access
from shared_apps.groups.models import Group, GroupMembership
from shared_apps.groups.services.activity import activity_record
from shared_apps.groups.services.common import actor_of, refuse
from tenants.audit import audited

Role = GroupMembership.Role


def membership_add(*, group: Group, account: Account, role: str = Role.MEMBER, how: str = "joined") -> GroupMembership:
    """Put ``account`` in the group (no access check: the callers decide). Idempotent for a member."""
    existing = GroupMembership.objects.filter(group=group, account=account).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            membership = GroupMembership.objects.create(group=group, account=account, role=role)
    except IntegrityError:  # joined at the same moment in another request
        return GroupMembership.objects.get(group=group, account=account)
    activity_record(group=group, actor=account, verb=f"member.{how}", summary=account.display_name)
    return membership


#: A visit is recorded at most this often per member and group (no write on every page).
VISIT_RESOLUTION = timedelta(minutes=1)


def membership_mark_visited(*, group: Group, account_id: object) -> None:
    """The member opened the group: what is new for them starts from now."""
    now = timezone.now()
    GroupMembership.objects.filter(group=group, account_id=account_id).filter(
        models.Q(last_visit_at__isnull=True) | models.Q(last_visit_at__lt=now - VISIT_RESOLUTION)
    ).update(last_visit_at=now)


def group_join(*, group: Group, account: Account) -> GroupMembership:
    """Join an open group at once (someone in its audience)."""
    viewer = access.viewer_for_account(account)
    if viewer.is_member(group):
        return GroupMembership.objects.get(group=group, account=account)
    if not access.can_join(viewer=viewer, group=group):
        if access.can_request_to_join(viewer=viewer, group=group):
            raise refuse(_("This group takes members on request: ask to join."))
        raise refuse(_("You cannot join this group."))
    return membership_add(group=group, account=account)


def _membership(group: Group, account_id: object) -> GroupMembership:
    membership = GroupMembership.objects.select_for_update().filter(group=group, account_id=account_id).first()
    if membership is None:
        raise ValidationError(_("That person is not a member of this group."))
    return membership


def _owners_left_without(group: Group, account_id: object) -> int:
    return GroupMembership.objects.filter(group=group, role=Role.OWNER).exclude(account_id=account_id).count()


def group_leave(*, group: Group, account: Account) -> None:
    """Leave a group. The last owner hands ownership over first."""
    with audited(actor=actor_of(account), action="group.leave", group=group.slug), transaction.atomic():
        Group.objects.select_for_update().get(pk=group.pk)  # one change of owners at a time
        membership = _membership(group, account.pk)
        if membership.role == Role.OWNER and _owners_left_without(group, account.pk) == 0:
            raise ValidationError(
                _("You are the group's only owner: hand ownership to another member before you leave.")
            )
        membership.delete()
        activity_record(group=group, actor=account, verb="member.left", summary=account.display_name)


def member_remove(*, group: Group, actor: Account, account_id: object) -> None:
    """Take a member out of the group (owners and administrators; only an owner removes an owner)."""
    viewer = access.viewer_for_account(actor)
    if not access.can_manage(viewer=viewer, group=group):
        raise refuse(_("Only the group's owners and administrators remove members."))
    with audited(actor=actor_of(actor), action="group.member.remove", group=group.slug, account=str(account_id)):
        with transaction.atomic():
            Group.objects.select_for_update().get(pk=group.pk)
            membership = _membership(group, account_id)
            if membership.role == Role.OWNER:
                if viewer.role_in(group) != Role.OWNER:
                    raise refuse(_("Only an owner removes another owner."))
                if _owners_left_without(group, account_id) == 0:
                    raise ValidationError(_("A group keeps at least one owner."))
            membership.delete()


def member_set_role(*, group: Group, actor: Account, account_id: object, role: str) -> GroupMembership:
    """Promote or demote a member. Owners give any role; administrators make members administrators and
    back, never touching owners. A group keeps at least one owner."""
    if role not in Role.values:
        raise ValidationError({"role": [_("Choose one of: %(roles)s.") % {"roles": ", ".join(Role.values)}]})
    viewer = access.viewer_for_account(actor)
    if not access.can_manage(viewer=viewer, group=group):
        raise refuse(_("Only the group's owners and administrators change roles."))
    with audited(
        actor=actor_of(actor), action="group.member.role", group=group.slug, account=str(account_id), role=role
    ):
        with transaction.atomic():
            Group.objects.select_for_update().get(pk=group.pk)
            membership = _membership(group, account_id)
            if viewer.role_in(group) != Role.OWNER and Role.OWNER in (membership.role, role):
                raise refuse(_("Only an owner gives or takes away ownership."))
            if membership.role == Role.OWNER and role != Role.OWNER and _owners_left_without(group, account_id) == 0:
                raise ValidationError(_("A group keeps at least one owner: make someone else owner first."))
            membership.role = role
            membership.save(update_fields=["role"])
    return membership


def ownership_transfer(*, group: Group, actor: Account, account_id: object) -> None:
    """An owner hands the group to another member, and stays on as an administrator."""
    viewer = access.viewer_for_account(actor)
    if viewer.role_in(group) != Role.OWNER:
        raise refuse(_("Only an owner hands ownership over."))
    if str(account_id) == str(actor.pk):
        raise ValidationError(_("Choose another member to hand the group to."))
    with audited(actor=actor_of(actor), action="group.owner.transfer", group=group.slug, account=str(account_id)):
        with transaction.atomic():
            Group.objects.select_for_update().get(pk=group.pk)
            target = _membership(group, account_id)
            target.role = Role.OWNER
            target.save(update_fields=["role"])
            GroupMembership.objects.filter(group=group, account=actor).update(role=Role.ADMINISTRATOR)


def ownership_hand_over_on_departure(*, account: Account) -> list[Group]:
    """Before an account goes: every group it is the only owner of passes to its longest-standing
    administrator, else its longest-standing member (a group always keeps an owner). The groups changed."""
    changed = []
    for membership in GroupMembership.objects.filter(account=account, role=Role.OWNER).select_related("group"):
        group = membership.group
        with transaction.atomic():
            Group.objects.select_for_update().get(pk=group.pk)
            if _owners_left_without(group, account.pk):
                continue
            heir = (
                GroupMembership.objects.filter(group=group, account__is_active=True)
                .exclude(account=account)
                .order_by(
                    models.Case(
                        models.When(role=Role.ADMINISTRATOR, then=models.Value(0)),
                        default=models.Value(1),
                        output_field=models.IntegerField(),
                    ),
                    "joined_at",
                    "pk",
                )
                .first()
            )
            if heir is None:
                continue  # nobody left to hand it to: the group stays for the operators to archive or delete
            with audited(
                actor=actor_of(None), action="group.owner.inherit", group=group.slug, account=str(heir.account_id)
            ):
                heir.role = Role.OWNER
                heir.save(update_fields=["role"])
            changed.append(group)
    return changed
