from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """A person's notifications (public schema): the centre on every host, e-mail at once or in digests."""

    name = "shared_apps.notifications"
    label = "notifications"
    verbose_name = "Notifications"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from shared_apps.notifications import personal_data, signals  # noqa: PLC0415 - AppConfig.ready(): the app registry is ready only now
        from tenants import organisation_hooks  # noqa: PLC0415 - AppConfig.ready(): registered once the apps are loaded

        signals.connect()
        organisation_hooks.personal_data_export.register(personal_data.export_notifications, order=50)
