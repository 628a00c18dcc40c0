from django.apps import AppConfig


class BrandingConfig(AppConfig):
    """Per-organisation branding (Wagtail site settings): name, logo, colours, navigation, footer."""

    name = "tenant_apps.branding"
    label = "org_branding"
    verbose_name = "Branding"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from tenant_apps.branding import signals  # noqa: PLC0415 - AppConfig.ready(): models are ready only now

        signals.connect()
