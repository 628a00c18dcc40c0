"""Groups in the shared space: who sees, finds, opens, joins and manages them — from every kind of viewer.

Every test asks "and from the other organisation?" (org B's staff, a third organisation's) and "and as a
citizen?". Content tabs have their own test modules (tests/test_group_*.py).
"""

from __future__ import annotations

import json
import re
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shared_apps.accounts.models import Account, AccountEmail
from shared_apps.accounts.personal_data.erasure import personal_data_delete_run
from shared_apps.accounts.personal_data.export import personal_data_export_run
from shared_apps.group_discussions.models import Discussion, Reply
from shared_apps.group_discussions.services import discussion_create
from shared_apps.group_events.services import EventFields, event_create
from shared_apps.group_files.services import file_upload
from shared_apps.groups import access
from shared_apps.groups.models import Group, GroupInvitation, GroupJoinRequest, GroupMembership
from shared_apps.groups.services import groups as group_services
from shared_apps.groups.services import invitations, join_requests, memberships
from shared_apps.groups.services.moderation import report_create
from tenants.audit import Actor
from tenants.models import AuditEvent, Job, Organisation
from tenants.schemas import in_schema
from tests.accounts_support import account_mails_inline  # noqa: F401 (autouse: the e-mails' task runs when queued)
from tests.harness.clients import client_for
from tests.harness.people import make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """``with sent(): ...``: the e-mails the block queued for after commit go out at its end (the tests'
    transaction never commits)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


Role = GroupMembership.Role


def _invitation_link(address: str) -> str:
    """The link of the last invitation mailed to ``address`` (its path on the shared space)."""
    message = [m for m in mail.outbox if address in m.to][-1]
    return re.search(r"http://[^/\s]+(/groups/invitations/[^/\s]+/)", message.body).group(1)


def _event_fields() -> EventFields:
    starts = timezone.now() + timedelta(days=7)
    return EventFields(
        title="Kick-off", description="", starts_at=starts, ends_at=starts + timedelta(hours=1), place="Online"
    )


def _listed(client, query: str = "") -> list[str]:  # type: ignore[no-untyped-def]
    page = client.get("/groups/", {"q": query} if query else {})
    assert page.status_code == 200
    return re.findall(r'href="/groups/([a-z0-9-]+)/"', page.content.decode())


def test_a_group_in_seconds_with_sensible_defaults(civil_servants):
    client = civil_servants.client(civil_servants.a_member)
    assert client.get("/groups/new/").status_code == 200
    response = client.post("/groups/new/", {"name": "Climate adaptation", "purpose": "Share what works."})
    group = Group.objects.get(name="Climate adaptation")
    assert response.status_code == 302 and response["Location"] == f"/groups/{group.slug}/"
    assert (group.visibility, group.audience, group.joining) == ("open", "civil_servants", "open")
    assert GroupMembership.objects.get(group=group).role == Role.OWNER
    assert AuditEvent.objects.filter(action="group.create", outcome="success").exists()
    # Bad input: a clear error, nothing made.
    refused = client.post("/groups/new/", {"name": "", "purpose": "x"})
    assert refused.status_code == 400 and b"Give the group a name." in refused.content
    assert Group.objects.count() == 1


def test_citizens_cannot_create_groups_unless_the_platform_says_so(civil_servants, settings):
    citizen = civil_servants.citizen
    assert civil_servants.client(citizen).post("/groups/new/", {"name": "Mine", "purpose": "p"}).status_code == 403
    assert not Group.objects.exists()
    settings.GROUPS_CREATORS = "everyone"
    assert civil_servants.client(citizen).post("/groups/new/", {"name": "Mine", "purpose": "p"}).status_code == 302
    assert civil_servants.client(None).get("/groups/new/").status_code == 302  # anonymous: sign in first


def test_an_invitation_only_group_across_organisations_with_a_citizen_and_a_newcomer(
    civil_servants, make_group, c_member, sent
):
    world = civil_servants
    owner = world.a_member
    group = make_group(owner, name="Hidden taskforce", visibility="hidden", joining="invitation")
    manager = world.client(owner)
    for address in (world.b_member.email, world.citizen.email, "newcomer@mail.example"):
        with sent():
            assert manager.post(f"/groups/{group.slug}/manage/invite/", {"email": address}).status_code == 302
    assert GroupInvitation.objects.filter(group=group).count() == 3

    # A member of org B and a citizen follow their links, signed in, and join.
    for person in (world.b_member, world.citizen):
        client = world.client(person)
        link = _invitation_link(person.email)
        assert client.get(f"/groups/{group.slug}/").status_code == 200  # an invitee knows the group exists
        assert client.post(link).status_code == 302
        assert GroupMembership.objects.filter(group=group, account=person.account, role=Role.MEMBER).exists()
    # Someone without an account signs up through the link and lands in the group.
    link = _invitation_link("newcomer@mail.example")
    newcomer = client_for(None)
    assert b"newcomer@mail.example" in newcomer.get(link).content
    response = newcomer.post(link, {"display_name": "New Comer", "password": "a long enough passphrase"})
    assert response.status_code == 302 and response["Location"] == f"/groups/{group.slug}/"
    account = Account.objects.get(email="newcomer@mail.example")
    assert AccountEmail.objects.get(account=account).verified_at is not None  # the link proved the address
    assert GroupMembership.objects.filter(group=group, account=account).exists()
    assert newcomer.get(f"/groups/{group.slug}/members/").status_code == 200
    assert newcomer.get(link).status_code == 404  # a used invitation works no more
    # Each of them posts: a discussion from org B, replies from the citizen and the newcomer.
    started = world.client(world.b_member).post(
        f"/groups/{group.slug}/discussions/new/", {"title": "Hello from B", "body": "Across organisations."}
    )
    assert started.status_code == 302
    discussion = Discussion.objects.get(group=group, title="Hello from B")
    for client in (world.client(world.citizen), newcomer):
        reply = client.post(f"/groups/{group.slug}/discussions/{discussion.pk}/reply/", {"body": "Here too."})
        assert reply.status_code == 302
    assert Reply.objects.filter(discussion=discussion).count() == 2
    event = event_create(group=group, author=owner.account, fields=_event_fields())
    stored = file_upload(
        group=group, actor=owner.account, upload=ContentFile(b"minutes\n", name="minutes.txt"), folder_id=None
    )
    # The member list shows each person's organisation, or "citizen".
    members = world.client(world.b_member).get(f"/groups/{group.slug}/members/").content.decode()
    assert "Organisation A" in members and "Organisation B" in members and "citizen" in members

    # A civil servant of a third organisation neither lists, finds nor opens it: the answer of a missing group.
    outsider = world.client(c_member)
    missing = outsider.get("/groups/no-such-group/")
    assert group.slug not in _listed(outsider) and group.slug not in _listed(outsider, "taskforce")
    for path in (
        "",
        "members/",
        "activity/",
        "manage/",
        "discussions/",
        f"discussions/{discussion.pk}/",
        "events/",
        f"events/{event.pk}/",
        f"events/{event.pk}/calendar.ics",
        "files/",
        f"files/{stored.pk}/download/",
        "wiki/",
    ):
        found = outsider.get(f"/groups/{group.slug}/{path}")
        assert (found.status_code, found.content) == (missing.status_code, missing.content), path
    assert outsider.post(f"/groups/{group.slug}/join/").status_code == 404
    # ...nor does anyone signed out.
    assert client_for(None).get(f"/groups/{group.slug}/").status_code == 404


def test_an_open_civil_servant_group_is_found_and_joined_by_any_civil_servant_but_not_by_a_citizen(
    civil_servants, make_group, c_member
):
    group = make_group(civil_servants.a_member, name="Open data practice")
    outsider = civil_servants.client(c_member)
    assert group.slug in _listed(outsider, "open data")
    assert outsider.get(f"/groups/{group.slug}/activity/").status_code == 200  # open: readable without joining
    assert outsider.post(f"/groups/{group.slug}/join/").status_code == 302
    assert GroupMembership.objects.filter(group=group, account=c_member.account).exists()
    citizen = civil_servants.client(civil_servants.citizen)
    assert group.slug not in _listed(citizen, "open data")
    assert citizen.get(f"/groups/{group.slug}/").status_code == 404
    assert citizen.post(f"/groups/{group.slug}/join/").status_code == 404
    assert not GroupMembership.objects.filter(group=group, account=civil_servants.citizen.account).exists()
    # A group for civil servants and citizens welcomes the citizen.
    everyone = make_group(civil_servants.a_member, name="Neighbourhood plans", audience="everyone")
    assert everyone.slug in _listed(citizen)
    assert citizen.post(f"/groups/{everyone.slug}/join/").status_code == 302
    assert GroupMembership.objects.filter(group=everyone, account=civil_servants.citizen.account).exists()
    # Signed out: listed and introduced, content behind sign-in.
    anonymous = client_for(None)
    assert everyone.slug in _listed(anonymous) and group.slug not in _listed(anonymous)
    assert anonymous.get(f"/groups/{everyone.slug}/").status_code == 200
    assert anonymous.get(f"/groups/{everyone.slug}/activity/").status_code == 302


def test_a_closed_group_shows_its_introduction_but_not_its_content_to_non_members(civil_servants, make_group, c_member):
    group = make_group(civil_servants.a_member, name="Closed circle", visibility="closed", joining="request")
    group_services.group_update(
        group=group, actor=civil_servants.a_member.account, introduction="<p>We meet <script>x()</script>monthly.</p>"
    )
    outsider = civil_servants.client(c_member)
    page = outsider.get(f"/groups/{group.slug}/")
    assert page.status_code == 200 and b"We meet monthly." in page.content and b"<script>" not in page.content
    discussion_create(group=group, author=civil_servants.a_member.account, kind="discussion", title="Inside", body="x")
    for path in ("members/", "activity/", "discussions/", "events/", "files/", "wiki/"):
        refused = outsider.get(f"/groups/{group.slug}/{path}")
        assert refused.status_code == 403 and b"Inside" not in refused.content, path
    member = civil_servants.client(civil_servants.a_member)
    assert member.get(f"/groups/{group.slug}/activity/").status_code == 200


def test_a_join_request_is_approved_and_another_refused_and_each_person_is_told(
    civil_servants, make_group, c_member, sent
):
    owner = civil_servants.a_member
    group = make_group(owner, name="By request", visibility="closed", joining="request")
    for person in (civil_servants.b_member, c_member):
        client = civil_servants.client(person)
        assert client.post(f"/groups/{group.slug}/join/").status_code == 302  # refused: asks to request
        assert not GroupMembership.objects.filter(group=group, account=person.account).exists()
        assert client.post(f"/groups/{group.slug}/request/", {"message": "I work on this."}).status_code == 302
    approve, refuse = GroupJoinRequest.objects.filter(group=group).order_by("pk")
    manager = civil_servants.client(owner)
    assert b"I work on this." in manager.get(f"/groups/{group.slug}/manage/").content
    mail.outbox.clear()
    with sent():
        manager.post(f"/groups/{group.slug}/manage/requests/{approve.pk}/approve/")
        manager.post(f"/groups/{group.slug}/manage/requests/{refuse.pk}/refuse/")
    assert GroupMembership.objects.filter(group=group, account=civil_servants.b_member.account).exists()
    assert not GroupMembership.objects.filter(group=group, account=c_member.account).exists()
    told = {message.to[0]: message.subject for message in mail.outbox}
    assert "Welcome" in told[civil_servants.b_member.email] and "request" in told[c_member.email]
    # Deciding twice changes nothing; a member cannot decide.
    with pytest.raises(Exception, match="decided already"):
        join_requests.group_join_request_approve(group=group, actor=owner.account, request_id=refuse.pk)
    with pytest.raises(Exception, match="owners and administrators"):
        join_requests.group_join_request_refuse(
            group=group, actor=civil_servants.b_member.account, request_id=approve.pk
        )


def test_the_last_owner_cannot_leave_without_handing_over(civil_servants, make_group):
    owner, other = civil_servants.a_member, civil_servants.b_member
    group = make_group(owner, members=(other,))
    response = civil_servants.client(owner).post(f"/groups/{group.slug}/leave/", follow=True)
    assert b"hand ownership to another member" in response.content
    assert GroupMembership.objects.filter(group=group, account=owner.account, role=Role.OWNER).exists()
    memberships.ownership_transfer(group=group, actor=owner.account, account_id=other.account.pk)
    assert GroupMembership.objects.get(group=group, account=other.account).role == Role.OWNER
    assert GroupMembership.objects.get(group=group, account=owner.account).role == Role.ADMINISTRATOR
    memberships.group_leave(group=group, account=owner.account)
    with pytest.raises(Exception, match="only owner"):
        memberships.group_leave(group=group, account=other.account)
    with pytest.raises(Exception, match="at least one owner"):
        memberships.member_set_role(group=group, actor=other.account, account_id=other.account.pk, role="member")


def test_a_removed_member_loses_access_to_every_tab_at_once(civil_servants, make_group):
    owner, member = civil_servants.a_member, civil_servants.citizen
    group = make_group(owner, members=(member,), visibility="hidden", joining="invitation", audience="everyone")
    stored = file_upload(group=group, actor=owner.account, upload=ContentFile(b"notes\n", name="notes.txt"))
    client = civil_servants.client(member)
    assert client.get(f"/groups/{group.slug}/files/{stored.pk}/download/").status_code == 200
    civil_servants.client(owner).post(f"/groups/{group.slug}/manage/members/{member.account.pk}/remove/")
    for path in (
        "",
        "members/",
        "activity/",
        "discussions/",
        "events/",
        "files/",
        "wiki/",
        f"files/{stored.pk}/download/",
    ):
        assert client.get(f"/groups/{group.slug}/{path}").status_code == 404, path


def test_a_demoted_administrator_loses_moderation_at_once(civil_servants, make_group):
    owner, helper = civil_servants.a_member, civil_servants.b_member
    group = make_group(owner, members=(helper,))
    memberships.member_set_role(group=group, actor=owner.account, account_id=helper.account.pk, role="administrator")
    client = civil_servants.client(helper)
    assert client.get(f"/groups/{group.slug}/manage/").status_code == 200
    # An administrator cannot touch the owner.
    with pytest.raises(Exception, match="Only an owner"):
        memberships.member_set_role(group=group, actor=helper.account, account_id=owner.account.pk, role="member")
    memberships.member_set_role(group=group, actor=owner.account, account_id=helper.account.pk, role="member")
    assert client.get(f"/groups/{group.slug}/manage/").status_code == 403
    assert not access.can_moderate(viewer=access.viewer_for_account(helper.account), group=group)
    assert client.post(f"/groups/{group.slug}/manage/invite/", {"email": "x@mail.example"}).status_code == 403


def test_invitations_expire_can_be_resent_and_withdrawn(civil_servants, make_group, sent):
    owner = civil_servants.a_member
    group = make_group(owner, joining="invitation", visibility="hidden")
    with sent():
        invitation = invitations.group_invite(group=group, actor=owner.account, email="later@mail.example")
    first = _invitation_link("later@mail.example")
    with pytest.raises(Exception, match="open invitation already"):
        invitations.group_invite(group=group, actor=owner.account, email="LATER@mail.example")
    with sent():
        invitations.group_invitation_resend(group=group, actor=owner.account, invitation_id=invitation.pk)
    second = _invitation_link("later@mail.example")
    assert first != second and client_for(None).get(first).status_code == 404  # the old link stops working
    GroupInvitation.objects.filter(pk=invitation.pk).update(expires_at="2000-01-01T00:00:00Z")
    assert client_for(None).get(second).status_code == 404
    with sent():
        renewed = invitations.group_invite(group=group, actor=owner.account, email="later@mail.example")
    invitations.group_invitation_withdraw(group=group, actor=owner.account, invitation_id=renewed.pk)
    assert client_for(None).get(_invitation_link("later@mail.example")).status_code == 404
    # Bad input: a clear error, nothing stored.
    with pytest.raises(Exception, match="valid e-mail"):
        invitations.group_invite(group=group, actor=owner.account, email="not an address")


def test_operators_archive_and_delete_a_group_and_every_action_is_audited(civil_servants, make_group):
    owner = civil_servants.a_member
    group = make_group(owner, members=(civil_servants.b_member,))
    operator = make_person(key="operator", email="operator@govsquare.example", roles={})
    Account.objects.filter(pk=operator.account.pk).update(is_platform_operator=True)
    operator.account.refresh_from_db()
    with pytest.raises(Exception, match="Only platform operators"):
        group_services.group_archive(group=group, operator=owner.account)
    group_services.group_archive(group=group, operator=operator.account)
    group.refresh_from_db()
    assert group.is_archived and not access.can_write(viewer=access.viewer_for_account(owner.account), group=group)
    with pytest.raises(Exception, match="archived"):
        group_services.group_update(group=group, actor=owner.account, name="New name")
    with pytest.raises(Exception, match="to confirm"):
        group_services.group_delete(group=group, operator=operator.account, confirmation="wrong")
    group_services.group_delete(group=group, operator=operator.account, confirmation=group.slug)
    assert not Group.objects.filter(pk=group.pk).exists()
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"group.create", "group.archive", "group.delete"} <= actions
    assert Actor.operator(operator.email).label in set(AuditEvent.objects.values_list("actor", flat=True))


def test_the_directory_puts_my_groups_first_and_finds_by_tag(civil_servants, make_group):
    a = make_group(civil_servants.b_member, name="Alpha")
    b = make_group(civil_servants.a_member, name="Zulu")
    group_services.group_update(group=a, actor=civil_servants.b_member.account, tags="Water, water ,roads")
    a.refresh_from_db()
    assert a.tags == ["water", "roads"]
    listed = _listed(civil_servants.client(civil_servants.a_member))
    assert listed.index(b.slug) < listed.index(a.slug)  # "my groups" first
    tagged = civil_servants.client(civil_servants.a_member).get("/groups/", {"tag": "water"}).content.decode()
    assert a.slug in tagged and b.slug not in tagged


def test_the_directory_and_a_groups_members_take_a_bounded_number_of_queries(civil_servants, make_group):
    """The same number of queries with 3 and with 30 members and groups (measured in one test, so that it
    holds whichever test process runs it)."""
    owner = civil_servants.a_member
    group = make_group(owner)
    client = civil_servants.client(owner)
    client.get("/groups/")  # warm the session and caches
    paths = ("/groups/", f"/groups/{group.slug}/members/", f"/groups/{group.slug}/", f"/groups/{group.slug}/activity/")
    counted: dict[str, dict[int, int]] = {path: {} for path in paths}
    made = 0
    for count in (3, 30):
        for n in range(made, count):
            memberships.membership_add(
                group=group, account=make_person(key=f"p{n}", email=f"p{n}@org-a.example", roles={}).account
            )
            make_group(owner, name=f"Group {n}")
        made = count
        for path in paths:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(path).status_code == 200
            assert len(queries) <= 30, (path, [q["sql"][:120] for q in queries.captured_queries])
            counted[path][count] = len(queries)
    for path, by_count in counted.items():
        assert by_count[30] == by_count[3], f"{path}: {by_count} — a query per item"


def test_a_persons_groups_are_in_their_data_export_and_their_deletion_leaves_the_group_an_owner(
    civil_servants, make_group
):
    owner, member = civil_servants.a_member, civil_servants.b_member
    group = make_group(owner, members=(member,), name="Exported")
    job = Job.objects.create(account_id=member.account.pk, kind=Job.Kind.PERSONAL_EXPORT, requested_by="test")
    with zipfile.ZipFile(personal_data_export_run(job=job)) as archive:
        data = json.loads(archive.read("groups.json"))
    assert [m["slug"] for m in data["memberships"]] == [group.slug]
    job = Job.objects.create(account_id=member.account.pk, kind=Job.Kind.PERSONAL_DELETE, requested_by="test")
    personal_data_delete_run(job=job)
    assert list(GroupMembership.objects.filter(group=group).values_list("role", flat=True)) == ["owner"]
    # The only owner's account goes: the group passes to its longest-standing member.
    heir = make_person(key="heir", email="heir@org-b.example", roles={})
    memberships.membership_add(group=group, account=heir.account)
    job = Job.objects.create(account_id=owner.account.pk, kind=Job.Kind.PERSONAL_DELETE, requested_by="test")
    personal_data_delete_run(job=job)
    assert GroupMembership.objects.get(group=group, account=heir.account).role == "owner"


def test_a_groups_picture_is_served_only_to_those_who_may_see_the_group(civil_servants, make_group, c_member):
    owner = civil_servants.a_member
    group = make_group(owner, visibility="hidden", joining="invitation")
    png = SimpleUploadedFile("logo.png", _PNG, content_type="image/png")
    with in_schema(Organisation.objects.get(slug="org-a")):
        # Even from an organisation's schema, the picture goes to the shared space's folder, never the organisation's.
        group_services.group_update(group=group, actor=owner.account, picture=png)
    group.refresh_from_db()
    assert group.picture.path.startswith(str(Path(settings.MEDIA_ROOT) / "public" / "groups" / "pictures"))
    assert "logo" not in group.picture.name
    member = civil_servants.client(owner).get(f"/groups/{group.slug}/picture/")
    assert member.status_code == 200 and b"".join(member.streaming_content) == _PNG
    assert "private" in member["Cache-Control"] and member["X-Content-Type-Options"] == "nosniff"
    assert civil_servants.client(c_member).get(f"/groups/{group.slug}/picture/").status_code == 404
    assert civil_servants.client(civil_servants.citizen).get(f"/groups/{group.slug}/picture/").status_code == 404
    assert (
        f"/media/{group.picture.name}".encode()
        not in civil_servants.client(owner).get(f"/groups/{group.slug}/").content
    )
    # A file that is not a picture, or too large, is refused with a clear error, and nothing is stored.
    with pytest.raises(Exception, match="JPEG, PNG or WebP"):
        group_services.group_update(
            group=group, actor=owner.account, picture=SimpleUploadedFile("x.png", b"not", content_type="text/plain")
        )
    group.refresh_from_db()
    assert group.picture.name.endswith(".png")


_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def test_platform_operators_see_every_groups_reports_and_decide_them(civil_servants, make_group):
    owner, member = civil_servants.a_member, civil_servants.b_member
    group = make_group(owner, members=(member,), visibility="hidden", joining="invitation")
    discussion = discussion_create(group=group, author=owner.account, kind="discussion", title="Spam here", body="x")
    report = report_create(group=group, reporter=member.account, item=discussion, reason="Advertising")
    operator = make_person(key="op", email="op@govsquare.example", roles={})
    Account.objects.filter(pk=operator.account.pk).update(is_platform_operator=True)
    assert civil_servants.client(member).get("/groups/reports/").status_code == 403
    operators = civil_servants.client(operator)
    listed = operators.get("/groups/reports/")
    assert listed.status_code == 200 and b"Advertising" in listed.content and b"Spam here" in listed.content
    hidden = operators.post(
        f"/groups/{group.slug}/moderate/{report.target_type_id}/{discussion.pk}/hide/", {"back": "/groups/reports/"}
    )
    assert hidden.status_code == 302 and hidden["Location"] == "/groups/reports/"
    discussion.refresh_from_db()
    report.refresh_from_db()
    assert discussion.is_hidden and report.status == "hidden"
    assert b"Advertising" not in operators.get("/groups/reports/").content
    assert AuditEvent.objects.filter(action="group.item.hide", outcome="success").exists()
    # A group's own slug never takes the operators' address.
    assert make_group(owner, name="Reports").slug != "reports"
