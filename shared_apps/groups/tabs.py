"""The tabs of a group: what each content app brings into a group, registered in its ``AppConfig.ready()``.

A group's administrators switch tabs off (``Group.disabled_tabs``); a switched-off tab disappears from the
group's pages and its addresses answer 404, its content is kept. "About", "Members" and "Activity" are the
core's own and always there.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse

from shared_apps.groups.models import Group


@dataclass(frozen=True)
class GroupTab:
    key: str  # also the first part of its address under the group: /groups/<slug>/<key>/
    label: str  # marked with gettext_lazy by the app that registers it
    url_name: str  # the tab's index view, which takes ``slug``
    order: int = 50
    switchable: bool = True


_TABS: dict[str, GroupTab] = {}


def register_tab(tab: GroupTab) -> GroupTab:
    """Add a tab (idempotent for the same tab; another tab under a taken key is an error)."""
    existing = _TABS.get(tab.key)
    if existing is not None and existing != tab:
        raise ValueError(f"A group tab with the key {tab.key!r} is registered already.")
    _TABS[tab.key] = tab
    return tab


def all_tabs() -> list[GroupTab]:
    return sorted(_TABS.values(), key=lambda tab: (tab.order, tab.key))


def switchable_tabs() -> list[GroupTab]:
    return [tab for tab in all_tabs() if tab.switchable]


def tab_enabled(*, group: Group, key: str) -> bool:
    return key in _TABS and key not in group.disabled_tabs


def tabs_of(*, group: Group) -> list[tuple[GroupTab, str]]:
    """The group's tabs that are on, with their addresses."""
    return [
        (tab, reverse(tab.url_name, kwargs={"slug": group.slug}, urlconf=settings.PUBLIC_SCHEMA_URLCONF))
        for tab in all_tabs()
        if tab.key not in group.disabled_tabs
    ]
