"""Web security suite (issue 13): the Content-Security-Policy and the other response headers, production's
settings (``manage.py check --deploy``), CSRF on every form and every state-changing view, and the rate limits
on sign-in, sign-up, password reset, invitations and operator API tokens.

Prints ``web security: N checks, F failures`` and records it in ``test-artifacts/security-figures.txt``.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from govsquare import layout
from govsquare.security import ContentSecurityPolicyMiddleware
from shared_apps.accounts.models import Account, Invitation
from shared_apps.operator.services import account_set_platform_operator
from tenants.jobs import job_create
from tenants.models import Job
from tests.harness.clients import client_for
from tests.harness.people import make_person
from tests.security_figures import record_figure

pytestmark = pytest.mark.django_db

REPO = layout.REPO_ROOT
#: Every check this module makes, with its outcome, for the printed figure.
CHECKS: list[bool] = []


def check(ok: bool) -> bool:
    CHECKS.append(bool(ok))
    return bool(ok)


def _random_ip() -> str:
    """A client address of the test's own, so counters of other tests (and runs) never meet it."""
    value = uuid.uuid4().int
    return f"10.{value % 250 + 1}.{value // 250 % 250 + 1}.{value // 62500 % 250 + 1}"


def _directives(header: str) -> dict[str, list[str]]:
    parts = (part.strip().split() for part in header.split(";") if part.strip())
    return {words[0]: words[1:] for words in parts}


# --- Content-Security-Policy and the other headers ---------------------------------------------------------

PAGES = [
    (None, "/"),
    (None, "/accounts/login/"),
    (None, "/accounts/signup/"),
    (None, "/accounts/password/reset/"),
    (None, "/people/"),
    (None, "/groups/"),
    ("org_a", "/"),
    ("org_a", "/search/"),
    ("org_a", "/people/"),
]


@pytest.mark.parametrize("viewer", ["anonymous", "a_member", "citizen", "b_member"])
@pytest.mark.parametrize(("where", "path"), PAGES)
def test_every_page_has_a_strict_policy_and_the_frame_and_referrer_headers(world, viewer, where, path):
    organisation = getattr(world, where) if where else None
    person = None if viewer == "anonymous" else world.people[viewer]
    response = client_for(organisation, person=person).get(path)
    assert check(response.status_code < 500), response.status_code
    policy = _directives(response.get("Content-Security-Policy", ""))
    assert check(policy.get("script-src", [None])[0] == "'self'"), policy
    assert check("'unsafe-inline'" not in policy["script-src"] and "'unsafe-eval'" not in policy["script-src"])
    assert check(policy.get("default-src") == ["'self'"])
    assert check(policy.get("object-src") == ["'none'"] and policy.get("base-uri") == ["'self'"])
    assert check(policy.get("frame-ancestors") == ["'none'"])
    assert check(response["X-Frame-Options"] == "DENY")
    assert check(response["Referrer-Policy"] == "strict-origin-when-cross-origin")
    assert check(response["X-Content-Type-Options"] == "nosniff")


def _inline_scripts(text: str) -> list[str]:
    """The opening tags of inline scripts that a browser runs (no src, not a JSON data block)."""
    tags = re.findall(r"<script\b[^>]*>", text, flags=re.IGNORECASE)
    return [tag for tag in tags if "src=" not in tag and "application/json" not in tag and "text/template" not in tag]


def _project_templates() -> Iterator[Path]:
    for folder in ("platform", "shared_apps", "tenant_apps", "tenants", "sites"):
        yield from (path for path in (REPO / folder).rglob("*.html") if "templates" in path.parts)


def test_every_inline_script_of_the_platform_carries_the_request_nonce():
    templates = list(_project_templates())
    assert check(len(templates) > 50)
    for path in templates:
        for tag in _inline_scripts(path.read_text()):
            assert check('nonce="{{ request.csp_nonce }}"' in tag), f"{path}: {tag} (give it the CSP nonce)"


def test_the_operator_job_page_runs_its_inline_script_with_a_fresh_nonce_only_there(world):
    """The job page polls with an inline script: its nonce is in the policy, new on every answer."""
    operator = make_person(key="csp-operator", email="csp-ops@platform.example", name="Cas Operator")
    account_set_platform_operator(account=operator.account, value=True)
    job = job_create(kind=Job.Kind.EXPORT, organisation=world.org_a, requested_by="test")
    client = client_for(None, person=operator)
    plain = _directives(client.get("/people/")["Content-Security-Policy"])
    assert check(not any(source.startswith("'nonce-") for source in plain["script-src"]))
    nonces = []
    for _ in range(2):
        response = client.get(f"/operator/jobs/{job.pk}/")
        assert check(response.status_code == 200), response.status_code
        nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"])
        assert check(nonce is not None), response["Content-Security-Policy"]
        html_nonces = re.findall(r'<script[^>]*nonce="([^"]+)"', response.content.decode())
        assert check(html_nonces == [nonce.group(1)]), html_nonces
        nonces.append(nonce.group(1))
    assert check(nonces[0] != nonces[1])
    # Not for anyone else: a citizen and an organisation's administrator get no job page.
    for person in (world.citizen, world.a_admin):
        refused = client_for(None, person=person).get(f"/operator/jobs/{job.pk}/")
        assert check(refused.status_code in (302, 403, 404)), refused.status_code


@pytest.mark.parametrize("path", ["/admin/", "/admin/pages/"])
def test_the_wagtail_admin_works_and_only_it_may_run_its_own_inline_scripts(world, path):
    response = client_for(world.org_a, person=world.a_editor).get(path)
    assert check(response.status_code == 200), response.status_code
    policy = _directives(response["Content-Security-Policy"])
    assert check(policy["script-src"] == ["'self'", "'unsafe-inline'"]), policy
    assert check(policy["frame-ancestors"] == ["'none'"])
    # From the other organisation, and as a citizen: no admin, and the strict policy still on the refusal.
    for person in (world.b_member, world.citizen):
        refused = client_for(world.org_a, person=person).get(path)
        assert check(refused.status_code in (302, 403, 404)), refused.status_code


def test_only_a_view_that_lets_its_own_site_frame_it_may_be_framed_and_only_by_that_site(rf):
    """Wagtail's preview panel frames the preview (``X-Frame-Options: SAMEORIGIN``); nothing else is framed."""

    def preview(request: HttpRequest) -> HttpResponse:
        response = HttpResponse("preview")
        response["X-Frame-Options"] = "SAMEORIGIN"
        return response

    middleware = ContentSecurityPolicyMiddleware(preview)
    framed = _directives(middleware(rf.get("/admin/pages/1/edit/preview/"))["Content-Security-Policy"])
    assert check(framed["frame-ancestors"] == ["'self'"])
    plain = ContentSecurityPolicyMiddleware(lambda request: HttpResponse("page"))(rf.get("/"))
    assert check(_directives(plain["Content-Security-Policy"])["frame-ancestors"] == ["'none'"])


# --- Production settings -----------------------------------------------------------------------------------


def _production_environment(tmp_path: Path) -> dict[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    environment = {
        name: value for name, value in os.environ.items() if not name.startswith(("DJANGO_", "PYTEST", "DEBUG"))
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="govsquare.settings.production",
        SECRET_KEY=uuid.uuid4().hex + uuid.uuid4().hex,
        OIDC_RSA_PRIVATE_KEY=pem,
        PLATFORM_DOMAIN="govsquare.example",
        ALLOWED_HOSTS="govsquare.example,.govsquare.example",
        DEBUG="false",
    )
    return environment


def test_manage_py_check_deploy_is_clean_with_the_production_settings(tmp_path):
    environment = _production_environment(tmp_path)
    command = [sys.executable, str(REPO / "manage.py"), "check", "--deploy", "--fail-level", "WARNING"]
    done = subprocess.run(command, env=environment, cwd=REPO, capture_output=True, text=True, timeout=180)
    assert check(done.returncode == 0), done.stdout + done.stderr
    assert check("no issues" in done.stdout), done.stdout


def test_production_sends_hsts_and_secure_cookies_and_trusts_the_proxy_for_https(tmp_path):
    script = (
        "import django, json; django.setup(); from django.conf import settings as s; print(json.dumps({n: getattr(s, n)"
        " for n in ['SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'SECURE_SSL_REDIRECT',"
        " 'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SECURE_PROXY_SSL_HEADER', 'X_FRAME_OPTIONS',"
        " 'SECURE_REFERRER_POLICY', 'SESSION_COOKIE_HTTPONLY', 'LANGUAGE_COOKIE_SECURE']}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        env=_production_environment(tmp_path),
        cwd=REPO / "platform",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert check(done.returncode == 0), done.stderr
    values = json.loads(done.stdout.strip().splitlines()[-1])
    assert check(values["SECURE_HSTS_SECONDS"] >= 31536000 and values["SECURE_HSTS_INCLUDE_SUBDOMAINS"])
    assert check(values["SECURE_SSL_REDIRECT"] and values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"])
    assert check(values["LANGUAGE_COOKIE_SECURE"] and values["SESSION_COOKIE_HTTPONLY"])
    assert check(values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"])
    assert check(values["X_FRAME_OPTIONS"] == "DENY")
    assert check(values["SECURE_REFERRER_POLICY"] == "strict-origin-when-cross-origin")


# --- CSRF ---------------------------------------------------------------------------------------------------

_FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", flags=re.IGNORECASE | re.DOTALL)


def _post_forms(text: str) -> list[str]:
    return [body for attrs, body in _FORM.findall(text) if re.search(r"method\s*=\s*[\"']?post", attrs, re.I)]


#: Forms that post to a view exempt from CSRF on purpose (see CSRF_EXEMPT_ALLOWED), so they carry no token.
TOKENLESS_FORMS = {"notifications/unsubscribe.html"}  # RFC 8058 one-click: the signed token is the key


def test_every_post_form_in_the_templates_has_the_csrf_token():
    forms = 0
    for path in _project_templates():
        if "/".join(path.parts[-2:]) in TOKENLESS_FORMS:
            continue
        for body in _post_forms(path.read_text()):
            forms += 1
            assert check("{% csrf_token %}" in body), f"{path}: a POST form without {{% csrf_token %}}"
    assert check(forms > 20), forms


RENDERED = [
    (None, "a_member", "/accounts/profile/"),
    (None, "a_member", "/accounts/emails/"),
    (None, "a_member", "/accounts/two-factor/"),
    (None, "a_member", "/accounts/data/"),
    (None, None, "/accounts/login/"),
    (None, None, "/accounts/signup/"),
    (None, None, "/accounts/password/reset/"),
    (None, "a_member", "/groups/"),
    ("org_a", "a_member", "/"),
    ("org_a", "b_member", "/join/"),
    ("org_a", "a_admin", "/admin/members/"),
]


@pytest.mark.parametrize(("where", "who", "path"), RENDERED)
def test_every_rendered_post_form_carries_the_csrf_token(world, where, who, path):
    organisation = getattr(world, where) if where else None
    person = world.people[who] if who else None
    response = client_for(organisation, person=person).get(path)
    assert check(response.status_code == 200), (path, response.status_code)
    forms = _post_forms(response.content.decode())
    assert check(forms), f"{path}: no POST form rendered"
    for body in forms:
        assert check('name="csrfmiddlewaretoken"' in body), f"{path}: a POST form without the CSRF token"


#: Views that take a POST without a CSRF token, on purpose: each authenticates otherwise.
CSRF_EXEMPT_ALLOWED = {
    # The OIDC provider's server-to-server endpoints (client authentication, PKCE; django-oauth-toolkit).
    "o/token/",
    "o/revoke_token/",
    "o/userinfo/",
    # The operator API: bearer tokens, never cookies (django-ninja).
    "api/operator/v1/",
    # Wagtail's password forms: the sign-on flow's redirect in their place, no password taken (issue 13 #12, #17).
    "admin/login/",
    "_util/login/",
    # One-click unsubscribe from a mail client (RFC 8058): no cookie, the signed token is the key.
    "notifications/unsubscribe/",
}


def _patterns(resolver: URLResolver, prefix: str = "") -> Iterator[tuple[str, object]]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.callback


_CONVERTERS = {"int": "1", "slug": "x", "str": "x", "path": "x", "uuid": "00000000-0000-4000-8000-000000000000"}


def _concrete(route: str) -> str | None:
    """A path for ``route`` with every parameter filled in; ``None`` for a regular expression with groups."""
    route = route.replace("^", "").replace("$", "")
    if any(part in route for part in ("(", "\\", ".*", "[")):
        return None
    return "/" + re.sub(r"<(?:(\w+):)?\w+>", lambda m: _CONVERTERS.get(m.group(1) or "str", "x"), route)


@pytest.mark.parametrize(("where", "urlconf"), [(None, "govsquare.urls_public"), ("org_a", "govsquare.urls_tenants")])
def test_a_post_without_the_csrf_token_is_refused_on_every_view(world, where, urlconf, report):
    organisation = getattr(world, where) if where else None
    person = world.a_admin
    client = client_for(organisation, person=person)
    client.handler.enforce_csrf_checks = True
    tried = exempt = 0
    problems = []
    for route, _callback in _patterns(get_resolver(urlconf)):
        path = _concrete(route)
        if path is None:
            continue
        if any(path.lstrip("/").startswith(allowed) for allowed in CSRF_EXEMPT_ALLOWED):
            exempt += 1
            continue
        # Every other view refuses the POST: Django's CSRF middleware, or (views marked exempt that check
        # it themselves: django-csrf-protected login forms, the Wagtail admin API's DRF session auth) the view.
        tried += 1
        response = client.post(path, {"name": "x", "email": "x@example.org"})
        if not check(response.status_code == 403):
            problems.append(f"{path}: {response.status_code}")
    report(f"web security: CSRF {urlconf}: {tried} POSTs without a token refused, {exempt} exempt on purpose")
    assert not problems, problems
    assert tried > 20


# --- Rate limits --------------------------------------------------------------------------------------------


def test_too_many_sign_ups_from_one_address_get_a_429_and_nothing_is_written(world, settings):
    settings.ACCOUNT_SIGNUP_RATE = "3/h"
    address, other = _random_ip(), _random_ip()
    client = Client(HTTP_HOST=settings.PLATFORM_DOMAIN, REMOTE_ADDR=address)
    for _ in range(3):
        assert check(client.post("/accounts/signup/", {"email": "not an address"}).status_code == 422)
    email = f"late-{uuid.uuid4().hex[:8]}@example.org"
    data = {
        "email": email,
        "display_name": "Late",
        "password": "a long pass phrase 91",
        "password_again": "a long pass phrase 91",
    }
    refused = client.post("/accounts/signup/", data)
    assert check(refused.status_code == 429), refused.status_code
    assert check(int(refused["Retry-After"]) > 0)
    assert check("Too many accounts were created from your network address." in refused.content.decode())
    assert check(not Account.objects.filter(email__iexact=email).exists())
    # Another address may still sign up.
    welcome = Client(HTTP_HOST=settings.PLATFORM_DOMAIN, REMOTE_ADDR=other).post("/accounts/signup/", data)
    assert check(welcome.status_code == 302), welcome.status_code


def test_too_many_reset_requests_per_address_and_per_e_mail_get_a_429(world, settings, mailoutbox):
    settings.ACCOUNT_PASSWORD_RESET_RATE = "2/h"
    target = world.a_member.email
    for _ in range(2):  # from two different addresses: the e-mail address's own limit
        client = Client(HTTP_HOST=settings.PLATFORM_DOMAIN, REMOTE_ADDR=_random_ip())
        assert check(client.post("/accounts/password/reset/", {"email": target}).status_code == 302)
    sent = len(mailoutbox)
    refused = Client(HTTP_HOST=settings.PLATFORM_DOMAIN, REMOTE_ADDR=_random_ip()).post(
        "/accounts/password/reset/", {"email": target}
    )
    assert check(refused.status_code == 429), refused.status_code
    assert check("Too many password reset links were asked for." in refused.content.decode())
    assert check(len(mailoutbox) == sent)
    # One address asking for many different e-mail addresses is limited too.
    client = Client(HTTP_HOST=settings.PLATFORM_DOMAIN, REMOTE_ADDR=_random_ip())
    answers = [client.post("/accounts/password/reset/", {"email": f"x{n}@example.org"}).status_code for n in range(3)]
    assert check(answers == [302, 302, 429]), answers
    # Another person's reset is not affected.
    other = Client(HTTP_HOST=settings.PLATFORM_DOMAIN, REMOTE_ADDR=_random_ip())
    assert check(other.post("/accounts/password/reset/", {"email": world.b_member.email}).status_code == 302)


def test_too_many_invitations_from_one_administrator_get_a_429(world, settings):
    settings.ACCOUNT_INVITATION_RATE = "2/h"
    client = client_for(world.org_a, person=world.a_admin)
    client.defaults["REMOTE_ADDR"] = _random_ip()
    emails = [f"invitee-{n}-{uuid.uuid4().hex[:6]}@example.org" for n in range(3)]
    answers = [client.post("/admin/members/invitations/", {"email": e, "role": "member"}).status_code for e in emails]
    assert check(answers == [302, 302, 429]), answers
    assert check("Too many invitations were sent." in client.post("/admin/members/invitations/", {}).content.decode())
    assert check(not Invitation.objects.filter(email=emails[2]).exists())
    # The limit is the account's: another network address does not reset it.
    client.defaults["REMOTE_ADDR"] = _random_ip()
    again = client.post("/admin/members/invitations/", {"email": emails[2], "role": "member"})
    assert check(again.status_code == 429), again.status_code
    # From the other organisation and as a citizen: no invitation either way, refused before any counting.
    for person in (world.b_member, world.citizen):
        other = client_for(world.org_a, person=person)
        other.defaults["REMOTE_ADDR"] = _random_ip()
        answer = other.post("/admin/members/invitations/", {"email": "x-invitee@example.org", "role": "member"})
        assert check(answer.status_code in (302, 403, 404)), answer.status_code
    assert check(not Invitation.objects.filter(email="x-invitee@example.org").exists())


def test_too_many_group_invitations_from_one_manager_get_a_429(world, settings, make_group):
    settings.ACCOUNT_INVITATION_RATE = "2/h"
    group = make_group(world.a_member, name="Rate limited group")
    manager = client_for(None, person=world.a_member)
    manager.defaults["REMOTE_ADDR"] = _random_ip()
    url = f"/groups/{group.slug}/manage/invite/"
    answers = [manager.post(url, {"email": f"g{n}-{uuid.uuid4().hex[:6]}@mail.example"}).status_code for n in range(3)]
    assert check(answers == [302, 302, 429]), answers
    # Another account (a member of org B, not a manager) is refused by the group, not by the limit.
    other = client_for(None, person=world.b_member)
    other.defaults["REMOTE_ADDR"] = _random_ip()
    assert check(other.post(url, {"email": "g-other@mail.example"}).status_code == 403)


def test_too_many_bad_operator_tokens_from_one_address_get_a_429(world, settings):
    settings.OPERATOR_API_TOKEN_RATE = "3/h"
    address = _random_ip()
    client = Client(HTTP_HOST=settings.PLATFORM_DOMAIN, REMOTE_ADDR=address)
    headers = {"Authorization": "Bearer gsq_notarealkey_" + uuid.uuid4().hex}
    answers = [client.get("/api/operator/v1/organisations", headers=headers).status_code for _ in range(4)]
    assert check(answers == [401, 401, 401, 429]), answers
    refused = client.get("/api/operator/v1/organisations", headers=headers)
    assert check(refused.status_code == 429 and "invalid operator token" in refused.json()["detail"])
    assert check(int(refused["Retry-After"]) > 0)
    other = Client(HTTP_HOST=settings.PLATFORM_DOMAIN, REMOTE_ADDR=_random_ip())
    assert check(other.get("/api/operator/v1/organisations", headers=headers).status_code == 401)


def test_too_many_failed_sign_ins_from_one_address_get_a_429(world, settings):
    settings.ACCOUNT_IP_MAX_FAILURES = 3
    client = Client(HTTP_HOST=settings.PLATFORM_DOMAIN, REMOTE_ADDR=_random_ip())
    answers = [
        client.post("/accounts/login/", {"email": f"nobody{n}@example.org", "password": "wrong"}).status_code
        for n in range(4)
    ]
    assert check(answers[-1] == 429), answers


# --- The figure ---------------------------------------------------------------------------------------------


def test_zz_print_the_web_security_figure(report):
    failures = CHECKS.count(False)
    line = f"{len(CHECKS)} checks, {failures} failures"
    report(f"web security: {line}")
    record_figure("web security", line)
    assert failures == 0
