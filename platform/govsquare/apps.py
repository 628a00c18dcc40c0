from django.apps import AppConfig


class GovSquareConfig(AppConfig):
    """The project itself as an app: the platform-wide checks (the tenancy boundary) and the commands that
    compose every side (``demo_data``). No models. At the top of the layers (``.importlinter``): it may use
    every other package, none may use it."""

    name = "govsquare"
    label = "govsquare"
    verbose_name = "GovSquare"

    def ready(self) -> None:
        from django.core import checks  # noqa: PLC0415 - AppConfig.ready(): the app registry is ready only now

        from govsquare.architecture import tenancy_boundary_check  # noqa: PLC0415 - AppConfig.ready(): the app registry is ready only now

        checks.register(tenancy_boundary_check, "govsquare")
