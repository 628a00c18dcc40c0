"""What the account e-mails' links share: the shared-space page they open, how long they work, and what a
broken one says."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _


def public_path(name: str, **kwargs: Any) -> str:
    """The path of a shared-space page, whichever host's URLconf the caller runs under."""

    return reverse(name, kwargs=kwargs, urlconf=settings.PUBLIC_SCHEMA_URLCONF)


def link_hours(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def link_problem(problem: Exception, *, what: str) -> ValidationError:
    """``what``: ``"verification"`` or ``"password reset"``, the kind of link."""
    expired = getattr(problem, "reason", "") == "expired"
    if what == "verification":
        if expired:
            return ValidationError(_("This verification link has expired. Ask for a new one."), code="expired")
        return ValidationError(
            _("This verification link is not valid. Copy the whole link from the e-mail."), code="invalid"
        )
    if expired:
        return ValidationError(_("This password reset link has expired. Ask for a new one."), code="expired")
    return ValidationError(
        _("This password reset link is not valid. Copy the whole link from the e-mail."), code="invalid"
    )
