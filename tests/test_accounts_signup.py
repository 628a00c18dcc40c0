"""One account for the whole platform, made by the person: sign-up, verification, passwords, addresses,
invitations, profile (the shared space's /accounts/ pages and their services)."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_tenants.utils import tenant_context
from PIL import Image

from govsquare.settings import base as base_settings
from shared_apps.accounts.models import Account, AccountEmail, Invitation
from shared_apps.accounts.selectors import account_for_user, invitation_for_token
from shared_apps.accounts.services.accounts import account_sign_up
from shared_apps.accounts.services.addresses import account_email_add
from shared_apps.accounts.services.invitations import invitation_create
from shared_apps.accounts.tokens import invitation_token_new
from shared_apps.people.models import User
from shared_apps.people.services import local_user_for_account
from tenant_apps.members.selectors import role_of
from tenants.audit import Actor
from tenants.roles import Role
from tests import accounts_support as support
from tests.accounts_support import GOOD_PASSWORD, link_in, mails_to
from tests.harness.clients import client_for
from tests.harness.people import make_person

pytestmark = pytest.mark.django_db

own_cache, synced, after_commit = support.own_cache, support.synced, support.after_commit
account_mails_inline = support.account_mails_inline  # the account e-mails' task runs when queued
steady_totp_clock = support.steady_totp_clock

OPERATOR = Actor.system("tests")


def _sign_up(client, *, email="new.person@mail.example", name="New Person", password=GOOD_PASSWORD, again=None):  # type: ignore[no-untyped-def]
    return client.post(
        "/accounts/signup/",
        {"email": email, "display_name": name, "password": password, "password_again": again or password},
    )


# --- Sign-up and verification ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/accounts/signup/", "/accounts/login/", "/accounts/password/reset/", "/accounts/password/reset/done/"]
)
def test_the_account_pages_are_on_the_shared_space_only(world, path):
    page = client_for(None).get(path)
    assert page.status_code == 200 and b"<title>" in page.content and b"GovSquare" in page.content
    if path != "/accounts/login/":  # a subsite's /accounts/login/ is its own (single sign-on)
        assert client_for(world.org_a).get(path).status_code == 404


def test_sign_up_makes_an_unverified_account_signs_in_and_sends_a_verification_link(world, after_commit):
    client = client_for(None)
    with after_commit():
        response = _sign_up(client)

    assert response.status_code == 302 and response["Location"] == "/accounts/profile/"
    account = Account.objects.get(email="new.person@mail.example")
    assert account.check_password(GOOD_PASSWORD) and account.display_name == "New Person"
    primary = account.emails.get()
    assert primary.is_primary and primary.verified_at is None
    page = client.get("/accounts/profile/")
    assert page.status_code == 200 and b"not verified yet" in page.content  # signed in on the shared space

    [message] = mails_to("new.person@mail.example")
    link = link_in(message)
    assert link.startswith("/accounts/verify/")
    assert client_for(None).get(link).status_code == 200  # a mail scanner opening the link changes nothing
    primary.refresh_from_db()
    assert primary.verified_at is None

    response = client_for(None).post(link)
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    primary.refresh_from_db()
    assert primary.verified_at is not None
    assert client_for(None).post(link).status_code == 302  # following it again is harmless


def test_a_tampered_or_expired_verification_link_is_refused_with_a_reason(world, after_commit, settings):
    with after_commit():
        _sign_up(client_for(None))
    link = link_in(mails_to("new.person@mail.example")[0])

    tampered = client_for(None).post(link[:-3] + "xx/")
    assert tampered.status_code == 422 and b"not valid" in tampered.content

    settings.ACCOUNT_EMAIL_VERIFICATION_HOURS = 0
    expired = client_for(None).post(link)
    assert expired.status_code == 422 and b"expired" in expired.content
    assert AccountEmail.objects.get(email="new.person@mail.example").verified_at is None


@pytest.mark.parametrize(
    ("data", "field", "text"),
    [
        ({"email": "not-an-address"}, "email", "valid e-mail address"),
        ({"name": "  "}, "display_name", "required"),
        ({"password": "short1"}, "password", "too short"),
        ({"password": "password1234"}, "password", "too common"),
        ({"password": "83749201938475"}, "password", "entirely numeric"),
        ({"again": "something-else-entirely"}, "password_again", "not the same"),
    ],
)
def test_bad_sign_up_input_gets_a_clear_error_and_keeps_the_rest(world, data, field, text, settings):
    settings.LANGUAGE_CODE = "en"  # Django's own messages (password validators) come in the site's language
    response = _sign_up(client_for(None), **data)

    assert response.status_code == 422
    assert text in " ".join(response.context["form"].errors[field])
    assert not Account.objects.filter(email__iexact="new.person@mail.example").exists()
    if field != "email":
        assert b'value="new.person@mail.example"' in response.content  # the input is kept


@pytest.mark.parametrize("spelling", ["member@org-a.example", "MEMBER@ORG-A.EXAMPLE"])
def test_an_address_that_has_an_account_cannot_sign_up_again(world, spelling):
    before = Account.objects.count()
    response = _sign_up(client_for(None), email=spelling)

    assert response.status_code == 422
    assert "already exists" in " ".join(response.context["form"].errors["email"])
    assert Account.objects.count() == before


def test_a_verified_secondary_address_of_another_account_cannot_sign_up_either(world, after_commit):
    row = account_email_add(account=world.citizen.account, email="second@mail.example")
    AccountEmail.objects.filter(pk=row.pk).update(verified_at=timezone.now())  # unverified, it holds nothing
    with pytest.raises(ValidationError) as refused:
        account_sign_up(email="Second@mail.example", display_name="Someone", password=GOOD_PASSWORD)
    assert "already exists" in str(refused.value)


# --- Password reset ----------------------------------------------------------------------------------------


def test_password_reset_answers_the_same_whether_an_account_exists_or_not(world, after_commit):
    answers = []
    for address in (world.a_member.email, "nobody@nowhere.example"):
        with after_commit():
            answers.append(client_for(None).post("/accounts/password/reset/", {"email": address}))

    assert [(r.status_code, r["Location"]) for r in answers] == [(302, "/accounts/password/reset/done/")] * 2
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [world.a_member.email]
    assert mails_to("nobody@nowhere.example") == []


def test_password_reset_sets_a_new_password_once_lifts_a_lockout_and_verifies_the_address(world, after_commit):
    person = make_person(key="forgetful", email="forgetful@mail.example")
    AccountEmail.objects.filter(account=person.account).update(verified_at=None)
    Account.objects.filter(pk=person.account.pk).update(
        failed_sign_ins=5, locked_until=timezone.now() + timedelta(hours=1)
    )
    with after_commit():
        client_for(None).post("/accounts/password/reset/", {"email": "FORGETFUL@mail.example"})
    link = link_in(mails_to("forgetful@mail.example")[0])

    assert client_for(None).get(link).status_code == 200
    mismatch = client_for(None).post(link, {"password": GOOD_PASSWORD, "password_again": "other-words-entirely"})
    assert mismatch.status_code == 422
    weak = client_for(None).post(link, {"password": "123", "password_again": "123"})
    assert weak.status_code == 422 and "too short" in " ".join(weak.context["form"].errors["password"])

    with after_commit():
        done = client_for(None).post(link, {"password": GOOD_PASSWORD, "password_again": GOOD_PASSWORD})
    assert done.status_code == 302 and done["Location"] == "/accounts/login/"
    account = Account.objects.get(pk=person.account.pk)
    assert account.check_password(GOOD_PASSWORD)
    assert (account.failed_sign_ins, account.locked_until) == (0, None)
    assert account.session_epoch == person.account.session_epoch + 1
    assert account.emails.get().verified_at is not None
    assert "password was changed" in mails_to("forgetful@mail.example")[-1].subject

    again = client_for(None).post(
        link, {"password": "another-long-phrase-9", "password_again": "another-long-phrase-9"}
    )
    assert again.status_code == 400 and b"used already" in again.content
    signed_in = client_for(None).post(
        "/accounts/login/", {"email": "forgetful@mail.example", "password": GOOD_PASSWORD}
    )
    assert signed_in.status_code == 302


def test_a_bad_reset_request_and_a_broken_link_get_clear_errors(world):
    bad = client_for(None).post("/accounts/password/reset/", {"email": "no at sign"})
    assert bad.status_code == 422 and bad.context["form"].errors["email"]
    broken = client_for(None).get("/accounts/password/reset/not-a-token/")
    assert broken.status_code == 400 and b"not valid" in broken.content


# --- Several addresses; changing the primary one --------------------------------------------------------------


def test_add_verify_make_primary_and_remove_addresses(world, after_commit, synced):
    person = make_person(key="mover", email="mover@mail.example", name="Mo Ver")
    client = client_for(None, person=person)

    with after_commit():
        added = client.post("/accounts/emails/", {"email": "mo@work.example"})
    assert added.status_code == 302
    new = AccountEmail.objects.get(email="mo@work.example")
    assert new.account_id == person.account.pk and new.verified_at is None and not new.is_primary

    refused = client.post(f"/accounts/emails/{new.pk}/primary/")
    assert refused.status_code == 422 and b"Verify mo@work.example first" in refused.content

    client.post(link_in(mails_to("mo@work.example")[0]))
    with after_commit():
        made = client.post(f"/accounts/emails/{new.pk}/primary/")
    assert made.status_code == 302
    account = Account.objects.get(pk=person.account.pk)
    assert account.email == "mo@work.example"
    assert list(account.emails.values_list("email", "is_primary")) == [
        ("mo@work.example", True),
        ("mover@mail.example", False),
    ]
    assert synced == [str(account.pk)]  # local copies of the address follow
    assert "primary e-mail address" in mails_to("mover@mail.example")[-1].subject  # the old address is told
    assert (
        client_for(None).post("/accounts/login/", {"email": "mo@work.example", "password": person.password}).status_code
        == 302
    )

    cannot = client.post(f"/accounts/emails/{new.pk}/remove/")
    assert cannot.status_code == 422 and b"primary address" in cannot.content
    old = AccountEmail.objects.get(email="mover@mail.example")
    assert client.post(f"/accounts/emails/{old.pk}/remove/").status_code == 302
    assert list(account.emails.values_list("email", flat=True)) == ["mo@work.example"]


def test_changing_the_primary_address_in_one_go_waits_for_verification(world, after_commit):
    person = make_person(key="switcher", email="switcher@mail.example")
    client = client_for(None, person=person)
    with after_commit():
        client.post("/accounts/emails/", {"email": "switcher@new.example", "make_primary": "on"})

    assert Account.objects.get(pk=person.account.pk).email == "switcher@mail.example"  # not before verification
    client_for(None).post(link_in(mails_to("switcher@new.example")[0]))
    assert Account.objects.get(pk=person.account.pk).email == "switcher@new.example"


@pytest.mark.parametrize(
    ("address", "text"),
    [
        ("nonsense", "valid e-mail address"),
        ("member@org-a.example", "belongs to another account"),
        ("owner@mail.example", "one of your addresses already"),
    ],
)
def test_adding_a_bad_address_says_why(world, address, text, settings):
    settings.LANGUAGE_CODE = "en"
    person = make_person(key="owner", email="owner@mail.example")
    response = client_for(None, person=person).post("/accounts/emails/", {"email": address})

    assert response.status_code == 422
    assert text in " ".join(response.context["form"].errors["email"])
    assert person.account.emails.count() == 1


def test_someone_elses_address_cannot_be_touched(world):
    other = AccountEmail.objects.get(account=world.a_member.account)
    client = client_for(None, person=world.citizen)
    for action in ("remove", "primary", "resend"):
        response = client.post(f"/accounts/emails/{other.pk}/{action}/")
        assert response.status_code == 422 and b"not one of your addresses" in response.content
    assert AccountEmail.objects.filter(pk=other.pk, is_primary=True).exists()


def test_address_pages_need_a_signed_in_person(world):
    response = client_for(None).get("/accounts/emails/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/?next=/accounts/emails/"


# --- Invitations: to a new person, to an existing one --------------------------------------------------------------


def test_a_new_person_signs_up_through_the_invitation_link_and_is_editor_on_arrival(world, after_commit):
    with after_commit():
        invitation = invitation_create(
            organisation=world.org_a, email="Newcomer@Mail.Example", role=Role.EDITOR, actor=OPERATOR
        )
    assert invitation.token_hash and len(invitation.token_hash) == 64
    assert invitation.expires_at > timezone.now() + timedelta(days=13)
    [message] = mails_to("newcomer@mail.example")
    link = link_in(message)
    assert link.startswith("/accounts/invitation/") and "org-a.govsquare.localhost" in message.body
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert token not in invitation.token_hash and invitation_for_token(token=token) == invitation

    page = client_for(None).get(link)
    assert page.status_code == 200 and b"Newcomer@mail.example" in page.content
    client = client_for(None)
    response = client.post(
        link, {"display_name": "New Comer", "password": GOOD_PASSWORD, "password_again": GOOD_PASSWORD}
    )

    assert response.status_code == 302
    account = Account.objects.get(email__iexact="newcomer@mail.example")
    assert account.emails.get().verified_at is not None  # the link proved the address
    assert mails_to("newcomer@mail.example") == [message]  # no verification e-mail needed
    assert account_for_user(user=client.get("/accounts/profile/").wsgi_request.user) == account
    with tenant_context(world.org_a):
        assert role_of(user=local_user_for_account(account=account)) == Role.EDITOR
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None
    with tenant_context(world.org_b):
        assert role_of(user=local_user_for_account(account=account)) is None

    used = client_for(None).get(link)
    assert used.status_code == 404 and b"not valid" in used.content


def test_an_invitation_link_that_expired_or_was_forged_is_refused(world, after_commit):
    with after_commit():
        invitation = invitation_create(
            organisation=world.org_a, email="late@mail.example", role=Role.MEMBER, actor=OPERATOR
        )
    link = link_in(mails_to("late@mail.example")[0])
    assert client_for(None).get("/accounts/invitation/forged-token/").status_code == 404

    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    expired = client_for(None).post(
        link, {"display_name": "Late", "password": GOOD_PASSWORD, "password_again": GOOD_PASSWORD}
    )
    assert expired.status_code == 410 and b"expired" in expired.content
    assert not Account.objects.filter(email="late@mail.example").exists()

    with after_commit():  # inviting again replaces the expired invitation
        again = invitation_create(organisation=world.org_a, email="late@mail.example", role=Role.MEMBER, actor=OPERATOR)
    assert not Invitation.objects.filter(pk=invitation.pk).exists() and again.expires_at > timezone.now()


def test_an_existing_person_is_invited_by_sign_in_link_and_gets_the_role_on_arrival(world, after_commit):
    with after_commit():
        invitation = invitation_create(
            organisation=world.org_b, email=world.a_editor.email, role=Role.EDITOR, actor=OPERATOR
        )
    [message] = mails_to(world.a_editor.email)
    assert "/accounts/invitation/" not in message.body
    assert "http://org-b.govsquare.localhost:8000/accounts/login/" in message.body

    with tenant_context(world.org_b):
        user = local_user_for_account(account=world.a_editor.account)  # first arrival at B
        assert role_of(user=user) == Role.EDITOR
    with tenant_context(world.org_a):
        assert role_of(user=User.objects.get(account_id=world.a_editor.account.pk)) == Role.EDITOR
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None


def test_the_invitation_link_page_sends_an_existing_person_to_sign_in(world):
    token, token_hash = invitation_token_new()  # e.g. the person made an account before following the link
    Invitation.objects.create(
        email=world.citizen.email, organisation=world.org_a, role="member", invited_by="tests", token_hash=token_hash
    )
    page = client_for(None).get(f"/accounts/invitation/{token}/")
    assert page.status_code == 200 and b"There is a GovSquare account" in page.content


def test_an_invitation_is_not_taken_by_someone_who_merely_claims_the_address(world, after_commit):
    with after_commit():
        invitation_create(organisation=world.org_a, email="boss@org-a.example", role=Role.ADMINISTRATOR, actor=OPERATOR)
    squatter = account_sign_up(email="boss@org-a.example", display_name="Not The Boss", password=GOOD_PASSWORD)

    with tenant_context(world.org_a):
        assert role_of(user=local_user_for_account(account=squatter)) is None  # unverified: no role
    assert Invitation.objects.get(email="boss@org-a.example").accepted_at is None


# --- Profile -----------------------------------------------------------------------------------------------


def test_profile_editing_saves_and_refuses_bad_input(world, synced, after_commit, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    person = make_person(key="profiled", email="profiled@mail.example", name="Pro Filed")
    client = client_for(None, person=person)
    page = client.get("/accounts/profile/")
    assert page.status_code == 200 and b"Citizen" in page.content

    image = BytesIO()
    Image.new("RGB", (4, 4), "navy").save(image, format="PNG")
    photo = SimpleUploadedFile("me.png", image.getvalue(), content_type="image/png")
    data = {"display_name": "Pro Filed-Again", "job_title": "Policy officer", "bio": "Water.", "language": "en"}
    with after_commit():
        saved = client.post("/accounts/profile/", {**data, "profile_public": "on", "photo": photo})
    assert saved.status_code == 302
    account = Account.objects.get(pk=person.account.pk)
    assert (account.display_name, account.job_title, account.bio, account.language, account.profile_public) == (
        "Pro Filed-Again", "Policy officer", "Water.", "en", True,
    )  # fmt: skip
    assert account.photo.name.startswith("profiles/")
    assert synced == [str(account.pk)]  # the new name reaches the local copies

    bad = client.post("/accounts/profile/", {**data, "display_name": " ", "language": "xx", "job_title": "Boss"})
    assert bad.status_code == 422
    assert set(bad.context["form"].errors) >= {"display_name", "language"}
    assert b'value="Boss"' in bad.content
    not_an_image = SimpleUploadedFile("me.png", b"not an image", content_type="image/png")
    refused = client.post("/accounts/profile/", {**data, "photo": not_an_image})
    assert refused.status_code == 422 and "photo" in refused.context["form"].errors

    removed = client.post("/accounts/profile/", {**data, "remove_photo": "on"})
    assert removed.status_code == 302 and not Account.objects.get(pk=person.account.pk).photo
    assert Account.objects.get(pk=person.account.pk).profile_public is False


# --- Hashing -----------------------------------------------------------------------------------------------


def test_argon2_is_the_first_password_hasher_of_the_real_settings():
    assert base_settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"

    assert Argon2PasswordHasher().encode("x", Argon2PasswordHasher().salt()).startswith("argon2$argon2id$")
