"""The events tab, included by the shared space's URLconf under ``/groups/<slug>/events/``."""

from django.urls import path

from shared_apps.group_events import views

app_name = "group_events"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.create, name="create"),
    path("<int:event_id>/", views.detail, name="detail"),
    path("<int:event_id>/edit/", views.edit, name="edit"),
    path("<int:event_id>/cancel/", views.cancel, name="cancel"),
    path("<int:event_id>/answer/", views.respond, name="respond"),
    path("<int:event_id>/calendar.ics", views.calendar, name="calendar"),
]
