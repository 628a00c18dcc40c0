"""Who did what to which organisation, and how it ended: every registry operation goes through ``audited``."""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import QuerySet

from tenants.errors import error_for_people
from tenants.models import AuditEvent, Organisation
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
def audited(
    *,
    actor: Actor,
    action: str,
    organisation_slug: str = "",
    organisation: Organisation | None = None,
    **detail: Any,
) -> Iterator[dict[str, Any]]:
    """Record ``action`` as a success when the block ends, or as a failure (with the reason) when it raises.

    The success is written in the caller's transaction (it commits or rolls back with the work); the
    failure is written after the block has unwound, so it survives the rollback. The yielded dict can
    receive more detail during the operation. Records are written in the public schema; the caller's
    schema is put back afterwards (``tenants.schemas``), so an organisation's request goes on in its own.

    The event is keyed by the organisation's id (``organisation``, else the organisation holding
    ``organisation_slug`` when the block starts, or when it ends if it was created in the block), so a
    later organisation that reuses the slug does not inherit this one's trail.
    """
    if organisation is not None:
        organisation_slug = organisation_slug or organisation.slug
    organisation_id = organisation.pk if organisation is not None else _organisation_id_of(organisation_slug)
    extra: dict[str, Any] = dict(detail)
    try:
        yield extra
    except BaseException as error:
        _record_failure(
            actor=actor,
            action=action,
            organisation_slug=organisation_slug,
            organisation_id=organisation_id,
            detail=extra,
            error=error,
        )
        raise
    with in_public_schema():
        AuditEvent.objects.create(
            actor=actor.label,
            action=action,
            organisation_slug=organisation_slug,
            organisation_id=organisation_id or _organisation_id_of(organisation_slug),
            outcome=AuditEvent.Outcome.SUCCESS,
            detail=extra,
        )


@contextmanager
def audited_in(*, tenant: Any, actor: Actor, action: str, **detail: Any) -> Iterator[dict[str, Any]]:
    """``audited`` in ``tenant``'s trail around a block that runs in ``tenant``'s schema (an organisation,
    or a schema name); the caller's schema is back in place afterwards, whether the block succeeded or not."""
    organisation = tenant if isinstance(tenant, Organisation) else None
    with audited(
        actor=actor,
        action=action,
        organisation_slug=getattr(tenant, "slug", ""),
        organisation=organisation,
        **detail,
    ) as extra:
        with in_schema(tenant):
            yield extra


def organisation_audit_trail(*, organisation: Organisation, action: str = "") -> QuerySet[AuditEvent]:
    """The organisation's own trail, newest first (by its id: never a former holder of its slug's events),
    only the events of ``action`` if given."""
    events = AuditEvent.objects.filter(organisation_id=organisation.pk)
    if action:
        events = events.filter(action=action)
    return events.order_by("-at", "-id")


def organisation_audit_actions(*, organisation: Organisation) -> list[str]:
    """The actions that occur in the organisation's trail, for a filter."""
    return list(
        AuditEvent.objects.filter(organisation_id=organisation.pk)
        .order_by("action")
        .values_list("action", flat=True)
        .distinct()
    )


def _organisation_id_of(slug: str) -> int | None:
    if not slug:
        return None
    with in_public_schema():
        return Organisation.objects.filter(slug=slug).values_list("pk", flat=True).first()


def _record_failure(
    *,
    actor: Actor,
    action: str,
    organisation_slug: str,
    organisation_id: int | None,
    detail: dict[str, Any],
    error: BaseException,
) -> None:
    if connection.needs_rollback and connection.in_atomic_block:
        return  # inside a broken outer transaction the record could not be written; the outer level records it
    organisation_id = organisation_id or _organisation_id_of(organisation_slug)
    with in_public_schema(), transaction.atomic():
        AuditEvent.objects.create(
            actor=actor.label,
            action=action,
            organisation_slug=organisation_slug,
            organisation_id=organisation_id,
            outcome=AuditEvent.Outcome.FAILURE,
            detail={**detail, "error": error_for_people(error)},
        )
