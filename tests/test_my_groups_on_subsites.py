"""My groups on every subsite: a member sees, in the header and on the intranet home, the groups they are
in with what is new since their last visit — read live from the shared space, trimmed to them."""

from __future__ import annotations

import pytest

from shared_apps.group_discussions.services import discussion_create
from shared_apps.groups.selectors import my_groups_with_news
from shared_apps.groups.services.memberships import group_leave
from shared_apps.groups.services.moderation import item_hide
from tests.harness.clients import client_for

pytestmark = pytest.mark.django_db


def _home(world, organisation, person) -> str:  # type: ignore[no-untyped-def]
    response = client_for(organisation, person=person).get("/")
    assert response.status_code == 200
    return response.content.decode()


def test_a_member_sees_their_groups_with_what_is_new_on_their_intranet_home(world, civil_servants, make_group):
    a, b = civil_servants.a_member, civil_servants.b_member
    group = make_group(b, name="Cross-border water", members=(a,))
    make_group(b, name="Not for A")
    page = _home(world, world.org_a, a)
    assert "My groups" in page and "Cross-border water" in page and "Not for A" not in page
    assert f"/groups/{group.slug}/" in page and "new since your last visit</li>" not in page
    # B posts twice: A sees it as new, in the list and in the header; B, who did it, does not (B's only
    # news is that A joined).
    for title in ("First", "Second"):
        discussion_create(group=group, author=b.account, kind="discussion", title=title, body="Text")
    page = _home(world, world.org_a, a)
    assert "2 new since your last visit" in page and "(2 new)" in page
    assert [item.new for item in my_groups_with_news(account_id=b.account.pk) if item.group == group] == [1]
    # From org B's subsite, B sees the same group (one account, every subsite).
    assert "Cross-border water" in _home(world, world.org_b, b)
    # A opens the group on the shared space: nothing is new any more.
    assert civil_servants.client(a).get(f"/groups/{group.slug}/discussions/").status_code == 200
    assert "new since your last visit</li>" not in _home(world, world.org_a, a)


def test_hidden_items_are_not_news_and_a_group_left_is_gone_at_once(world, civil_servants, make_group):
    a, b = civil_servants.a_member, civil_servants.b_member
    group = make_group(b, name="Moderated", members=(a,))
    discussion = discussion_create(group=group, author=b.account, kind="discussion", title="Oops", body="x")
    item_hide(group=group, actor=b.account, item=discussion)
    assert [item.new for item in my_groups_with_news(account_id=a.account.pk)] == [0]
    group_leave(group=group, account=a.account)
    assert "Moderated" not in _home(world, world.org_a, a)


def test_a_citizen_and_an_anonymous_visitor(world, civil_servants, make_group):
    citizen = civil_servants.citizen
    group = make_group(civil_servants.a_member, name="Neighbours", audience="everyone", members=(citizen,))
    discussion_create(group=group, author=civil_servants.a_member.account, kind="discussion", title="Hi", body="x")
    # A citizen signed in on an organisation's public home sees their own groups there too.
    page = client_for(world.org_a, person=citizen).get("/")
    assert page.status_code == 200 and b"Neighbours" in page.content and b"1 new" in page.content
    anonymous = client_for(world.org_a).get("/").content
    assert b"My groups" not in anonymous and b"Neighbours" not in anonymous
