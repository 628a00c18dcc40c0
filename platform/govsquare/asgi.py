"""ASGI entry point. Defaults to the production profile.

The platform is served synchronously (WSGI); django-tenants keeps the schema on the thread-local
connection, which ``sync_to_async`` boundaries lose (django-tenants #518, #820).
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govsquare.settings.production")

application = get_asgi_application()
