"""Notification e-mails: one at once, or a digest; built in the recipient's language, sent by a worker.

Every notification is checked again when its e-mail is built (``still_visible``): the recipient may have
left the group, the item may be hidden or gone, a request to join decided. What they may no longer see is
left out and marked (``mail_skipped_at``), never tried again; a digest with nothing left is not sent. The
backend's errors are not caught here: the tasks retry (``shared_apps.notifications.tasks``), and nothing is
marked mailed before the backend accepted the message.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from shared_apps.accounts.mail import platform_url
from shared_apps.accounts.models import Account
from shared_apps.groups import access
from shared_apps.groups.access import GroupViewer
from shared_apps.groups.models import GroupContent, GroupInvitation, GroupJoinRequest
from shared_apps.notifications.models import DIGEST_FREQUENCIES, Frequency, Notification
from shared_apps.notifications.unsubscribe import list_for_notification, unsubscribe_url
from shared_apps.notifications.wording import describe

Kind = Notification.Kind
#: Notifications listed in one digest, at most (the rest: "and N more", in the centre).
DIGEST_MAX = 50


# --- Is it still for them? ------------------------------------------------------------------------------


def items_of(notifications: Iterable[Notification]) -> dict[tuple[int, int], object]:
    """(content type id, id) -> the item each notification tells of, one query per kind of item."""
    wanted: dict[int, set[int]] = defaultdict(set)
    for notification in notifications:
        if notification.item_type_id is not None and notification.item_id is not None:
            wanted[notification.item_type_id].add(notification.item_id)
    found: dict[tuple[int, int], object] = {}
    for type_id, ids in wanted.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        if model is None:
            continue
        query = model.objects.filter(pk__in=ids)
        if issubclass(model, GroupContent | GroupJoinRequest | GroupInvitation):
            query = query.select_related("group")
        for item in query:
            found[(type_id, item.pk)] = item
    return found


def still_visible(*, notification: Notification, viewer: GroupViewer, items: dict[tuple[int, int], object]) -> bool:
    """May the recipient still be told of it (asked of ``shared_apps.groups.access``, now)?"""
    if notification.withdrawn_at is not None or not viewer.signed_in or viewer.account_id != notification.recipient_id:
        return False
    item = items.get((notification.item_type_id, notification.item_id))
    if notification.kind == Kind.JOIN_REQUEST:
        return (
            isinstance(item, GroupJoinRequest)
            and item.status == GroupJoinRequest.Status.PENDING
            and access.can_manage(viewer=viewer, group=item.group)
        )
    if notification.kind == Kind.INVITATION:
        return (
            isinstance(item, GroupInvitation) and item.is_open and access.can_see_group(viewer=viewer, group=item.group)
        )
    if not isinstance(item, GroupContent):
        return False
    return access.can_see_content_item(viewer=viewer, item=item)


# --- Building -------------------------------------------------------------------------------------------


def _headers(*, account: Account, list_name: str) -> dict[str, str]:
    return {
        "List-Unsubscribe": f"<{unsubscribe_url(account_id=account.pk, list_name=list_name)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "Auto-Submitted": "auto-generated",
        "Content-Language": translation.get_language() or settings.LANGUAGE_CODE,
    }


def _line(notification: Notification) -> dict[str, str]:
    return {
        "text": describe(notification),
        "url": platform_url(notification.url or "/notifications/"),
        "group": notification.group.name if notification.group is not None else "",
    }


def _centre_urls() -> dict[str, str]:
    public = settings.PUBLIC_SCHEMA_URLCONF
    return {
        "centre_url": platform_url(reverse("notifications:list", urlconf=public)),
        "settings_url": platform_url(reverse("notifications:settings", urlconf=public)),
    }


def notification_message(*, notification: Notification) -> EmailMultiAlternatives:
    """The e-mail sent at once for one notification, in the recipient's language."""
    account = notification.recipient
    with translation.override(account.language or settings.LANGUAGE_CODE):
        line = _line(notification)
        list_name = list_for_notification(notification)
        context = {"name": account.display_name, "line": line, **_centre_urls()}
        message = EmailMultiAlternatives(
            subject=line["text"][:200],
            body=render_to_string("notifications/mail/notification.txt", context),
            to=[account.email],
            headers=_headers(account=account, list_name=list_name),
        )
        message.attach_alternative(render_to_string("notifications/mail/notification.html", context), "text/html")
    return message


def digest_message(*, account: Account, frequency: str, notifications: list[Notification]) -> EmailMultiAlternatives:
    """One digest of ``notifications`` (not empty), grouped by group, in the recipient's language."""
    with translation.override(account.language or settings.LANGUAGE_CODE):
        shown = notifications[:DIGEST_MAX]
        sections: dict[str, list[dict[str, str]]] = {}
        for notification in shown:
            line = _line(notification)
            sections.setdefault(line["group"] or _("Other"), []).append(line)
        count = len(notifications)
        today = date_format(timezone.localdate(), "l j F Y")
        if frequency == Frequency.WEEKLY:
            subject = ngettext(
                "Your weekly GovSquare digest: %(count)s new notification",
                "Your weekly GovSquare digest: %(count)s new notifications",
                count,
            ) % {"count": count}
        else:
            subject = ngettext(
                "Your daily GovSquare digest: %(count)s new notification",
                "Your daily GovSquare digest: %(count)s new notifications",
                count,
            ) % {"count": count}
        context = {
            "name": account.display_name,
            "today": today,
            "sections": sections,
            "more": count - len(shown),
            "weekly": frequency == Frequency.WEEKLY,
            **_centre_urls(),
        }
        message = EmailMultiAlternatives(
            subject=subject,
            body=render_to_string("notifications/mail/digest.txt", context),
            to=[account.email],
            headers=_headers(account=account, list_name=f"digest:{frequency}"),
        )
        message.attach_alternative(render_to_string("notifications/mail/digest.html", context), "text/html")
    return message


# --- Sending (from a worker) ----------------------------------------------------------------------------


def notification_mail_send(*, notification_id: int) -> str:
    """Mail one notification at once: ``"sent"``, ``"skipped"`` (no longer for them, or not to be mailed) or
    ``"done"`` (mailed before). Errors of the mail backend are raised (the task retries); the row is marked
    mailed only after the backend accepted the message, and locked meanwhile so no two workers send it."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("recipient", "group", "actor")
            .filter(pk=notification_id)
            .first()
        )
        if notification is None or not notification.is_pending_mail:
            return "done"
        account = notification.recipient
        viewer = access.viewer_for_account(account)
        if notification.delivery != Frequency.IMMEDIATELY or not still_visible(
            notification=notification, viewer=viewer, items=items_of([notification])
        ):
            notification.mail_skipped_at = timezone.now()
            notification.save(update_fields=["mail_skipped_at"])
            return "skipped"
        notification_message(notification=notification).send(fail_silently=False)
        notification.mailed_at = timezone.now()
        notification.save(update_fields=["mailed_at"])
    return "sent"


def digest_recipients(*, frequency: str) -> list[object]:
    """The accounts with notifications waiting for this digest."""
    if frequency not in DIGEST_FREQUENCIES:
        raise ValueError(f"Not a digest frequency: {frequency!r}")
    return list(
        Notification.objects.filter(delivery=frequency, mailed_at__isnull=True, mail_skipped_at__isnull=True)
        .order_by("recipient_id")
        .values_list("recipient_id", flat=True)
        .distinct()
    )


def digest_send(*, account_id: object, frequency: str) -> int:
    """Build and send one person's digest; the number of notifications in it (0: nothing left, no e-mail).
    Each waiting notification is checked again: what the person may no longer see is marked and left out."""
    if frequency not in DIGEST_FREQUENCIES:
        raise ValueError(f"Not a digest frequency: {frequency!r}")
    account = Account.objects.filter(pk=account_id).first()
    if account is None:
        return 0
    with transaction.atomic():
        waiting = list(
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("group", "actor")
            .filter(recipient=account, delivery=frequency, mailed_at__isnull=True, mail_skipped_at__isnull=True)
            .order_by("group__name", "group_id", "-created_at", "-pk")
        )
        if not waiting:
            return 0
        viewer = access.viewer_for_account(account)
        items = items_of(waiting)
        keep = [n for n in waiting if still_visible(notification=n, viewer=viewer, items=items)]
        kept = {n.pk for n in keep}
        dropped = [n.pk for n in waiting if n.pk not in kept]
        now = timezone.now()
        if dropped:
            Notification.objects.filter(pk__in=dropped).update(mail_skipped_at=now)
        if not keep:
            return 0
        digest_message(account=account, frequency=frequency, notifications=keep).send(fail_silently=False)
        Notification.objects.filter(pk__in=kept).update(mailed_at=timezone.now())
    return len(keep)
