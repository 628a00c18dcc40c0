"""Example profile details for the demo organisations' members (``make run``)."""

from __future__ import annotations

from typing import Any

from shared_apps.accounts.models import Account
from shared_apps.accounts.services.accounts import account_update_profile
from tenant_apps.people_directory.selectors import member_account_ids

_PROFILES = {
    "nl": [
        ("Team Wonen en Ruimte", "Stadskantoor, 4e verdieping", "+31 30 286 00 01", "Omgevingswet, Woningbouw, GIS"),
        ("Team Informatievoorziening", "Stadskantoor, 6e verdieping", "+31 30 286 00 02", "Open data, AVG, Archief"),
        ("Team Communicatie", "Stadskantoor, 2e verdieping", "+31 30 286 00 03", "Webredactie, Toegankelijkheid"),
        ("Team Burgerzaken", "Stadskantoor, begane grond", "+31 30 286 00 04", "Paspoorten, Verhuizingen, AVG"),
        ("Team Financien", "Stadskantoor, 5e verdieping", "+31 30 286 00 05", "Begroting, Subsidies"),
    ],
    "en": [
        ("Housing and Planning", "Main office, 4th floor", "+31 70 426 00 01", "Planning law, Housing, GIS"),
        ("Information Management", "Main office, 6th floor", "+31 70 426 00 02", "Open data, GDPR, Records"),
        ("Communications", "Main office, 2nd floor", "+31 70 426 00 03", "Web editing, Accessibility"),
        ("Public Services", "Main office, ground floor", "+31 70 426 00 04", "Passports, Registrations, GDPR"),
        ("Finance", "Main office, 5th floor", "+31 70 426 00 05", "Budget, Grants"),
    ],
}


def demo_content(*, section: Any, language: str) -> None:
    """Fill in team, location, phone and expertise for the organisation's members who have none yet (their
    profile is platform-wide: a person in two demo organisations keeps the first one's). Idempotent."""
    profiles = _PROFILES["nl" if language == "nl" else "en"]
    accounts = Account.objects.filter(pk__in=member_account_ids(), team="", is_active=True).order_by("email")
    for index, account in enumerate(accounts):
        team, location, phone, expertise = profiles[index % len(profiles)]
        account_update_profile(
            account=account,
            display_name=account.display_name,
            team=team,
            location=location,
            phone=phone,
            expertise=expertise,
        )
