"""Sign-in protection: lockout per account (on every host), throttle per IP address, two-factor
authentication (optional for everyone, compulsory for platform operators and organisation administrators)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.messages.storage.cookie import CookieStorage
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from django_tenants.utils import tenant_context

from shared_apps.accounts import selectors
from shared_apps.accounts.models import Account
from shared_apps.accounts.services.sign_in import account_authenticate
from shared_apps.accounts.services.two_factor import totp_setup_confirm, totp_setup_start
from shared_apps.operator.services import account_set_platform_operator
from shared_apps.people.services import local_user_for_account
from tenant_apps.members.services import membership_set_role
from tenants.roles import Role
from tests import accounts_support as support
from tests.accounts_support import code_for
from tests.harness.clients import client_for
from tests.harness.people import make_person

pytestmark = pytest.mark.django_db

own_cache, synced, after_commit = support.own_cache, support.synced, support.after_commit
account_mails_inline = support.account_mails_inline  # the account e-mails' task runs when queued
steady_totp_clock = support.steady_totp_clock

WRONG = "not the password at all"


def _sign_in(client, person, password=None, **extra):  # type: ignore[no-untyped-def]
    data = {"email": person.email, "password": person.password if password is None else password, **extra}
    return client.post("/accounts/login/", data)


def _account(person) -> Account:  # type: ignore[no-untyped-def]
    return Account.objects.get(pk=person.account.pk)


def _subsite_authenticate(organisation, email: str, password: str, ip: str = "127.0.0.1", **extra):  # type: ignore[no-untyped-def]
    """``AccountBackend`` on a subsite, as any code calling ``authenticate`` there would (Wagtail's own
    password forms send to the sign-on flow now, issue 13 #12): (the local user or None, the messages)."""
    request = RequestFactory().post("/", REMOTE_ADDR=ip)
    request._messages = CookieStorage(request)  # type: ignore[attr-defined]
    with tenant_context(organisation):
        user = authenticate(request, username=email, password=password, **extra)
    return user, " ".join(str(message) for message in request._messages._queued_messages)  # type: ignore[attr-defined]


def _signed_in(client) -> bool:  # type: ignore[no-untyped-def]
    return client.get("/accounts/profile/").status_code == 200


def _with_totp(person) -> str:  # type: ignore[no-untyped-def]
    """Turn on two-factor for ``person`` through the services; returns the secret."""
    account = _account(person)
    secret = totp_setup_start(account=account)
    totp_setup_confirm(account=account, code=code_for(secret))
    return secret


# --- Lockout ----------------------------------------------------------------------------------------------


def test_five_wrong_passwords_lock_the_account_for_15_minutes_with_a_clear_message(world):
    person = make_person(key="guessed", email="guessed@mail.example")
    client = client_for(None)
    for attempt in range(1, 5):
        response = _sign_in(client, person, WRONG)
        assert response.status_code == 422 and b"did not match" in response.content
        assert _account(person).failed_sign_ins == attempt

    fifth = _sign_in(client, person, WRONG)
    assert fifth.status_code == 429 and b"locked" in fifth.content and b"Try again after" in fifth.content
    assert 14 * 60 <= int(fifth["Retry-After"]) <= 15 * 60
    locked_until = _account(person).locked_until
    assert timedelta(minutes=14) < locked_until - timezone.now() <= timedelta(minutes=15)

    right = _sign_in(client, person)  # even the right password, while locked
    assert right.status_code == 429 and b"Try again after" in right.content
    assert not _signed_in(client)


def test_the_lock_grows_with_each_further_run_of_failures_and_a_success_resets_the_count(world):
    person = make_person(key="stubborn", email="stubborn@mail.example")
    client = client_for(None)
    for _ in range(5):
        _sign_in(client, person, WRONG)
    Account.objects.filter(pk=person.account.pk).update(locked_until=timezone.now() - timedelta(seconds=1))
    for _ in range(5):
        _sign_in(client, person, WRONG)
    assert timedelta(minutes=29) < _account(person).locked_until - timezone.now() <= timedelta(minutes=30)

    Account.objects.filter(pk=person.account.pk).update(locked_until=timezone.now() - timedelta(seconds=1))
    _sign_in(client, person, WRONG)
    assert _sign_in(client, person).status_code == 302 and _signed_in(client)
    account = _account(person)
    assert (account.failed_sign_ins, account.locked_until) == (0, None)
    assert account.last_login is not None


def test_the_lockout_holds_on_an_organisations_subsite_through_the_account_backend(world):
    """Subsites sign in through the shared space (OpenID Connect); anything calling ``authenticate`` there
    still checks passwords through ``AccountBackend`` (Wagtail's own forms take none: issue 13 #12)."""
    person = make_person(key="subsite", email="subsite@org-a.example", roles={world.org_a: Role.EDITOR})
    for _ in range(5):
        refused, _said = _subsite_authenticate(world.org_a, person.email, WRONG)
        assert refused is None
    assert _account(person).locked_until is not None
    locked, said = _subsite_authenticate(world.org_a, person.email, person.password)
    assert locked is None and "Try again after" in said
    with tenant_context(world.org_b):
        assert authenticate(username=person.email, password=person.password) is None
    assert _sign_in(client_for(None), person).status_code == 429  # one lock for the whole platform

    Account.objects.filter(pk=person.account.pk).update(locked_until=None, failed_sign_ins=0)
    signed_in, _said = _subsite_authenticate(world.org_a, person.email, person.password)
    assert signed_in is not None and signed_in.account_id == person.account.pk


def test_failures_on_the_shared_space_and_on_subsites_add_up(world):
    person = make_person(key="everywhere", email="everywhere@mail.example")
    for _ in range(2):
        _sign_in(client_for(None), person, WRONG)
    for organisation in (world.org_a, world.org_b):
        with tenant_context(organisation):
            assert authenticate(username=person.email, password=WRONG) is None
    assert _account(person).failed_sign_ins == 4
    assert account_authenticate(email=person.email, password=WRONG) is None
    assert _account(person).locked_until is not None
    assert account_authenticate(email=person.email, password=person.password) is None


# --- Throttle per IP address -----------------------------------------------------------------------------------


def test_an_ip_address_with_too_many_failures_waits_whatever_account_it_tries(world, settings):
    settings.ACCOUNT_IP_MAX_FAILURES = 4
    attacker = client_for(None)
    attacker.defaults["REMOTE_ADDR"] = "203.0.113.9"
    for number in range(4):
        response = attacker.post("/accounts/login/", {"email": f"guess{number}@mail.example", "password": WRONG})
    assert response.status_code == 422 and b"did not match" in response.content  # the fourth: still a plain "no"

    throttled = _sign_in(attacker, world.citizen)  # right password, but from that address
    assert throttled.status_code == 429 and b"from your network" in throttled.content
    assert int(throttled["Retry-After"]) > 0
    assert _account(world.citizen).failed_sign_ins == 0  # the account is not punished for it

    elsewhere = client_for(None)
    elsewhere.defaults["REMOTE_ADDR"] = "198.51.100.7"
    assert _sign_in(elsewhere, world.citizen).status_code == 302

    refused, said = _subsite_authenticate(world.org_a, world.a_editor.email, world.a_editor.password, ip="203.0.113.9")
    assert refused is None and "from your network" in said  # every host


# --- Two-factor authentication: optional ---------------------------------------------------------------------


def test_enable_confirm_sign_in_with_a_code_and_disable_two_factor(world, after_commit):
    person = make_person(key="careful", email="careful@mail.example")
    client = client_for(None, person=person)

    page = client.get("/accounts/two-factor/")
    assert page.status_code == 200 and b"<svg" in page.content
    account = _account(person)
    secret = account.totp_secret
    assert secret and account.totp_confirmed_at is None  # not counting before it is confirmed
    assert secret.encode() in page.content and b"otpauth://totp/GovSquare:careful%40mail.example" in page.content
    assert client.get("/accounts/two-factor/").content.count(secret.encode()) >= 1  # same secret on reload
    assert _account(person).totp_secret == secret
    assert _sign_in(client_for(None), person).status_code == 302  # still one step

    wrong = client.post("/accounts/two-factor/", {"code": "000000" if code_for(secret) != "000000" else "111111"})
    assert wrong.status_code == 422 and b"not right" in wrong.content
    with after_commit():
        confirmed = client.post("/accounts/two-factor/", {"code": code_for(secret)})
    assert confirmed.status_code == 302 and _account(person).totp_confirmed_at is not None
    assert selectors.account_second_factor_state(account=_account(person)) == selectors.SecondFactor.VERIFY

    browser = client_for(None)
    step_one = _sign_in(browser, person, next="/accounts/emails/")
    assert step_one.status_code == 302 and step_one["Location"] == "/accounts/login/two-factor/"
    assert not _signed_in(browser)  # the password alone does not sign in
    bad = browser.post("/accounts/login/two-factor/", {"code": "12345"})
    assert bad.status_code == 422 and _account(person).failed_sign_ins == 1
    done = browser.post("/accounts/login/two-factor/", {"code": code_for(secret, steps_ahead=1)})
    assert done.status_code == 302 and done["Location"] == "/accounts/emails/"
    assert _signed_in(browser) and _account(person).failed_sign_ins == 0

    replay = client_for(None)
    _sign_in(replay, person)
    reused = replay.post("/accounts/login/two-factor/", {"code": code_for(secret, steps_ahead=1)})
    assert reused.status_code == 422 and not _signed_in(replay)  # each code works once

    refused = browser.post("/accounts/two-factor/disable/", {"code": "999999"})
    assert refused.status_code == 422 and _account(person).totp_confirmed_at is not None
    off = browser.post("/accounts/two-factor/disable/", {"code": code_for(secret, steps_ahead=-1)})
    assert off.status_code == 302
    account = _account(person)
    assert (account.totp_secret, account.totp_confirmed_at) == ("", None)
    assert _sign_in(client_for(None), person).status_code == 302  # one step again


def test_codes_one_step_off_are_accepted_two_steps_off_are_not(world):
    person = make_person(key="drifter", email="drifter@mail.example")
    secret = _with_totp(person)  # used the current step's code
    browser = client_for(None)
    _sign_in(browser, person)
    assert browser.post("/accounts/login/two-factor/", {"code": code_for(secret, steps_ahead=2)}).status_code == 422
    assert browser.post("/accounts/login/two-factor/", {"code": code_for(secret, steps_ahead=-1)}).status_code == 302


def test_wrong_codes_count_towards_the_lockout(world):
    person = make_person(key="codeguesser", email="codeguesser@mail.example")
    secret = _with_totp(person)
    browser = client_for(None)
    _sign_in(browser, person)
    for _ in range(5):
        response = browser.post("/accounts/login/two-factor/", {"code": "000001"})
    assert response.status_code == 429 and b"Try again after" in response.content
    # The right password does not reset the count of wrong codes; the lock holds for the right code too.
    assert _sign_in(browser, person).status_code == 429
    Account.objects.filter(pk=person.account.pk).update(locked_until=None)
    _sign_in(browser, person)
    assert _account(person).failed_sign_ins == 5
    assert browser.post("/accounts/login/two-factor/", {"code": code_for(secret, steps_ahead=1)}).status_code == 302


def test_the_second_step_cannot_be_reached_without_the_first_or_after_it_went_stale(world, monkeypatch):
    person = make_person(key="stale", email="stale@mail.example")
    secret = _with_totp(person)
    assert client_for(None).get("/accounts/login/two-factor/")["Location"] == "/accounts/login/"

    browser = client_for(None)
    _sign_in(browser, person)
    monkeypatch.setattr("shared_apps.accounts.views.common.PENDING_SECONDS", -1)
    late = browser.post("/accounts/login/two-factor/", {"code": code_for(secret, steps_ahead=1)})
    assert late.status_code == 302 and late["Location"] == "/accounts/login/" and not _signed_in(browser)


def test_a_signed_in_session_survives_nothing_it_should_not_the_next_parameter_stays_on_this_host(world):
    browser = client_for(None)
    response = _sign_in(browser, world.citizen, next="https://evil.example/")
    assert response.status_code == 302 and response["Location"] == "/"


# --- Two-factor authentication: compulsory for operators and administrators ---------------------------------------


def test_an_operator_must_set_up_two_factor_before_anything_else(world, after_commit):
    person = make_person(key="op", email="op@platform.example")
    account_set_platform_operator(account=person.account, value=True)
    assert selectors.account_second_factor_state(account=_account(person)) == selectors.SecondFactor.SETUP

    browser = client_for(None)
    first = _sign_in(browser, person, next="/operator/")
    assert first.status_code == 302 and first["Location"] == "/accounts/two-factor/"
    assert browser.get("/operator/")["Location"].startswith("/accounts/login/")  # nothing else yet
    assert not _signed_in(browser)
    assert browser.get("/accounts/login/two-factor/")["Location"] == "/accounts/two-factor/"

    page = browser.get("/accounts/two-factor/")
    assert page.status_code == 200 and b"Required for your account" in page.content
    secret = _account(person).totp_secret
    with after_commit():
        done = browser.post("/accounts/two-factor/", {"code": code_for(secret)})
    assert done.status_code == 302 and done["Location"] == "/operator/"
    assert browser.get("/operator/").status_code == 200

    again = client_for(None)
    assert _sign_in(again, person)["Location"] == "/accounts/login/two-factor/"  # from now on: the code
    cannot = browser.post("/accounts/two-factor/disable/", {"code": code_for(secret, steps_ahead=1)})
    assert cannot.status_code == 422 and b"required for platform operators" in cannot.content
    assert _account(person).totp_confirmed_at is not None


def test_an_organisation_administrator_must_use_two_factor_and_a_member_need_not(world):
    admin = _account(world.a_admin)
    assert [o.slug for o in selectors.account_administered_organisations(account=admin)] == ["org-a"]
    assert selectors.account_second_factor_required(account=admin)
    assert not selectors.account_second_factor_required(account=_account(world.a_member))
    assert not selectors.account_second_factor_required(account=_account(world.a_editor_b_member))

    assert _sign_in(client_for(None), world.a_admin)["Location"] == "/accounts/two-factor/"
    member = client_for(None)
    assert _sign_in(member, world.a_member)["Location"] == "/" and _signed_in(member)


def test_the_requirement_follows_the_role_at_once(world):
    person = make_person(key="promoted", email="promoted@org-b.example", roles={world.org_b: Role.MEMBER})
    assert not selectors.account_second_factor_required(account=_account(person))
    with tenant_context(world.org_b):
        membership_set_role(user=local_user_for_account(account=person.account), role=Role.ADMINISTRATOR)
    assert selectors.account_second_factor_required(account=_account(person))
    with tenant_context(world.org_b):
        membership_set_role(user=local_user_for_account(account=person.account), role=Role.EDITOR)
    assert not selectors.account_second_factor_required(account=_account(person))


def test_on_a_subsite_the_password_alone_does_not_let_an_administrator_in(world):
    refused, said = _subsite_authenticate(world.org_a, world.a_admin.email, world.a_admin.password)
    assert refused is None and "Set it up at http://govsquare.localhost" in said

    secret = _with_totp(world.a_admin)
    no_code, said = _subsite_authenticate(world.org_a, world.a_admin.email, world.a_admin.password)
    assert no_code is None and "two-factor" in said
    with tenant_context(world.org_a):
        user = authenticate(
            username=world.a_admin.email, password=world.a_admin.password, otp_code=code_for(secret, steps_ahead=1)
        )
    assert user is not None and user.account_id == world.a_admin.account.pk


def test_sign_out_and_the_plain_url_names_django_uses(world):
    urlconf = settings.PUBLIC_SCHEMA_URLCONF
    assert reverse("login", urlconf=urlconf) == settings.LOGIN_URL == "/accounts/login/"
    assert reverse("logout", urlconf=urlconf) == reverse("accounts:logout", urlconf=urlconf) == "/accounts/logout/"

    browser = client_for(None)
    assert _sign_in(browser, world.citizen).status_code == 302 and _signed_in(browser)
    assert browser.get("/accounts/logout/").status_code == 200 and _signed_in(browser)  # GET only asks
    signed_out = browser.post("/accounts/logout/")
    assert signed_out.status_code == 302 and signed_out["Location"] == settings.LOGOUT_REDIRECT_URL
    assert not _signed_in(browser)
