"""Writes of the events section: registering and cancelling, one change of an event's places at a time.

Every change of an event's places locks the event's row first (``select_for_update``), so two people
registering at once cannot both take the last place. The e-mail to someone moved up from the waiting list
is queued after commit (``tenant_apps.events.tasks``), never sent inside the transaction.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tenant_apps.events import models as event_models
from tenant_apps.events import tasks
from tenant_apps.pages.visibility import can_view_page, viewer_for_user

CONFIRMED, WAITING, CANCELLED = "confirmed", "waiting", "cancelled"


def _locked(event: Any) -> Any:
    """The event's own row, locked until the transaction ends."""
    locked = event_models.EventPage.objects.select_for_update(of=("self",)).filter(pk=event.pk).first()
    if locked is None:
        raise ValidationError(_("That event no longer exists."))
    return locked


def _refuse_unless_may_see(*, event: Any, user: Any) -> None:
    if user is None or not user.is_authenticated:
        raise PermissionDenied(_("Sign in to register."))
    if not event.live or not can_view_page(viewer=viewer_for_user(user), page=event):
        raise PermissionDenied(_("You may not register for this event."))


def _confirmed(event: Any) -> int:
    return event_models.Registration.objects.filter(event=event, status=CONFIRMED).count()


def registration_create(*, event: Any, user: Any) -> Any:
    """Register ``user`` for ``event``: a place while there is one left, else the end of the waiting list.

    Refused (``PermissionDenied``) for someone who may not see the event; ``ValidationError`` when the event
    has begun, registration is closed, or the person is registered already. A cancelled registration is taken
    up again (at the end of the queue)."""
    _refuse_unless_may_see(event=event, user=user)
    with transaction.atomic():
        locked = _locked(event)
        now = timezone.now()
        if locked.start <= now:
            raise ValidationError(_("This event has begun or is over: registration is closed."))
        if not locked.registration_open:
            raise ValidationError(_("Registration for this event is closed."))
        registration = event_models.Registration.objects.filter(event=locked, user=user).first()
        if registration is not None and registration.status != CANCELLED:
            raise ValidationError(_("You are registered for this event already."))
        has_place = locked.capacity is None or _confirmed(locked) < locked.capacity
        status = CONFIRMED if has_place else WAITING
        if registration is None:
            registration = event_models.Registration.objects.create(
                event=locked, user=user, status=status, created_at=now
            )
        else:
            registration.status, registration.created_at = status, now
            registration.save(update_fields=["status", "created_at"])
    return registration


def _promote(event: Any) -> list[int]:
    """Move the first waiting (first come, first served) into the free places; the ids moved up."""
    waiting = event_models.Registration.objects.filter(event=event, status=WAITING).order_by("created_at", "pk")
    if event.capacity is None:
        moved = list(waiting.values_list("pk", flat=True))
    else:
        free = event.capacity - _confirmed(event)
        moved = list(waiting.values_list("pk", flat=True)[:free]) if free > 0 else []
    if moved:
        event_models.Registration.objects.filter(pk__in=moved).update(status=CONFIRMED)
    return moved


def registration_cancel(*, event: Any, user: Any) -> Any:
    """Cancel ``user``'s registration; a place freed goes to the first on the waiting list, who is mailed
    (after commit) that they have a place. ``ValidationError`` when not registered or the event has begun."""
    if user is None or not user.is_authenticated:
        raise PermissionDenied(_("Sign in to cancel a registration."))
    with transaction.atomic():
        locked = _locked(event)
        if locked.start <= timezone.now():
            raise ValidationError(_("This event has begun or is over: registrations can no longer be cancelled."))
        registration = (
            event_models.Registration.objects.filter(event=locked, user=user).exclude(status=CANCELLED).first()
        )
        if registration is None:
            raise ValidationError(_("You are not registered for this event."))
        registration.status = CANCELLED
        registration.save(update_fields=["status"])
        moved = _promote(locked)
        schema_name = connection.schema_name
        for registration_id in moved:
            transaction.on_commit(
                lambda pk=registration_id: tasks.place_offered_mail_send.delay(
                    schema_name=schema_name, registration_id=pk
                ),
                robust=True,  # a broker that is down never undoes the cancellation (the place is moved up)
            )
    return registration
