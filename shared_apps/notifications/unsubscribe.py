"""One-click unsubscribe (RFC 8058): a signed token names one person and one list of e-mails.

Every notification e-mail carries ``List-Unsubscribe: <…/notifications/unsubscribe/<token>/>`` and
``List-Unsubscribe-Post: List-Unsubscribe=One-Click``; the token is all the page needs (no sign-in), and it
can change nothing but its own person's setting for its own list. The lists:

* ``group:<id>`` — e-mails about one group's activity (that group set to "never");
* ``digest:daily`` / ``digest:weekly`` — the digest (the default, and every group set to it, to "never");
* ``kind:replies`` / ``kind:mentions`` / ``kind:join_requests`` — the e-mails sent at once for those.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _

from shared_apps.accounts.mail import platform_url
from shared_apps.accounts.models import Account
from shared_apps.groups.models import Group
from shared_apps.notifications.models import Notification

SALT = "govsquare.notifications.unsubscribe"
KIND_LISTS = {
    "kind:replies": "replies",
    "kind:mentions": "mentions",
    "kind:join_requests": "join_requests",
}
DIGEST_LISTS = {"digest:daily": "daily", "digest:weekly": "weekly"}
_GROUP_LIST = re.compile(r"^group:(?P<id>[0-9]{1,18})$")

#: The list an e-mail sent at once for a notification belongs to, by its kind.
LIST_OF_KIND = {
    Notification.Kind.REPLY: "kind:replies",
    Notification.Kind.MENTION: "kind:mentions",
    Notification.Kind.JOIN_REQUEST: "kind:join_requests",
}


@dataclass(frozen=True)
class Unsubscription:
    """What a valid token names."""

    account: Account
    list_name: str
    group: Group | None = None


def is_list(list_name: str) -> bool:
    return list_name in KIND_LISTS or list_name in DIGEST_LISTS or _GROUP_LIST.match(list_name) is not None


def list_for_notification(notification: Notification) -> str:
    """The list of the e-mail sent at once for ``notification``."""
    return LIST_OF_KIND.get(notification.kind, f"group:{notification.group_id}")


def token_make(*, account_id: object, list_name: str) -> str:
    if not is_list(list_name):
        raise ValueError(f"Not a list of e-mails: {list_name!r}")
    return signing.dumps({"a": str(account_id), "l": list_name}, salt=SALT, compress=False)


def unsubscribe_url(*, account_id: object, list_name: str) -> str:
    """The absolute one-click address for the person and list (on the shared space)."""
    token = token_make(account_id=account_id, list_name=list_name)
    path = reverse("notifications:unsubscribe", kwargs={"token": token}, urlconf=settings.PUBLIC_SCHEMA_URLCONF)
    return platform_url(path)


def token_read(*, token: str) -> Unsubscription:
    """The person and list a token names; ``ValidationError`` for a token that is bad, changed or stale."""
    invalid = ValidationError(
        _("This unsubscribe link is not valid. Sign in and change your notification settings instead.")
    )
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature as exc:
        raise invalid from exc
    if not isinstance(data, dict) or not isinstance(data.get("l"), str) or not is_list(data["l"]):
        raise invalid
    account_id = _uuid_or_none(data.get("a"))
    account = Account.objects.filter(pk=account_id).first() if account_id is not None else None
    if account is None:
        raise invalid
    group = None
    matched = _GROUP_LIST.match(data["l"])
    if matched is not None:
        group = Group.objects.filter(pk=int(matched["id"])).first()
    return Unsubscription(account=account, list_name=data["l"], group=group)


def _uuid_or_none(value: object) -> str | None:
    if not isinstance(value, str) or not re.fullmatch(r"[0-9a-fA-F-]{36}", value):
        return None
    return value


def list_label(subscription: Unsubscription) -> str:
    """The list's name as the page says it (nothing else about the person)."""
    name = subscription.list_name
    if name == "digest:daily":
        return _("the daily digest")
    if name == "digest:weekly":
        return _("the weekly digest")
    if name == "kind:replies":
        return _("e-mails about replies to your posts")
    if name == "kind:mentions":
        return _("e-mails about mentions of you")
    if name == "kind:join_requests":
        return _("e-mails about requests to join groups you manage")
    if subscription.group is not None:
        return _("e-mails about the group %(group)s") % {"group": subscription.group.name}
    return _("e-mails about a group that no longer exists")
