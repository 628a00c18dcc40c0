"""Settings of the benchmarks: the development profile, pointed at a database of their own.

* The database is ``BENCH_DATABASE_NAME`` (default ``govsquare_bench``) on the server of
  ``DATABASE_URL``, whatever database that URL names: a benchmark never touches the development or
  test databases (the name must contain "bench").
* Nothing reaches the shared Redis broker (tasks run inline; no pool refill is queued since the pool
  size is 0); cache keys get a prefix of their own; mail stays in memory; no query log (DEBUG off).
* ``BENCH_FLEET_PROBE_MIGRATIONS=<folder>`` installs the organisation-side app ``benchmarks.fleet_probe``
  with its migrations taken from the package ``fleet_probe_migrations`` in ``<folder>`` (a temporary
  folder written by ``benchmarks/fleet.py``); ``BENCH_FLEET_PROBE_PHASE`` says which model it has.
"""

import sys

from django.core.exceptions import ImproperlyConfigured

from govsquare.settings.dev import *  # noqa: F403
from govsquare.settings.dev import CACHES, DATABASES, INSTALLED_APPS, TENANT_APPS, env

DEBUG = False
BENCH_DATABASE_NAME = env.str("BENCH_DATABASE_NAME", default="govsquare_bench")
if "bench" not in BENCH_DATABASE_NAME:
    raise ImproperlyConfigured(f"Refusing to benchmark in {BENCH_DATABASE_NAME!r}: its name must contain 'bench'.")
DATABASES["default"]["NAME"] = BENCH_DATABASE_NAME

ORGANISATION_POOL_SIZE = 0
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_DEFAULT_QUEUE = "govsquare-bench"
CACHES["default"]["KEY_PREFIX"] = "govsquare-bench"
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}

_PROBE_MIGRATIONS = env.str("BENCH_FLEET_PROBE_MIGRATIONS", default="")
if _PROBE_MIGRATIONS:
    if _PROBE_MIGRATIONS not in sys.path:
        sys.path.append(_PROBE_MIGRATIONS)
    TENANT_APPS = [*TENANT_APPS, "benchmarks.fleet_probe"]
    INSTALLED_APPS = [*INSTALLED_APPS, "benchmarks.fleet_probe"]
    MIGRATION_MODULES = {"fleet_probe": "fleet_probe_migrations"}
    FLEET_PROBE_PHASE = env.int("BENCH_FLEET_PROBE_PHASE", default=1)
