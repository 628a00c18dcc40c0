"""The import contract (``.importlinter``): the layers hold on the real tree, and breaking them fails.

The failing cases run import-linter on a copy of the tree with one forbidden import added, so the
contract is shown to catch what it is there for, not only to pass.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from govsquare.layout import REPO_ROOT

LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
PACKAGES = {  # package -> its folder in the repository
    "govsquare": Path("platform") / "govsquare",
    "tenants": Path("tenants"),
    "sites": Path("sites"),
    "shared_apps": Path("shared_apps"),
    "tenant_apps": Path("tenant_apps"),
}


def _lint(root: Path, *, pythonpath: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)  # before site-packages: the copy, not the installed tree, is read
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(root / ".importlinter"), "--no-cache"],
        cwd=root,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def test_the_tree_keeps_the_import_contract():
    result = _lint(REPO_ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "BROKEN" not in result.stdout and result.stdout.count("KEPT") >= 3


def test_no_public_module_names_the_organisation_side_in_an_import():
    """What ``grep -rn tenant_apps shared_apps tenants --include=*.py`` must not find as an import."""
    offenders = []
    for folder in ("shared_apps", "tenants", "sites"):
        for path in (REPO_ROOT / folder).rglob("*.py"):
            for number, line in enumerate(path.read_text().splitlines(), start=1):
                words = line.strip()
                if (
                    words.startswith(("import tenant_apps", "from tenant_apps"))
                    or 'import_module("tenant_apps' in words
                ):
                    offenders.append(f"{path.relative_to(REPO_ROOT)}:{number}: {words}")
    assert offenders == []


@pytest.fixture(scope="module")
def tree_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Python packages and the contract, copied (sources only) to a folder of their own."""
    root = tmp_path_factory.mktemp("tree")
    for package, folder in PACKAGES.items():
        shutil.copytree(
            REPO_ROOT / folder,
            root / package,
            ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "templates", "static", "locale"),
        )
    shutil.copy(REPO_ROOT / ".importlinter", root / ".importlinter")
    return root


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        ("tenants/provisioning.py", "import tenant_apps.pages.models", "Public side never imports organisation side"),
        ("shared_apps/accounts/selectors.py", "from tenant_apps.members import selectors", "Public side never imports"),
        ("sites/catalogue.py", "import tenants.models", "Layers"),
        ("tenants/models.py", "import govsquare.demo", "Layers"),
        ("tenants/naming.py", "import tenants.provisioning", "No import cycles"),
    ],
    ids=["tenants->tenant_apps", "shared_apps->tenant_apps", "sites->tenants", "tenants->govsquare", "tenants-cycle"],
)
def test_a_forbidden_import_breaks_the_contract(tree_copy: Path, module: str, line: str, contract: str):
    path = tree_copy / module
    original = path.read_text()
    try:
        path.write_text(f"{original}\n{line}  # added by the test\n")
        result = _lint(tree_copy, pythonpath=tree_copy)
    finally:
        path.write_text(original)
    assert result.returncode != 0, result.stdout
    broken = result.stdout[result.stdout.index("Broken contracts") :]
    assert contract in broken, result.stdout
