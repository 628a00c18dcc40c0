from django.apps import AppConfig

from tenants import organisation_hooks


class MembersConfig(AppConfig):
    """An organisation's members: roles as Wagtail's own groups in its schema, memberships (joining,
    invitations, requests, role changes, removal), its administrators' "Members" screens in the Wagtail
    admin, the people directory and "request to join" on the subsite, and platform operators' entry into
    the admin. No models of its own."""

    name = "tenant_apps.members"
    label = "members"
    verbose_name = "Members"

    def ready(self) -> None:
        from tenant_apps.members import audit_hooks, memberships, operator_access, selectors, services  # noqa: F401, PLC0415 - AppConfig.ready(): the app registry is ready only now; audit_hooks registers Settings > Audit trail

        operator_access.connect_signals()
        # What the public side asks of memberships (tenants.organisation_hooks).
        organisation_hooks.local_user_created.register(services.invitation_accept_on_arrival, order=10)
        organisation_hooks.local_user_created.register(memberships.membership_auto_join, order=20)
        organisation_hooks.roles_of_accounts.register(selectors.roles_of_accounts)
        organisation_hooks.administrator_counts.register(selectors.administrator_counts)
