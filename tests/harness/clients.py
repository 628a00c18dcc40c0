"""Requests to a given organisation's host (or the shared space) as a given person."""

from __future__ import annotations

from django.conf import settings
from django.test import Client
from django_tenants.utils import tenant_context

from shared_apps.people.services import local_user_for_account
from tenants.models import Organisation
from tests.harness.people import Person


def host_of(organisation: Organisation | None) -> str:
    """The host a browser would use: ``<slug>.<PLATFORM_DOMAIN>``, or the platform domain itself."""
    return organisation.platform_host if organisation is not None else settings.PLATFORM_DOMAIN


def client_for(organisation: Organisation | None, *, person: Person | None = None, host: str | None = None) -> Client:
    """A test client whose requests go to ``organisation``'s host, signed in as ``person`` if given.

    The session is created in that organisation's schema, exactly as a sign-in there would.
    """
    client = Client(HTTP_HOST=host or host_of(organisation))
    if person is None:
        return client
    if organisation is None:
        client.force_login(local_user_for_account(account=person.account))
    else:
        with tenant_context(organisation):
            client.force_login(local_user_for_account(account=person.account))
    return client
