"""Development profile: debug on, readable defaults. Used by ``make run`` and ``manage.py``."""

from govsquare.settings.base import *  # noqa: F403
from govsquare.settings.base import env
from tenants.hosts import RegisteredHosts

DEBUG = env.bool("DEBUG", default=True)
ALLOWED_HOSTS = RegisteredHosts(env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", ".localhost"]))
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
