"""Which schema serves a request: the organisation's host, the shared space, or nobody."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection

from tenants.hosts import RegisteredHosts
from tenants.models import Domain
from tests.harness.clients import client_for

pytestmark = pytest.mark.django_db


def test_each_organisation_host_serves_its_own_home_page(world):
    response_a = client_for(world.org_a).get("/")
    response_b = client_for(world.org_b).get("/")

    assert response_a.status_code == 200
    assert response_b.status_code == 200
    assert b"Organisation A" in response_a.content and b"Organisation B" not in response_a.content
    assert b"Organisation B" in response_b.content and b"Organisation A" not in response_b.content


def test_sections_of_the_blueprint_are_served_from_the_organisations_own_tree(world):
    member = client_for(world.org_a, person=world.a_member)
    assert member.get("/news/").status_code == 200
    assert member.get("/no-such-page/").status_code == 404


@pytest.mark.parametrize(
    "host",
    ["unknown.example", "nobody.govsquare.localhost", "org-a.example", "org-a.govsquare.localhost.evil.example"],
)
def test_unknown_host_gets_a_plain_404_that_names_no_organisation(world, host):
    response = client_for(None, host=host).get("/")

    assert response.status_code == 404
    assert response.content == b"Not found.\n"
    assert response["Content-Type"].startswith("text/plain")


def test_host_header_with_port_and_upper_case_resolves(world):
    response = client_for(None, host=f"ORG-A.{settings.PLATFORM_DOMAIN}:8000").get("/")
    assert response.status_code == 200
    assert b"Organisation A" in response.content


def test_custom_domain_serves_the_same_organisation_and_not_the_other(world):
    Domain.objects.create(tenant=world.org_b, domain="intranet.org-b.example", is_primary=True)

    response = client_for(None, host="intranet.org-b.example").get("/")

    assert response.status_code == 200
    assert b"Organisation B" in response.content and b"Organisation A" not in response.content


def test_other_domains_redirect_permanently_to_the_primary_one(world):
    Domain.objects.create(tenant=world.org_b, domain="old.org-b.example", is_primary=False)

    response = client_for(None, host="old.org-b.example:8000").get("/news/?page=2")

    assert response.status_code == 301
    assert response["Location"] == "http://org-b.govsquare.localhost:8000/news/?page=2"


def test_platform_domain_serves_the_shared_space_from_the_public_schema(world):
    response = client_for(None).get("/")

    assert response.status_code == 200
    assert b"shared space" in response.content
    assert b"Organisation A" in response.content and b"Organisation B" in response.content


def test_connection_is_back_in_the_public_schema_after_each_request(world):
    client_for(world.org_a).get("/")
    assert connection.schema_name == "public"


def test_custom_domain_is_served_without_a_wildcard_in_allowed_hosts(world, settings):
    settings.ALLOWED_HOSTS = RegisteredHosts(["govsquare.localhost", ".govsquare.localhost"])
    Domain.objects.create(tenant=world.org_a, domain="intranet.org-a.example", is_primary=True)

    assert client_for(None, host="intranet.org-a.example").get("/").status_code == 200
    assert client_for(None, host="unregistered.example").get("/").content == b"Not found.\n"
    assert "intranet.org-a.example" not in list(settings.ALLOWED_HOSTS)  # allowed only during its request
    assert "*" not in settings.ALLOWED_HOSTS


@pytest.mark.parametrize("on_organisation", [True, False])
def test_sign_out_ends_the_session_and_returns_home(world, on_organisation):
    organisation = world.org_a if on_organisation else None
    client = client_for(organisation, person=world.a_editor)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302 and response["Location"] == "/"
    assert "_auth_user_id" not in client.session
