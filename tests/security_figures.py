"""The security suites' figures, one line per suite in ``test-artifacts/security-figures.txt``.

``record_figure("isolation", "1234 probes, 0 leaks")`` writes ``isolation: 1234 probes, 0 leaks``, replacing
the suite's older line and keeping the other suites' lines (the file is made, with its folder, when missing).
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

FIGURES_FILE = "security-figures.txt"


def figures_path() -> Path:
    """``test-artifacts/security-figures.txt`` in the project's folder."""
    return Path(settings.BASE_DIR) / "test-artifacts" / FIGURES_FILE


def record_figure(suite: str, line: str) -> Path:
    """Write ``<suite>: <line>`` into the figures file, in place of an older line of the same suite."""
    path = figures_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    prefix = f"{suite}:"
    kept = [old for old in path.read_text().splitlines() if not old.startswith(prefix)] if path.exists() else []
    kept.append(f"{suite}: {line}")
    path.write_text("\n".join(kept) + "\n")
    return path
