from django.apps import AppConfig


class FeaturedGroupsConfig(AppConfig):
    """An organisation's featured groups: shared-space groups its administrators put on the intranet home."""

    name = "tenant_apps.featured_groups"
    label = "featured_groups"
    verbose_name = "Featured groups"
    default_auto_field = "django.db.models.BigAutoField"
