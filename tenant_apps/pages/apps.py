from django.apps import AppConfig


class PagesConfig(AppConfig):
    """The page types of an organisation's Wagtail subsite."""

    name = "tenant_apps.pages"
    label = "org_pages"
    verbose_name = "Subsite pages"
    default_auto_field = "django.db.models.BigAutoField"
