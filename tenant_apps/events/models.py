"""The events section: an agenda (index page) of events, registration with a waiting list, iCalendar.

Who may see an event is decided in one place (``tenant_apps.pages.visibility``); page serving (and so every
route below) is checked there before a route runs (``before_serve_page``). Writes go through
``tenant_apps.events.services``, reads through ``tenant_apps.events.selectors``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index

from tenant_apps.events import ics, selectors, services
from tenant_apps.pages.models import VisibilityMixin
from tenant_apps.pages.refusals import refusal
from tenant_apps.pages.visibility import viewer_for_user


def calendar_response(*, content: bytes, filename: str, attachment: bool) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    disposition = "attachment" if attachment else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response


class EventIndexPage(VisibilityMixin, RoutablePageMixin, Page):
    """The events section: the upcoming events below it the visitor may see (soonest first), the past ones
    (``?past=1``, latest first), and the agenda as an iCalendar feed (``agenda.ics``)."""

    intro = RichTextField(gettext_lazy("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    search_fields = [*Page.search_fields, index.SearchField("intro")]
    subpage_types = ["org_events.EventPage"]
    template = "events/event_index_page.html"

    #: Events per listing page.
    PAGE_SIZE = 20

    class Meta:
        verbose_name = gettext_lazy("events index page")

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context(request, *args, **kwargs)
        past = request.GET.get("past") == "1"
        events = selectors.events_for_index(index=self, viewer=viewer_for_user(request.user), past=past)
        context["past"] = past
        context["events"] = Paginator(events, self.PAGE_SIZE).get_page(request.GET.get("page"))
        context["agenda_url"] = (self.get_url(request) or "") + "agenda.ics"
        return context

    @path("agenda.ics/", name="agenda")
    def agenda_route(self, request: HttpRequest) -> HttpResponse:
        """The visible upcoming events as one calendar (subscribe to it); private when signed in."""
        events = selectors.events_for_feed(index=self, viewer=viewer_for_user(request.user))
        content = ics.agenda_calendar(
            events=events, name=self.title, page_url=lambda event: event.get_full_url(request) or ""
        )
        return calendar_response(content=content, filename="agenda.ics", attachment=False)


class EventPage(VisibilityMixin, RoutablePageMixin, Page):
    """An event: when and where, what it is about, and registration (with a waiting list when it is full)."""

    start = models.DateTimeField(gettext_lazy("start"))
    end = models.DateTimeField(gettext_lazy("end"))
    location = models.CharField(gettext_lazy("location"), max_length=255, blank=True)
    online_url = models.URLField(
        gettext_lazy("online link"), blank=True, help_text=gettext_lazy("For an online event or a livestream.")
    )
    summary = models.CharField(
        gettext_lazy("summary"), max_length=300, blank=True, help_text=gettext_lazy("One or two sentences.")
    )
    body = RichTextField(gettext_lazy("body"), blank=True)
    capacity = models.PositiveIntegerField(
        gettext_lazy("capacity"), null=True, blank=True, help_text=gettext_lazy("Leave empty for no limit.")
    )
    registration_open = models.BooleanField(gettext_lazy("registration open"), default=True)

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel("start"), FieldPanel("end")]), FieldPanel("location"), FieldPanel("online_url")],
            heading=gettext_lazy("When and where"),
        ),
        FieldPanel("summary"),
        FieldPanel("body"),
        MultiFieldPanel(
            [FieldPanel("capacity"), FieldPanel("registration_open")], heading=gettext_lazy("Registration")
        ),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("body"),
        index.SearchField("location"),
        index.FilterField("start"),
    ]
    parent_page_types = ["org_events.EventIndexPage"]
    subpage_types: list[str] = []
    template = "events/event_page.html"

    class Meta:
        verbose_name = gettext_lazy("event")
        indexes = [models.Index(fields=["start"])]

    def clean(self) -> None:
        super().clean()
        if self.start and self.end and self.end <= self.start:
            raise ValidationError({"end": _("The end must be after the start.")})

    @property
    def is_over(self) -> bool:
        return self.end <= timezone.now()

    @property
    def places_left(self) -> int | None:
        """Free places (None: no limit); from the listing's ``confirmed_count`` when it was annotated."""
        confirmed = getattr(self, "confirmed_count", None)
        return selectors.places_left(event=self, confirmed=confirmed)

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context(request, *args, **kwargs)
        context["registration"] = selectors.registration_state(event=self, user=request.user)
        base = self.get_url(request) or ""
        context["register_url"] = base + self.reverse_subpage("register")
        context["cancel_url"] = base + self.reverse_subpage("cancel")
        context["calendar_url"] = base + "event.ics"
        return context

    # --- Routes. The page's visibility is checked before these run (``before_serve_page``). ---

    def _refuse_unless_post(self, request: HttpRequest) -> HttpResponse | None:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not request.user.is_authenticated:
            return refusal(request)
        return None

    def _take_part(self, request: HttpRequest, action: Any, done: str) -> HttpResponse:
        refused = self._refuse_unless_post(request)
        if refused is not None:
            return refused
        try:
            action(event=self, user=request.user)
        except PermissionDenied:
            return refusal(request)
        except ValidationError as error:
            response = self.render(request, context_overrides={"registration_errors": error.messages})
            response.status_code = 400
            return response
        messages.success(request, done)
        return HttpResponseRedirect((self.get_url(request) or "") + "#registration")

    @path("register/", name="register")
    def register_route(self, request: HttpRequest) -> HttpResponse:
        return self._take_part(request, services.registration_create, _("You are registered."))

    @path("cancel/", name="cancel")
    def cancel_route(self, request: HttpRequest) -> HttpResponse:
        return self._take_part(request, services.registration_cancel, _("Your registration has been cancelled."))

    @path("event.ics/", name="calendar")
    def calendar_route(self, request: HttpRequest) -> HttpResponse:
        """Add to calendar: this event as an iCalendar file."""
        content = ics.event_calendar(event=self, page_url=self.get_full_url(request) or "")
        return calendar_response(content=content, filename=f"{self.slug}.ics", attachment=True)


class Registration(models.Model):
    """One person's registration for one event: a place, a place on the waiting list, or cancelled."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", gettext_lazy("Confirmed")
        WAITING = "waiting", gettext_lazy("On the waiting list")
        CANCELLED = "cancelled", gettext_lazy("Cancelled")

    event = models.ForeignKey(EventPage, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="event_registrations")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.CONFIRMED)
    #: When the person (last) registered: the waiting list is served in this order.
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = gettext_lazy("event registration")
        verbose_name_plural = gettext_lazy("event registrations")
        ordering = ["created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["event", "user"], name="org_events_registration_once")]
        indexes = [models.Index(fields=["event", "status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.event_id}: {self.user_id} ({self.status})"
