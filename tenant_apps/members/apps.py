from django.apps import AppConfig


class MembersConfig(AppConfig):
    """An organisation's members: its administrators' "Members" screens in the Wagtail admin, the people
    directory and "request to join" on the subsite, and platform operators' entry into the admin.
    No models: memberships are Wagtail's own groups (``tenant_apps.people``)."""

    name = "tenant_apps.members"
    label = "members"
    verbose_name = "Members"

    def ready(self) -> None:
        from tenant_apps.members import operator_access

        operator_access.connect_signals()
