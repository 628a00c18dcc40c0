from django.apps import AppConfig


class IdentityProviderConfig(AppConfig):
    """The shared space as OpenID Connect provider for every subsite (django-oauth-toolkit's models, no own)."""

    name = "shared_apps.identity_provider"
    label = "identity_provider"
    verbose_name = "Identity provider"

    def ready(self) -> None:
        from shared_apps.identity_provider import sessions  # noqa: PLC0415 - imports models: not before the app registry is ready

        sessions.connect_receivers()
