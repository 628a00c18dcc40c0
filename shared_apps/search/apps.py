from django.apps import AppConfig
from django.core import checks


class SearchConfig(AppConfig):
    """One search across the platform (public schema): an index of what every organisation and group
    publishes, each entry with its organisation and audience, trimmed to the viewer in the query."""

    name = "shared_apps.search"
    label = "platform_search"
    verbose_name = "Platform search"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Services queue the search tasks by name (``current_app.tasks[...]``) from any process; Celery's
        # autodiscovery registers them in the worker only, so ``tasks`` is imported here.
        from shared_apps.search import checks as search_checks  # noqa: PLC0415 - AppConfig.ready(): the app registry is ready only now
        from shared_apps.search import signals, tasks  # noqa: F401, PLC0415 - AppConfig.ready(): as above

        checks.register(search_checks.search_configuration)
        signals.connect()
