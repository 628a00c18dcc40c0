"""Who did what to which organisation, and how it ended: every registry operation goes through ``audited``."""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction

from tenants.errors import error_for_people
from tenants.models import AuditEvent
from tenants.schemas import in_public_schema, in_schema


@dataclass(frozen=True)
class Actor:
    """Who asks for an operation: an operator's account, a token, the command line or the system."""

    label: str

    @classmethod
    def cli(cls) -> Actor:
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


@contextmanager
def audited(*, actor: Actor, action: str, organisation_slug: str = "", **detail: Any) -> Iterator[dict[str, Any]]:
    """Record ``action`` as a success when the block ends, or as a failure (with the reason) when it raises.

    The success is written in the caller's transaction (it commits or rolls back with the work); the
    failure is written after the block has unwound, so it survives the rollback. The yielded dict can
    receive more detail during the operation. Records are written in the public schema; the caller's
    schema is put back afterwards (``tenants.schemas``), so an organisation's request goes on in its own.
    """
    extra: dict[str, Any] = dict(detail)
    try:
        yield extra
    except BaseException as error:
        _record_failure(actor=actor, action=action, organisation_slug=organisation_slug, detail=extra, error=error)
        raise
    with in_public_schema():
        AuditEvent.objects.create(
            actor=actor.label,
            action=action,
            organisation_slug=organisation_slug,
            outcome=AuditEvent.Outcome.SUCCESS,
            detail=extra,
        )


@contextmanager
def audited_in(*, tenant: Any, actor: Actor, action: str, **detail: Any) -> Iterator[dict[str, Any]]:
    """``audited`` in ``tenant``'s trail around a block that runs in ``tenant``'s schema (an organisation,
    or a schema name); the caller's schema is back in place afterwards, whether the block succeeded or not."""
    with audited(actor=actor, action=action, organisation_slug=getattr(tenant, "slug", ""), **detail) as extra:
        with in_schema(tenant):
            yield extra


def _record_failure(
    *, actor: Actor, action: str, organisation_slug: str, detail: dict[str, Any], error: BaseException
) -> None:
    if connection.needs_rollback and connection.in_atomic_block:
        return  # inside a broken outer transaction the record could not be written; the outer level records it
    with in_public_schema(), transaction.atomic():
        AuditEvent.objects.create(
            actor=actor.label,
            action=action,
            organisation_slug=organisation_slug,
            outcome=AuditEvent.Outcome.FAILURE,
            detail={**detail, "error": error_for_people(error)},
        )
