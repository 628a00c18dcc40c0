from django.apps import AppConfig


class SearchConfig(AppConfig):
    """One search across the platform (public schema): an index of what every organisation and group
    publishes, each entry with its organisation and audience, trimmed to the viewer in the query."""

    name = "shared_apps.search"
    label = "platform_search"
    verbose_name = "Platform search"
    default_auto_field = "django.db.models.BigAutoField"
