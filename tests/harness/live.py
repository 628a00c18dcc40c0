"""The platform served for real, for the browser tests: Gunicorn on a free port, from this run's test database.

The server is another process: what it must see has to be committed first. ``CHROMIUM`` and
``CHROMIUM_ARGS`` are how the tests start Debian's Chromium through Playwright (NOTES §6).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import connection

from govsquare.layout import REPO_ROOT

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--no-proxy-server",
    "--host-resolver-rules=MAP * 127.0.0.1",
]


@dataclass
class LivePlatform:
    port: int
    log: Path

    def url(self, host: str, path: str = "/") -> str:
        return f"http://{host}:{self.port}{path}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str) -> int:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(url, timeout=2) as response:
        return response.status


def require_chromium() -> None:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium (make test installs it when missing)")


@contextmanager
def serving_platform(*, log_path: Path, environment: dict[str, str] | None = None) -> Iterator[LivePlatform]:
    """Gunicorn (threads, so the server can answer a subsite's token request to itself) on a port of its own,
    with the OpenID clients' redirect addresses synced to that port first. ``environment`` adds to (or
    overrides) the server's environment; by default its tasks run inline (``CELERY_TASK_ALWAYS_EAGER``)."""
    port = free_port()
    env = (
        os.environ
        | {
            "DJANGO_SETTINGS_MODULE": "govsquare.settings.test",
            "DATABASE_NAME": connection.settings_dict["NAME"],
            "PLATFORM_PORT": str(port),
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "WEB_CONCURRENCY": "2",
            "GUNICORN_THREADS": "4",
            "CELERY_TASK_ALWAYS_EAGER": "true",  # nothing reaches a worker of another database
            "CACHE_KEY_PREFIX": f"govsquare-browser-{port}",
        }
        | (environment or {})
    )
    sync = subprocess.run(
        [sys.executable, "manage.py", "sso_sync_clients"], cwd=REPO_ROOT, env=env, capture_output=True, text=True
    )
    assert sync.returncode == 0, sync.stderr
    with log_path.open("w") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(REPO_ROOT / "deploy" / "gunicorn.conf.py")],
            cwd=REPO_ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if _get(f"http://127.0.0.1:{port}/healthz") == 200:
                        break
                except OSError:
                    pass
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"The platform did not start on port {port}:\n{log_path.read_text()[-3000:]}")
                time.sleep(0.2)
            yield LivePlatform(port=port, log=log_path)
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
