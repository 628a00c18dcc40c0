"""An organisation's administrators feature shared-space groups on their intranet home (audited)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from shared_apps.groups.models import Group
from tenant_apps.featured_groups.models import FeaturedGroup
from tenants.audit import Actor, audited_in
from tenants.models import Organisation

#: At most this many groups on the home page.
FEATURED_MAX = 6


def featured_group_add(*, organisation: Organisation, group_slug: str, actor: Actor) -> FeaturedGroup:
    """Feature a listed group (open or closed; a hidden group is known to its members only)."""
    slug = (group_slug or "").replace("\x00", "").strip().lower()
    with audited_in(tenant=organisation, actor=actor, action="featured_group.add", group=slug[:60]):
        group = Group.objects.filter(slug=slug).exclude(visibility=Group.Visibility.HIDDEN).first()
        if group is None:
            raise ValidationError(
                {"group": [_("There is no listed group at the address “%(slug)s”.") % {"slug": slug}]}
            )
        with transaction.atomic():
            if FeaturedGroup.objects.count() >= FEATURED_MAX:
                raise ValidationError(
                    _("Feature at most %(count)s groups: take one off first.") % {"count": FEATURED_MAX}
                )
            position = (FeaturedGroup.objects.aggregate(last=Max("position"))["last"] or 0) + 1
            try:
                with transaction.atomic():
                    return FeaturedGroup.objects.create(group=group, position=position, featured_by=actor.label)
            except IntegrityError as exc:
                raise ValidationError(_("%(group)s is featured already.") % {"group": group.name}) from exc


def featured_group_remove(*, organisation: Organisation, featured_id: int, actor: Actor) -> None:
    with audited_in(tenant=organisation, actor=actor, action="featured_group.remove", featured=featured_id):
        deleted, _count = FeaturedGroup.objects.filter(pk=featured_id).delete()
        if not deleted:
            raise ValidationError(_("That group is not featured (any more)."))
