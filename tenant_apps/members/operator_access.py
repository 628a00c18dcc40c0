"""Platform operators in an organisation's Wagtail admin.

Operators are not members of the organisations they look after, so their local user there holds no
role and Wagtail would keep them out. Every view of the organisation's admin (``/admin/`` in
``govsquare/urls_tenants.py``) is wrapped by ``admit_platform_operator``: a signed-in local user that
lacks admin access through its own role, but whose account is an active platform operator, is treated
as a superuser of that schema **for this request only** — the flag is set on the request's user
object and never written to the database (``_keep_elevation_unsaved``), so revoking the operator role
(or the account) ends it on the next request, and the organisation's role groups stay exactly as its
administrators made them. The first such request of a session is recorded in that organisation's
audit trail (action ``operator.admin.enter``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from types import ModuleType
from typing import Any

from django.conf import settings
from django.db.models.signals import post_save, pre_save
from django.http import HttpRequest, HttpResponse
from wagtail.utils.urlpatterns import decorate_urlpatterns

from shared_apps.accounts.models import Account
from shared_apps.operator.selectors import account_is_operator
from tenant_apps.members.services import operator_admin_entry_record
from tenants.models import Organisation

SESSION_KEY = "govsquare.operator_admin_entered"
_ELEVATED = "_govsquare_operator_elevated"
_WRAPPED = "_govsquare_operator_access"


def operator_account_for(*, user: Any) -> Account | None:
    """The active platform-operator account behind a signed-in local user, else ``None``."""
    if not getattr(user, "is_authenticated", False) or not user.is_active or not getattr(user, "account_id", None):
        return None
    try:
        account = Account.objects.get(pk=user.account_id)
    except Account.DoesNotExist:  # the link has no database constraint: the account may be gone
        return None
    return account if account_is_operator(account=account) else None


def admit_platform_operator(request: HttpRequest) -> bool:
    """Let an operator into this organisation's admin for this request; ``True`` if it did."""
    organisation = getattr(request, "tenant", None)
    user = request.user
    if not isinstance(organisation, Organisation) or not user.is_authenticated:
        return False
    if getattr(user, _ELEVATED, False) or user.has_perm("wagtailadmin.access_admin"):
        return False  # already let in, or in through the person's own role: not an operator entry
    account = operator_account_for(user=user)
    if account is None:
        return False
    user.is_superuser = True  # this request's object only; see _keep_elevation_unsaved
    setattr(user, _ELEVATED, True)
    if not request.session.get(SESSION_KEY):
        operator_admin_entry_record(organisation=organisation, account=account, path=request.path)
        request.session[SESSION_KEY] = True
    return True


def operator_admin_access(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    if getattr(view, _WRAPPED, False):
        return view

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        admit_platform_operator(request)
        return view(request, *args, **kwargs)

    setattr(wrapped, _WRAPPED, True)
    return wrapped


def admit_platform_operators(urlconf: ModuleType) -> ModuleType:
    """Wrap every view of an admin URLconf module (Wagtail's) with ``operator_admin_access``, once."""
    decorate_urlpatterns(urlconf.urlpatterns, operator_admin_access)
    return urlconf


def _keep_elevation_unsaved(sender: type, instance: Any, **kwargs: Any) -> None:
    """An operator's request-only superuser flag never reaches the database (an admin form may save
    the request's user object)."""
    if getattr(instance, _ELEVATED, False) and instance.pk is not None:
        stored = sender._default_manager.filter(pk=instance.pk).values_list("is_superuser", flat=True).first()
        instance.is_superuser = bool(stored)


def _restore_elevation(sender: type, instance: Any, **kwargs: Any) -> None:
    if getattr(instance, _ELEVATED, False):
        instance.is_superuser = True


def connect_signals() -> None:
    pre_save.connect(_keep_elevation_unsaved, sender=settings.AUTH_USER_MODEL, dispatch_uid="members.operator.pre")
    post_save.connect(_restore_elevation, sender=settings.AUTH_USER_MODEL, dispatch_uid="members.operator.post")
