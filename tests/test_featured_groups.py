"""Featured groups: an organisation's administrators put shared-space groups on their intranet home; each
visitor sees only the featured groups they may see; another organisation's home is its own."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from tenant_apps.featured_groups.models import FeaturedGroup
from tenant_apps.featured_groups.services import FEATURED_MAX, featured_group_add
from tenants.audit import Actor
from tenants.models import AuditEvent
from tenants.schemas import in_schema
from tests.harness.clients import client_for

pytestmark = pytest.mark.django_db


def test_administrators_feature_groups_that_each_visitor_sees_only_if_they_may(world, civil_servants, make_group):
    owner = civil_servants.b_member
    for_civil_servants = make_group(owner, name="Water managers")
    for_everyone = make_group(owner, name="Neighbourhood voices", audience="everyone")
    hidden = make_group(owner, name="Quiet room", visibility="hidden", joining="invitation")
    admin = client_for(world.org_a, person=world.a_admin)
    assert admin.get("/admin/featured-groups/").status_code == 200
    for group in (for_civil_servants, for_everyone):
        assert admin.post("/admin/featured-groups/", {"group": group.slug}).status_code == 302
    refused = admin.post("/admin/featured-groups/", {"group": hidden.slug})  # hidden: not to be featured
    assert refused.status_code == 400 and b"no listed group" in refused.content
    assert AuditEvent.objects.filter(action="featured_group.add", organisation_slug=world.org_a.slug).count() == 3

    member = client_for(world.org_a, person=civil_servants.a_member).get("/").content.decode()
    assert "Featured groups" in member and "Water managers" in member and "Neighbourhood voices" in member
    citizen = client_for(world.org_a, person=civil_servants.citizen).get("/").content.decode()
    assert "Neighbourhood voices" in citizen and "Water managers" not in citizen
    anonymous = client_for(world.org_a).get("/").content.decode()
    assert "Neighbourhood voices" in anonymous and "Water managers" not in anonymous and "Quiet room" not in anonymous
    # Org B's home has its own (none), and B's members cannot change A's.
    assert "Featured groups" not in client_for(world.org_b, person=civil_servants.b_member).get("/").content.decode()
    assert client_for(world.org_a, person=civil_servants.a_member).get("/admin/featured-groups/").status_code in (
        302,
        403,
    )
    # Taking one off.
    with in_schema(world.org_a):
        featured = FeaturedGroup.objects.get(group=for_everyone)
    assert admin.post(f"/admin/featured-groups/{featured.pk}/remove/").status_code == 302
    assert "Neighbourhood voices" not in client_for(world.org_a).get("/").content.decode()


def test_a_group_is_featured_once_and_at_most_a_few_are(world, civil_servants, make_group):
    groups = [make_group(civil_servants.b_member, name=f"Group {n}") for n in range(FEATURED_MAX + 1)]
    actor = Actor.system("test")
    with in_schema(world.org_a):
        featured_group_add(organisation=world.org_a, group_slug=groups[0].slug, actor=actor)
        with pytest.raises(ValidationError, match="featured already"):
            featured_group_add(organisation=world.org_a, group_slug=groups[0].slug, actor=actor)
        for group in groups[1:FEATURED_MAX]:
            featured_group_add(organisation=world.org_a, group_slug=group.slug, actor=actor)
        with pytest.raises(ValidationError, match="at most"):
            featured_group_add(organisation=world.org_a, group_slug=groups[-1].slug, actor=actor)
        assert FeaturedGroup.objects.count() == FEATURED_MAX
    with in_schema(world.org_b):
        assert not FeaturedGroup.objects.exists()
