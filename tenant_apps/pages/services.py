"""Writes about the visibility of an organisation's content (current schema). Reads: ``visibility``."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _
from wagtail.models import Collection

from sites.blueprints import VISIBILITY_CHOICES
from tenant_apps.pages.models import CollectionLevel
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
