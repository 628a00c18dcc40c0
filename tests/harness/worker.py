"""A real Celery worker process for the tests that are about background work.

It consumes a queue of its own (so no other worker on the same Redis takes the tests' tasks, not even
the one another pytest-xdist worker started) and connects to this session's test database.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection

from govsquare.celery import app as celery_app


@contextmanager
def running_worker(
    *, log_path: Path, timeout: float = 60.0, environment: dict[str, str] | None = None
) -> Iterator[str]:
    queue = f"{settings.CELERY_TASK_DEFAULT_QUEUE}-{uuid.uuid4().hex[:10]}"
    node = f"{queue}@localhost"
    env = (
        os.environ
        | {
            "DJANGO_SETTINGS_MODULE": "govsquare.settings.test",
            "DATABASE_NAME": connection.settings_dict["NAME"],
            "CELERY_TASK_DEFAULT_QUEUE": queue,
        }
        | (environment or {})
    )
    command = [
        sys.executable, "-m", "celery", "-A", "govsquare", "worker", "--pool=solo", "--loglevel=INFO",
        "-Q", queue, "-n", node, "--without-gossip", "--without-mingle",
    ]  # fmt: skip
    log = log_path.open("w")
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    previous_queue = celery_app.conf.task_default_queue
    celery_app.conf.task_default_queue = queue
    try:
        deadline = time.monotonic() + timeout
        while not celery_app.control.ping(destination=[node], timeout=1.0):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"The Celery worker did not start; see {log_path}:\n{log_path.read_text()[-3000:]}")
        yield queue
    finally:
        celery_app.conf.task_default_queue = previous_queue
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
