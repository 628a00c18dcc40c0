"""Production profile: refuses to start on an insecure configuration, naming each problem."""

from django.core.exceptions import ImproperlyConfigured

from govsquare.settings.base import *  # noqa: F403
from govsquare.settings.base import (
    ALLOWED_HOSTS,
    DEBUG,
    INSECURE_DEFAULT_SECRET_KEY,
    OAUTH2_PROVIDER,
    OIDC_RSA_PRIVATE_KEY,
    PLATFORM_DOMAIN,
    PLATFORM_PORT,
    SECRET_KEY,
    env,
)
from shared_apps.identity_provider.addresses import origin
from shared_apps.identity_provider.keys import signing_key_problem


def insecure_settings(*, debug: bool, secret_key: str, allowed_hosts: list[str]) -> list[str]:
    """Every reason the given values are unsafe to serve the public with (empty list = safe)."""
    problems = []
    if debug:
        problems.append("DEBUG is on (set DEBUG=false)")
    if not secret_key or secret_key == INSECURE_DEFAULT_SECRET_KEY:
        problems.append("SECRET_KEY is the development default or empty (set a random SECRET_KEY)")
    elif len(secret_key) < 32:
        problems.append("SECRET_KEY is shorter than 32 characters")
    if any(host.strip() == "*" for host in allowed_hosts):
        problems.append("ALLOWED_HOSTS contains the wildcard '*' (list the platform's host names)")
    if not allowed_hosts:
        problems.append("ALLOWED_HOSTS is empty")
    return problems


_problems = insecure_settings(debug=DEBUG, secret_key=SECRET_KEY, allowed_hosts=ALLOWED_HOSTS)
_signing_key_problem = signing_key_problem(OIDC_RSA_PRIVATE_KEY)  # no key generated in production
if _signing_key_problem:
    _problems.append(_signing_key_problem)
if _problems:
    raise ImproperlyConfigured("Refusing to start in production: " + "; ".join(_problems) + ".")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
#: Behind nginx (deploy/): the client's address is the one nginx forwards (python-ipware).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=1)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
#: Every organisation's subsite is a subdomain of PLATFORM_DOMAIN, served over https as well.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
#: Asks browsers' preload lists to know the platform domain; submit it at hstspreload.org to take effect.
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
PLATFORM_SCHEME = "https"
# Single sign-on follows the https scheme: the issuer, and redirects to https addresses only.
OIDC_ISSUER = env.str(
    "OIDC_ISSUER", default=origin(scheme=PLATFORM_SCHEME, host=PLATFORM_DOMAIN, port=PLATFORM_PORT) + "/o"
)
OAUTH2_PROVIDER = {**OAUTH2_PROVIDER, "OIDC_ISS_ENDPOINT": OIDC_ISSUER, "ALLOWED_REDIRECT_URI_SCHEMES": ["https"]}
