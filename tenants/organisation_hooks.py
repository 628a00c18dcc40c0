"""What the public side asks the organisation side to do: hook points, registered for in ``AppConfig.ready()``.

The public side (``tenants``, ``shared_apps``) never depends on ``tenant_apps``: the layering contract
enforces it.
Where it needs work done in an organisation's schema — a new organisation's site seeded, a person's data
exported or erased, the roles people hold read across schemas — it calls one of the hook points declared
below; the organisation-side apps that do the work register for them when Django starts, the way Wagtail's
hooks let an app add itself::

    # in an organisation-side app's apps.py (say, a news app)
    def ready(self):
        organisation_hooks.personal_data_export.register(news_personal_data.export_news, order=40)

A new organisation-side app adds its share by registering, without editing the public side. Every hook
point is declared here, with what it receives and returns, so this file is the whole list of what crosses
the boundary in that direction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from tenants.roles import Role


@dataclass
class HookPoint:
    """A named place where organisation-side apps plug in.

    ``single`` points need exactly one implementation (calling one with none or several is a
    configuration error, said at once); the others run every implementation in ``order``.
    """

    name: str
    doc: str
    single: bool = False
    _registered: list[tuple[int, int, Callable[..., Any]]] = field(default_factory=list, repr=False)

    def register(self, fn: Callable[..., Any] | None = None, *, order: int = 0) -> Any:
        """Register ``fn`` (or use as ``@point.register`` / ``@point.register(order=10)``). Idempotent."""

        def add(function: Callable[..., Any]) -> Callable[..., Any]:
            if all(existing is not function for _, _, existing in self._registered):
                self._registered.append((order, len(self._registered), function))
                self._registered.sort(key=lambda entry: entry[:2])
            return function

        return add(fn) if fn is not None else add

    def unregister(self, fn: Callable[..., Any]) -> None:
        self._registered = [entry for entry in self._registered if entry[2] is not fn]

    @property
    def implementations(self) -> list[Callable[..., Any]]:
        return [function for _, _, function in self._registered]

    def call_all(self, **kwargs: Any) -> list[Any]:
        """Call every implementation in order with ``kwargs``; their results, in the same order."""
        return [function(**kwargs) for function in self.implementations]

    def call_one(self, **kwargs: Any) -> Any:
        """Call the one implementation of a ``single`` point."""
        found = self.implementations
        if len(found) != 1:
            raise ImproperlyConfigured(
                f"Hook point {self.name!r} needs exactly one implementation, found {len(found)}: "
                "an organisation-side app must register for it in its AppConfig.ready()."
            )
        return found[0](**kwargs)


@dataclass(frozen=True)
class OrganisationRole:
    """What ``roles_of_accounts`` answers for one account in one organisation schema."""

    role: Role | None  # its role there; ``None``: a local user without membership
    administers: bool  # an administrator there (the role, the group, or the schema's superuser flag)


site_seed = HookPoint(
    "site_seed",
    single=True,
    doc="site_seed(*, name, hostname, blueprint, apps) -> Site. Build a new organisation's Wagtail site from a "
    "blueprint, in the current (the organisation's or a warm-pool) schema.",
)
site_personalise = HookPoint(
    "site_personalise",
    single=True,
    doc="site_personalise(*, name, hostname, blueprint) -> None. Turn a warm-pool site seeded for a placeholder "
    "into the organisation's, in the current schema.",
)
local_user_created = HookPoint(
    "local_user_created",
    doc="local_user_created(*, user, account) -> None. A person's local user was just made in the current schema "
    "(their first arrival): apply what awaits them there (invitations, automatic joining).",
)
roles_of_accounts = HookPoint(
    "roles_of_accounts",
    single=True,
    doc="roles_of_accounts(*, account_ids, schema_names) -> dict[(schema_name, account_id), OrganisationRole]. "
    "What each account is in each of the named organisation schemas (absent: no active local user there), read "
    "live in one query.",
)
administrator_counts = HookPoint(
    "administrator_counts",
    single=True,
    doc="administrator_counts(*, schema_names) -> dict[schema_name, int]. Active administrators per organisation "
    "schema, read live in one query.",
)
personal_data_export = HookPoint(
    "personal_data_export",
    doc="personal_data_export(*, account, local_user, archive, folder) -> None. Add a person's data in the current "
    "schema to their export: archive.json(name, data) / archive.file(name, field_file) "
    "(shared_apps.accounts.personal_data.archive.PersonalArchive), names under ``folder`` (the schema's).",
)
personal_data_erase = HookPoint(
    "personal_data_erase",
    doc="personal_data_erase(*, account, local_user) -> dict[str, int]. Erase or anonymise a person's data in the "
    "current organisation schema (their contributions stay, anonymised); counts of what was done.",
)
apps_switched = HookPoint(
    "apps_switched",
    doc="apps_switched(*, organisation, switched_on, switched_off) -> None. The organisation's apps of the catalogue "
    "changed (``tenants.services.organisation_set_apps``, in its schema and transaction): make what an app "
    "switched on needs and has not got yet (its menu section). Nothing is deleted for an app switched off.",
)

search_entries_of_organisation = HookPoint(
    "search_entries_of_organisation",
    single=True,
    doc="search_entries_of_organisation(*, organisation) -> list[shared_apps.search.services.EntryData]. Every "
    "search entry of the organisation's content (live pages, documents), each with its effective level as its "
    "audience, read in the current (the organisation's) schema.",
)
