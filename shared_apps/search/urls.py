"""The shared space's search page, included under ``/search/`` (``govsquare.urls_public``)."""

from django.urls import path

from shared_apps.search import views

app_name = "platform_search"

urlpatterns = [
    path("", views.search_view, name="search"),
]
