"""Writes about the visibility of an organisation's content (current schema). Reads: ``visibility``."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import Collection, Site

from sites.blueprints import VISIBILITY_CHOICES
from tenant_apps.pages.catalogue import sections_ensure
from tenant_apps.pages.models import CollectionLevel, HomeVisit
from tenant_apps.pages.visibility import Level, collection_level
from tenants.audit import Actor, audited_in


def collection_level_set(*, collection: Collection, level: str, actor: Actor) -> CollectionLevel:
    """Make ``collection`` carry ``level`` for its documents and images (and those of collections below it).

    A level can only narrow what a collection above carries: a wider one would never count, so it is
    refused. Audited in the organisation's trail.
    """
    with (
        audited_in(  # outside the transaction: a refusal is recorded even though the work is rolled back
            tenant=connection.tenant,
            actor=actor,
            action="collection.level.set",
            collection=collection.name,
            level=level,
        ),
        transaction.atomic(),
    ):
        allowed = [key for key, _label in VISIBILITY_CHOICES]
        if level not in allowed:
            raise ValidationError({"level": [_("Choose one of: %(choices)s.") % {"choices": ", ".join(allowed)}]})
        parent = collection.get_parent()
        if parent is not None and Level.of(level) > collection_level(parent):
            raise ValidationError({"level": [_("A collection cannot be more visible than the collection it is in.")]})
        carried, _created = CollectionLevel.objects.update_or_create(collection=collection, defaults={"level": level})
    return carried


#: Opening the home again within this time is the same visit: "new since your last visit" keeps its items.
SAME_VISIT_SECONDS = 30 * 60


def home_visit_record(*, user) -> datetime.datetime | None:  # type: ignore[no-untyped-def]
    """Record that ``user`` opened the intranet home; when their previous visit was (None: a first visit,
    or anonymous, for whom nothing is recorded). One query when nothing changes, two when it does."""
    if user is None or not user.is_authenticated:
        return None
    now = timezone.now()
    visit, created = HomeVisit.objects.get_or_create(user=user, defaults={"last_at": now})  # two tabs at once: one row
    if created:
        return None
    if (now - visit.last_at).total_seconds() > SAME_VISIT_SECONDS:
        HomeVisit.objects.filter(pk=visit.pk).update(previous_at=visit.last_at, last_at=now)
        return visit.last_at
    if visit.previous_at is None:
        return None
    return visit.previous_at


def apps_switched(*, organisation, switched_on: list[str], switched_off: list[str]) -> None:  # type: ignore[no-untyped-def]
    """The ``apps_switched`` hook (current schema): an app switched on gets its menu section if it has none
    (one made before is found again: an app switched off keeps its pages). Nothing is removed."""
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if site is None or not switched_on:
        return
    sections_ensure(home=site.root_page, apps=switched_on, language=organisation.language)
