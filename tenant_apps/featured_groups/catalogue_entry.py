"""The groups app in the catalogue: "My groups" and "Featured groups" blocks for the intranet home, and the
menu link to the groups on the shared space. Groups themselves live in the shared space (``shared_apps.groups``);
switching this app off for an organisation removes its blocks and link from that subsite, nothing else."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_noop

from shared_apps.accounts.mail import platform_url
from shared_apps.accounts.selectors import account_for_user
from shared_apps.groups.access import viewer_for_user
from shared_apps.groups.selectors import my_groups_with_news
from sites.catalogue import CatalogueApp, HomeBlock, MenuLink
from tenant_apps.featured_groups.selectors import featured_groups_for


def my_groups_context(*, request: HttpRequest | None, page: Any, value: dict[str, Any]) -> dict[str, Any]:
    """The signed-in person's groups with what is new there (read live from the shared space; once per request)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"signed_in": False, "groups": [], "directory_url": platform_url("/groups/")}
    remembered = getattr(request, "_my_groups_block", None)
    if remembered is None:
        account = account_for_user(user=user)
        remembered = my_groups_with_news(account_id=account.pk) if account is not None else []
        request._my_groups_block = remembered  # type: ignore[union-attr]
    groups = remembered[: int(value.get("count") or 5)]
    return {
        "signed_in": True,
        "groups": [{"item": item, "url": platform_url(f"/groups/{item.group.slug}/")} for item in groups],
        "directory_url": platform_url("/groups/"),
    }


def featured_groups_context(*, request: HttpRequest | None, page: Any, value: dict[str, Any]) -> dict[str, Any]:
    groups = featured_groups_for(viewer=viewer_for_user(getattr(request, "user", None)))[: int(value.get("count") or 5)]
    return {"groups": [{"group": group, "url": platform_url(f"/groups/{group.slug}/")} for group in groups]}


APP = CatalogueApp(
    key="groups",
    label=gettext_noop("Groups"),
    description=gettext_noop("Open groups across organisations on the intranet home: my groups and featured groups."),
    menu_links=(MenuLink(label=gettext_noop("Groups"), url=lambda: platform_url("/groups/"), signed_in_only=True),),
    home_blocks=(
        HomeBlock(
            key="groups.mine",
            label=gettext_noop("My groups"),
            template="featured_groups/blocks/mine.html",
            context=my_groups_context,
        ),
        HomeBlock(
            key="groups.featured",
            label=gettext_noop("Featured groups"),
            template="featured_groups/blocks/featured.html",
            context=featured_groups_context,
        ),
    ),
    settings_urls=("featured_groups",),
    order=60,
)
