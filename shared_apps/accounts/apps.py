from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Platform accounts: one per person, in the public schema."""

    name = "shared_apps.accounts"
    label = "accounts"
    verbose_name = "Accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from shared_apps.accounts import language  # noqa: PLC0415 - imports models: not before the app registry is ready

        language.connect_receivers()
