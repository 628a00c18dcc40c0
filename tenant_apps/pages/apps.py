from django.apps import AppConfig

from tenants import organisation_hooks


class PagesConfig(AppConfig):
    """The page types of an organisation's Wagtail subsite."""

    name = "tenant_apps.pages"
    label = "org_pages"
    verbose_name = "Subsite pages"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from tenant_apps.pages import personal_data, search_index, seeding, services  # noqa: PLC0415 - AppConfig.ready(): the app registry is ready only now

        # What the public side asks of the page types (tenants.organisation_hooks).
        organisation_hooks.site_seed.register(seeding.site_seed)
        organisation_hooks.site_personalise.register(seeding.site_personalise)
        organisation_hooks.apps_switched.register(services.apps_switched)
        organisation_hooks.personal_data_export.register(personal_data.export_contributions, order=20)
        organisation_hooks.search_entries_of_organisation.register(search_index.search_entries_of_organisation)
        # The platform search follows publishing, moves, deletions and changes of level (search_index); the
        # handlers queue its tasks by name, so they are registered in every process, not only the worker's.
        from tenant_apps.pages import tasks  # noqa: F401, PLC0415 - AppConfig.ready(): see above

        search_index.connect()
