from django.apps import AppConfig


class SsoConfig(AppConfig):
    """Every subsite signs people in through the shared space (OpenID Connect relying party; no models)."""

    name = "tenant_apps.sso"
    label = "sso"
    verbose_name = "Single sign-on"
