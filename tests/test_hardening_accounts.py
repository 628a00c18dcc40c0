"""Hardening of the account flows (issue 13): defects 8 (mail from a worker, with retries), 10 (the client's
address behind the proxy) and 14 (an unverified address someone else added does not block a sign-up)."""

from __future__ import annotations

from smtplib import SMTPException, SMTPServerDisconnected

import pytest
from celery.exceptions import Retry
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.core.mail.backends.base import BaseEmailBackend
from django.test import RequestFactory
from django.utils import translation
from django.utils.translation import gettext as _
from django_tenants.utils import tenant_context

from shared_apps.accounts import mail as account_mail
from shared_apps.accounts.models import Account, AccountEmail, Invitation
from shared_apps.accounts.services.accounts import account_sign_up
from shared_apps.accounts.services.addresses import account_email_add
from shared_apps.accounts.services.invitations import invitation_create, invitation_sign_up
from tenant_apps.members.memberships import join_request_approve, join_request_create, join_request_refuse
from tenants.audit import Actor
from tenants.models import Job, Organisation
from tenants.provisioning import organisation_create
from tenants.roles import Role
from tests import accounts_support as support
from tests.accounts_support import GOOD_PASSWORD, link_in, mails_to
from tests.harness.clients import client_for
from tests.harness.people import make_person

pytestmark = pytest.mark.django_db

own_cache, synced, after_commit = support.own_cache, support.synced, support.after_commit
account_mails_inline = support.account_mails_inline  # the account e-mails' task runs when queued
steady_totp_clock = support.steady_totp_clock

WRONG = "not the password at all"
PROXY = "10.0.0.1"


def _sign_up(client, *, email: str, name: str = "New Person"):  # type: ignore[no-untyped-def]
    data = {"email": email, "display_name": name, "password": GOOD_PASSWORD, "password_again": GOOD_PASSWORD}
    return client.post("/accounts/signup/", data)


# --- Defect 8: mail from a worker, with retries ----------------------------------------------------------------


class DownBackend(BaseEmailBackend):
    """A mail server that is down: every send fails, and is counted."""

    attempts = 0

    def send_messages(self, email_messages):  # type: ignore[no-untyped-def]
        DownBackend.attempts += 1
        raise SMTPServerDisconnected("the mail server is down")


@pytest.fixture
def smtp_down(settings):  # type: ignore[no-untyped-def]
    settings.EMAIL_BACKEND = "tests.test_hardening_accounts.DownBackend"
    DownBackend.attempts = 0


@pytest.fixture
def queued(monkeypatch) -> list[dict]:  # type: ignore[no-untyped-def,type-arg]
    """The account e-mails queued for the worker, which has not run them yet."""
    calls: list[dict] = []  # type: ignore[type-arg]
    monkeypatch.setattr(account_mail.account_mail_send, "delay", lambda **kwargs: calls.append(kwargs))
    return calls


def _worker_retries(call: dict) -> None:  # type: ignore[type-arg]
    """The worker runs the queued e-mail while the server is down: it is to be tried again, later."""
    attempts = DownBackend.attempts
    with pytest.raises(Retry) as retried:
        account_mail.account_mail_send.apply(kwargs=call)
    assert isinstance(retried.value.exc, SMTPException) and DownBackend.attempts == attempts + 1


def test_the_mail_task_is_retried_with_backoff_and_acknowledged_late():
    task = account_mail.account_mail_send
    assert task.max_retries == 6 and task.retry_backoff is True and task.acks_late is True
    assert set(account_mail.MAIL_ERRORS) <= set(task.autoretry_for)
    assert {SMTPException, OSError, ConnectionError} <= set(task.autoretry_for)


def test_a_mail_server_that_is_down_never_turns_a_completed_sign_up_into_an_error(
    world, smtp_down, queued, django_capture_on_commit_callbacks, settings
):
    client = client_for(None)
    with django_capture_on_commit_callbacks(execute=True):
        response = _sign_up(client, email="down.signup@mail.example")
    assert response.status_code == 302 and response["Location"] == "/accounts/profile/"
    assert Account.objects.filter(email="down.signup@mail.example").exists()
    assert client.get("/accounts/profile/").status_code == 200  # signed in
    assert DownBackend.attempts == 0  # the request never talked to the mail server
    [call] = queued
    _worker_retries(call)

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # the server is back
    assert account_mail.account_mail_send.apply(kwargs=call).get() == "sent"
    [message] = mails_to("down.signup@mail.example")
    assert link_in(message).startswith("/accounts/verify/")


def test_provisioning_with_a_first_administrator_completes_while_the_mail_server_is_down(
    world, smtp_down, queued, django_capture_on_commit_callbacks, settings
):
    with django_capture_on_commit_callbacks(execute=True):
        organisation = organisation_create(name="Mail Down", slug="mail-down", admin_email="boss@mail-down.example")
    organisation.refresh_from_db()
    assert organisation.status == Organisation.Status.ACTIVE
    assert Job.objects.filter(organisation=organisation).get().state == Job.State.READY
    assert Invitation.objects.filter(organisation=organisation, email__iexact="boss@mail-down.example").exists()
    assert DownBackend.attempts == 0
    [call] = queued
    _worker_retries(call)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert account_mail.account_mail_send.apply(kwargs=call).get() == "sent"
    [message] = mails_to("boss@mail-down.example")
    assert "mail-down.govsquare.localhost" in message.body and "/accounts/invitation/" in message.body


def test_a_reset_request_does_the_same_work_whether_or_not_the_address_has_an_account(
    world, smtp_down, queued, django_capture_on_commit_callbacks, settings
):
    answers = []
    for address in (world.a_member.email, "nobody@nowhere.example", world.citizen.email):
        with django_capture_on_commit_callbacks(execute=True):
            answers.append(client_for(None).post("/accounts/password/reset/", {"email": address}))
    assert [(r.status_code, r["Location"]) for r in answers] == [(302, "/accounts/password/reset/done/")] * 3
    assert DownBackend.attempts == 0  # no request waited for the mail server
    # One task each, of the same kind: what the request does cannot tell the addresses apart.
    assert [sorted(call) for call in queued] == [["builder", "params"]] * 3
    assert len({call["builder"] for call in queued}) == 1

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    outcomes = [account_mail.account_mail_send.apply(kwargs=call).get() for call in queued]
    assert outcomes == ["sent", "skipped", "sent"]
    assert mails_to("nobody@nowhere.example") == []
    assert len(mails_to(world.a_member.email)) == 1 and len(mails_to(world.citizen.email)) == 1


def test_the_worker_builds_the_mail_in_the_recipients_language_from_the_rows_as_they_are(
    world, queued, django_capture_on_commit_callbacks
):
    dutch = make_person(key="dutch", email="dutch@mail.example")
    Account.objects.filter(pk=dutch.account.pk).update(language="nl")
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):  # an English request
        client_for(None).post("/accounts/password/reset/", {"email": dutch.email})
    with translation.override("nl"):
        expected = _("Set a new password for GovSquare")
    assert expected != "Set a new password for GovSquare"  # the catalogue has it
    assert account_mail.account_mail_send.apply(kwargs=queued[-1]).get() == "sent"
    [message] = mails_to(dutch.email)
    assert message.subject == expected

    # An invitation withdrawn before the worker gets to it is not mailed.
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invitation_create(
            organisation=world.org_b, email="late@mail.example", role=Role.MEMBER, actor=Actor.system("t")
        )
    invitation.delete()
    assert account_mail.account_mail_send.apply(kwargs=queued[-1]).get() == "skipped"
    assert mails_to("late@mail.example") == []


def test_an_organisations_join_decisions_are_mailed_by_the_worker_in_the_askers_language(
    world, smtp_down, queued, django_capture_on_commit_callbacks, settings
):
    asker = make_person(key="asker-nl", email="asker.nl@mail.example")
    Account.objects.filter(pk=asker.account.pk).update(language="nl")
    other = make_person(key="asker-en", email="asker.en@mail.example")
    with tenant_context(world.org_b):
        approved = join_request_create(organisation=world.org_b, account=asker.account)
        refused = join_request_create(organisation=world.org_b, account=other.account)
        with django_capture_on_commit_callbacks(execute=True):  # the mail server is down: the decisions stand
            join_request_approve(organisation=world.org_b, join_request_id=approved.pk, actor=Actor.system("t"))
            join_request_refuse(organisation=world.org_b, join_request_id=refused.pk, actor=Actor.system("t"))
    assert DownBackend.attempts == 0 and len(queued) == 2
    _worker_retries(queued[0])

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert [account_mail.account_mail_send.apply(kwargs=call).get() for call in queued] == ["sent", "sent"]
    with translation.override("nl"):
        welcome = _("Welcome to %(organisation)s on GovSquare") % {"organisation": world.org_b.name}
    [dutch] = mails_to(asker.email)
    assert dutch.subject == welcome and "org-b.govsquare.localhost" in dutch.body
    [english] = mails_to(other.email)
    assert english.subject == f"Your request to join {world.org_b.name}" and "not approved" in english.body


# --- Defect 10: the client's address behind the proxy ---------------------------------------------------------


@pytest.fixture
def behind_proxy(settings):  # type: ignore[no-untyped-def]
    settings.TRUSTED_PROXY_COUNT = 1
    settings.IPWARE_TRUSTED_PROXY_LIST = [PROXY]
    settings.ACCOUNT_IP_MAX_FAILURES = 50


def _via_proxy(organisation, forwarded_for: str):  # type: ignore[no-untyped-def]
    """A client whose requests reach the application through nginx (which appends the client's address)."""
    client = client_for(organisation)
    client.defaults.update({"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": forwarded_for})
    return client


def test_fifty_failed_sign_ins_behind_the_proxy_lock_out_that_client_only(world, behind_proxy):
    attacker = _via_proxy(None, "203.0.113.9")
    for number in range(50):
        response = attacker.post("/accounts/login/", {"email": f"guess{number}@mail.example", "password": WRONG})
        assert response.status_code in (422, 429)
    right = {"email": world.citizen.email, "password": world.citizen.password}
    assert attacker.post("/accounts/login/", right).status_code == 429  # that client: throttled
    # What the client writes itself in X-Forwarded-For (left of what nginx appends) buys no fresh address.
    spoofing = _via_proxy(None, "192.0.2.77, 203.0.113.9")
    assert spoofing.post("/accounts/login/", right).status_code == 429

    # Another client behind the same proxy, a citizen and a member of org A: not locked out.
    neighbour = _via_proxy(None, "198.51.100.7")
    assert neighbour.post("/accounts/login/", right).status_code == 302
    member = {"email": world.a_member.email, "password": world.a_member.password}
    assert _via_proxy(None, "198.51.100.8").post("/accounts/login/", member).status_code == 302


def test_the_subsites_account_backend_counts_the_forwarded_client_too(world, behind_proxy, settings):
    settings.ACCOUNT_IP_MAX_FAILURES = 3
    factory = RequestFactory()

    def attempt(forwarded_for: str, person, password: str):  # type: ignore[no-untyped-def]
        request = factory.post("/admin/login/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded_for)
        request.session = {}  # type: ignore[attr-defined]
        with tenant_context(world.org_b):
            return authenticate(request, username=person.email, password=password)

    for _attempt in range(3):
        assert attempt("203.0.113.9", world.b_member, WRONG) is None
    assert attempt("203.0.113.9", world.b_member, world.b_member.password) is None  # throttled on org B
    user = attempt("198.51.100.7", world.b_member, world.b_member.password)  # the neighbour behind the proxy
    assert user is not None and user.email == world.b_member.email


def test_forwarded_headers_from_a_client_that_did_not_come_through_the_proxy_are_ignored(world, behind_proxy):
    direct = client_for(None)
    direct.defaults["REMOTE_ADDR"] = "203.0.113.50"  # not the proxy
    for number in range(50):  # a new X-Forwarded-For each time does not spread the attempts
        direct.defaults["HTTP_X_FORWARDED_FOR"] = f"192.0.2.{number}"
        direct.post("/accounts/login/", {"email": f"guess{number}@mail.example", "password": WRONG})
    right = {"email": world.citizen.email, "password": world.citizen.password}
    assert direct.post("/accounts/login/", right).status_code == 429


# --- Defect 14: an unverified address added by someone else does not block a sign-up ---------------------------


def test_an_address_someone_else_added_unverified_does_not_block_its_owners_sign_up(world, after_commit):
    squatter = make_person(key="squatter", email="squatter@mail.example")
    with after_commit():
        account_email_add(account=squatter.account, email="Owner@Mail.example")
    [claim_mail] = mails_to("owner@mail.example")
    claim_link = link_in(claim_mail)

    with after_commit():
        response = _sign_up(client_for(None), email="owner@mail.example", name="The Owner")
    assert response.status_code == 302 and response["Location"] == "/accounts/profile/"
    owner = Account.objects.get(email__iexact="owner@mail.example")
    assert owner.emails.get().is_primary
    # The unverified claim is gone from the squatter's account, and its link verifies nothing any more.
    assert not AccountEmail.objects.filter(account=squatter.account, email__iexact="owner@mail.example").exists()
    assert client_for(None).post(claim_link).status_code == 422
    assert AccountEmail.objects.filter(email__iexact="owner@mail.example").get().account_id == owner.pk


def test_a_verified_or_primary_address_of_another_account_still_blocks_a_sign_up(world):
    holder = make_person(key="holder", email="holder@mail.example")
    row = account_email_add(account=holder.account, email="verified.second@mail.example")
    AccountEmail.objects.filter(pk=row.pk).update(verified_at=holder.account.date_joined)
    for address in ("verified.second@mail.example", "HOLDER@mail.example", world.a_member.email):
        with pytest.raises(ValidationError, match="already exists"):
            account_sign_up(email=address, display_name="Someone", password=GOOD_PASSWORD)
    assert AccountEmail.objects.filter(pk=row.pk).exists()


def test_an_invited_address_someone_else_added_unverified_gets_a_sign_up_link_and_signs_up(world, after_commit):
    squatter = make_person(key="squatter2", email="squatter2@mail.example")
    account_email_add(account=squatter.account, email="invited.owner@mail.example")
    with after_commit():
        invitation_create(
            organisation=world.org_a, email="invited.owner@mail.example", role=Role.MEMBER, actor=Actor.system("t")
        )
    [message] = [m for m in mails_to("invited.owner@mail.example") if "invited" in m.subject]
    assert "/accounts/invitation/" in message.body  # a sign-up link, not "sign in" to an account they lack
    page = client_for(None).get(link_in(message))
    assert page.status_code == 200  # the sign-up form, not "there is an account already: sign in"
    assert "accounts/invitation_sign_up.html" in [template.name for template in page.templates]
    token = link_in(message).rstrip("/").rsplit("/", 1)[-1]
    account = invitation_sign_up(token=token, display_name="Invited Owner", password=GOOD_PASSWORD)
    assert account.email == "invited.owner@mail.example"
    assert not AccountEmail.objects.filter(account=squatter.account, email__iexact=account.email).exists()
    Invitation.objects.filter(organisation=world.org_a, email__iexact=account.email).delete()
