from django.apps import AppConfig

from sites import catalogue


class FeaturedGroupsConfig(AppConfig):
    """An organisation's featured groups: shared-space groups its administrators put on the intranet home.

    In the app catalogue as "groups" (``catalogue_entry``): the home's group blocks and the menu's link."""

    name = "tenant_apps.featured_groups"
    label = "featured_groups"
    verbose_name = "Featured groups"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from tenant_apps.featured_groups import catalogue_entry  # noqa: PLC0415 - AppConfig.ready(): models are ready only now

        catalogue.register(catalogue_entry.APP)
