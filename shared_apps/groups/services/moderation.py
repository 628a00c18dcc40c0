"""Reports and moderation: any member reports an item; the group's owners and administrators, and platform
operators, hide it (out of sight, kept, can be shown again) or remove it, and decide the reports."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shared_apps.accounts.models import Account
from shared_apps.groups import access
from shared_apps.groups.models import Group, GroupContent, GroupReport
from shared_apps.groups.services.activity import activity_forget, activity_hide
from shared_apps.groups.services.common import actor_of, refuse
from tenants.audit import audited

REASON_MAX = 1000


def _in_group(group: Group, item: GroupContent) -> None:
    if item.group_id != group.pk:
        raise ValidationError(_("That item is not in this group."))


def report_create(*, group: Group, reporter: Account, item: GroupContent, reason: str) -> GroupReport:
    _in_group(group, item)
    if not access.can_report(viewer=access.viewer_for_account(reporter), group=group):
        raise refuse(_("Only members report items in a group."))
    reason = (reason or "").replace("\x00", "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say what is wrong with it.")]})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": [_("Keep the reason to %(count)s characters.") % {"count": REASON_MAX}]})
    return GroupReport.objects.create(
        group=group,
        reporter=reporter,
        target_type=ContentType.objects.get_for_model(item),
        target_id=item.pk,
        summary=str(item)[:300],
        reason=reason,
    )


def _require_moderator(group: Group, actor: Account) -> None:
    if not access.can_moderate(viewer=access.viewer_for_account(actor), group=group):
        raise refuse(_("Only the group's owners and administrators, and platform operators, moderate a group."))


def reports_close_for_removed(*, item: GroupContent) -> None:
    """An item is gone (removed, or deleted with what it was in): its open reports are closed as removed."""
    GroupReport.objects.filter(
        target_type=ContentType.objects.get_for_model(item), target_id=item.pk, status=GroupReport.Status.OPEN
    ).update(status=GroupReport.Status.REMOVED, decided_at=timezone.now())


def _close_reports(item: GroupContent, *, status: str, actor: Account) -> None:
    GroupReport.objects.filter(
        target_type=ContentType.objects.get_for_model(item), target_id=item.pk, status=GroupReport.Status.OPEN
    ).update(status=status, decided_by=actor, decided_at=timezone.now())


def item_hide(*, group: Group, actor: Account, item: GroupContent, hidden: bool = True) -> GroupContent:
    _in_group(group, item)
    _require_moderator(group, actor)
    action = "group.item.hide" if hidden else "group.item.show"
    with audited(actor=actor_of(actor), action=action, group=group.slug, item=f"{item._meta.label}:{item.pk}"):
        with transaction.atomic():
            item.hidden_at = timezone.now() if hidden else None
            item.hidden_by = actor if hidden else None
            item.save(update_fields=["hidden_at", "hidden_by"])
            activity_hide(target=item, hidden=hidden)
            if hidden:
                _close_reports(item, status=GroupReport.Status.HIDDEN, actor=actor)
    return item


def item_remove(*, group: Group, actor: Account, item: GroupContent) -> None:
    _in_group(group, item)
    _require_moderator(group, actor)
    label = f"{item._meta.label}:{item.pk}"
    with audited(
        actor=actor_of(actor), action="group.item.remove", group=group.slug, item=label, summary=str(item)[:200]
    ):
        with transaction.atomic():
            _close_reports(item, status=GroupReport.Status.REMOVED, actor=actor)
            activity_forget(target=item)
            item.delete()


def report_dismiss(*, group: Group, actor: Account, report_id: int) -> GroupReport:
    _require_moderator(group, actor)
    with audited(actor=actor_of(actor), action="group.report.dismiss", group=group.slug, report=report_id):
        report = GroupReport.objects.filter(group=group, pk=report_id, status=GroupReport.Status.OPEN).first()
        if report is None:
            raise ValidationError(_("That report has been decided already."))
        report.status, report.decided_by, report.decided_at = GroupReport.Status.DISMISSED, actor, timezone.now()
        report.save(update_fields=["status", "decided_by", "decided_at"])
    return report
