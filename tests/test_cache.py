"""The cache is Redis with tenant-aware keys: org A's entry is invisible to org B under the same key."""

from __future__ import annotations

import uuid

import pytest
import redis
from django.core.cache import cache
from django.db import connection
from django_tenants.utils import tenant_context

pytestmark = pytest.mark.django_db


def test_cache_is_redis_with_the_tenant_key_function(settings):
    assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert settings.CACHES["default"]["KEY_FUNCTION"] == "django_tenants.cache.make_key"


def test_org_a_entry_is_invisible_to_org_b_and_the_shared_space(world):
    key = f"menu-{uuid.uuid4().hex}"
    try:
        with tenant_context(world.org_a):
            cache.set(key, "A's menu", 60)
        with tenant_context(world.org_b):
            assert cache.get(key) is None
            cache.set(key, "B's menu", 60)
        assert connection.schema_name == "public"
        assert cache.get(key) is None
        with tenant_context(world.org_a):
            assert cache.get(key) == "A's menu"
        with tenant_context(world.org_b):
            assert cache.get(key) == "B's menu"
    finally:
        for organisation in (world.org_a, world.org_b):
            with tenant_context(organisation):
                cache.delete(key)


def test_entries_really_are_in_redis_under_schema_prefixed_keys(world, settings):
    key = f"probe-{uuid.uuid4().hex}"
    with tenant_context(world.org_a):
        cache.set(key, 1, 60)
    client = redis.Redis.from_url(settings.REDIS_URL)
    try:
        found = [k.decode() for k in client.scan_iter(match=f"*{key}")]
        assert len(found) == 1 and found[0].startswith("org_a:")
    finally:
        client.close()
        with tenant_context(world.org_a):
            cache.delete(key)
