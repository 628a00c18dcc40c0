from django.apps import AppConfig

from sites import catalogue
from tenants import organisation_hooks


class NewsConfig(AppConfig):
    """The news section: an index and articles with reactions and comments editors moderate.

    In the app catalogue as "news" (``catalogue_entry``): its page types, menu section and home block."""

    name = "tenant_apps.news"
    label = "org_news"
    verbose_name = "News"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from tenant_apps.news import catalogue_entry, personal_data  # noqa: PLC0415 - AppConfig.ready(): models are ready only now

        catalogue.register(catalogue_entry.APP)
        organisation_hooks.personal_data_export.register(personal_data.export_news, order=40)
