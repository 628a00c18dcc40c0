"""The cache is Redis with tenant-aware keys: org A's entry is invisible to org B under the same key."""

from __future__ import annotations

import uuid
from urllib.parse import urlsplit

import pytest
import redis
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django_tenants.utils import tenant_context
from wagtail.models import Site
from wagtail.models.sites import SITE_ROOT_PATHS_CACHE_KEY, SITE_ROOT_PATHS_CACHE_VERSION

from tests.harness.clients import client_for

pytestmark = pytest.mark.django_db


def test_wagtails_site_root_paths_cached_by_org_a_are_not_read_by_org_b(world):
    """Wagtail caches each schema's site root paths under one fixed key; through the real cache org B must
    read its own, never org A's (else B's links would point to A's host)."""
    with tenant_context(world.org_a):
        Site.clear_site_root_paths_cache()
        assert {urlsplit(path.root_url).hostname for path in Site.get_site_root_paths()} == {world.org_a.platform_host}
        assert cache.get(SITE_ROOT_PATHS_CACHE_KEY, version=SITE_ROOT_PATHS_CACHE_VERSION) is not None
    try:
        with tenant_context(world.org_b):
            Site.clear_site_root_paths_cache()
            hosts = {urlsplit(path.root_url).hostname for path in Site.get_site_root_paths()}
            assert hosts == {world.org_b.platform_host}
            assert world.org_a.platform_host not in client_for(world.org_b).get("/").content.decode()
        with tenant_context(world.org_a):  # B's fresh entry did not overwrite A's either
            hosts = {urlsplit(path.root_url).hostname for path in Site.get_site_root_paths()}
            assert hosts == {world.org_a.platform_host}
    finally:
        for organisation in (world.org_a, world.org_b):
            with tenant_context(organisation):
                Site.clear_site_root_paths_cache()


def test_the_cache_is_shared_between_processes(world):
    """A real shared cache (Redis), not one per process: what this process stores in org A's context,
    a client of the same server reads under org A's key, and nothing under the bare key."""
    key = f"shared-{uuid.uuid4().hex}"
    with tenant_context(world.org_a):
        cache.set(key, "A's value", 60)
        stored = cache.make_key(key)
    client = redis.Redis.from_url(settings.REDIS_URL)
    try:
        assert client.exists(stored) == 1
        with tenant_context(world.org_b):
            assert cache.make_key(key) != stored and client.exists(cache.make_key(key)) == 0
    finally:
        client.close()
        with tenant_context(world.org_a):
            cache.delete(key)


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
