from django.apps import AppConfig


class TenantsConfig(AppConfig):
    name = "tenants"
    label = "tenants"
    verbose_name = "Organisations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Celery's autodiscovery registers tasks in the worker only; services queue the registry's tasks by
        # name (``current_app.tasks[...]``) from any process, so they are registered here in every process.
        from tenants import tasks  # noqa: F401, PLC0415 - AppConfig.ready(): the app registry is ready only now
