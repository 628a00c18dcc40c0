"""``manage.py demo_data``: ensure the demo organisations and people exist (used by ``make run``)."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand

from govsquare.demo import DEMO_PASSWORD, demo_data_ensure


class Command(BaseCommand):
    help = "Create the demo organisations and demo people if they are missing (idempotent)."

    def handle(self, *args: object, **options: object) -> None:
        report = demo_data_ensure()
        port = settings.PLATFORM_PORT
        suffix = "" if port in (80, 443) else f":{port}"
        scheme = settings.PLATFORM_SCHEME
        self.stdout.write("Created: " + (", ".join(report.created) if report.created else "nothing (all present)"))
        self.stdout.write("")
        self.stdout.write(f"  Shared space      {scheme}://{settings.PLATFORM_DOMAIN}{suffix}/")
        self.stdout.write(f"  Operator UI       {scheme}://{settings.PLATFORM_DOMAIN}{suffix}/operator/")
        self.stdout.write(f"  Operator API      {scheme}://{settings.PLATFORM_DOMAIN}{suffix}/api/operator/v1/docs")
        for organisation in report.organisations:
            host = organisation.primary_host()
            self.stdout.write(f"  {organisation.name:<26}{scheme}://{host}{suffix}/   (admin: /admin/)")
        self.stdout.write("")
        self.stdout.write(f"  Demo sign-ins (password '{DEMO_PASSWORD}'):")
        for email, description in report.people:
            self.stdout.write(f"    {email:<28}{description}")
