"""The operator pages, included under ``/operator/`` by the shared space's URLconf only."""

from django.urls import path

from shared_apps.operator import views

app_name = "operator"

urlpatterns = [
    path("", views.organisation_list, name="organisation_list"),
    path("organisations/new/", views.organisation_create, name="organisation_create"),
    path("organisations/<slug:slug>/", views.organisation_detail, name="organisation_detail"),
    path("organisations/<slug:slug>/<slug:action>/", views.organisation_action, name="organisation_action"),
    path("jobs/<uuid:job_id>/", views.job_detail, name="job_detail"),
    path("jobs/<uuid:job_id>.json", views.job_json, name="job_json"),
]
