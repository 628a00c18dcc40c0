"""The shared space's home: the active organisations, the groups the viewer may see, the people they may see."""

from __future__ import annotations

import pytest

from shared_apps.accounts.models import Account
from tenants.models import Organisation
from tests.harness.clients import client_for

pytestmark = pytest.mark.django_db


def test_the_home_shows_active_organisations_the_groups_and_the_people_each_viewer_may_see(
    world, civil_servants, make_group, c_member
):
    Organisation.objects.filter(pk=world.org_b.pk).update(status=Organisation.Status.SUSPENDED)
    open_group = make_group(civil_servants.a_member, name="Open practice")
    hidden = make_group(civil_servants.a_member, name="Secret circle", visibility="hidden", joining="invitation")
    citizens_welcome = make_group(civil_servants.a_member, name="Neighbours", audience="everyone")
    Account.objects.filter(pk=civil_servants.citizen.account.pk).update(profile_public=True)

    outsider = civil_servants.client(c_member).get("/").content.decode()
    assert "Organisation A" in outsider and "Organisation B" not in outsider  # suspended: not shown
    assert open_group.name in outsider and citizens_welcome.name in outsider and hidden.name not in outsider
    assert civil_servants.a_member.account.display_name in outsider  # civil servants see civil servants

    citizen = civil_servants.client(civil_servants.citizen).get("/").content.decode()
    assert citizens_welcome.name in citizen and open_group.name not in citizen and hidden.name not in citizen
    assert civil_servants.a_member.account.display_name not in citizen  # only public profiles for citizens

    member = civil_servants.client(civil_servants.a_member).get("/")
    assert hidden.name in member.content.decode() and "private" in member["Cache-Control"]

    anonymous = client_for(None).get("/").content.decode()
    assert citizens_welcome.name in anonymous and open_group.name not in anonymous
    assert civil_servants.citizen.account.display_name in anonymous  # a profile made public
    assert civil_servants.a_member.account.display_name not in anonymous
