"""The GovSquare Django project: settings, URLconfs, WSGI/ASGI entry points and the Celery app.

The package lives in ``platform/govsquare`` (``platform/`` itself is a plain folder without
``__init__.py``) so that nothing shadows the standard library's ``platform`` module.
"""

from govsquare.celery import app as celery_app

__all__ = ["celery_app"]
