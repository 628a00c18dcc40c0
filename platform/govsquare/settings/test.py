"""Test profile: a database of its own, fast password hashing, real Redis when it is there."""

from govsquare.settings.base import *  # noqa: F403
from govsquare.settings.base import CACHES, DATABASES, PLATFORM_DOMAIN, env
from tenants.hosts import RegisteredHosts

DEBUG = False
ALLOWED_HOSTS = RegisteredHosts([PLATFORM_DOMAIN, f".{PLATFORM_DOMAIN}", "testserver"])
# pytest-django prefixes "test_": the suite runs in test_govsquare, never in the dev database.
# DATABASE_NAME points a helper process (the tests' Celery worker) straight at that test database.
DATABASES["default"]["NAME"] = env.str("DATABASE_NAME", default="govsquare")
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
WAGTAILADMIN_BASE_URL = "http://testserver"
ORGANISATION_POOL_SIZE = 0  # tests that use the pool fill it themselves
# The suite asserts the English copy; Dutch is asked for explicitly (tests/test_i18n.py). Deployments: "nl".
LANGUAGE_CODE = "en"
# The suite's cache entries live under a prefix of their own (shared with its Celery worker, which
# gets the same DATABASE_NAME), emptied when a test session starts: Redis outlives test databases.
CACHES["default"]["KEY_PREFIX"] = f"govsquare-test-{DATABASES['default']['NAME'].removeprefix('test_')}"
