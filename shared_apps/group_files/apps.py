from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class GroupFilesConfig(AppConfig):
    """A group's files: folders in a tree and the files members upload (public schema).

    Files are stored outside every served URL (``storage``) and leave the platform through one checked
    download view only; what is accepted is decided in ``kinds`` (by extension and by content)."""

    name = "shared_apps.group_files"
    label = "group_files"
    verbose_name = "Group files"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from shared_apps.group_files import signals  # noqa: PLC0415 - AppConfig.ready(): the app registry is ready only now
        from shared_apps.groups.tabs import GroupTab, register_tab  # noqa: PLC0415 - AppConfig.ready(): the app registry is ready only now

        signals.connect()
        register_tab(GroupTab(key="files", label=gettext_lazy("Files"), url_name="group_files:index", order=40))
