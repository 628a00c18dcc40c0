"""The faults suite: break what the platform stands on, for real, and check it survives.

* PostgreSQL restarted under load: a private PostgreSQL cluster (its own data folder and port, a copy of this
  run's test database) serves a Gunicorn platform while readers hit it; the cluster is restarted; requests must
  recover within 5 s and a write in flight is either all there or not at all.
* Redis stopped (cache and broker at a closed port): pages keep serving, signed in and anonymous.
* SMTP down (the mail server at a closed port): a sign-up completes, its mail is left to the worker's retries.

Each fault prints what it injected and whether the platform survived; the totals go to the run's summary
(``faults: N injected, N survived``) and to ``test-artifacts/security-figures.txt``.
"""

from __future__ import annotations

import errno
import http.client
import io
import os
import shutil
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import connection

from shared_apps.accounts.models import Account
from shared_apps.group_files.models import GroupFile
from shared_apps.group_files.services import file_upload
from tests.harness.live import LivePlatform, free_port, serving_platform
from tests.security_figures import record_figure

POSTGRES_USER = "postgres"
PDF_HEADER = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
RECOVERY_SECONDS = 5.0


@dataclass
class FaultLog:
    """What was injected and whether the platform survived it: filled by each test, summed at the end."""

    injected: list[str] = field(default_factory=list)
    survived: list[str] = field(default_factory=list)


FAULTS = FaultLog()


@pytest.fixture(scope="session", autouse=True)
def _faults_summary(report) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """At the end of the run: ``faults: N injected, N survived`` once, in the run's summary and the figures file
    (``make test`` distributes the suite by file, ``--dist loadfile``: one worker runs all of this module)."""
    yield
    if FAULTS.injected:
        line = f"{len(FAULTS.injected)} injected, {len(FAULTS.survived)} survived ({'; '.join(FAULTS.injected)})"
        report(f"faults: {line}")
        record_figure("faults", line)


def _get(port: int, host: str, path: str, *, cookie: str = "", timeout: float = 10.0) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        headers = {"Host": host} | ({"Cookie": cookie} if cookie else {})
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        response.read()
        return response.status
    except OSError:
        return 0
    finally:
        conn.close()


# --- PostgreSQL restarted under load ------------------------------------------------------------------------


def _as_postgres(*command: str) -> subprocess.CompletedProcess:
    runner = ["runuser", "-u", POSTGRES_USER, "--"] if os.geteuid() == 0 else []
    return subprocess.run([*runner, *command], capture_output=True, text=True, timeout=120)


@dataclass
class PrivateCluster:
    data: Path
    port: int
    database: str

    def restart(self) -> None:
        done = _as_postgres("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "restart", "-l", str(self.data / "log"))
        assert done.returncode == 0, done.stderr


@pytest.fixture
def private_cluster(world, tmp_path_factory) -> Iterator[PrivateCluster]:  # type: ignore[no-untyped-def]
    """A PostgreSQL cluster of the test's own, holding a copy of this run's test database."""
    if shutil.which("initdb") is None or shutil.which("pg_ctl") is None:
        pytest.fail("PostgreSQL's initdb and pg_ctl are needed (the postgresql package)")
    data = Path(f"/tmp/govsquare-fault-pg-{uuid.uuid4().hex[:8]}")  # noqa: S108 - a folder the postgres user may write
    port = free_port()
    data.mkdir()
    if os.geteuid() == 0:
        shutil.chown(data, user=POSTGRES_USER)
    made = _as_postgres("initdb", "-D", str(data), "-A", "trust", "-U", POSTGRES_USER)
    assert made.returncode == 0, made.stderr
    started = _as_postgres(
        "pg_ctl", "-D", str(data), "-w", "-o", f"-p {port} -k /tmp -c listen_addresses=127.0.0.1", "start",
        "-l", str(data / "log"),
    )  # fmt: skip
    assert started.returncode == 0, started.stderr
    database = "faults"
    try:
        source = connection.settings_dict["NAME"]
        subprocess.run(["createdb", "-h", "127.0.0.1", "-p", str(port), "-U", POSTGRES_USER, database], check=True)
        dump = subprocess.Popen(
            ["pg_dump", "-h", "127.0.0.1", "-p", str(connection.settings_dict.get("PORT") or 5432), "-U",
             connection.settings_dict.get("USER") or POSTGRES_USER, "-Fc", source],
            stdout=subprocess.PIPE,
        )  # fmt: skip
        restored = subprocess.run(
            ["pg_restore", "-h", "127.0.0.1", "-p", str(port), "-U", POSTGRES_USER, "-d", database, "--no-owner"],
            stdin=dump.stdout,
            capture_output=True,
            text=True,
        )
        dump.wait()
        assert dump.returncode == 0 and restored.returncode == 0, restored.stderr[-2000:]
        yield PrivateCluster(data=data, port=port, database=database)
    finally:
        _as_postgres("pg_ctl", "-D", str(data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(data, ignore_errors=True)


def test_postgresql_restarted_under_load_requests_recover_within_five_seconds(world, private_cluster, tmp_path):
    FAULTS.injected.append("PostgreSQL restarted under load")
    environment = {
        "DATABASE_URL": f"postgres://{POSTGRES_USER}@127.0.0.1:{private_cluster.port}/{private_cluster.database}",
        "DATABASE_NAME": private_cluster.database,
    }
    host = world.org_a.platform_host
    outcomes: list[tuple[float, int]] = []
    stop = threading.Event()

    def reader(live: LivePlatform) -> None:
        while not stop.is_set():
            status = _get(live.port, host, "/", timeout=10)
            outcomes.append((time.monotonic(), status))
            time.sleep(0.05)

    with serving_platform(log_path=tmp_path / "server.log", environment=environment) as live:
        assert _get(live.port, host, "/") == 200
        readers = [threading.Thread(target=reader, args=(live,), daemon=True) for _ in range(4)]
        for thread in readers:
            thread.start()
        time.sleep(1.5)
        restart_began = time.monotonic()
        private_cluster.restart()
        restart_ended = time.monotonic()
        time.sleep(RECOVERY_SECONDS + 1)
        stop.set()
        for thread in readers:
            thread.join(timeout=15)
        log = live.log.read_text()
    before = [status for moment, status in outcomes if moment < restart_began]
    after = [(moment, status) for moment, status in outcomes if moment > restart_ended]
    first_good = next((moment for moment, status in after if status == 200), None)
    assert before and all(status == 200 for status in before), before
    assert first_good is not None and first_good - restart_ended <= RECOVERY_SECONDS, (outcomes, log[-2000:])
    late = [status for moment, status in after if moment > restart_ended + RECOVERY_SECONDS and status != 200]
    assert not late, f"requests still failing {RECOVERY_SECONDS}s after the restart: {late[:10]}\n{log[-2000:]}"
    FAULTS.survived.append("PostgreSQL restarted under load")


# --- Redis stopped --------------------------------------------------------------------------------------------


def test_redis_stopped_pages_keep_serving(world, tmp_path):
    FAULTS.injected.append("Redis stopped (cache and broker)")
    closed = f"redis://127.0.0.1:{free_port()}/0"
    environment = {"REDIS_URL": closed, "CELERY_BROKER_URL": closed, "CELERY_TASK_ALWAYS_EAGER": "false"}
    with serving_platform(log_path=tmp_path / "server.log", environment=environment) as live:
        statuses = {
            path: _get(live.port, world.org_a.platform_host, path, timeout=20)
            for path in ("/", "/search/?q=organisation", "/feed/", "/sitemap.xml")
        }
        statuses["shared space /"] = _get(live.port, settings.PLATFORM_DOMAIN, "/", timeout=20)
        log = live.log.read_text()
    assert all(status == 200 for status in statuses.values()), (statuses, log[-3000:])
    FAULTS.survived.append("Redis stopped (cache and broker)")


# --- SMTP down ------------------------------------------------------------------------------------------------


def test_smtp_down_a_sign_up_still_completes(world, tmp_path, django_db_blocker):
    FAULTS.injected.append("SMTP down during sign-up")
    email = f"smtp-down-{uuid.uuid4().hex[:6]}@mail.example"
    environment = {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(free_port()),  # nothing listens there
        "EMAIL_TIMEOUT": "2",
    }
    with serving_platform(log_path=tmp_path / "server.log", environment=environment) as live:
        conn = http.client.HTTPConnection("127.0.0.1", live.port, timeout=30)
        conn.request("GET", "/accounts/signup/", headers={"Host": settings.PLATFORM_DOMAIN})
        page = conn.getresponse()
        body = page.read().decode()
        cookie = page.getheader("Set-Cookie", "").split(";")[0]
        token = body.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
        form = (
            f"csrfmiddlewaretoken={token}&email={email}&display_name=Smtp+Down"
            "&password=a-long-enough-passphrase-42&password_again=a-long-enough-passphrase-42"
        )
        conn.request(
            "POST",
            "/accounts/signup/",
            body=form,
            headers={
                "Host": settings.PLATFORM_DOMAIN,
                "Cookie": cookie,
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"http://{settings.PLATFORM_DOMAIN}:{live.port}/accounts/signup/",
            },
        )
        response = conn.getresponse()
        response.read()
        conn.close()
        log = live.log.read_text()
    with django_db_blocker.unblock():
        made = Account.objects.filter(email=email)
        exists = made.exists()
        made.delete()
    assert response.status in (200, 302) and response.status < 500, (response.status, log[-3000:])
    assert exists, log[-3000:]
    FAULTS.survived.append("SMTP down during sign-up")


# --- Disk full while uploading --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_disk_full_while_uploading_gives_a_clear_error_and_leaves_no_partial_file(
    world, civil_servants, make_group, settings, tmp_path, monkeypatch
):
    """The disk fills up half-way through writing a group file (the operating system's write fails with
    ENOSPC after the first chunk): a clear error on the form's field, no file on disk, no row."""
    FAULTS.injected.append("disk full while uploading")
    settings.MEDIA_ROOT = str(tmp_path / "media")
    group = make_group(civil_servants.a_member, name=f"Disk full {uuid.uuid4().hex[:6]}")
    real_fdopen = os.fdopen
    written = {"chunks": 0}

    class FillingUp:
        """The stored file's handle: the first chunk goes to disk, then the disk is full."""

        def __init__(self, handle) -> None:  # type: ignore[no-untyped-def]
            self.handle = handle

        def write(self, data: bytes) -> int:
            if written["chunks"] >= 1:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            written["chunks"] += 1
            return self.handle.write(data)

        def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
            return getattr(self.handle, name)

    # Streamed in chunks, as a large upload is (an in-memory upload is written in one go).
    upload = File(io.BytesIO(PDF_HEADER + b"0" * (3 * File.DEFAULT_CHUNK_SIZE)), name="report.pdf")
    monkeypatch.setattr(os, "fdopen", lambda *args, **kwargs: FillingUp(real_fdopen(*args, **kwargs)))
    with pytest.raises(ValidationError) as refused:
        file_upload(group=group, actor=civil_servants.a_member.account, upload=upload)
    monkeypatch.setattr(os, "fdopen", real_fdopen)
    assert "no room to store this file" in " ".join(refused.value.message_dict["file"])
    assert written["chunks"] == 1, "the fault was not reached: nothing was written before the disk filled up"
    assert not GroupFile.objects.filter(group=group).exists()
    left = [path for path in (tmp_path / "media").rglob("*") if path.is_file()]
    assert not left, f"partial files left behind: {left}"
    FAULTS.survived.append("disk full while uploading")
