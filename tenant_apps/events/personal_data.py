"""The events app's share of a person's data export, in the current schema: their registrations.
Registered for ``personal_data_export`` (``tenants.organisation_hooks``) in ``apps.py``. Nothing is erased here:
a registration points at the local user, which erasure anonymises."""

from __future__ import annotations

from shared_apps.accounts.models import Account
from shared_apps.accounts.personal_data.archive import PersonalArchive
from shared_apps.people.models import User
from tenant_apps.events.selectors import registrations_for_export


def export_registrations(*, account: Account, local_user: User, archive: PersonalArchive, folder: str) -> None:
    archive.json(f"{folder}/event_registrations.json", registrations_for_export(user=local_user))
