"""Housekeeping of the sign-on provider."""

from __future__ import annotations

from celery import shared_task
from oauth2_provider.models import clear_expired


@shared_task(name="identity_provider.clear_expired_tokens")
def clear_expired_tokens() -> None:
    """Remove expired access, refresh and ID tokens and grants (django-oauth-toolkit's ``cleartokens``)."""
    clear_expired()
