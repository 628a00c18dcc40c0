"""Production profile: refuses to start on an insecure configuration, naming each problem."""

from django.core.exceptions import ImproperlyConfigured

from govsquare.settings.base import *  # noqa: F403
from govsquare.settings.base import ALLOWED_HOSTS, DEBUG, INSECURE_DEFAULT_SECRET_KEY, SECRET_KEY, env


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
if _problems:
    raise ImproperlyConfigured("Refusing to start in production: " + "; ".join(_problems) + ".")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 30)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
PLATFORM_SCHEME = "https"
