"""A subsite's side of OpenID Connect, on authlib's Django integration.

* The client is the organisation's own (``identity_provider.selectors.oidc_client_for``), looked up per
  request: a subsite never signs in with another organisation's client.
* Browser-facing addresses (the authorisation and end-session endpoints) are the provider's public ones,
  as its discovery document gives them.
* Server-to-server calls (discovery, token, JWKS) go to ``OIDC_PROVIDER_INTERNAL_URL`` with the Host header
  of the platform domain, so the organisation middleware routes them to the shared space: the platform's
  own host names need not resolve on the server (they do not here in development).
* State, nonce and the PKCE verifier are kept in this host's session by authlib, with the page to return to.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit
from uuid import UUID

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.django_client import DjangoIntegration, DjangoOAuth2App
from authlib.integrations.requests_client import OAuth2Session
from django.conf import settings
from django.contrib.auth import login
from django.core.exceptions import ObjectDoesNotExist
from django.http import HttpRequest, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from joserfc.errors import JoseError

from shared_apps.accounts.selectors import account_get
from shared_apps.identity_provider.addresses import PROVIDER_PATH, callback_url, host_origin, post_logout_url
from shared_apps.identity_provider.selectors import OidcClient, oidc_client_for
from shared_apps.people.services import local_user_for_account

logger = logging.getLogger(__name__)

#: authlib keeps each pending sign-in in the session under ``_state_<name>_<state>``.
FLOW_NAME = "govsquare"
SCOPE = "openid profile email"
#: Set once the silent sign-in has been tried in this session (whatever its outcome).
CHECKED_KEY = "sso.checked"
#: The ID token of the sign-in, sent back as ``id_token_hint`` when signing out.
ID_TOKEN_KEY = "sso.id_token"  # noqa: S105 - a session key name
BACKEND = "shared_apps.people.backends.AccountBackend"
METADATA_SECONDS = 300
#: The endpoints a subsite calls server to server; the others are for the browser.
SERVER_SIDE_ENDPOINTS = ("token_endpoint", "jwks_uri", "userinfo_endpoint", "revocation_endpoint")


class SignOnUnavailable(Exception):
    """This subsite cannot sign anyone in right now; ``str()`` says why (for the log and the page)."""


class SignInFailed(Exception):
    def __init__(self, message: str, *, next_url: str = "/", status: int = 400) -> None:
        super().__init__(message)
        self.next_url = next_url
        self.status = status


@dataclass(frozen=True)
class CallbackOutcome:
    next_url: str
    signed_in: bool


# --- Talking to the provider -----------------------------------------------------------------------------


def provider_host() -> str:
    """The Host header of the shared space, as a browser would send it."""
    return urlsplit(host_origin(host=settings.PLATFORM_DOMAIN)).netloc


class ProviderSession(OAuth2Session):
    """The requests session for server-to-server calls: the platform's host in ``Host``, the public scheme in
    ``X-Forwarded-Proto`` (so production's https redirect leaves it alone), never a proxy from the environment,
    and always a timeout."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("default_timeout", settings.OIDC_PROVIDER_TIMEOUT)
        super().__init__(*args, **kwargs)
        self.trust_env = False
        self.headers["Host"] = provider_host()
        self.headers["X-Forwarded-Proto"] = settings.PLATFORM_SCHEME


class SubsiteOAuth2App(DjangoOAuth2App):
    client_cls = ProviderSession


_metadata_lock = threading.Lock()
_metadata_cache: dict[tuple[str, str, str], tuple[float, dict[str, Any]]] = {}


def provider_metadata() -> dict[str, Any]:
    """The provider's discovery document (with its JWKS), server-side endpoints pointed at the internal URL.

    Kept for a few minutes per process. Raises ``SignOnUnavailable`` when the provider cannot be reached
    or answers for another issuer than ``OIDC_ISSUER``.
    """
    internal = settings.OIDC_PROVIDER_INTERNAL_URL.rstrip("/")
    key = (internal, provider_host(), settings.OIDC_ISSUER)
    with _metadata_lock:
        cached = _metadata_cache.get(key)
    if cached is not None and cached[0] > time.monotonic():
        return cached[1]
    try:
        with ProviderSession() as session:
            response = session.request(
                "GET", f"{internal}{PROVIDER_PATH}/.well-known/openid-configuration", withhold_token=True
            )
            response.raise_for_status()
            metadata = response.json()
            if metadata.get("issuer") != settings.OIDC_ISSUER:
                raise SignOnUnavailable(
                    f"{internal} answers as issuer {metadata.get('issuer')!r}, not {settings.OIDC_ISSUER!r}: "
                    "check OIDC_PROVIDER_INTERNAL_URL and OIDC_ISSUER."
                )
            for name in SERVER_SIDE_ENDPOINTS:
                if metadata.get(name):
                    metadata[name] = _internal_address(metadata[name], internal=internal)
            jwks = session.request("GET", metadata["jwks_uri"], withhold_token=True)
            jwks.raise_for_status()
            metadata["jwks"] = jwks.json()
    except (requests.RequestException, ValueError, KeyError) as exc:
        raise SignOnUnavailable(f"The shared space's sign-in service at {internal} cannot be reached: {exc}") from exc
    with _metadata_lock:
        _metadata_cache[key] = (time.monotonic() + METADATA_SECONDS, metadata)
    return metadata


def provider_metadata_forget() -> None:
    with _metadata_lock:
        _metadata_cache.clear()


def _internal_address(public: str, *, internal: str) -> str:
    parts = urlsplit(public)
    return f"{internal}{parts.path}" + (f"?{parts.query}" if parts.query else "")


@dataclass(frozen=True)
class SignOn:
    client: OidcClient
    app: SubsiteOAuth2App
    redirect_uri: str
    metadata: dict[str, Any]


def sign_on_for(request: HttpRequest) -> SignOn:
    """The organisation's client, ready to use on this request's host; ``SignOnUnavailable`` if it cannot be."""
    organisation = request.tenant  # type: ignore[attr-defined]
    client = oidc_client_for(organisation=organisation)
    if client is None:
        raise SignOnUnavailable(
            f"{organisation.name} has no sign-on client at the shared space (run manage.py sso_sync_clients)."
        )
    redirect_uri = callback_url(host=request.get_host())
    if redirect_uri not in client.redirect_uris:
        raise SignOnUnavailable(
            f"{redirect_uri} is not registered for {organisation.name} (run manage.py sso_sync_clients)."
        )
    metadata = provider_metadata()
    app = SubsiteOAuth2App(
        framework=DjangoIntegration(FLOW_NAME),
        name=FLOW_NAME,
        client_id=client.client_id,
        client_secret=client.client_secret,
        client_kwargs={
            "scope": SCOPE,
            "code_challenge_method": "S256",
            "token_endpoint_auth_method": "client_secret_basic",
        },
        **metadata,
    )
    return SignOn(client=client, app=app, redirect_uri=redirect_uri, metadata=metadata)


# --- The flow --------------------------------------------------------------------------------------------


def safe_next(request: HttpRequest, candidate: str | None) -> str:
    """``candidate`` if it is a relative address on this host, else ``/``: never an open redirect."""
    if not candidate or not candidate.startswith("/") or candidate.startswith("//"):
        return "/"
    if "\\" in candidate or any(ord(character) < 32 or ord(character) == 127 for character in candidate):
        return "/"
    if not url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()}):
        return "/"
    parts = urlsplit(candidate)
    if parts.scheme or parts.netloc or parts.path.startswith("/accounts/"):
        return "/"
    return candidate


def authorization_redirect(request: HttpRequest, *, next_url: str, silent: bool) -> HttpResponseRedirect:
    """Send the browser to the provider (state, nonce and PKCE kept in this host's session)."""
    sign_on = sign_on_for(request)
    extra = {"prompt": "none"} if silent else {}
    flow = sign_on.app.create_authorization_url(sign_on.redirect_uri, **extra)
    sign_on.app.save_authorize_data(request, redirect_uri=sign_on.redirect_uri, next=next_url, silent=silent, **flow)
    return HttpResponseRedirect(flow["url"])


def complete_sign_in(request: HttpRequest) -> CallbackOutcome:
    """The provider sent the browser back: check everything, then sign the person in on this subsite.

    A silent attempt that the provider answers with an error (``login_required``: not signed in there)
    returns to the page anonymous. Anything else that is wrong raises ``SignInFailed``.
    """
    framework = DjangoIntegration(FLOW_NAME)
    state = request.GET.get("state", "")
    flow = framework.get_state_data(request.session, state) if state else None
    if flow is None:
        raise SignInFailed(_("This sign-in has expired or was completed already. Please sign in again."))
    next_url = safe_next(request, flow.get("next"))
    error = request.GET.get("error")
    if error:
        framework.clear_state_data(request.session, state)
        if flow.get("silent"):
            return CallbackOutcome(next_url=next_url, signed_in=False)
        raise SignInFailed(_("The shared space did not sign you in (%(error)s).") % {"error": error}, next_url=next_url)
    try:
        sign_on = sign_on_for(request)
        token = sign_on.app.authorize_access_token(request)
    except SignOnUnavailable as exc:
        logger.error("Sign-in on %s failed: %s", request.get_host(), exc)
        raise SignInFailed(_("Signing in is not possible right now."), next_url=next_url, status=503) from exc
    except (AuthlibBaseError, JoseError, requests.RequestException, ValueError, KeyError) as exc:
        logger.warning("Sign-in on %s refused: %s", request.get_host(), exc)
        raise SignInFailed(_("The sign-in could not be verified. Please sign in again."), next_url=next_url) from exc
    claims = token.get("userinfo") or {}
    account = _account_for_subject(claims.get("sub"))
    if account is None or not account.is_active:
        raise SignInFailed(_("This account cannot sign in."), next_url=next_url, status=403)
    user = local_user_for_account(account=account)  # in this organisation's schema
    if not user.is_active:
        raise SignInFailed(_("This account cannot sign in here."), next_url=next_url, status=403)
    login(request, user, backend=BACKEND)  # stores the session epoch (identity_provider.sessions)
    request.session[ID_TOKEN_KEY] = token["id_token"]
    request.session[CHECKED_KEY] = True
    return CallbackOutcome(next_url=next_url, signed_in=True)


def _account_for_subject(subject: object):  # type: ignore[no-untyped-def]
    """The account whose id is the ID token's ``sub``, or ``None``."""
    try:
        return account_get(account_id=UUID(str(subject)))
    except (ValueError, ObjectDoesNotExist):
        return None


def end_session_url(request: HttpRequest, *, id_token: str | None) -> str:
    """The provider's sign-out address, returning to this subsite's home page; ``/`` if the provider is away."""
    try:
        sign_on = sign_on_for(request)
    except SignOnUnavailable as exc:
        logger.warning("Signed out on %s without the provider: %s", request.get_host(), exc)
        return "/"
    endpoint = sign_on.metadata.get("end_session_endpoint")
    if not endpoint:
        return "/"
    params = {
        "client_id": sign_on.client.client_id,
        "post_logout_redirect_uri": post_logout_url(host=request.get_host()),
    }
    if id_token:
        params["id_token_hint"] = id_token
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{urlencode(params)}"
