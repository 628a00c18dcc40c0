from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """A person's notifications (public schema): the centre on every host, e-mail at once or in digests."""

    name = "shared_apps.notifications"
    label = "notifications"
    verbose_name = "Notifications"
    default_auto_field = "django.db.models.BigAutoField"
