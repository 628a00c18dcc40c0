from django.apps import AppConfig


class PeopleConfig(AppConfig):
    """Local users: a person's presence in one schema, linked to their platform account."""

    name = "tenant_apps.people"
    label = "people"
    verbose_name = "People"
    default_auto_field = "django.db.models.BigAutoField"
