"""Single sign-on with OpenID Connect: the shared space is the provider, every subsite a client.

The provider is exercised with authlib's own OAuth 2.0 client (``authlib.integrations.requests_client``),
reading the discovery document and completing the authorisation code flow with PKCE, and with authlib's
ID token claims validation. Its HTTP goes through ``InProcessTransport``: a ``requests`` transport that
hands each request to Django's test client in this process, in this test's transaction, with the Host
header the platform routes by. The same transport carries the subsites' own server-to-server calls
(``OIDC_PROVIDER_INTERNAL_URL`` points at an address that exists only here), so nothing leaves the
process and everything rolls back with the test. The browser journey against a real server is
``tests/test_sso_browser.py``.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from authlib.common.security import generate_token
from authlib.integrations.base_client import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from authlib.oidc.core import CodeIDToken
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.core.files.storage import storages
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import get_urlconf, set_urlconf
from django.utils import timezone
from django_tenants.utils import tenant_context
from joserfc import jwt
from joserfc.jwk import KeySet
from oauth2_provider.models import AccessToken, get_application_model
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

from govsquare.layout import REPO_ROOT
from shared_apps.accounts.models import Account, AccountEmail
from shared_apps.identity_provider.keys import development_signing_key, signing_key_problem
from shared_apps.identity_provider.selectors import CLIENT_ID_PREFIX, oidc_client_for, oidc_client_id
from shared_apps.identity_provider.tasks import clear_expired_tokens
from shared_apps.people.models import User
from tenant_apps.sso.relying_party import provider_host, provider_metadata_forget
from tenants import provisioning, services
from tenants.archive.export import organisation_export
from tenants.archive.importer import organisation_import
from tenants.audit import Actor
from tenants.models import Organisation
from tenants.provisioning import organisation_create
from tests.harness.clients import client_for
from tests.harness.people import make_person

pytestmark = pytest.mark.django_db

INTERNAL = "http://provider.internal.invalid"
NAVIGATION = {"Sec-Fetch-Dest": "document", "Sec-Fetch-Mode": "navigate"}
OPERATOR = Actor.operator("ops@platform.example")


class InProcessTransport(BaseAdapter):
    """Answers ``requests`` calls to ``INTERNAL`` with Django's test client, routed by the Host header.

    The caller may itself be inside a request (a subsite's callback view calling the token endpoint):
    its schema and URLconf are put back afterwards, as they would be untouched with a real server.
    """

    def send(self, request, **kwargs):  # type: ignore[no-untyped-def]
        url = urlsplit(request.url)
        host = request.headers.get("Host") or url.netloc
        path = url.path + (f"?{url.query}" if url.query else "")
        skip = {"host", "content-type", "content-length"}
        headers = {name: value for name, value in request.headers.items() if name.lower() not in skip}
        body = request.body or b""
        tenant, urlconf = connection.tenant, get_urlconf()
        try:
            answer = Client(HTTP_HOST=host).generic(
                request.method,
                path,
                data=body.encode() if isinstance(body, str) else body,
                content_type=request.headers.get("Content-Type", "application/octet-stream"),
                headers=headers,
            )
        finally:
            connection.set_tenant(tenant)
            set_urlconf(urlconf)
        response = requests.Response()
        response.status_code = answer.status_code
        response.headers = CaseInsensitiveDict(answer.items())
        response._content = answer.content
        response.url = request.url
        response.request = request
        response.encoding = "utf-8"
        return response

    def close(self) -> None:
        pass


@pytest.fixture
def provider(settings, monkeypatch):  # type: ignore[no-untyped-def]
    """The provider's internal address answers in-process; nothing else changes."""
    settings.OIDC_PROVIDER_INTERNAL_URL = INTERNAL
    transport = InProcessTransport()
    original = requests.Session.get_adapter

    def get_adapter(self, url):  # type: ignore[no-untyped-def]
        return transport if url.startswith(INTERNAL) else original(self, url)

    monkeypatch.setattr(requests.Session, "get_adapter", get_adapter)
    provider_metadata_forget()
    yield
    provider_metadata_forget()


def _internal(url: str) -> str:
    parts = urlsplit(url)
    return f"{INTERNAL}{parts.path}" + (f"?{parts.query}" if parts.query else "")


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _query(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def _callback(organisation: Organisation) -> str:
    return f"http://{organisation.platform_host}:8000/accounts/callback/"


def _oidc_session(organisation: Organisation, *, redirect_uri: str | None = None) -> tuple[OAuth2Session, dict]:
    """authlib's client for ``organisation``'s registered client, and the discovery document it read."""
    client = oidc_client_for(organisation=organisation)
    assert client is not None
    session = OAuth2Session(
        client_id=client.client_id,
        client_secret=client.client_secret,
        scope="openid profile email",
        redirect_uri=redirect_uri or _callback(organisation),
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_basic",
    )
    session.trust_env = False
    session.headers["Host"] = provider_host()
    discovery = session.get(f"{INTERNAL}/o/.well-known/openid-configuration", withhold_token=True)
    assert discovery.status_code == 200
    return session, discovery.json()


def _authorize(session: OAuth2Session, metadata: dict, browser: Client) -> tuple[str, dict[str, str], str, str]:
    """Run the browser leg: returns (redirect location, its query, code_verifier, nonce)."""
    code_verifier, nonce = generate_token(48), generate_token(20)
    url, _ = session.create_authorization_url(
        metadata["authorization_endpoint"], code_verifier=code_verifier, nonce=nonce
    )
    response = browser.get(_path(url))
    assert response.status_code == 302, response.content[:500]
    location = response["Location"]
    return location, _query(location), code_verifier, nonce


def _verified_id_token(token: dict, metadata: dict, *, client_id: str, nonce: str, session: OAuth2Session) -> dict:
    keys = session.get(_internal(metadata["jwks_uri"]), withhold_token=True).json()
    decoded = jwt.decode(token["id_token"], KeySet.import_key_set(keys), algorithms=["RS256"])
    claims = CodeIDToken(
        decoded.claims,
        decoded.header,
        {"iss": {"values": [metadata["issuer"]]}},
        {"nonce": nonce, "client_id": client_id, "access_token": token["access_token"]},
    )
    claims.validate()
    return dict(claims)


# --- The provider --------------------------------------------------------------------------------------------


def test_discovery_document_advertises_the_code_flow_with_pkce_and_sign_out(world, provider):
    _, metadata = _oidc_session(world.org_a)

    assert metadata["issuer"] == "http://govsquare.localhost:8000/o"
    assert metadata["authorization_endpoint"] == "http://govsquare.localhost:8000/o/authorize/"
    assert metadata["end_session_endpoint"] == "http://govsquare.localhost:8000/o/logout/"
    assert metadata["response_types_supported"] == ["code"]
    assert metadata["code_challenge_methods_supported"] == ["S256"]
    assert set(metadata["scopes_supported"]) == {"openid", "profile", "email"}
    assert {"sub", "email", "email_verified", "name", "civil_servant"} <= set(metadata["claims_supported"])
    assert metadata["id_token_signing_alg_values_supported"][0] == "RS256"


def test_the_provider_lives_on_the_shared_space_only(world):
    assert client_for(None).get("/o/.well-known/openid-configuration").status_code == 200
    assert client_for(world.org_a).get("/o/.well-known/openid-configuration").status_code == 404
    assert client_for(None).get("/o/applications/").status_code == 404  # no self-service client registration


def test_authlib_completes_the_code_flow_with_pkce_and_sub_is_the_account(world, provider):
    person = world.a_member
    session, metadata = _oidc_session(world.org_a)
    location, answer, code_verifier, nonce = _authorize(session, metadata, client_for(None, person=person))

    assert location.startswith(_callback(world.org_a))
    token = session.fetch_token(
        _internal(metadata["token_endpoint"]),
        authorization_response=location,
        state=answer["state"],
        code_verifier=code_verifier,
    )
    client_id = oidc_client_id(organisation_id=world.org_a.pk)
    claims = _verified_id_token(token, metadata, client_id=client_id, nonce=nonce, session=session)

    assert claims["sub"] == str(person.account.pk)
    assert claims["sub"] != str(User.objects.get(account_id=person.account.pk).pk)  # not the local user
    assert claims["aud"] == client_id
    assert (claims["email"], claims["name"]) == (person.email, person.account.display_name)
    verified = AccountEmail.objects.filter(account=person.account, email=person.email, verified_at__isnull=False)
    assert claims["email_verified"] is verified.exists()
    userinfo = session.get(_internal(metadata["userinfo_endpoint"])).json()
    assert userinfo["sub"] == str(person.account.pk)
    assert userinfo["email"] == person.email


def test_without_pkce_or_with_the_wrong_verifier_there_is_no_token(world, provider):
    session, metadata = _oidc_session(world.org_a)
    browser = client_for(None, person=world.a_member)

    plain, _ = session.create_authorization_url(metadata["authorization_endpoint"], nonce="n")
    without = _query(plain)
    assert "code_challenge" not in without  # authlib adds a challenge only with a verifier
    refused = browser.get("/o/authorize/", without)
    assert refused.status_code == 302 and _query(refused["Location"])["error"] == "invalid_request"
    assert "code" not in _query(refused["Location"])

    location, answer, _, _ = _authorize(session, metadata, browser)
    with pytest.raises(OAuthError, match="invalid_grant"):
        session.fetch_token(
            _internal(metadata["token_endpoint"]),
            authorization_response=location,
            state=answer["state"],
            code_verifier=generate_token(48),
        )


def test_civil_servant_and_email_verified_claims(world, provider):
    """The ID token vouches for a civil servant exactly while the rule holds: a verified address at a domain an
    organisation registered. Deregistering the domain, or an unverified address, ends it at the next sign-in."""
    services.organisation_email_domain_add(organisation=world.org_a, domain="org-a.example", actor=OPERATOR)
    person = make_person(key="servant", email="servant@org-a.example")
    address, _ = AccountEmail.objects.update_or_create(
        account=person.account, email=person.email, defaults={"is_primary": True, "verified_at": timezone.now()}
    )

    def claims_now() -> dict:
        session, metadata = _oidc_session(world.org_a)
        location, answer, verifier, nonce = _authorize(session, metadata, client_for(None, person=person))
        token = session.fetch_token(
            _internal(metadata["token_endpoint"]), authorization_response=location, state=answer["state"],
            code_verifier=verifier,
        )  # fmt: skip
        client_id = oidc_client_id(organisation_id=world.org_a.pk)
        return _verified_id_token(token, metadata, client_id=client_id, nonce=nonce, session=session)

    claims = claims_now()
    assert (claims["email_verified"], claims["civil_servant"]) == (True, True)

    AccountEmail.objects.filter(pk=address.pk).update(verified_at=None)
    claims = claims_now()
    assert (claims["email_verified"], claims["civil_servant"]) == (False, False)

    AccountEmail.objects.filter(pk=address.pk).update(verified_at=timezone.now())
    services.organisation_email_domain_remove(organisation=world.org_a, domain="org-a.example", actor=OPERATOR)
    claims = claims_now()
    assert (claims["email_verified"], claims["civil_servant"]) == (True, False)

    # A citizen (an address at no registered domain) is never vouched for.
    citizen = client_for(None, person=world.citizen)
    session, metadata = _oidc_session(world.org_a)
    location, answer, verifier, nonce = _authorize(session, metadata, citizen)
    token = session.fetch_token(
        _internal(metadata["token_endpoint"]), authorization_response=location, state=answer["state"],
        code_verifier=verifier,
    )  # fmt: skip
    client_id = oidc_client_id(organisation_id=world.org_a.pk)
    assert (
        _verified_id_token(token, metadata, client_id=client_id, nonce=nonce, session=session)["civil_servant"] is False
    )


def test_an_anonymous_browser_is_sent_to_the_shared_space_sign_in(world, provider):
    session, metadata = _oidc_session(world.org_a)
    url, _ = session.create_authorization_url(metadata["authorization_endpoint"], code_verifier=generate_token(48))
    response = client_for(None).get(_path(url))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/o/authorize/")


# --- "And from the other organisation?" -------------------------------------------------------------------------


def test_org_a_client_cannot_send_the_code_to_org_b(world, provider):
    session, metadata = _oidc_session(world.org_a, redirect_uri=_callback(world.org_b))
    url, _ = session.create_authorization_url(metadata["authorization_endpoint"], code_verifier=generate_token(48))

    response = client_for(None, person=world.a_editor_b_member).get(_path(url))

    assert response.status_code == 400  # an error page at the provider, never a redirect to org B
    assert not response.has_header("Location")


def test_a_code_for_org_a_cannot_be_redeemed_by_org_b_or_at_org_b_address(world, provider):
    session_a, metadata = _oidc_session(world.org_a)
    browser = client_for(None, person=world.a_editor_b_member)
    _, answer, verifier, _ = _authorize(session_a, metadata, browser)

    session_b, _ = _oidc_session(world.org_b)
    with pytest.raises(OAuthError, match=r"invalid_grant|invalid_client"):
        session_b.fetch_token(
            _internal(metadata["token_endpoint"]), code=answer["code"], state=answer["state"], code_verifier=verifier
        )
    with pytest.raises(OAuthError, match=r"invalid_grant|invalid_request"):
        session_a.fetch_token(
            _internal(metadata["token_endpoint"]),
            code=answer["code"],
            state=answer["state"],
            code_verifier=verifier,
            redirect_uri=_callback(world.org_b),
        )


def test_a_client_secret_works_for_its_own_client_only(world, provider):
    a = oidc_client_for(organisation=world.org_a)
    b = oidc_client_for(organisation=world.org_b)
    assert a.client_secret != b.client_secret
    session = OAuth2Session(
        client_id=a.client_id, client_secret=b.client_secret, token_endpoint_auth_method="client_secret_basic"
    )
    session.trust_env = False
    session.headers["Host"] = provider_host()
    with pytest.raises(OAuthError, match="invalid_client"):
        session.fetch_token(f"{INTERNAL}/o/token/", code="whatever", code_verifier=generate_token(48))


# --- The subsites: sign in, silent sign-in, return addresses -----------------------------------------------------


def _sign_in_on(subsite: Client, shared: Client, *, next_url: str | None = None):  # type: ignore[no-untyped-def]
    """Click "sign in" on a subsite, pass the shared space, come back: the subsite's last response."""
    start = subsite.get("/accounts/login/", {"next": next_url} if next_url is not None else {})
    assert start.status_code == 302, start.content[:300]
    at_provider = shared.get(_path(start["Location"]))
    assert at_provider.status_code == 302, at_provider.content[:300]
    return subsite.get(_path(at_provider["Location"]))


def _signed_in_as(subsite: Client) -> str | None:
    page = subsite.get("/accounts/login/")
    if page.status_code == 200 and b"You are signed in as" in page.content:
        return page.content.decode().split("You are signed in as ", 1)[1].split(".</p>", 1)[0]
    return None


def test_signing_in_on_a_subsite_goes_through_the_shared_space(world, provider):
    person = world.a_editor
    subsite = client_for(world.org_a)
    start = subsite.get("/accounts/login/", {"next": "/news/"})

    request = _query(start["Location"])
    assert start["Location"].startswith("http://govsquare.localhost:8000/o/authorize/?")
    assert request["client_id"] == oidc_client_id(organisation_id=world.org_a.pk)
    assert request["redirect_uri"] == "http://org-a.govsquare.localhost:8000/accounts/callback/"
    assert request["code_challenge_method"] == "S256" and request["code_challenge"]
    assert request["nonce"] and request["state"] and request["scope"] == "openid profile email"

    at_provider = client_for(None, person=person).get(_path(start["Location"]))
    done = subsite.get(_path(at_provider["Location"]))

    assert (done.status_code, done["Location"]) == (302, "/news/")
    with tenant_context(world.org_a):
        user = User.objects.get(account_id=person.account.pk)
    assert _signed_in_as(subsite) == str(user)
    assert subsite.get(_path(at_provider["Location"])).status_code == 400  # a code and state work once


def test_a_non_member_signs_in_to_org_b_as_a_local_user_without_a_role(world, provider):
    person = world.a_member
    subsite = client_for(world.org_b)
    done = _sign_in_on(subsite, client_for(None, person=person))
    assert done.status_code == 302
    with tenant_context(world.org_b):
        user = User.objects.get(account_id=person.account.pk)
        assert not user.groups.exists() and not user.is_superuser
    assert _signed_in_as(subsite) == str(user)


@pytest.mark.parametrize(
    "next_url",
    [
        "https://evil.example/",
        "//evil.example/path",
        "/\\evil.example",
        "\\\\evil.example",
        "http://org-a.govsquare.localhost:8000/news/",
        "javascript:alert(1)",
        "/news/\r\nLocation: https://evil.example/",
        "/accounts/callback/?code=x",
    ],
)
def test_return_addresses_other_than_pages_of_this_subsite_are_refused(world, provider, next_url):
    done = _sign_in_on(client_for(world.org_a), client_for(None, person=world.a_member), next_url=next_url)
    assert (done.status_code, done["Location"]) == (302, "/")


def test_a_page_of_this_subsite_is_where_sign_in_returns(world, provider):
    done = _sign_in_on(client_for(world.org_a), client_for(None, person=world.a_member), next_url="/news/?page=2")
    assert done["Location"] == "/news/?page=2"


def test_silent_sign_in_when_signed_in_at_the_shared_space(world, provider):
    person = world.a_member
    subsite = client_for(world.org_a)
    first = subsite.get("/news/", headers=NAVIGATION)

    assert first.status_code == 302
    assert _query(first["Location"])["prompt"] == "none"
    at_provider = client_for(None, person=person).get(_path(first["Location"]))
    back = subsite.get(_path(at_provider["Location"]))

    assert (back.status_code, back["Location"]) == (302, "/news/")
    assert _signed_in_as(subsite) is not None


def test_silent_sign_in_returns_anonymous_once_when_not_signed_in_at_the_shared_space(world, provider):
    subsite = client_for(world.org_a)
    first = subsite.get("/", headers=NAVIGATION)
    at_provider = client_for(None).get(_path(first["Location"]))

    assert _query(at_provider["Location"])["error"] == "login_required"
    back = subsite.get(_path(at_provider["Location"]))
    assert (back.status_code, back["Location"]) == (302, "/")
    assert subsite.get("/", headers=NAVIGATION).status_code == 200  # checked: no second round trip
    assert _signed_in_as(subsite) is None


def test_no_silent_sign_in_for_crawlers_scripts_or_the_shared_space(world, provider):
    assert client_for(world.org_a).get("/").status_code == 200  # no Sec-Fetch-Dest: a crawler or a script
    assert client_for(world.org_a).get("/", headers={"Sec-Fetch-Dest": "image"}).status_code == 200
    assert client_for(world.org_a).post("/", headers=NAVIGATION).status_code != 302
    assert client_for(None).get("/", headers=NAVIGATION).status_code == 200


def test_a_subsite_without_a_client_skips_silent_sign_in_and_says_so_on_sign_in(world, provider):
    get_application_model().objects.filter(client_id=oidc_client_id(organisation_id=world.org_a.pk)).delete()
    assert client_for(world.org_a).get("/", headers=NAVIGATION).status_code == 200
    assert client_for(world.org_a).get("/accounts/login/").status_code == 503


# --- Single sign-out ---------------------------------------------------------------------------------------------


def test_signing_out_on_one_subsite_signs_out_everywhere(world, provider):
    person = world.a_editor_b_member
    shared = client_for(None, person=person)
    on_a, on_b = client_for(world.org_a), client_for(world.org_b)
    _sign_in_on(on_a, shared)
    _sign_in_on(on_b, shared)
    assert _signed_in_as(on_a) and _signed_in_as(on_b)
    epoch = Account.objects.get(pk=person.account.pk).session_epoch

    leaving = on_a.post("/accounts/logout/")

    assert Account.objects.get(pk=person.account.pk).session_epoch > epoch
    end_session = _query(leaving["Location"])
    assert leaving["Location"].startswith("http://govsquare.localhost:8000/o/logout/?")
    assert end_session["post_logout_redirect_uri"] == "http://org-a.govsquare.localhost:8000/"
    assert end_session["client_id"] == oidc_client_id(organisation_id=world.org_a.pk) and end_session["id_token_hint"]
    assert _signed_in_as(on_b) is None  # on its very next request
    back = shared.get(_path(leaving["Location"]))
    assert (back.status_code, back["Location"]) == (302, "http://org-a.govsquare.localhost:8000/")
    assert _signed_in_as(on_a) is None
    # The shared space's session has ended too: the provider asks for a sign-in again.
    assert _sign_in_on_fails(on_a, shared)


def _sign_in_on_fails(subsite: Client, shared: Client) -> bool:
    start = subsite.get("/accounts/login/")
    at_provider = shared.get(_path(start["Location"]))
    return at_provider["Location"].startswith("/accounts/login/")


def test_signing_out_at_the_shared_space_signs_out_every_subsite(world, provider):
    person = world.a_member
    shared = client_for(None, person=person)
    on_a = client_for(world.org_a)
    _sign_in_on(on_a, shared)
    assert _signed_in_as(on_a)

    shared.post("/accounts/logout/")

    assert _signed_in_as(on_a) is None


def test_a_deactivated_account_is_signed_out_everywhere(world, provider):
    person = world.a_member
    on_a = client_for(world.org_a, person=person)
    assert _signed_in_as(on_a)
    Account.objects.filter(pk=person.account.pk).update(is_active=False)
    assert _signed_in_as(on_a) is None


def test_sign_out_asks_first_on_a_get(world, provider):
    on_a = client_for(world.org_a, person=world.a_member)
    page = on_a.get("/accounts/logout/")
    assert page.status_code == 200 and b'method="post"' in page.content
    assert _signed_in_as(on_a)


# --- One client per organisation, kept in step with its domains ---------------------------------------------------


def test_a_new_organisation_gets_its_client_and_it_follows_its_domains(world):
    organisation = organisation_create(name="Water Board", slug="water")
    client = oidc_client_for(organisation=organisation)
    assert client.redirect_uris == ("http://water.govsquare.localhost:8000/accounts/callback/",)
    assert client.post_logout_redirect_uris == ("http://water.govsquare.localhost:8000/",)
    application = get_application_model().objects.get(client_id=client.client_id)
    assert (application.client_type, application.authorization_grant_type, application.algorithm) == (
        "confidential",
        "authorization-code",
        "RS256",
    )
    assert application.client_secret != client.client_secret  # only its hash is stored

    services.organisation_domain_add(organisation=organisation, domain="intranet.water.example", actor=OPERATOR)
    assert set(oidc_client_for(organisation=organisation).redirect_uris) == {
        "http://water.govsquare.localhost:8000/accounts/callback/",
        "http://intranet.water.example:8000/accounts/callback/",
    }
    services.organisation_domain_set_primary(organisation=organisation, domain="intranet.water.example", actor=OPERATOR)
    assert oidc_client_for(organisation=organisation).redirect_uris[0].startswith("http://intranet.water.example:")
    services.organisation_domain_remove(organisation=organisation, domain="water.govsquare.localhost", actor=OPERATOR)
    assert oidc_client_for(organisation=organisation).redirect_uris == (
        "http://intranet.water.example:8000/accounts/callback/",
    )
    assert oidc_client_for(organisation=world.org_a).redirect_uris == (_callback(world.org_a),)  # untouched

    services.organisation_schedule_deletion(organisation=organisation, actor=OPERATOR, force=True)
    services.organisation_purge(organisation=organisation, actor=OPERATOR, ignore_grace=True)
    assert not get_application_model().objects.filter(client_id=client.client_id).exists()


def test_an_imported_organisation_gets_its_own_client(world, settings, tmp_path):
    settings.MEDIA_ROOT, settings.EXPORT_ROOT = str(tmp_path / "media"), str(tmp_path / "exports")
    storages["default"].__dict__.pop("relative_media_root", None)
    try:
        path = organisation_export(organisation=Organisation.objects.get(pk=world.org_a.pk), actor=OPERATOR)
        copy = organisation_import(archive_path=path, actor=OPERATOR, slug="org-a-copy", name="Copy")
    finally:
        storages["default"].__dict__.pop("relative_media_root", None)

    assert oidc_client_for(organisation=copy).redirect_uris == (_callback(copy),)
    assert oidc_client_for(organisation=world.org_a).redirect_uris == (_callback(world.org_a),)


def test_redirect_addresses_follow_the_platform_scheme_and_port(world, settings):
    settings.PLATFORM_SCHEME, settings.PLATFORM_PORT = "https", 443
    call_command("sso_sync_clients", stdout=io.StringIO())
    assert oidc_client_for(organisation=world.org_a).redirect_uris == (
        "https://org-a.govsquare.localhost/accounts/callback/",
    )


def test_a_failed_provisioning_leaves_no_client_behind(world, monkeypatch):
    def explode(**kwargs):
        raise RuntimeError("injected failure")

    monkeypatch.setattr(provisioning, "activate", explode)
    before = set(get_application_model().objects.values_list("client_id", flat=True))
    with pytest.raises(provisioning.ProvisioningFailed):
        organisation_create(name="Fragile", slug="fragile")
    assert set(get_application_model().objects.values_list("client_id", flat=True)) == before

    monkeypatch.setattr(provisioning, "register_sign_on_client", explode)
    with pytest.raises(provisioning.ProvisioningFailed, match="injected failure"):
        organisation_create(name="Fragile", slug="fragile")
    assert not Organisation.objects.filter(slug="fragile").exists()


def test_sso_sync_clients_creates_updates_and_removes(world, capsys):
    Application = get_application_model()
    Application.objects.filter(client_id=oidc_client_id(organisation_id=world.org_a.pk)).delete()
    Application.objects.filter(client_id=oidc_client_id(organisation_id=world.org_b.pk)).update(redirect_uris="")
    Application.objects.create(
        client_id=f"{CLIENT_ID_PREFIX}999999", client_type="confidential", authorization_grant_type="authorization-code"
    )

    call_command("sso_sync_clients")

    out = capsys.readouterr().out
    assert "1 created" in out and "1 updated" in out and "1 removed" in out
    assert oidc_client_for(organisation=world.org_a).redirect_uris == (_callback(world.org_a),)
    assert oidc_client_for(organisation=world.org_b).redirect_uris == (_callback(world.org_b),)
    call_command("sso_sync_clients")
    assert "0 created, 0 updated" in capsys.readouterr().out


# --- The signing key ---------------------------------------------------------------------------------------------


def test_development_key_is_made_once_and_kept(tmp_path):
    path = tmp_path / "key.pem"
    first = development_signing_key(path=path)
    assert development_signing_key(path=path) == first
    assert signing_key_problem(first) is None
    assert oct(path.stat().st_mode & 0o777) == "0o600"


def test_keys_that_cannot_sign_are_named():
    ec_key = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    assert "not set" in signing_key_problem("")
    assert "not a PEM private key" in signing_key_problem("garbage")
    assert "not an RSA key" in signing_key_problem(ec_key.decode())


@pytest.mark.parametrize("with_key", [False, True], ids=["without key: refused", "with key: starts"])
def test_production_needs_the_signing_key(tmp_path, with_key):
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS"}}
    env |= {
        "DEBUG": "false",
        "SECRET_KEY": "k" * 50,
        "ALLOWED_HOSTS": "govsquare.example,.govsquare.example",
        "PLATFORM_DOMAIN": "govsquare.example",
        "PLATFORM_PORT": "443",
        "DJANGO_SETTINGS_MODULE": "govsquare.settings.production",
        "OIDC_RSA_PRIVATE_KEY": development_signing_key(path=tmp_path / "key.pem") if with_key else "",
    }
    code = "import django; django.setup(); from django.conf import settings; print(settings.OIDC_ISSUER)"
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, env=env, capture_output=True, text=True)
    if with_key:
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == "https://govsquare.example/o"
    else:
        assert result.returncode != 0
        assert "Refusing to start in production" in result.stderr and "OIDC_RSA_PRIVATE_KEY is not set" in result.stderr


def test_expired_sign_on_tokens_are_cleared(world):
    AccessToken.objects.create(token="old", expires=timezone.now() - timedelta(days=2), scope="openid")
    AccessToken.objects.create(token="new", expires=timezone.now() + timedelta(hours=1), scope="openid")
    clear_expired_tokens()
    assert list(AccessToken.objects.values_list("token", flat=True)) == ["new"]
