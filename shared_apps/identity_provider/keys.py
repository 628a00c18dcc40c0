"""The RSA key that signs ID tokens.

Production reads it from ``OIDC_RSA_PRIVATE_KEY`` and refuses to start without a valid one
(``govsquare.settings.production``). Development and tests use a key generated once and kept in
``.local/`` (git-ignored), so every process of a machine -- web, worker, test server -- signs alike.

Imported by the settings: no Django imports here.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

KEY_SIZE = 2048


def signing_key_problem(pem: str) -> str | None:
    """Why ``pem`` cannot sign ID tokens, or ``None`` when it is a usable PEM RSA private key."""
    if not pem.strip():
        return "OIDC_RSA_PRIVATE_KEY is not set (the PEM RSA private key that signs OpenID Connect ID tokens)"
    try:
        key = serialization.load_pem_private_key(pem.encode(), password=None)
    except (ValueError, TypeError):
        return "OIDC_RSA_PRIVATE_KEY is not a PEM private key without a passphrase"
    if not isinstance(key, rsa.RSAPrivateKey):
        return "OIDC_RSA_PRIVATE_KEY is not an RSA key (ID tokens are signed with RS256)"
    if key.key_size < KEY_SIZE:
        return f"OIDC_RSA_PRIVATE_KEY is shorter than {KEY_SIZE} bits"
    return None


def development_signing_key(*, path: Path) -> str:
    """The key kept at ``path``, generated there first if missing (safe when several processes start at once)."""
    if path.is_file():
        return path.read_text()
    pem = (
        rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE)
        .private_bytes(
            encoding=serialization.Encoding.PEM,
            format=serialization.PrivateFormat.PKCS8,
            encryption_algorithm=serialization.NoEncryption(),
        )
        .decode()
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".oidc-key-")
    try:
        with os.fdopen(descriptor, "w") as handle:
            handle.write(pem)
        try:
            os.link(temporary, path)  # atomic, and fails if another process got there first: theirs wins
        except FileExistsError:
            pass
    finally:
        os.unlink(temporary)
    return path.read_text()
