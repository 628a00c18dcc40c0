"""WSGI entry point (Gunicorn: ``deploy/gunicorn.conf.py``). Defaults to the production profile."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govsquare.settings.production")

application = get_wsgi_application()
