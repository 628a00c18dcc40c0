"""System checks of the platform search (``manage.py check``)."""

from __future__ import annotations

from typing import Any

from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from shared_apps.search.group_index import check_registry
from shared_apps.search.selectors import search_backend


def search_configuration(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    found: list[checks.CheckMessage] = []
    try:
        search_backend()
    except ImproperlyConfigured as exc:
        found.append(checks.Error(str(exc), id="platform_search.E001"))
    unknown = check_registry()
    if unknown:
        found.append(
            checks.Warning(
                f"Group content the search does not index: {', '.join(unknown)}.",
                hint="Add each model to shared_apps.search.group_index.ITEM_TEXT (None: no entries of its own).",
                id="platform_search.W001",
            )
        )
    return found
