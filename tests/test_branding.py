"""Branding without code: Settings > Branding (name, logo, colours, links, footer), checked for contrast,
applied at once, cached per organisation, and only for the organisation's administrators."""

from __future__ import annotations

import io
import re

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.images import ImageFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context
from PIL import Image as PillowImage
from wagtail.images import get_image_model
from wagtail.models import Collection, Site
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from tenant_apps.branding.colours import contrast_ratio, relative_luminance, shown_ratio
from tenant_apps.branding.models import DEFAULT_ACCENT, Branding, BrandingFooterLink, BrandingNavigationLink
from tenant_apps.branding.selectors import CACHE_KEY, branding_for_request, cached_branding
from tenant_apps.pages.models import ContentPage
from tenant_apps.pages.visibility import COLLECTION_LEVELS, Level
from tenants.audit import Actor
from tenants.services import organisation_set_default_visibility
from tests.harness.clients import client_for

pytestmark = pytest.mark.django_db

SETTINGS_URL = "/admin/settings/org_branding/branding/"


@pytest.fixture(autouse=True)
def _no_cached_branding(world):  # type: ignore[no-untyped-def]
    """The cache outlives each test's rolled-back rows: start and end with no branding cached."""

    def clear() -> None:
        for organisation in (world.org_a, world.org_b):
            with tenant_context(organisation):
                cache.delete(CACHE_KEY)

    clear()
    yield
    clear()


def _branding(organisation, **fields):  # type: ignore[no-untyped-def]
    with tenant_context(organisation):
        branding = Branding.for_site(Site.objects.get())
        for name, value in fields.items():
            setattr(branding, name, value)
        branding.full_clean()
        branding.save()
        return branding


def _header(response) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.status_code
    return re.search(r"<header>.*?</header>", response.content.decode(), re.DOTALL).group(0)


# --- the formula --------------------------------------------------------------------------------------


def test_contrast_ratio_known_values():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#ffffff", "#000000") == pytest.approx(21.0)  # the order does not matter
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)  # just below AA
    assert contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)  # just above
    assert contrast_ratio("#154273", "#154273") == pytest.approx(1.0)
    assert relative_luminance("#FFFFFF") == pytest.approx(1.0)
    assert shown_ratio(contrast_ratio("#777777", "#ffffff")) == "4.48"  # never rounded up to a pass
    assert shown_ratio(contrast_ratio("#ffffff", "#ffcc00")) == "1.5"
    with pytest.raises(ValueError):
        contrast_ratio("red", "#ffffff")


def test_the_defaults_pass_aa():
    assert contrast_ratio("#ffffff", "#154273") >= 4.5
    assert contrast_ratio("#ffffff", DEFAULT_ACCENT) >= 4.5
    assert contrast_ratio("#ffffff", "#e17000") < 4.5  # why the accent is darker than the familiar orange


# --- validation ---------------------------------------------------------------------------------------


def test_a_primary_colour_under_white_text_below_aa_is_refused_naming_the_pair(world):
    with tenant_context(world.org_a), pytest.raises(ValidationError) as refused:
        Branding(site=Site.objects.get(), primary_colour="#ffcc00", accent_colour=DEFAULT_ACCENT).full_clean()
    errors = refused.value.message_dict
    assert errors["primary_colour"] == [
        "White text on the primary colour #ffcc00 has a contrast of 1.5:1; WCAG AA needs at least 4.5:1."
    ]
    assert "accent_colour" not in errors


def test_an_accent_colour_below_aa_is_refused_naming_the_pair(world):
    with tenant_context(world.org_a), pytest.raises(ValidationError) as refused:
        Branding(site=Site.objects.get(), primary_colour="#154273", accent_colour="#e17000").full_clean()
    (message,) = refused.value.message_dict["accent_colour"]
    assert "#e17000" in message and "3.2:1" in message and "white" in message.lower()


def test_a_colour_that_is_no_colour_is_refused(world):
    with tenant_context(world.org_a), pytest.raises(ValidationError) as refused:
        Branding(site=Site.objects.get(), primary_colour="blue", accent_colour=DEFAULT_ACCENT).full_clean()
    assert "six hexadecimal digits" in refused.value.message_dict["primary_colour"][0]


def test_a_link_needs_a_page_or_an_address(world):
    with tenant_context(world.org_a):
        branding = Branding.for_site(Site.objects.get())
        with pytest.raises(ValidationError):
            BrandingFooterLink(branding=branding, label="Nothing").full_clean()
        with pytest.raises(ValidationError):
            BrandingFooterLink(
                branding=branding, label="Both", link_page=Site.objects.get().root_page, link_url="https://x.example/"
            ).full_clean()


def _png() -> bytes:
    buffer = io.BytesIO()
    PillowImage.new("RGB", (96, 48), (21, 66, 115)).save(buffer, "PNG")
    return buffer.getvalue()


def _image_in(level: Level):  # type: ignore[no-untyped-def]
    name = next(name for name, carried in COLLECTION_LEVELS.items() if carried == level)
    collection = Collection.objects.get(name=name, depth=2)
    return get_image_model().objects.create(
        title="Logo", file=ImageFile(io.BytesIO(_png()), name="logo.png"), collection=collection
    )


def test_the_logo_is_shown_with_the_display_name_as_its_alternative_and_must_be_public(world):
    with tenant_context(world.org_a):
        hidden = _image_in(Level.ORGANISATION)
        public = _image_in(Level.PUBLIC)
        with pytest.raises(ValidationError) as refused:
            Branding(site=Site.objects.get(), logo=hidden).full_clean()
        assert "public collection" in refused.value.message_dict["logo"][0]
    _branding(world.org_a, logo=public, display_name="Gemeente Voorbeeld")
    header = _header(client_for(world.org_a).get("/"))
    image = re.search(r'<img src="([^"]+)" alt="([^"]*)" height="48">', header)
    assert image is not None and image.group(2) == "Gemeente Voorbeeld"
    assert "/height-48/" in image.group(1)
    assert client_for(world.org_a).get(image.group(1)).status_code == 200  # anonymous visitors see it too


# --- applied at once, per organisation ------------------------------------------------------------------


def test_saving_applies_at_once_and_only_to_its_own_organisation(world):
    client_a = client_for(world.org_a, person=world.a_member)
    client_b = client_for(world.org_b, person=world.b_member)
    before = client_a.get("/")
    assert "Organisation A" in _header(before)
    assert "--brand-primary: #154273" in before.content.decode()
    client_b.get("/")  # org B's branding cached as well

    _branding(world.org_a, display_name="Ministerie van Voorbeelden", primary_colour="#0B5D1E", footer_text="Den Haag")
    after = client_a.get("/").content.decode()
    assert "Ministerie van Voorbeelden" in after and "--brand-primary: #0b5d1e" in after
    assert "Den Haag" in re.search(r"<footer>.*?</footer>", after, re.DOTALL).group(0)

    other = client_b.get("/").content.decode()
    assert "Ministerie van Voorbeelden" not in other and "#0b5d1e" not in other and "Den Haag" not in other
    assert "Organisation B" in other


def test_a_cached_branding_costs_no_query(world):
    with tenant_context(world.org_a):
        first = cached_branding()
        with CaptureQueriesContext(connection) as queries:
            again = cached_branding()
        assert len(queries) == 0 and again == first


def test_a_page_load_issues_the_same_queries_with_branding_cached_as_without_branding_at_all(world):
    """A logo and links to addresses cost the cached page nothing more than no branding does; links to pages
    cost one visibility query in all (never one per link): who may see a page is asked of the pages' rule on
    every request, not cached with the branding."""
    client = client_for(world.org_a, person=world.a_member)
    client.get("/")  # warm every cache
    with CaptureQueriesContext(connection) as plain:
        client.get("/")
    with tenant_context(world.org_a):
        home = Site.objects.get().root_page
        branding = Branding.for_site(Site.objects.get())
        branding.logo = _image_in(Level.PUBLIC)
        branding.save()
        for n in range(3):
            BrandingFooterLink.objects.create(branding=branding, label=f"Foot {n}", link_url=f"https://x.example/{n}")
    client.get("/")  # fills the branding cache
    with CaptureQueriesContext(connection) as branded:
        page = client.get("/")
    assert b"Foot 2" in page.content
    assert len(branded) == len(plain), [q["sql"] for q in branded.captured_queries]

    counts = []
    for links in (1, 3):
        with tenant_context(world.org_a):
            for n in range(BrandingNavigationLink.objects.filter(branding=branding).count(), links):
                BrandingNavigationLink.objects.create(branding=branding, label=f"Extra {n}", link_page=home)
        client.get("/")
        with CaptureQueriesContext(connection) as with_pages:
            page = client.get("/")
        assert f"Extra {links - 1}".encode() in page.content
        counts.append(len(with_pages))
    assert counts[0] == counts[1] and 0 < counts[0] - len(plain) <= 4, (len(plain), counts)


def test_links_are_shown_in_menu_and_footer_and_a_page_link_only_to_who_may_see_the_page(world):
    with tenant_context(world.org_a):
        home = Site.objects.get().root_page
        secret = home.add_child(instance=ContentPage(title="Staff only", slug="staff-only", visibility="organisation"))
        open_page = home.add_child(instance=ContentPage(title="Open", slug="open-page", visibility="public"))
        branding = Branding.for_site(Site.objects.get())
        branding.save()
        BrandingNavigationLink.objects.create(branding=branding, label="Intranet rules", link_page=secret, sort_order=0)
        BrandingNavigationLink.objects.create(branding=branding, label="About us", link_page=open_page, sort_order=1)
        BrandingFooterLink.objects.create(
            branding=branding, label="Privacy statement", link_url="https://example.org/privacy"
        )

    def menu_and_footer(person):  # type: ignore[no-untyped-def]
        html = client_for(world.org_a, person=person).get("/open-page/").content.decode()
        menu = re.search(r'<nav class="site-menu".*?</nav>', html, re.DOTALL).group(0)
        footer = re.search(r"<footer>.*?</footer>", html, re.DOTALL).group(0)
        return menu, footer

    menu, footer = menu_and_footer(world.a_member)
    assert '<a href="/staff-only/">Intranet rules</a>' in menu
    assert '<a href="/open-page/" aria-current="page">About us</a>' in menu
    assert 'href="https://example.org/privacy">Privacy statement</a>' in footer
    assert 'aria-label="Footer links"' in footer
    for outsider in (None, world.citizen, world.b_member):  # anonymous, a citizen, the other organisation
        menu, footer = menu_and_footer(outsider)
        assert "Intranet rules" not in menu and "About us" in menu and "Privacy statement" in footer

    with tenant_context(world.org_a):  # renaming a linked page shows at once
        secret.title = "renamed"
        secret.slug = "staff-rules"
        secret.save()
    menu, _ = menu_and_footer(world.a_member)
    assert '<a href="/staff-rules/">Intranet rules</a>' in menu


def test_the_selector_is_asked_once_per_request(rf, world):
    with tenant_context(world.org_a):
        request = rf.get("/")
        request.tenant = world.org_a
        request.user = None
        first = branding_for_request(request)
        assert branding_for_request(request) is first
        assert first.display_name == "Organisation A"


# --- who may change it -----------------------------------------------------------------------------------


def test_the_administrator_opens_settings_branding_and_saves_it_through_the_admin(world):
    client = client_for(world.org_a, person=world.a_admin)
    response = client.get(SETTINGS_URL, follow=True)
    assert response.status_code == 200
    assert b"primary_colour" in response.content
    url = response.redirect_chain[-1][0] if response.redirect_chain else SETTINGS_URL

    def form(primary: str) -> dict:
        return nested_form_data(
            {
                "display_name": "Gemeente Admin",
                "primary_colour": primary,
                "accent_colour": DEFAULT_ACCENT,
                "footer_text": "",
                "navigation_links": inline_formset([]),
                "footer_links": inline_formset([{"label": "Contact", "link_url": "https://example.org/contact"}]),
            }
        )

    refused = client.post(url, form("#ffcc00"))
    assert refused.status_code == 200
    assert b"White text on the primary colour #ffcc00 has a contrast of 1.5:1" in refused.content
    assert "Gemeente Admin" not in _header(client_for(world.org_a).get("/"))

    saved = client.post(url, form("#0b5d1e"))
    assert saved.status_code == 302, saved.content[:2000]
    home = client_for(world.org_a).get("/").content.decode()
    assert "Gemeente Admin" in home and "--brand-primary: #0b5d1e" in home and ">Contact</a>" in home


@pytest.mark.parametrize("key", ["a_member", "a_editor", "b_member", "citizen", "a_editor_b_member"])
def test_members_editors_and_outsiders_cannot_open_settings_branding(world, key):
    response = client_for(world.org_a, person=world.people[key]).get(SETTINGS_URL, follow=True)
    assert b'name="primary_colour"' not in response.content
    assert response.redirect_chain, response.status_code  # sent away: to sign in, or to the admin's home


def test_anonymous_visitors_cannot_open_settings_branding(world):
    response = client_for(world.org_a).get(SETTINGS_URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_shared_space_gets_the_platform_look_without_a_query(rf):
    request = rf.get("/")
    with CaptureQueriesContext(connection) as queries:
        brand = branding_for_request(request)
    assert len(queries) == 0
    assert brand.display_name == "GovSquare" and brand.primary_colour == "#154273"


def test_a_page_link_follows_the_pages_rule_at_once_without_a_save_of_the_branding(world):
    """The link's page is asked of the pages' visibility rule on each request: a change of the organisation's
    default level (no page or branding saved) shows or hides it at once — for a citizen, and never on org B."""
    with tenant_context(world.org_a):
        page = Site.objects.get().root_page.add_child(instance=ContentPage(title="Unmarked", slug="unmarked-link"))
        branding = Branding.for_site(Site.objects.get())
        BrandingNavigationLink.objects.create(branding=branding, label="Handbook link", link_page=page)
    citizen = client_for(world.org_a, person=world.citizen)
    assert b"Handbook link" not in citizen.get("/").content  # unmarked: the intranet's default, colleagues only
    assert b"Handbook link" in client_for(world.org_a, person=world.a_member).get("/").content
    organisation_set_default_visibility(organisation=world.org_a, level="public", actor=Actor.system("test"))
    try:
        assert b"Handbook link" in citizen.get("/").content
        assert b"Handbook link" not in client_for(world.org_b, person=world.b_member).get("/").content
    finally:
        organisation_set_default_visibility(organisation=world.org_a, level="organisation", actor=Actor.system("test"))
