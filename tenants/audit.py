"""Who did what to which organisation, and how it ended: every registry operation goes through ``audited``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction

from tenants.models import AuditEvent


@dataclass(frozen=True)
class Actor:
    """Who asks for an operation: an operator's account, a token, the command line or the system."""

    label: str

    @classmethod
    def cli(cls) -> Actor:
        import getpass

        try:
            user = getpass.getuser()
        except Exception:  # noqa: BLE001 - no login name in some containers
            user = "unknown"
        return cls(f"cli:{user}")

    @classmethod
    def system(cls, what: str = "platform") -> Actor:
        return cls(f"system:{what}")

    @classmethod
    def operator(cls, email: str) -> Actor:
        return cls(f"operator:{email}")

    @classmethod
    def token(cls, name: str, email: str) -> Actor:
        return cls(f"token:{name} ({email})")


def _describe(error: BaseException) -> str:
    if isinstance(error, ValidationError):
        if hasattr(error, "error_dict"):
            return "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in error.message_dict.items())
        return " ".join(error.messages)
    return f"{type(error).__name__}: {error}"


@contextmanager
def audited(*, actor: Actor, action: str, organisation_slug: str = "", **detail: Any) -> Iterator[dict[str, Any]]:
    """Record ``action`` as a success when the block ends, or as a failure (with the reason) when it raises.

    The success is written in the caller's transaction (it commits or rolls back with the work); the
    failure is written after the block has unwound, so it survives the rollback. The yielded dict can
    receive more detail during the operation.
    """
    extra: dict[str, Any] = dict(detail)
    try:
        yield extra
    except BaseException as error:
        _record_failure(actor=actor, action=action, organisation_slug=organisation_slug, detail=extra, error=error)
        raise
    connection.set_schema_to_public()
    AuditEvent.objects.create(
        actor=actor.label,
        action=action,
        organisation_slug=organisation_slug,
        outcome=AuditEvent.Outcome.SUCCESS,
        detail=extra,
    )


@contextmanager
def audited_in(*, tenant: Any, actor: Actor, action: str, **detail: Any) -> Iterator[dict[str, Any]]:
    """``audited`` in ``tenant``'s trail around a block that runs in ``tenant``'s schema.

    ``audited`` leaves the connection in the public schema; the caller's schema (a request's
    organisation, a ``tenant_context``) is restored, whether the block succeeded or not.
    """
    from django_tenants.utils import tenant_context

    previous = connection.tenant
    try:
        with audited(actor=actor, action=action, organisation_slug=getattr(tenant, "slug", ""), **detail) as extra:
            with tenant_context(tenant):
                yield extra
    finally:
        connection.set_tenant(previous)


def _record_failure(
    *, actor: Actor, action: str, organisation_slug: str, detail: dict[str, Any], error: BaseException
) -> None:
    if connection.needs_rollback and connection.in_atomic_block:
        return  # inside a broken outer transaction the record could not be written; the outer level records it
    connection.set_schema_to_public()
    with transaction.atomic():
        AuditEvent.objects.create(
            actor=actor.label,
            action=action,
            organisation_slug=organisation_slug,
            outcome=AuditEvent.Outcome.FAILURE,
            detail={**detail, "error": _describe(error)[:2000]},
        )
