"""Who may find what in the platform search: the viewer, and the trim as ONE SQL condition.

Nothing here decides anew who may see a page or a group. The two rules are the organisation side's
(``tenant_apps.pages.visibility``: a viewer sees a level when ``level >= viewer.highest_restriction_seen``
— members of the organisation every level, civil servants ``civil_servants`` and ``public``, anyone else
``public``) and the groups' (``shared_apps.groups.access``: ``visible_groups_condition`` for a group,
``readable_groups_condition`` for its content). ``trim_condition`` is their SQL form over ``SearchEntry``;
``tests/test_search.py`` checks it against ``can_view`` for every level and kind of viewer.

The organisations a person is a member of are read from the schemas that hold a local user of theirs
(``LocalUserLink``), in one query through the ``roles_of_accounts`` hook: never from every schema.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Q

from shared_apps.accounts.models import Account, LocalUserLink
from shared_apps.accounts.selectors import account_for_user, account_is_civil_servant
from shared_apps.groups.access import (
    ANONYMOUS as ANONYMOUS_GROUP_VIEWER,
)
from shared_apps.groups.access import (
    GroupViewer,
    readable_groups_condition,
    viewer_for_account,
    viewer_for_user,
    visible_groups_condition,
)
from shared_apps.groups.models import Group
from shared_apps.search.models import SearchEntry
from tenants import organisation_hooks
from tenants.models import Organisation


@dataclass(frozen=True)
class SearchViewer:
    """A person searching, worked out once per request (``search_viewer_for_request``)."""

    account_id: object | None = None
    civil_servant: bool = False
    #: ids of the active organisations the person is a member of (any role, or a superuser of its schema)
    member_organisation_ids: frozenset[int] = frozenset()
    groups: GroupViewer = field(default_factory=lambda: ANONYMOUS_GROUP_VIEWER)
    #: the organisation whose subsite the search is made on (``None``: the shared space)
    current_organisation_id: int | None = None

    @property
    def signed_in(self) -> bool:
        return self.account_id is not None


def member_organisation_ids(*, account: Account) -> frozenset[int]:
    """The active organisations ``account`` is a member of, as the subsites' visibility counts membership
    (a role there, or the schema's superuser flag). Reads only the schemas holding a local user of the account."""
    schemas = list(
        LocalUserLink.objects.filter(account=account)
        .exclude(schema_name=settings.PUBLIC_SCHEMA_NAME)
        .values_list("schema_name", flat=True)
    )
    if not schemas:
        return frozenset()
    organisations = dict(
        Organisation.objects.filter(schema_name__in=schemas, status=Organisation.Status.ACTIVE).values_list(
            "schema_name", "pk"
        )
    )
    if not organisations:
        return frozenset()
    roles = organisation_hooks.roles_of_accounts.call_one(account_ids=[account.pk], schema_names=list(organisations))
    return frozenset(
        organisations[schema_name]
        for (schema_name, _account_id), held in roles.items()
        if held.role is not None or held.administers
    )


def search_viewer_for_account(
    *, account: Account | None, current_organisation_id: int | None = None, groups: GroupViewer | None = None
) -> SearchViewer:
    """The viewer for an account (``None`` or an inactive account: anonymous)."""
    if account is None or account.pk is None or not account.is_active:
        return SearchViewer(current_organisation_id=current_organisation_id)
    return SearchViewer(
        account_id=account.pk,
        civil_servant=account_is_civil_servant(account=account),
        member_organisation_ids=member_organisation_ids(account=account),
        groups=groups if groups is not None else viewer_for_account(account),
        current_organisation_id=current_organisation_id,
    )


def search_viewer_for_request(request: Any) -> SearchViewer:
    """The viewer for a request on the shared space or on a subsite (its organisation is "this organisation")."""
    tenant = getattr(request, "tenant", None)
    current = tenant.pk if isinstance(tenant, Organisation) else None
    user = getattr(request, "user", None)
    account = account_for_user(user=user)
    if account is None:
        return SearchViewer(current_organisation_id=current)
    return search_viewer_for_account(account=account, current_organisation_id=current, groups=viewer_for_user(user))


def organisation_entries_condition(*, viewer: SearchViewer) -> Q:
    """Organisation content the viewer may see: the SQL form of ``tenant_apps.pages.visibility.can_view``,
    of active organisations only (a suspended organisation's content is found by no one)."""
    audience = Q(audience=SearchEntry.Audience.PUBLIC)
    if viewer.civil_servant:
        audience |= Q(audience=SearchEntry.Audience.CIVIL_SERVANTS)
    if viewer.member_organisation_ids:
        audience |= Q(organisation_id__in=sorted(viewer.member_organisation_ids))
    active = Organisation.objects.filter(status=Organisation.Status.ACTIVE).values("pk")
    return Q(source=SearchEntry.Source.ORGANISATION, organisation_id__in=active) & audience


def group_entries_condition(*, viewer: SearchViewer) -> Q:
    """Groups the viewer may see, and the content of groups whose content they may read (hidden items are
    never in the index)."""
    visible = Group.objects.filter(visible_groups_condition(viewer=viewer.groups)).values("pk")
    readable = Group.objects.filter(readable_groups_condition(viewer=viewer.groups)).values("pk")
    groups = Q(kind=SearchEntry.Kind.GROUP, group_id__in=visible)
    content = ~Q(kind=SearchEntry.Kind.GROUP) & Q(group_id__in=readable)
    return Q(source=SearchEntry.Source.GROUP) & (groups | content)


def trim_condition(*, viewer: SearchViewer) -> Q:
    """Every entry the viewer may find, as one filter on ``SearchEntry``."""
    return organisation_entries_condition(viewer=viewer) | group_entries_condition(viewer=viewer)
