from django.apps import AppConfig


class GroupsConfig(AppConfig):
    """Groups in the shared space: the meeting room across organisational boundaries (public schema).

    The core: a group, its members and roles, invitations, requests to join, the activity stream,
    reports, and the tabs that content apps (discussions, events, files, wiki) register for."""

    name = "shared_apps.groups"
    label = "groups"
    verbose_name = "Groups"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from shared_apps.groups import signals  # noqa: PLC0415 - AppConfig.ready(): the app registry is ready only now

        signals.connect()
