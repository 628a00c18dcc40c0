"""The hook points through which the public side has work done in organisation schemas, and the one way
to run code in another schema and come back."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from tenants import organisation_hooks
from tenants.organisation_hooks import HookPoint
from tenants.schemas import in_public_schema, in_schema


def test_every_single_hook_point_has_exactly_one_implementation_registered_at_start_up():
    singles = [point for point in vars(organisation_hooks).values() if isinstance(point, HookPoint) and point.single]
    assert {point.name for point in singles} >= {"site_seed", "site_personalise", "roles_of_accounts"}
    for point in singles:
        assert len(point.implementations) == 1, point.name
        assert point.implementations[0].__module__.startswith("tenant_apps."), point.name


def test_arrival_hooks_come_from_the_organisation_side_in_their_order():
    names = [fn.__name__ for fn in organisation_hooks.local_user_created.implementations]
    assert names == ["invitation_accept_on_arrival", "membership_auto_join"]


def test_a_hook_point_runs_its_implementations_in_order_and_says_when_one_is_missing():
    point = HookPoint("probe", doc="probe")
    calls: list[str] = []
    point.register(lambda **kw: calls.append(f"late {kw['x']}"), order=20)

    @point.register(order=10)
    def early(*, x: int) -> str:
        calls.append(f"early {x}")
        return "early"

    point.register(early)  # registering twice adds nothing
    assert point.call_all(x=1) == ["early", None] and calls == ["early 1", "late 1"]
    single = HookPoint("needs-one", doc="", single=True)
    with pytest.raises(ImproperlyConfigured, match="needs-one"):
        single.call_one()
    single.register(lambda: 1)
    single.register(lambda: 2)
    with pytest.raises(ImproperlyConfigured, match="found 2"):
        single.call_one()
    point.unregister(early)
    assert len(point.implementations) == 1


@pytest.mark.django_db
def test_in_schema_puts_the_callers_schema_back_after_success_and_after_an_error(world):
    connection.set_tenant(world.org_b)
    with in_schema(world.org_a):
        assert connection.schema_name == world.org_a.schema_name
        with in_public_schema():
            assert connection.schema_name == "public"
        assert connection.schema_name == world.org_a.schema_name
    assert connection.schema_name == world.org_b.schema_name
    with pytest.raises(RuntimeError), in_schema(world.org_a.schema_name):
        raise RuntimeError("boom")
    assert connection.schema_name == world.org_b.schema_name and connection.tenant == world.org_b
