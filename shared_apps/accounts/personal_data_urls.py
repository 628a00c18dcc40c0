"""``/accounts/data/`` on the shared space (included in ``govsquare/urls_public.py``)."""

from django.urls import path

from shared_apps.accounts.views import personal_data as views

urlpatterns = [
    path("", views.home, name="personal_data_home"),
    path("export/", views.export, name="personal_data_export"),
    path("delete/", views.delete, name="personal_data_delete"),
    path("jobs/<uuid:job_id>/", views.job_detail, name="personal_data_job"),
    path("jobs/<uuid:job_id>/download/", views.download, name="personal_data_download"),
]
