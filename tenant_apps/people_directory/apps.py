from django.apps import AppConfig

from sites import catalogue


class PeopleDirectoryConfig(AppConfig):
    """The organisation's people directory page."""

    name = "tenant_apps.people_directory"
    label = "org_people_directory"
    verbose_name = "People directory"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from tenant_apps.people_directory import catalogue_entry  # noqa: PLC0415 - AppConfig.ready(): models are ready only now

        catalogue.register(catalogue_entry.APP)
