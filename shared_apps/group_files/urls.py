"""The files tab, included by the shared space's URLconf under ``/groups/<slug>/files/``."""

from django.urls import path

from shared_apps.group_files import views

app_name = "group_files"

urlpatterns = [
    path("", views.index, name="index"),
    path("upload/", views.upload, name="upload"),
    path("folders/new/", views.folder_create, name="folder_create"),
    path("folders/<int:folder_id>/", views.folder, name="folder"),
    path("folders/<int:folder_id>/rename/", views.folder_rename, name="folder_rename"),
    path("folders/<int:folder_id>/move/", views.folder_move, name="folder_move"),
    path("folders/<int:folder_id>/delete/", views.folder_delete, name="folder_delete"),
    path("<int:file_id>/", views.file, name="file"),
    path("<int:file_id>/download/", views.download, name="download"),
    path("<int:file_id>/rename/", views.file_rename, name="file_rename"),
    path("<int:file_id>/move/", views.file_move, name="file_move"),
    path("<int:file_id>/delete/", views.file_delete, name="file_delete"),
]
