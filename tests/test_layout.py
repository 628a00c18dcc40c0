"""The repository layout: nothing shadows the standard library, the project imports from anywhere."""

from __future__ import annotations

import platform
import subprocess
import sys

from govsquare.layout import REPO_ROOT


def test_platform_folder_does_not_shadow_the_standard_library_module():
    result = subprocess.run(
        [sys.executable, "-c", "import platform; print(platform.system())"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == platform.system()


def test_modules_that_import_platform_work_from_the_repository_root():
    code = "import uuid, celery.platforms, gunicorn.workers.workertmp, govsquare.settings.base; print('ok')"
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_platform_folder_is_not_a_package():
    assert (REPO_ROOT / "platform").is_dir()
    assert not (REPO_ROOT / "platform" / "__init__.py").exists()


def test_project_package_imports_from_another_folder(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", "import govsquare.layout, tenants, sites, shared_apps, tenant_apps; print('ok')"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert result.stdout.strip() == "ok", result.stderr
