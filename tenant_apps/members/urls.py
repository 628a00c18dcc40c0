"""The subsite's people directory and "request to join" (included before Wagtail's page catch-all)."""

from django.urls import path

from tenant_apps.members import views

urlpatterns = [
    path("people/", views.people, name="members_people"),
    path("join/", views.join, name="members_join"),
    path("join/accept/", views.accept_invitation, name="members_join_accept"),
]
