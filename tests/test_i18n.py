"""The interface in Dutch and English: the browser's language, the account's language, the switcher, and a
complete, compiled Dutch catalogue (locale/nl/LC_MESSAGES)."""

from __future__ import annotations

import gettext
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import login
from django.contrib.sessions.backends.db import SessionStore
from django.http import HttpResponse
from django.utils import translation
from django_tenants.utils import tenant_context

from govsquare.layout import REPO_ROOT
from shared_apps.accounts.language import SESSION_KEY, LanguageCookieMiddleware
from shared_apps.accounts.models import Account
from shared_apps.accounts.services.accounts import account_create
from shared_apps.operator.services import account_set_platform_operator
from tenants.audit import Actor
from tenants.services import organisation_suspend
from tests.harness.clients import client_for
from tests.harness.people import Person, make_person

pytestmark = pytest.mark.django_db

PO = REPO_ROOT / "locale" / "nl" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


@pytest.fixture(autouse=True)
def _language_back_to_the_default():  # type: ignore[no-untyped-def]
    """LocaleMiddleware leaves the last request's language active in this thread: the next test starts clean."""
    yield
    translation.deactivate()


def _text(response) -> str:  # type: ignore[no-untyped-def]
    return response.content.decode()


def _with_language(person: Person, language: str) -> Person:
    Account.objects.filter(pk=person.account.pk).update(language=language)
    person.account.refresh_from_db()
    return person


# --- The browser's language (Accept-Language) ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "expected", "absent"),
    [
        ("nl", ['lang="nl"', "Organisaties", "De gedeelde ruimte van het overheidsplatform", "Inloggen"], "Sign in"),
        ("en", ['lang="en"', "Organisations", "The shared space of the government platform", "Sign in"], "Inloggen"),
    ],
)
def test_the_shared_space_home_page_speaks_the_browsers_language(world, language, expected, absent):
    response = client_for(None).get("/", HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 200
    for text in expected:
        assert text in _text(response)
    assert absent not in _text(response)
    assert response["Content-Language"] == language


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("nl", ["Inloggen met uw GovSquare-account", "E-mailadres", "Wachtwoord", "Wachtwoord vergeten?"]),
        ("en", ["Sign in with your GovSquare account", "E-mail address", "Password", "Forgot your password?"]),
    ],
)
def test_the_sign_in_page_speaks_the_browsers_language(world, language, expected):
    response = client_for(None).get("/accounts/login/", HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 200
    for text in expected:
        assert text in _text(response)


def test_a_browser_that_prefers_another_language_gets_the_first_one_offered(world):
    response = client_for(None).get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9,nl;q=0.8,en;q=0.5")
    assert "Wachtwoord vergeten?" in _text(response)


@pytest.mark.parametrize(("language", "sign_in"), [("nl", "Inloggen"), ("en", "Sign in")])
def test_a_subsites_home_page_speaks_the_browsers_language(world, language, sign_in):
    response = client_for(world.org_a).get("/", HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 200
    assert f'lang="{language}"' in _text(response)
    assert f'<a href="/accounts/login/">{sign_in}</a>' in _text(response)
    assert "Organisation A" in _text(response)  # content is the organisation's own, in whatever it was written


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("nl", ["Geen toegang", "U bent ingelogd, maar deze pagina is niet met u gedeeld.", "Uitloggen"]),
        ("en", ["No access", "You are signed in, but this page is not shared with you.", "Sign out"]),
    ],
)
def test_a_subsites_forbidden_page_speaks_the_browsers_language(world, language, expected):
    # The intranet's news section is for the organisation's members; a citizen who is signed in is refused.
    response = client_for(world.org_a, person=world.citizen).get("/news/", HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 403
    for text in expected:
        assert text in _text(response)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("nl", ["Voor leden van Organisation A", "Lidmaatschap aanvragen"]),
        ("en", ["For members of Organisation A", "Request to join"]),
    ],
)
def test_a_subsites_members_only_page_speaks_the_browsers_language(world, language, expected):
    response = client_for(world.org_a, person=world.citizen).get("/people/", HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 403
    for text in expected:
        assert text in _text(response)


@pytest.fixture
def operator(world) -> Person:
    person = make_person(key="i18n_operator", email="i18n.ops@platform.example", name="Ida Operator")
    account_set_platform_operator(account=person.account, value=True)
    return _with_language(person, "en")  # the browser decides on these pages; no sign-in happened


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("nl", ["Organisaties", "Nieuwe organisatie", "Naam", "Hoofddomein", "Actief", "Organisation A"]),
        ("en", ["Organisations", "New organisation", "Name", "Primary domain", "Active", "Organisation A"]),
    ],
)
def test_an_operator_page_speaks_the_browsers_language(operator, language, expected):
    response = client_for(None, person=operator).get("/operator/", HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 200
    for text in expected:
        assert text in _text(response)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("nl", ["Naam", "Slug", "Blauwdruk", "Intranet (standaard alleen voor medewerkers)", "Kennisbank"]),
        ("en", ["Name", "Slug", "Blueprint", "Intranet (staff only by default)", "Knowledge base"]),
    ],
)
def test_the_operators_create_form_speaks_the_browsers_language(operator, language, expected):
    response = client_for(None, person=operator).get("/operator/organisations/new/", HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 200
    for text in expected:
        assert text in _text(response)


def test_a_refusal_from_a_service_reads_in_the_browsers_language(world):
    response = client_for(None).post(
        "/accounts/signup/",
        {"email": "not-an-address", "display_name": "Nieuw", "password": "x", "password_again": "x"},
        HTTP_ACCEPT_LANGUAGE="nl",
    )

    assert response.status_code == 422
    assert "&#x27;not-an-address&#x27; is geen geldig e-mailadres." in _text(response)


def test_a_suspended_subsite_says_so_in_the_browsers_language(world):
    organisation_suspend(organisation=world.org_b, reason="maintenance", actor=Actor.system("test"))

    dutch = client_for(world.org_b).get("/", HTTP_ACCEPT_LANGUAGE="nl")
    english = client_for(world.org_b).get("/", HTTP_ACCEPT_LANGUAGE="en")

    assert dutch.status_code == english.status_code == 503
    assert "Organisation B is opgeschort" in _text(dutch) and 'lang="nl"' in _text(dutch)
    assert "Organisation B is suspended" in _text(english) and 'lang="en"' in _text(english)


# --- The account's language, after signing in -----------------------------------------------------------------


def _sign_in(client, person: Person):  # type: ignore[no-untyped-def]
    return client.post("/accounts/login/", {"email": person.email, "password": person.password})


def test_an_account_in_dutch_gets_dutch_after_signing_in_whatever_the_browser_says(world):
    person = _with_language(make_person(key="i18n_nl", email="nederlands@mail.example"), "nl")
    browser = client_for(None)

    signed_in = _sign_in(browser, person)

    assert signed_in.status_code == 302
    assert signed_in.cookies[settings.LANGUAGE_COOKIE_NAME].value == "nl"
    home = browser.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert 'lang="nl"' in _text(home) and "Organisaties" in _text(home) and "Uitloggen" in _text(home)
    profile = browser.get("/accounts/profile/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Uw profiel" in _text(profile)


def test_an_account_in_english_gets_english_after_signing_in_from_a_dutch_browser(world):
    person = _with_language(make_person(key="i18n_en", email="english@mail.example"), "en")
    browser = client_for(None)

    assert "Inloggen met uw GovSquare-account" in _text(browser.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="nl"))
    _sign_in(browser, person)

    home = browser.get("/", HTTP_ACCEPT_LANGUAGE="nl")
    assert 'lang="en"' in _text(home) and "Organisations" in _text(home) and "Sign out" in _text(home)


def test_changing_the_language_in_the_profile_changes_the_pages_at_once(world):
    person = _with_language(make_person(key="i18n_profile", email="switcher@mail.example"), "en")
    browser = client_for(None, person=person)
    data = {"display_name": "Sam Switcher", "job_title": "", "bio": "", "language": "nl"}

    saved = browser.post("/accounts/profile/", data, HTTP_ACCEPT_LANGUAGE="en")

    assert saved.status_code == 302
    assert Account.objects.get(pk=person.account.pk).language == "nl"
    page = browser.get("/accounts/profile/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Uw profiel is opgeslagen." in _text(page) and "Uw profiel" in _text(page)


def test_signing_up_keeps_the_language_the_person_signed_up_in(world):
    browser = client_for(None)
    data = {
        "email": "nieuw@mail.example",
        "display_name": "Nieuwe Persoon",
        "password": "een lang genoeg wachtwoord",
        "password_again": "een lang genoeg wachtwoord",
    }

    response = browser.post("/accounts/signup/", data, HTTP_ACCEPT_LANGUAGE="nl")

    assert response.status_code == 302
    assert Account.objects.get(email="nieuw@mail.example").language == "nl"
    assert "Welkom bij GovSquare." in _text(browser.get(response["Location"]))


@pytest.mark.parametrize("platform_language", ["nl", "en"])
def test_an_account_made_without_a_language_takes_the_platforms(world, settings, platform_language):
    settings.LANGUAGE_CODE = platform_language  # deployments: "nl"
    account = account_create(email=f"default-{platform_language}@mail.example", display_name="Dee Fault")

    assert account.language == platform_language


def test_a_sign_in_on_a_subsite_remembers_the_accounts_language_on_that_host(world, rf):
    """The subsites sign in through single sign-on; whatever the route, ``login`` decides the language there."""
    person = _with_language(make_person(key="i18n_subsite", email="subsite@mail.example"), "nl")
    request = rf.get("/accounts/callback/", HTTP_HOST=world.org_a.platform_host)
    request.session = SessionStore()
    request.LANGUAGE_CODE = "en"  # as LocaleMiddleware left it for this request
    with tenant_context(world.org_a):
        login(request, person.local_user(world.org_a), backend="shared_apps.people.backends.AccountBackend")
        response = LanguageCookieMiddleware(lambda request: HttpResponse(translation.get_language()))(request)

    assert request.session[SESSION_KEY] == "nl" and request.LANGUAGE_CODE == "nl"
    assert response.content == b"nl"  # the rest of the request is in the account's language already
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "nl"


# --- The switcher in the header -----------------------------------------------------------------------------------


@pytest.mark.parametrize("organisation", ["shared space", "subsite"])
def test_the_switcher_changes_the_language_of_the_host_it_is_used_on(world, organisation):
    browser = client_for(None if organisation == "shared space" else world.org_a)
    page = browser.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert 'action="/i18n/setlang/"' in _text(page) and 'name="language" value="nl"' in _text(page)

    switched = browser.post("/i18n/setlang/", {"language": "nl", "next": "/"}, HTTP_ACCEPT_LANGUAGE="en")

    assert (switched.status_code, switched["Location"]) == (302, "/")
    after = browser.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert 'lang="nl"' in _text(after) and "Inloggen" in _text(after)


def test_the_switcher_will_not_send_anyone_to_another_site(world):
    response = client_for(None).post("/i18n/setlang/", {"language": "nl", "next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == "/"


# --- The catalogue ------------------------------------------------------------------------------------------------


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), text)


def _po_entries(path: Path) -> list[dict]:
    """The entries of a PO file: flags, msgctxt, msgid, msgid_plural and msgstr (or msgstr[n])."""
    entries = []
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8").strip()):
        entry: dict = {"flags": set(), "msgstr": {}}
        field = None
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}
            elif line.startswith("#"):
                continue
            elif match := re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?) "(.*)"$', line):
                keyword, index, value = match.groups()
                field = ("msgstr", int(index or 0)) if keyword.startswith("msgstr") else keyword
                _append(entry, field, _unquote(value))
            elif line.startswith('"'):
                _append(entry, field, _unquote(line[1:-1]))
        if "msgid" in entry:  # obsolete entries ("#~ msgid ...") are comments: msgfmt leaves them out too
            entries.append(entry)
    return entries


def _append(entry: dict, field, value: str) -> None:  # type: ignore[no-untyped-def]
    if isinstance(field, tuple):
        entry["msgstr"][field[1]] = entry["msgstr"].get(field[1], "") + value
    else:
        entry[field] = entry.get(field, "") + value


def _catalogue_of_po(entries: list[dict]) -> dict:
    """The (key -> translation) pairs a compiled catalogue holds, in ``gettext.GNUTranslations``' own keys
    (the header left out: msgfmt does not copy all of it)."""
    catalogue = {}
    for entry in entries[1:]:
        key = entry["msgid"] if "msgctxt" not in entry else f"{entry['msgctxt']}\x04{entry['msgid']}"
        if "msgid_plural" in entry:
            for index, text in entry["msgstr"].items():
                catalogue[(key, index)] = text
        else:
            catalogue[key] = entry["msgstr"][0]
    return catalogue


def _catalogue_of_mo(path: Path) -> dict:
    with path.open("rb") as handle:
        catalogue = dict(gettext.GNUTranslations(handle)._catalog)  # type: ignore[attr-defined]
    catalogue.pop("", None)
    return catalogue


def test_settings_point_at_the_catalogue():
    assert Path(settings.LOCALE_PATHS[0]) == PO.parent.parent.parent
    assert dict(settings.LANGUAGES) == {"nl": "Nederlands", "en": "English"}
    middleware = settings.MIDDLEWARE
    assert middleware[0] == "tenants.middleware.OrganisationMiddleware"
    locale = middleware.index("django.middleware.locale.LocaleMiddleware")
    assert middleware.index("django.contrib.sessions.middleware.SessionMiddleware") < locale
    assert locale < middleware.index("django.middleware.common.CommonMiddleware")


def test_every_entry_of_the_dutch_catalogue_is_translated_and_none_is_fuzzy():
    text = PO.read_text(encoding="utf-8")
    entries = _po_entries(PO)
    header, messages = entries[0], entries[1:]

    assert "#, fuzzy" not in text and not any("fuzzy" in entry["flags"] for entry in entries)
    assert header["msgid"] == "" and "Language: nl" in header["msgstr"][0]
    assert len(messages) > 300
    untranslated = [entry["msgid"] for entry in messages if not all(entry["msgstr"].values()) or not entry["msgstr"]]
    assert untranslated == []
    plural = [entry for entry in messages if "msgid_plural" in entry]
    assert plural and all(set(entry["msgstr"]) == {0, 1} for entry in plural)


def test_every_translation_keeps_the_placeholders_of_its_original():
    placeholder = re.compile(r"%\(\w+\)[sd]|%[sd]|<[^>]+>")
    different = []
    for entry in _po_entries(PO)[1:]:
        for original in filter(None, [entry["msgid"], entry.get("msgid_plural")]):
            for translated in entry["msgstr"].values():
                if sorted(set(placeholder.findall(original))) != sorted(set(placeholder.findall(translated))):
                    different.append((original, translated))
    assert different == []


def test_the_compiled_catalogue_is_up_to_date_with_the_po_file(tmp_path):
    expected = _catalogue_of_po(_po_entries(PO))

    assert _catalogue_of_mo(MO) == expected
    msgfmt = shutil.which("msgfmt")
    if msgfmt is not None:  # the .po compiles cleanly, to the same catalogue
        fresh = tmp_path / "django.mo"
        subprocess.run([msgfmt, "--check-format", "-o", str(fresh), str(PO)], check=True, capture_output=True)
        assert _catalogue_of_mo(fresh) == _catalogue_of_mo(MO)


def test_django_reads_the_catalogue(world):
    with translation.override("nl"):
        assert translation.gettext("Forgot your password?") == "Wachtwoord vergeten?"
        assert translation.pgettext("role in a sentence", "administrator") == "beheerder"
    with translation.override("en"):
        assert translation.gettext("Forgot your password?") == "Forgot your password?"
