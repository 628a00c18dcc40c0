"""``{% my_groups as groups %}``: the groups the signed-in person is in, with what is new for them, on every
subsite page — read live from the shared space (never copied), once per request."""

from __future__ import annotations

from dataclasses import dataclass

from django import template
from django.http import HttpRequest

from shared_apps.accounts.mail import platform_url
from shared_apps.accounts.selectors import account_for_user
from shared_apps.groups.selectors import MyGroup, my_groups_with_news

register = template.Library()


@dataclass(frozen=True)
class MyGroups:
    groups: list[MyGroup]
    directory_url: str

    @property
    def new(self) -> int:
        return sum(item.new for item in self.groups)


@register.simple_tag(takes_context=True)
def my_groups(context: template.Context) -> MyGroups:
    request: HttpRequest | None = context.get("request")
    remembered = getattr(request, "_my_groups", None)
    if remembered is not None:
        return remembered
    user = getattr(request, "user", None)
    account = account_for_user(user=user) if user is not None and user.is_authenticated else None
    found = MyGroups(
        groups=my_groups_with_news(account_id=account.pk) if account is not None else [],
        directory_url=platform_url("/groups/"),
    )
    if request is not None:
        request._my_groups = found  # type: ignore[attr-defined]
    return found


@register.filter
def group_url(item: MyGroup) -> str:
    """The group's address on the shared space (signed in there through single sign-on)."""
    return platform_url(f"/groups/{item.group.slug}/")
