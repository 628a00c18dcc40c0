"""Development profile: debug on, readable defaults. Used by ``make run`` and ``manage.py``."""

from govsquare.settings.base import *  # noqa: F403
from govsquare.settings.base import env

DEBUG = env.bool("DEBUG", default=True)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["*"])
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
