"""Reads for single sign-on: an organisation's OpenID Connect client, and an account's session epoch.

Each organisation has one confidential client (a django-oauth-toolkit ``Application`` in the public
schema). Its ``client_id`` follows from the organisation's id, and its secret is derived from
``SECRET_KEY`` and the ``client_id`` (HMAC-SHA256): the subsite computes it when it needs it, and the
database keeps only its hash. Rotating ``SECRET_KEY`` therefore needs ``manage.py sso_sync_clients
--reset-secrets``.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from django.utils.crypto import salted_hmac
from django_tenants.utils import get_public_schema_name, schema_context
from oauth2_provider.models import get_application_model

from shared_apps.accounts.models import Account
from shared_apps.identity_provider.addresses import callback_url, post_logout_url
from tenants.models import Domain

CLIENT_ID_PREFIX = "govsquare-organisation-"
_SECRET_SALT = "govsquare.identity_provider.client_secret"  # noqa: S105 - an HMAC salt, not a secret


@dataclass(frozen=True)
class OidcClient:
    """What a subsite needs to sign people in through the shared space."""

    client_id: str
    client_secret: str
    redirect_uris: tuple[str, ...]
    post_logout_redirect_uris: tuple[str, ...]


@dataclass(frozen=True)
class SessionState:
    """An account's current session epoch, and whether it may be signed in at all."""

    epoch: int
    is_active: bool


def oidc_client_id(*, organisation_id: int) -> str:
    return f"{CLIENT_ID_PREFIX}{organisation_id}"


def oidc_client_secret(*, client_id: str) -> str:
    return salted_hmac(_SECRET_SALT, client_id, algorithm="sha256").hexdigest()


def oidc_redirect_uris(*, organisation) -> list[str]:  # type: ignore[no-untyped-def]
    """``<origin of each domain>/accounts/callback/``, the primary domain first."""
    return [callback_url(host=host) for host in _domains(organisation)]


def oidc_post_logout_redirect_uris(*, organisation) -> list[str]:  # type: ignore[no-untyped-def]
    return [post_logout_url(host=host) for host in _domains(organisation)]


def _domains(organisation) -> list[str]:  # type: ignore[no-untyped-def]
    return list(
        Domain.objects.filter(tenant_id=organisation.pk)
        .order_by("-is_primary", "domain")
        .values_list("domain", flat=True)
    )


def oidc_client_for(*, organisation) -> OidcClient | None:  # type: ignore[no-untyped-def]
    """The organisation's client as registered at the provider, or ``None`` if it has none (yet).

    Callable from any schema: the provider's clients live in the public schema.
    """
    client_id = oidc_client_id(organisation_id=organisation.pk)
    with schema_context(get_public_schema_name()):
        row = (
            get_application_model()
            .objects.filter(client_id=client_id)
            .values_list("redirect_uris", "post_logout_redirect_uris")
            .first()
        )
    if row is None:
        return None
    return OidcClient(
        client_id=client_id,
        client_secret=oidc_client_secret(client_id=client_id),
        redirect_uris=tuple(row[0].split()),
        post_logout_redirect_uris=tuple(row[1].split()),
    )


def account_session_state(*, account_id: UUID | str) -> SessionState | None:
    """One indexed read of the account (public schema, reachable from every schema's search path)."""
    row = Account.objects.filter(pk=account_id).values_list("session_epoch", "is_active").first()
    return SessionState(epoch=row[0], is_active=row[1]) if row else None
