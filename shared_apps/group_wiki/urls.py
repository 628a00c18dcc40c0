"""The wiki tab, included by ``govsquare.urls_public`` under ``/groups/<slug>/wiki/`` (so every view gets
``slug`` first, for ``group_page``)."""

from django.urls import path

from shared_apps.group_wiki import views

app_name = "group_wiki"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.create, name="create"),
    path("<slug:page_slug>/", views.page, name="page"),
    path("<slug:page_slug>/edit/", views.edit, name="edit"),
    path("<slug:page_slug>/delete/", views.delete, name="delete"),
    path("<slug:page_slug>/history/", views.history, name="history"),
    path("<slug:page_slug>/history/<int:revision_id>/", views.revision, name="revision"),
    path("<slug:page_slug>/history/<int:revision_id>/restore/", views.restore, name="restore"),
]
