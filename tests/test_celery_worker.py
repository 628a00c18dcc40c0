"""A task queued while serving organisation A runs in A's schema, in a real worker, through Redis."""

from __future__ import annotations

import time

import pytest
from django_tenants.utils import tenant_context

from shared_apps.accounts.models import Account, LocalUserLink
from shared_apps.accounts.services.accounts import account_create, account_update_profile
from shared_apps.people.models import User
from shared_apps.people.services import local_user_for_account
from shared_apps.people.tasks import local_user_sync
from tenants.audit import Actor
from tenants.jobs import job_enqueue, job_live_step
from tenants.models import Job, Organisation
from tenants.provisioning import organisation_provision_request, provisioning_spec_build
from tenants.services import organisation_purge, organisation_schedule_deletion
from tests.harness.worker import running_worker

pytestmark = pytest.mark.worker


@pytest.fixture(scope="module")
def worker(django_db_setup, django_db_blocker, tmp_path_factory):  # type: ignore[no-untyped-def]
    with django_db_blocker.unblock(), running_worker(log_path=tmp_path_factory.mktemp("celery") / "worker.log") as q:
        yield q


@pytest.fixture
def committed_person(world, django_db_blocker):  # type: ignore[no-untyped-def]
    """A person with local users in A and B, committed so that the worker process can see them."""
    with django_db_blocker.unblock():
        account = account_create(email="worker-test@org-a.example", display_name="Old Name", password="x" * 12)
        for organisation in (world.org_a, world.org_b):
            with tenant_context(organisation):
                local_user_for_account(account=account)
    yield account
    with django_db_blocker.unblock():
        for organisation in (world.org_a, world.org_b):
            with tenant_context(organisation):
                User.objects.filter(account_id=account.pk).delete()
        LocalUserLink.objects.filter(account_id=account.pk).delete()
        Account.objects.filter(pk=account.pk).delete()


def _names(world, account):  # type: ignore[no-untyped-def]
    names = {}
    for organisation in (world.org_a, world.org_b):
        with tenant_context(organisation):
            names[organisation.slug] = User.objects.get(account_id=account.pk).get_full_name()
    return names


def test_task_queued_in_org_a_runs_in_org_a_schema_not_org_b(world, worker, committed_person, django_db_blocker):
    with django_db_blocker.unblock():
        Account.objects.filter(pk=committed_person.pk).update(display_name="New Name")
        with tenant_context(world.org_a):
            result = local_user_sync.delay(account_id=str(committed_person.pk))

        outcome = result.get(timeout=60)

        assert outcome == {"schema": "org_a", "changed": True}
        assert _names(world, committed_person) == {"org-a": "New Name", "org-b": "Old Name"}


def test_same_task_queued_in_org_b_runs_in_org_b(world, worker, committed_person, django_db_blocker):
    with django_db_blocker.unblock():
        Account.objects.filter(pk=committed_person.pk).update(display_name="Other Name")
        with tenant_context(world.org_b):
            outcome = local_user_sync.delay(account_id=str(committed_person.pk)).get(timeout=60)

        assert outcome == {"schema": "org_b", "changed": True}
        assert _names(world, committed_person) == {"org-a": "Old Name", "org-b": "Other Name"}


def test_a_name_change_reaches_every_schema_after_commit(world, worker, committed_person, django_db_blocker):
    with django_db_blocker.unblock():
        account_update_profile(account=committed_person, display_name="Everywhere Name")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if set(_names(world, committed_person).values()) == {"Everywhere Name"}:
                break
            time.sleep(0.2)
        assert _names(world, committed_person) == {"org-a": "Everywhere Name", "org-b": "Everywhere Name"}


def test_provisioning_job_runs_in_the_worker_with_visible_states(world, worker, django_db_blocker):
    actor = Actor.operator("ops@platform.example")
    with django_db_blocker.unblock():
        try:
            spec = provisioning_spec_build(name="Queued Org", slug="queued-org", admin_email="boss@queued.example")
            job = organisation_provision_request(spec=spec, actor=actor)
            assert job_live_step(job=job) == {"step": "queued", "percent": 0}
            job_enqueue(job=job)  # outside a transaction: sent at once
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                job.refresh_from_db()
                if job.is_finished:
                    break
                time.sleep(0.2)
            assert (job.state, job.step, job.error) == (Job.State.READY, "ready", "")
            assert job_live_step(job=job) == {"step": "ready", "percent": 100}
            organisation = Organisation.objects.get(slug="queued-org")
            assert organisation.status == Organisation.Status.ACTIVE
        finally:
            for organisation in Organisation.objects.filter(slug="queued-org"):
                organisation_schedule_deletion(organisation=organisation, force=True, actor=actor)
                organisation_purge(organisation=organisation, actor=actor, ignore_grace=True)
