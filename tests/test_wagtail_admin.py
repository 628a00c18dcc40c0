"""Wagtail in every organisation schema: its own Site and page tree, its own admin at /admin/."""

from __future__ import annotations

import pytest
from django_tenants.utils import tenant_context
from wagtail.models import Page, Site

from tests.harness.clients import client_for

pytestmark = pytest.mark.django_db


def test_each_organisation_has_a_default_site_rooted_at_its_home_page(world):
    for organisation in (world.org_a, world.org_b):
        with tenant_context(organisation):
            site = Site.objects.get()
            assert site.is_default_site
            assert site.hostname == organisation.platform_host
            assert site.root_page.specific.title == organisation.name
            assert site.root_page.get_children().count() == 5  # intranet blueprint sections


def test_pages_made_in_org_a_do_not_exist_in_org_b(world):
    with tenant_context(world.org_a):
        home = Site.objects.get().root_page
        home.add_child(instance=Page(title="Only for A", slug="only-for-a"))
    assert client_for(world.org_a, person=world.a_member).get("/only-for-a/").status_code == 200
    assert client_for(world.org_b).get("/only-for-a/").status_code == 404
    with tenant_context(world.org_b):
        assert not Page.objects.filter(slug="only-for-a").exists()


@pytest.mark.parametrize("key", ["a_editor", "a_admin"])
def test_editors_and_administrators_of_org_a_enter_its_admin(world, key):
    response = client_for(world.org_a, person=world.people[key]).get("/admin/")
    assert response.status_code == 200
    assert b"Organisation A" in response.content or b"Wagtail" in response.content


@pytest.mark.parametrize("key", ["a_member", "citizen", "b_member"])
def test_members_and_outsiders_are_kept_out_of_org_a_admin(world, key):
    response = client_for(world.org_a, person=world.people[key]).get("/admin/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_editor_of_org_a_is_kept_out_of_org_b_admin(world):
    response = client_for(world.org_b, person=world.a_editor_b_member).get("/admin/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client_for(world.org_a, person=world.a_editor_b_member).get("/admin/").status_code == 200


def test_a_session_from_org_a_is_not_valid_on_org_b(world):
    client = client_for(world.org_a, person=world.a_editor)
    session_cookie = client.cookies["sessionid"].value
    other = client_for(world.org_b)
    other.cookies["sessionid"] = session_cookie
    response = other.get("/admin/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_anonymous_visitor_is_sent_to_sign_in(world):
    response = client_for(world.org_a).get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_administrator_manages_users_only_of_their_own_organisation(world):
    # Wagtail's own Users screen is closed (issue 13, defect 3): members are managed on the Members screen.
    client = client_for(world.org_a, person=world.a_admin)
    assert client.get("/admin/users/")["Location"] == "/admin/members/"
    response = client.get("/admin/members/")
    assert response.status_code == 200
    assert world.a_member.email.encode() in response.content
    assert world.b_member.email.encode() not in response.content
