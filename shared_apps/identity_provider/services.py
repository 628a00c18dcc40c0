"""Writes for single sign-on: one OpenID Connect client per organisation, kept in step with its domains.

Called inside the transactions that change what the client depends on -- provisioning
(``tenants.provisioning.register_sign_on_client``), import (``tenants.archive.importer.create_registry_rows``),
adding, removing or promoting a domain and purging (``tenants.services``) -- so that the client never
disagrees with the registry after a commit, and rolls back with it. ``manage.py sso_sync_clients``
brings organisations made before this existed up to date.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django_tenants.utils import get_public_schema_name, schema_context
from oauth2_provider.models import AbstractApplication, get_application_model

from shared_apps.identity_provider.selectors import (
    CLIENT_ID_PREFIX,
    oidc_client_id,
    oidc_client_secret,
    oidc_post_logout_redirect_uris,
    oidc_redirect_uris,
)
from tenants.models import Organisation

_FIXED = {
    "client_type": AbstractApplication.CLIENT_CONFIDENTIAL,
    "authorization_grant_type": AbstractApplication.GRANT_AUTHORIZATION_CODE,
    "algorithm": AbstractApplication.RS256_ALGORITHM,
    "skip_authorization": True,  # the platform's own subsites: no consent screen
    "hash_client_secret": True,
}


@dataclass
class SyncReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


def oidc_client_sync(*, organisation, reset_secret: bool = False) -> str:  # type: ignore[no-untyped-def]
    """Create or update the organisation's client from its current domains.

    Returns ``"created"``, ``"updated"`` or ``"unchanged"``. ``reset_secret`` stores the hash of the
    secret derived from the current ``SECRET_KEY`` again (after rotating the key).
    """
    Application = get_application_model()
    client_id = oidc_client_id(organisation_id=organisation.pk)
    with schema_context(get_public_schema_name()), transaction.atomic():
        wanted = {
            **_FIXED,
            "name": f"Subsite {organisation.slug}",
            "redirect_uris": " ".join(oidc_redirect_uris(organisation=organisation)),
            "post_logout_redirect_uris": " ".join(oidc_post_logout_redirect_uris(organisation=organisation)),
        }
        # Lock the row first, so that two domain changes at once cannot write each other's stale lists.
        application = Application.objects.select_for_update().filter(client_id=client_id).first()
        if application is None:
            try:
                with transaction.atomic():
                    Application.objects.create(
                        client_id=client_id, client_secret=oidc_client_secret(client_id=client_id), **wanted
                    )
                return "created"
            except IntegrityError:  # made by a concurrent sync just now: update that one instead
                application = Application.objects.select_for_update().get(client_id=client_id)
        changed = [name for name, value in wanted.items() if getattr(application, name) != value]
        for name in changed:
            setattr(application, name, wanted[name])
        if reset_secret:
            application.client_secret = oidc_client_secret(client_id=client_id)  # hashed on save
            changed.append("client_secret")
        if not changed:
            return "unchanged"
        application.save(update_fields=[*changed, "updated"])
        return "updated"


def oidc_client_delete(*, organisation) -> int:  # type: ignore[no-untyped-def]
    """Remove the organisation's client (with its grants and tokens). Returns how many clients were removed."""
    with schema_context(get_public_schema_name()):
        client_id = oidc_client_id(organisation_id=organisation.pk)
        deleted = get_application_model().objects.filter(client_id=client_id).delete()[1]
    return deleted.get(get_application_model()._meta.label, 0)


def oidc_clients_sync_all(*, reset_secrets: bool = False) -> SyncReport:
    """Bring every organisation's client up to date, and remove clients of organisations that are gone.

    Organisations still being provisioned are left to their provisioning run, which makes the client.
    """
    report = SyncReport()
    with schema_context(get_public_schema_name()):
        organisations = Organisation.objects.exclude(status=Organisation.Status.PROVISIONING).order_by("pk")
        for organisation in organisations:
            outcome = oidc_client_sync(organisation=organisation, reset_secret=reset_secrets)
            getattr(report, outcome).append(organisation.slug)
        known = {oidc_client_id(organisation_id=pk) for pk in Organisation.objects.values_list("pk", flat=True)}
        Application = get_application_model()
        orphans = Application.objects.filter(client_id__startswith=CLIENT_ID_PREFIX).exclude(client_id__in=known)
        report.removed = sorted(orphans.values_list("client_id", flat=True))
        if report.removed:
            orphans.delete()
    return report
