from django.apps import AppConfig

from sites import catalogue


class KnowledgeBaseConfig(AppConfig):
    """The knowledge base: topics in a tree and articles with a content owner and review dates.

    In the app catalogue as "knowledge-base" (``catalogue_entry``): its section, home block and review reminders."""

    name = "tenant_apps.knowledge_base"
    label = "org_knowledge_base"
    verbose_name = "Knowledge base"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from tenant_apps.knowledge_base import catalogue_entry  # noqa: PLC0415 - AppConfig.ready(): models are ready only now

        catalogue.register(catalogue_entry.APP)
