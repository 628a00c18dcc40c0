from django.apps import AppConfig

from shared_apps.accounts.signals import account_changed


class PeopleConfig(AppConfig):
    """Local users: a person's presence in one schema — an organisation's or the shared space's — linked to
    their platform account. On both sides of the boundary (``govsquare.layout.BOTH_SIDES_APPS``): the table is
    in every schema, so Wagtail's own groups and permissions work unmodified per organisation."""

    name = "shared_apps.people"
    label = "people"
    verbose_name = "People"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from shared_apps.people import tasks  # noqa: PLC0415 - imports models: not before the app registry is ready

        account_changed.connect(tasks.account_changed_receiver, dispatch_uid="people.local_user_sync")
