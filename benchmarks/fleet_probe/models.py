"""The probe model, as the migrations of the current benchmark phase leave it (phase 2 adds ``note``)."""

from django.conf import settings
from django.db import models


class Probe(models.Model):
    label = models.CharField(max_length=40)
    if getattr(settings, "FLEET_PROBE_PHASE", 1) >= 2:
        note = models.CharField(max_length=40, blank=True, default="")

    def __str__(self) -> str:
        return self.label
