from django.apps import AppConfig


class OperatorConfig(AppConfig):
    """The platform operators' interfaces on the shared space: the JSON API and the operator pages.

    No models of its own: the tokens are ``tenants.OperatorToken``, the work is ``tenants``' services.
    """

    name = "shared_apps.operator"
    label = "operator"
    verbose_name = "Platform operators"
