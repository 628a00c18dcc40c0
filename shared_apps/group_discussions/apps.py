from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class GroupDiscussionsConfig(AppConfig):
    """A group's discussions and questions: threads with replies; a question's asker marks the answer.

    Two tabs of a group (``shared_apps.groups.tabs``), "discussions" and "questions", over the same models
    (``Discussion.kind``) and the same views: the URLconf is included once per tab (``urls.py``)."""

    name = "shared_apps.group_discussions"
    label = "group_discussions"
    verbose_name = "Group discussions"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from shared_apps.groups.tabs import GroupTab, register_tab  # noqa: PLC0415 - AppConfig.ready(): the app registry is ready only now

        register_tab(
            GroupTab(key="discussions", label=gettext_lazy("Discussions"), url_name="group_discussions:index", order=10)
        )
        register_tab(
            GroupTab(key="questions", label=gettext_lazy("Questions"), url_name="group_questions:index", order=20)
        )
