"""The shared space's people directory (included under ``/people/`` in ``govsquare/urls_public.py``)."""

from django.urls import path

from shared_apps.shared_space import directory_views

urlpatterns = [
    path("", directory_views.people, name="shared_space_people"),
    path("<uuid:account_id>/", directory_views.person, name="shared_space_person"),
]
