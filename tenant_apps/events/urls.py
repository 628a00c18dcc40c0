"""Include in the subsites' URLs before Wagtail's page catch-all (``govsquare.urls_tenants``)."""

from django.urls import re_path

from tenant_apps.events import views

urlpatterns = [
    re_path(r"^(?P<path>(?:[\w\-]+/)+(?:agenda|event)\.ics)$", views.calendar_file, name="events_calendar_file"),
]
