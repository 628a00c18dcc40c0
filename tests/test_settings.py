"""Settings come from the environment; production refuses insecure defaults and says which."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from govsquare.layout import REPO_ROOT
from govsquare.settings.base import env as settings_env


def _signing_key() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


SAFE = {
    "DEBUG": "false",
    "SECRET_KEY": "k" * 50,
    "ALLOWED_HOSTS": "govsquare.example,.govsquare.example",
    "PLATFORM_DOMAIN": "govsquare.example",
    "OIDC_RSA_PRIVATE_KEY": _signing_key(),
}


def _load_production(env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS"}}
    clean |= env | {"DJANGO_SETTINGS_MODULE": "govsquare.settings.production"}
    code = "import django; django.setup(); from django.conf import settings; print(settings.PLATFORM_DOMAIN)"
    return subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, env=clean, capture_output=True, text=True)


def test_production_starts_with_a_safe_configuration():
    result = _load_production(SAFE)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "govsquare.example"


@pytest.mark.parametrize(
    ("override", "reason"),
    [
        ({"DEBUG": "true"}, "DEBUG is on"),
        ({"SECRET_KEY": ""}, "SECRET_KEY is the development default or empty"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY is shorter than 32 characters"),
        ({"ALLOWED_HOSTS": "*"}, "ALLOWED_HOSTS contains the wildcard"),
        ({"OIDC_RSA_PRIVATE_KEY": ""}, "OIDC_RSA_PRIVATE_KEY"),
    ],
)
def test_production_refuses_each_insecure_default_and_names_it(override, reason):
    result = _load_production(SAFE | override)
    assert result.returncode != 0
    assert "Refusing to start in production" in result.stderr
    assert reason in result.stderr


def test_production_lists_every_problem_at_once():
    env = {k: v for k, v in SAFE.items() if k != "SECRET_KEY"} | {"DEBUG": "1", "ALLOWED_HOSTS": "*"}
    result = _load_production(env)
    assert "DEBUG is on" in result.stderr
    assert "SECRET_KEY is the development default" in result.stderr
    assert "wildcard" in result.stderr


def test_settings_read_the_environment(settings):
    assert settings.DATABASES["default"]["ENGINE"] == "django_tenants.postgresql_backend"
    assert settings.CACHES["default"]["KEY_FUNCTION"] == "django_tenants.cache.make_key"
    assert settings_env.db_url_config("postgres://u:p@db.example:6543/x")["PORT"] == 6543
