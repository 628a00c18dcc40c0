"""The events tab's pages (``/groups/<slug>/events/``): the list, an event, plan / edit / cancel, answer,
and "add to calendar". Every view is a ``group_page(tab="events")``: who may see and read is decided there."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shared_apps.group_events.forms import AnswerForm, EventForm
from shared_apps.group_events.ics import event_calendar
from shared_apps.group_events.models import EventResponse, GroupEvent
from shared_apps.group_events.selectors import answers_of, event_for_viewer, events_for_viewer
from shared_apps.group_events.services import (
    EventFields,
    event_cancel,
    event_create,
    event_respond,
    event_update,
    event_url,
)
from shared_apps.groups import access
from shared_apps.groups.views.common import (
    back_within_group,
    group_page,
    messages_of,
    render_group,
    request_account,
    the_group,
    the_viewer,
)
from tenants.errors import error_messages_by_field

TAB = "events"
PAGE_SIZE = 20


def _index_url(request: HttpRequest) -> str:
    return f"/groups/{the_group(request).slug}/{TAB}/"


def _event(request: HttpRequest, event_id: int) -> GroupEvent:
    return event_for_viewer(group=the_group(request), viewer=the_viewer(request), event_id=event_id)


def _fields(form: EventForm) -> EventFields:
    data = form.cleaned_data
    return EventFields(
        title=data["title"],
        description=data["description"],
        starts_at=data["starts_at"],
        ends_at=data["ends_at"],
        place=data["place"],
        online_url=data["online_url"],
        capacity=data["capacity"],
    )


def _show_errors(form: forms.Form, error: ValidationError | PermissionDenied) -> None:
    """The service's refusal on the form: each message at its field, the others above the form."""
    if isinstance(error, PermissionDenied):
        for message in messages_of(error):
            form.add_error(None, message)
        return
    for name, field_messages in error_messages_by_field(error).items():
        for message in field_messages:
            form.add_error(name if name in form.fields else None, message)


def _may_edit(request: HttpRequest, event: GroupEvent) -> bool:
    return access.can_edit_item(viewer=the_viewer(request), group=the_group(request), author_id=event.author_id)


@require_GET
@group_page(tab=TAB)
def index(request: HttpRequest) -> HttpResponse:
    events = events_for_viewer(group=the_group(request), viewer=the_viewer(request))
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    on_page = list(page.object_list)
    return render_group(
        request,
        "group_events/index.html",
        active_tab=TAB,
        page=page,
        coming=[event for event in on_page if not event.is_over],
        past=[event for event in on_page if event.is_over],
    )


@require_http_methods(["GET", "POST"])
@group_page(tab=TAB)
def create(request: HttpRequest) -> HttpResponse:
    group = the_group(request)
    if not access.can_write(viewer=the_viewer(request), group=group):
        raise PermissionDenied(_("Only the group's members plan its events."))
    form = EventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            event = event_create(group=group, author=request_account(request), fields=_fields(form))
        except (ValidationError, PermissionDenied) as error:
            _show_errors(form, error)
        else:
            messages.success(request, _("The event is planned."))
            return redirect(event_url(event=event, group=group))
    status = 400 if request.method == "POST" else 200
    return render_group(request, "group_events/form.html", status=status, active_tab=TAB, form=form, event=None)


@require_GET
@group_page(tab=TAB)
def detail(request: HttpRequest, event_id: int) -> HttpResponse:
    event = _event(request, event_id)
    answers = answers_of(event=event)
    return render_group(
        request,
        "group_events/detail.html",
        active_tab=TAB,
        event=event,
        answers=answers,
        my_position=answers.waiting_position(the_viewer(request).account_id),
        may_edit=_may_edit(request, event),
        answer_choices=EventResponse.Answer.choices,
        content_type_id=ContentType.objects.get_for_model(GroupEvent).pk,
    )


@require_http_methods(["GET", "POST"])
@group_page(tab=TAB)
def edit(request: HttpRequest, event_id: int) -> HttpResponse:
    event = _event(request, event_id)
    if not _may_edit(request, event):
        raise PermissionDenied(_("Only the event's author and the group's moderators change it."))
    initial = {
        "title": event.title,
        "description": event.description,
        "starts_at": event.starts_at,
        "ends_at": event.ends_at,
        "place": event.place,
        "online_url": event.online_url,
        "capacity": event.capacity,
    }
    form = EventForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            event_update(event=event, actor=request_account(request), fields=_fields(form))
        except (ValidationError, PermissionDenied) as error:
            _show_errors(form, error)
        else:
            messages.success(request, _("The event is saved."))
            return redirect(event_url(event=event, group=the_group(request)))
    status = 400 if request.method == "POST" else 200
    return render_group(request, "group_events/form.html", status=status, active_tab=TAB, form=form, event=event)


@require_http_methods(["GET", "POST"])
@group_page(tab=TAB)
def cancel(request: HttpRequest, event_id: int) -> HttpResponse:
    event = _event(request, event_id)
    if not _may_edit(request, event):
        raise PermissionDenied(_("Only the event's author and the group's moderators cancel it."))
    if request.method == "GET":
        return render_group(request, "group_events/cancel.html", active_tab=TAB, event=event)
    try:
        event_cancel(event=event, actor=request_account(request))
    except (ValidationError, PermissionDenied) as error:
        for message in messages_of(error):
            messages.error(request, message)
        return redirect(event_url(event=event, group=the_group(request)))
    messages.success(request, _("The event is cancelled."))
    return redirect(_index_url(request))


@require_POST
@group_page(tab=TAB)
def respond(request: HttpRequest, event_id: int) -> HttpResponse:
    event = _event(request, event_id)
    form = AnswerForm(request.POST)
    answer = form.cleaned_data["answer"] if form.is_valid() else ""
    back = back_within_group(request) if "back" in request.POST else event_url(event=event, group=the_group(request))
    try:
        given = event_respond(event=event, account=request_account(request), answer=answer)
    except (ValidationError, PermissionDenied) as error:
        for message in messages_of(error):
            messages.error(request, message)
    else:
        messages.success(request, _said(given))
    return redirect(back)


def _said(response: EventResponse) -> str:
    if response.answer == EventResponse.Answer.ATTEND:
        if response.waiting:
            return _("The event is full: you are on the waiting list, and move up when a place frees.")
        return _("You attend. See you there.")
    if response.answer == EventResponse.Answer.MAYBE:
        return _("Your answer is saved: maybe.")
    return _("Your answer is saved: you will not attend.")


@require_GET
@group_page(tab=TAB)
def calendar(request: HttpRequest, event_id: int) -> HttpResponse:
    """ "Add to calendar": the event as an .ics file, for those who may read the group (``group_page``)."""
    event = _event(request, event_id)
    page_url = request.build_absolute_uri(event_url(event=event, group=the_group(request)))
    response = HttpResponse(event_calendar(event=event, page_url=page_url), content_type="text/calendar; charset=utf-8")
    filename = f"{slugify(event.title)[:60].strip('-') or 'event'}-{event.pk}.ics"
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response
