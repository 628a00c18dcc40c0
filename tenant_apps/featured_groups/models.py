"""Groups of the shared space an organisation features on its intranet home (organisation schema)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy


class FeaturedGroup(models.Model):
    # The group lives in the public schema: no database constraint can span to it, and deleting it must not
    # look for this table there (govsquare.architecture, rules 3 and 4). A deleted group's row is skipped.
    group = models.ForeignKey("groups.Group", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)
    featured_by = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = gettext_lazy("featured group")
        constraints = [models.UniqueConstraint(fields=["group"], name="featured_groups_once_each")]

    def __str__(self) -> str:
        return f"featured {self.group_id}"
