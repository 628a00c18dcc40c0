"""Housekeeping of the sign-on provider."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="identity_provider.clear_expired_tokens")
def clear_expired_tokens() -> None:
    """Remove expired access, refresh and ID tokens and grants (django-oauth-toolkit's ``cleartokens``)."""
    from oauth2_provider.models import clear_expired

    clear_expired()
