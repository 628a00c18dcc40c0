from django.apps import AppConfig


class SharedSpaceConfig(AppConfig):
    """The shared space on the platform domain, where people meet across organisations."""

    name = "shared_apps.shared_space"
    label = "shared_space"
    verbose_name = "Shared space"
