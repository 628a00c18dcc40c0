"""Every organisation admin screen that writes through an audited service ends its request in that
organisation's schema: the audit record is written in the public schema, and the caller's schema comes
back (``tenants.schemas.in_schema`` / ``in_public_schema``), so the session, the messages and the redirect
that follow are the organisation's.

A probe middleware, placed just inside the one that picks the organisation, records the schema the
connection is in when the response goes back out; messages are kept in the session, so a session
saved in the wrong schema loses them (or fails the request).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.test import override_settings
from wagtail.models import Collection

from shared_apps.accounts.models import Invitation, JoinRequest
from shared_apps.people.services import local_user_for_account
from tenant_apps.members.memberships import membership_invite
from tenants.audit import Actor
from tenants.models import AuditEvent
from tenants.schemas import in_public_schema, in_schema
from tests.harness.clients import client_for
from tests.harness.people import make_person

pytestmark = pytest.mark.django_db

SEEN: list[str] = []


class SchemaProbe:
    """Records ``connection.schema_name`` as each response leaves the view and the inner middleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        SEEN.append(connection.schema_name)
        return response


def _with_probe() -> list[str]:
    middleware = list(settings.MIDDLEWARE)
    index = middleware.index("tenants.middleware.OrganisationMiddleware")
    middleware.insert(index + 1, f"{__name__}.SchemaProbe")
    return middleware


def _prepare_visibility(world):  # type: ignore[no-untyped-def]
    return "/admin/visibility/", {"default_visibility": "civil_servants"}


def _prepare_collection_level(world):  # type: ignore[no-untyped-def]
    with in_schema(world.org_a):
        collection = Collection.get_first_root_node().add_child(instance=Collection(name="Probe collection"))
    return f"/admin/visibility/collections/{collection.pk}/", {"level": "organisation"}


def _prepare_invite(world):  # type: ignore[no-untyped-def]
    return "/admin/members/invitations/", {"email": "newcomer@mail.example", "role": "member"}


def _invitation(world) -> Invitation:  # type: ignore[no-untyped-def]
    return membership_invite(
        organisation=world.org_a, email="invited@mail.example", role="member", actor=Actor.system()
    )


def _prepare_resend(world):  # type: ignore[no-untyped-def]
    return f"/admin/members/invitations/{_invitation(world).pk}/resend/", {}


def _prepare_revoke(world):  # type: ignore[no-untyped-def]
    return f"/admin/members/invitations/{_invitation(world).pk}/revoke/", {}


def _join_request(world) -> JoinRequest:  # type: ignore[no-untyped-def]
    person = make_person(key="asks", email="asks@mail.example", roles={})
    return JoinRequest.objects.create(account=person.account, organisation=world.org_a, message="Please")


def _prepare_approve(world):  # type: ignore[no-untyped-def]
    return f"/admin/members/requests/{_join_request(world).pk}/approve/", {}


def _prepare_refuse(world):  # type: ignore[no-untyped-def]
    return f"/admin/members/requests/{_join_request(world).pk}/refuse/", {}


def _member_id(world) -> int:  # type: ignore[no-untyped-def]
    with in_schema(world.org_a):
        return local_user_for_account(account=world.a_member.account).pk


def _prepare_change_role(world):  # type: ignore[no-untyped-def]
    return f"/admin/members/{_member_id(world)}/role/", {"role": "editor"}


def _prepare_remove(world):  # type: ignore[no-untyped-def]
    return f"/admin/members/{_member_id(world)}/remove/", {}


SCREENS = {
    "visibility default": _prepare_visibility,
    "collection level": _prepare_collection_level,
    "invite": _prepare_invite,
    "resend invitation": _prepare_resend,
    "revoke invitation": _prepare_revoke,
    "approve join request": _prepare_approve,
    "refuse join request": _prepare_refuse,
    "change role": _prepare_change_role,
    "remove member": _prepare_remove,
}


@pytest.mark.parametrize("screen", list(SCREENS))
def test_an_audited_write_in_the_organisations_admin_ends_in_its_schema(world, screen):
    path, data = SCREENS[screen](world)
    admin = client_for(world.org_a, person=world.a_admin)
    before = AuditEvent.objects.count()
    SEEN.clear()
    with override_settings(
        MIDDLEWARE=_with_probe(), MESSAGE_STORAGE="django.contrib.messages.storage.session.SessionStorage"
    ):
        response = admin.post(path, data)
        assert response.status_code == 302, (screen, response.status_code, response.content[:300])
        assert SEEN == [world.org_a.schema_name], screen
        assert AuditEvent.objects.count() > before  # the audited service wrote its record (public schema)
        key = admin.session.session_key
        with in_schema(world.org_a):
            saved = Session.objects.get(session_key=key).get_decoded()
        assert saved.get("_messages"), f"{screen}: the message was not saved with the organisation's session"
        with in_public_schema():
            assert not Session.objects.filter(session_key=key).exists()
        # The redirect lands in the organisation's admin, and the message is shown there once.
        followed = admin.get(response["Location"])
        assert followed.status_code == 200
        assert SEEN[-1] == world.org_a.schema_name
        with in_schema(world.org_a):
            assert not Session.objects.get(session_key=key).get_decoded().get("_messages")
