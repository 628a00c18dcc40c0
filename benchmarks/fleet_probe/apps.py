from django.apps import AppConfig


class FleetProbeConfig(AppConfig):
    """Benchmark-only: a model added to every organisation schema by a new migration."""

    name = "benchmarks.fleet_probe"
    label = "fleet_probe"
    verbose_name = "Fleet benchmark probe"
    default_auto_field = "django.db.models.BigAutoField"
