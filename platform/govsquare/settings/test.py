"""Test profile: a database of its own, fast password hashing, real Redis when it is there."""

from govsquare.settings.base import *  # noqa: F403
from govsquare.settings.base import BASE_DIR, CACHES, DATABASES, PLATFORM_DOMAIN, env
from tenants.hosts import RegisteredHosts

DEBUG = False
ALLOWED_HOSTS = RegisteredHosts([PLATFORM_DOMAIN, f".{PLATFORM_DOMAIN}", "testserver"])
# pytest-django prefixes "test_": the suite runs in test_govsquare, never in the dev database.
# DATABASE_NAME points a helper process (the tests' Celery worker) straight at that test database.
DATABASES["default"]["NAME"] = env.str("DATABASE_NAME", default="govsquare")
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# In memory, unless a test's helper process is pointed at a real SMTP server (tests/test_crossing_in_browser.py).
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.locmem.EmailBackend")
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
WAGTAILADMIN_BASE_URL = "http://testserver"
ORGANISATION_POOL_SIZE = 0  # tests that use the pool fill it themselves
# Every test client comes from 127.0.0.1 and the counters live in Redis for the whole run: limits far above
# what any suite does. tests/test_web_security.py sets small ones for the tests of each limit.
ACCOUNT_SIGNUP_RATE = "100000/h"
ACCOUNT_PASSWORD_RESET_RATE = "100000/h"  # noqa: S105 - a rate, not a password
ACCOUNT_INVITATION_RATE = "100000/h"
OPERATOR_API_TOKEN_RATE = "100000/h"  # noqa: S105 - a rate, not a token
# The suite asserts the English copy; Dutch is asked for explicitly (tests/test_i18n.py). Deployments: "nl".
LANGUAGE_CODE = "en"

# --- One name per test session, for everything it keeps outside its database -------------------------
# Under pytest-xdist each worker (PYTEST_XDIST_WORKER=gw0, gw1, ...) has a test database of its own,
# test_govsquare_gw0 and so on (pytest-django adds the suffix), and the same suffix keeps its cache
# entries, Celery queue and files apart from the other worker's. A helper process that a test starts
# (Celery worker, Gunicorn, manage.py) gets that database's name in DATABASE_NAME, so it arrives at the
# same suite name: govsquare, govsquare_gw0, ...
_database = DATABASES["default"]["NAME"]
_xdist_worker = env.str("PYTEST_XDIST_WORKER", default="")
if _xdist_worker and not _database.endswith(f"_{_xdist_worker}"):
    _database = f"{_database}_{_xdist_worker}"
_suite = _database.removeprefix("test_")

# The suite's cache entries live under a prefix of their own (shared with its Celery worker), emptied
# when a test session starts: Redis outlives test databases.
CACHES["default"]["KEY_PREFIX"] = f"govsquare-test-{_suite}"
# Tasks queued without a test worker running wait in the suite's own queue, never in the dev queue.
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default=f"govsquare-test-{_suite}")
# Files the code under test writes (media, export archives): under .local/test-files/<suite>/, emptied
# when a test session starts. Tests that look at the files point these at their tmp_path.
TEST_FILES_ROOT = BASE_DIR / ".local" / "test-files" / _suite
MEDIA_ROOT = str(TEST_FILES_ROOT / "media")
SENDFILE_ROOT = MEDIA_ROOT
EXPORT_ROOT = str(TEST_FILES_ROOT / "exports")
