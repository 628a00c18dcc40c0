from django.apps import AppConfig

from sites import catalogue
from tenants import organisation_hooks


class EventsConfig(AppConfig):
    """The events section: an agenda of events with registration, waiting list and iCalendar."""

    name = "tenant_apps.events"
    label = "org_events"
    verbose_name = "Events"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from tenant_apps.events import catalogue_entry, personal_data  # noqa: PLC0415 - AppConfig.ready(): models are ready only now

        catalogue.register(catalogue_entry.APP)
        organisation_hooks.personal_data_export.register(personal_data.export_registrations, order=45)
