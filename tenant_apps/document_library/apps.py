from django.apps import AppConfig

from sites import catalogue


class DocumentLibraryConfig(AppConfig):
    """The document library: Wagtail documents browsable by collection, behind the visibility checks.

    In the app catalogue as "documents" (``catalogue_entry``): its page type, section and home block."""

    name = "tenant_apps.document_library"
    label = "org_document_library"
    verbose_name = "Document library"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from tenant_apps.document_library import catalogue_entry  # noqa: PLC0415 - AppConfig.ready(): models are ready only now

        catalogue.register(catalogue_entry.APP)
