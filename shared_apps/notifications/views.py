"""The notification centre, its settings and the one-click unsubscribe: the same pages on the shared space
and on every subsite (there ``request.user`` is the schema's local user; the account is behind it)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from shared_apps.accounts.mail import platform_url
from shared_apps.accounts.selectors import account_for_user
from shared_apps.groups.access import viewer_for_user
from shared_apps.notifications import selectors, services
from shared_apps.notifications.forms import PreferencesForm
from shared_apps.notifications.models import Notification
from shared_apps.notifications.unsubscribe import list_label, token_read
from shared_apps.notifications.wording import describe
from tenants.errors import error_messages_by_field

PAGE_SIZE = 25


def _private(response: HttpResponse) -> HttpResponse:
    patch_cache_control(response, private=True, no_store=True)
    patch_vary_headers(response, ["Cookie"])
    return response


def notification_list(request: HttpRequest) -> HttpResponse:
    viewer = viewer_for_user(request.user)
    if not viewer.signed_in:
        return redirect_to_login(request.get_full_path())
    page = Paginator(selectors.notifications_for_viewer(viewer=viewer), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"notification": n, "text": describe(n)} for n in page.object_list]
    return _private(render(request, "notifications/list.html", {"page": page, "rows": rows}))


@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    viewer = viewer_for_user(request.user)
    if not viewer.signed_in:
        return redirect_to_login("/notifications/")
    services.notifications_mark_all_read(viewer=viewer)
    messages.success(request, _("All your notifications are marked as read."))
    return redirect("notifications:list")


def notification_open(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Mark one's own notification read and go to what it tells of (on the shared space)."""
    viewer = viewer_for_user(request.user)
    if not viewer.signed_in:
        return redirect_to_login(request.get_full_path())
    try:
        notification = services.notification_open(viewer=viewer, notification_id=notification_id)
    except Notification.DoesNotExist:
        raise Http404("No such notification.") from None
    return _private(redirect(platform_url(notification.url or "/notifications/")))


@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    account = account_for_user(user=request.user)
    if account is None:
        return redirect_to_login(request.get_full_path())
    groups = selectors.groups_for_settings(account=account)
    current = selectors.preferences_of(account=account)
    chosen = selectors.group_frequencies_of(account=account)
    form = PreferencesForm(
        request.POST if request.method == "POST" else None, groups=groups, preferences=current, chosen=chosen
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.preferences_update(
                    account=account,
                    group_activity=data["group_activity"],
                    replies=data["replies"],
                    mentions=data["mentions"],
                    invitations=data["invitations"],
                    join_requests=data["join_requests"],
                    group_frequencies=form.group_frequencies(),
                )
            except ValidationError as exc:
                for field, errors in error_messages_by_field(exc).items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("Your notification settings are saved."))
                return redirect("notifications:settings")
        status = 400
    return _private(render(request, "notifications/settings.html", {"form": form}, status=status))


@csrf_exempt  # mail clients post "List-Unsubscribe=One-Click" without a cookie (RFC 8058); the token is the key
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET: a page with one button; POST: stop the e-mails of the token's list. No sign-in."""
    try:
        subscription = services.unsubscribe_apply(token=token) if request.method == "POST" else token_read(token=token)
    except ValidationError as exc:
        return _private(render(request, "notifications/unsubscribe_invalid.html", {"errors": exc.messages}, status=400))
    context = {"label": list_label(subscription), "done": request.method == "POST"}
    response = render(request, "notifications/unsubscribe.html", context)
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return _private(response)
