"""Two simultaneous requests for the same slug or domain: one wins, the other gets a clear error.

These tests commit for real (each thread has its own database connection) and clean up after.
"""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from tenants.audit import Actor
from tenants.models import AuditEvent, Job, Organisation
from tenants.provisioning import organisation_provision_request, organisation_provision_run, provisioning_spec_build
from tenants.services import organisation_purge, organisation_schedule_deletion

ACTOR = Actor.operator("ops@platform.example")


def _race(attempts: list[dict]) -> list[tuple[str, object]]:
    barrier = threading.Barrier(len(attempts))
    results: list[tuple[str, object]] = []

    def attempt(kwargs: dict) -> None:
        try:
            spec = provisioning_spec_build(**kwargs)
            barrier.wait(timeout=10)
            results.append(("won", organisation_provision_request(spec=spec, actor=ACTOR)))
        except ValidationError as error:
            results.append(("lost", error))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(kwargs,)) for kwargs in attempts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.fixture
def cleanup(world, django_db_blocker):  # type: ignore[no-untyped-def]
    slugs: list[str] = []
    yield slugs
    with django_db_blocker.unblock():
        for organisation in Organisation.objects.filter(slug__in=slugs):
            if organisation.status == Organisation.Status.PROVISIONING:
                organisation.delete()
            else:
                organisation_schedule_deletion(organisation=organisation, force=True, actor=ACTOR)
                organisation_purge(organisation=organisation, actor=ACTOR, ignore_grace=True)
        Job.objects.filter(organisation_slug__in=slugs).delete()
        AuditEvent.objects.filter(organisation_slug__in=slugs).delete()


def test_same_slug_at_the_same_time_one_wins_the_other_is_told(world, cleanup, django_db_blocker):
    cleanup.append("race")
    with django_db_blocker.unblock():
        results = _race(
            [
                {"name": "Race One", "slug": "race", "domains": ["one.race.example"]},
                {"name": "Race Two", "slug": "race", "domains": ["two.race.example"]},
            ]
        )
        assert sorted(outcome for outcome, _ in results) == ["lost", "won"]
        lost = next(error for outcome, error in results if outcome == "lost")
        assert "taken by another request" in " ".join(lost.messages)
        assert Organisation.objects.filter(slug="race").count() == 1

        job = next(job for outcome, job in results if outcome == "won")
        organisation = organisation_provision_run(job=Job.objects.get(pk=job.pk))
        assert organisation.status == Organisation.Status.ACTIVE
        assert organisation.domains.count() == 1


def test_same_domain_at_the_same_time_one_wins(world, cleanup, django_db_blocker):
    cleanup.extend(["left", "right"])
    with django_db_blocker.unblock():
        results = _race(
            [
                {"name": "Left", "slug": "left", "domains": ["shared.race.example"]},
                {"name": "Right", "slug": "right", "domains": ["shared.race.example"]},
            ]
        )
        assert sorted(outcome for outcome, _ in results) == ["lost", "won"]
        assert Organisation.objects.filter(slug__in=["left", "right"]).count() == 1
        assert Organisation.objects.get(slug__in=["left", "right"]).domains.get().domain == "shared.race.example"
