"""The claims the shared space vouches for, and the silent sign-in rules of the provider.

The signed-in identity on the shared space is the public schema's local user; its ``account`` is the
platform ``Account``, whose id is the ``sub`` of every ID token (the same person has a different local
user id in every schema, so that could never be the subject).
"""

from __future__ import annotations

from typing import Any

from oauth2_provider.oauth2_validators import OAuth2Validator
from oauthlib.oauth2.rfc6749 import errors

from shared_apps.accounts import selectors

CLAIMS = ("sub", "email", "email_verified", "name", "civil_servant")
#: django-oauth-toolkit keeps the nonce in a 255-character column: a longer one is refused as a bad request.
NONCE_MAX_LENGTH = 255


class GovSquareOAuth2Validator(OAuth2Validator):
    oidc_claim_scope = {**OAuth2Validator.oidc_claim_scope, "civil_servant": "profile"}

    def get_claim_dict(self, request: Any) -> dict[str, Any]:
        account = _account_of(request.user)
        return {
            "sub": str(account.pk),
            "email": account.email,
            "email_verified": _email_verified(account),
            "name": account.display_name,
            "civil_servant": _civil_servant(account),
        }

    def get_discovery_claims(self, request: Any) -> list[str]:
        return list(CLAIMS)

    def save_authorization_code(self, client_id: str, code: dict, request: Any, *args: Any, **kwargs: Any) -> None:
        if len(getattr(request, "nonce", None) or "") > NONCE_MAX_LENGTH:
            raise errors.InvalidRequestError(
                description=f"The nonce may be at most {NONCE_MAX_LENGTH} characters long.", request=request
            )
        super().save_authorization_code(client_id, code, request, *args, **kwargs)

    def validate_silent_login(self, request: Any) -> bool:
        # django-oauth-toolkit's authorisation view only gets this far for a signed-in user (an anonymous
        # prompt=none request is answered with login_required before), so the session is there.
        return True

    def validate_silent_authorization(self, request: Any) -> bool:
        # Only the platform's own clients skip the consent screen; any other would need the person's consent.
        return bool(getattr(request.client, "skip_authorization", False))


def _account_of(user: Any) -> Any:
    account = getattr(user, "account", None)
    if account is None:
        raise ValueError(f"The local user {getattr(user, 'pk', None)} has no platform account to vouch for.")
    return account


def _email_verified(account: Any) -> bool:
    check = getattr(selectors, "account_email_is_verified", None)
    if check is not None:
        return bool(check(account=account))
    return account.emails.filter(email__iexact=account.email, verified_at__isnull=False).exists()


def _civil_servant(account: Any) -> bool:
    """``accounts.selectors.account_is_civil_servant`` when it exists; ``False`` until then."""
    check = getattr(selectors, "account_is_civil_servant", None)
    return bool(check(account=account)) if check is not None else False
