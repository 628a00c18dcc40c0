from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class GroupWikiConfig(AppConfig):
    """A group's wiki (shared space, public schema): pages in a tree, each with its revisions.

    Registers the group tab "wiki" and forgets a page's activity lines whenever the page goes (deleted by
    its author, removed by a moderator, or taken along with the page above it)."""

    name = "shared_apps.group_wiki"
    label = "group_wiki"
    verbose_name = "Group wiki"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from shared_apps.group_wiki import signals  # noqa: PLC0415 - AppConfig.ready(): the app registry is ready only now
        from shared_apps.groups.tabs import GroupTab, register_tab  # noqa: PLC0415 - AppConfig.ready(): the app registry is ready only now

        signals.connect()
        register_tab(GroupTab(key="wiki", label=gettext_lazy("Wiki"), url_name="group_wiki:index", order=50))
