from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class GroupEventsConfig(AppConfig):
    """Events in a group (the "Events" tab): members plan them, answer attend / maybe / decline, a waiting
    list fills the places that free up, and anyone who may read the group downloads an event for a calendar."""

    name = "shared_apps.group_events"
    label = "group_events"
    verbose_name = "Group events"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from shared_apps.group_events import receivers  # noqa: PLC0415 - AppConfig.ready(): the app registry is ready only now
        from shared_apps.groups.tabs import GroupTab, register_tab  # noqa: PLC0415 - AppConfig.ready(): the app registry is ready only now

        receivers.connect()
        register_tab(GroupTab(key="events", label=gettext_lazy("Events"), url_name="group_events:index", order=30))
