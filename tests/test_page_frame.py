"""The accessible page frame (govsquare/base.html) on every host: WCAG 2.1 AA landmarks, a skip link,
the page's language, keyboard-usable header controls, and a layout that holds from 320 px wide."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.core.cache import cache
from django_tenants.utils import tenant_context
from playwright.sync_api import sync_playwright

from tenant_apps.branding.colours import contrast_ratio
from tenant_apps.branding.selectors import CACHE_KEY
from tests.harness.clients import client_for
from tests.harness.live import CHROMIUM, CHROMIUM_ARGS, require_chromium

pytestmark = pytest.mark.django_db

FOCUSABLE = {"a", "button", "input", "select", "textarea", "summary"}


class _Frame(HTMLParser):
    """What the tests look at: the focusable elements in order, the landmarks, headings and ids."""

    def __init__(self) -> None:
        super().__init__()
        self.focusable: list[dict[str, str | None]] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.ids: set[str] = set()
        self.html_lang: str | None = None
        self._hidden_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if attributes.get("id"):
            self.ids.add(attributes["id"] or "")
        if tag == "html":
            self.html_lang = attributes.get("lang")
        if tag in ("form", "template") and "hidden" in attributes:
            return
        if tag in FOCUSABLE and not (tag == "a" and "href" not in attributes) and attributes.get("type") != "hidden":
            self.focusable.append({"tag": tag, **attributes})
        elif (attributes.get("tabindex") or "-1").lstrip("-").isdigit() and int(attributes.get("tabindex") or -1) >= 0:
            self.focusable.append({"tag": tag, **attributes})

    def count(self, tag: str) -> int:
        return sum(1 for name, _ in self.tags if name == tag)

    def all(self, tag: str) -> list[dict[str, str | None]]:
        return [attributes for name, attributes in self.tags if name == tag]


def _frame(response) -> _Frame:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.status_code
    parser = _Frame()
    parser.feed(response.content.decode())
    return parser


@pytest.fixture(autouse=True)
def _no_cached_branding(world):  # type: ignore[no-untyped-def]
    for organisation in (world.org_a, world.org_b):
        with tenant_context(organisation):
            cache.delete(CACHE_KEY)
    yield


def _pages(world):  # type: ignore[no-untyped-def]
    """The shared space's home and an organisation's subsite home, signed in and not."""
    return {
        "shared space, anonymous": client_for(None).get("/"),
        "shared space, citizen": client_for(None, person=world.citizen).get("/"),
        "org A home, member": client_for(world.org_a, person=world.a_member).get("/"),
        "org A home, anonymous": client_for(world.org_a).get("/"),
        "org A home, the other organisation": client_for(world.org_a, person=world.b_member).get("/"),
    }


def test_the_skip_link_is_the_first_focusable_element_and_leads_to_the_one_main(world):
    for where, response in _pages(world).items():
        frame = _frame(response)
        first = frame.focusable[0]
        assert first["tag"] == "a" and first["href"] == "#main-content", where
        assert "skip-link" in (first.get("class") or ""), where
        assert frame.count("main") == 1, where
        (main,) = frame.all("main")
        assert main["id"] == "main-content" and main["tabindex"] == "-1", where
        assert b"Skip to main content" in response.content or b"Naar de hoofdinhoud" in response.content, where


def test_landmarks_language_and_headings(world):
    for where, response in _pages(world).items():
        frame = _frame(response)
        assert frame.html_lang, where
        assert frame.count("header") == 1 and frame.count("footer") == 1, where
        for nav in frame.all("nav"):  # more than one navigation landmark: each says what it is
            assert nav.get("aria-label"), (where, nav)
        assert frame.count("h1") == 1, where
        assert 'name="viewport"' in response.content.decode(), where


def test_the_header_controls_are_real_buttons_and_links(world):
    html = client_for(world.org_a, person=world.a_member).get("/").content.decode()
    header = re.search(r"<header>.*?</header>", html, re.DOTALL).group(0)
    assert '<button type="submit">Sign out</button>' in header or '<button type="submit">Afmelden</button>' in header
    assert 'form="language-switcher"' in header and 'id="language-switcher"' in html
    assert 'class="notifications-link"' in header
    assert re.search(r'<nav class="account-nav" aria-label="[^"]+">', header)


def test_the_subsite_frame_carries_the_branding_and_the_shared_space_keeps_its_look(world):
    subsite = client_for(world.org_a, person=world.a_member).get("/").content.decode()
    assert "--brand-primary: #154273" in subsite and "Organisation A" in subsite
    assert re.search(r'<nav class="site-menu" aria-label="[^"]+">', subsite)
    shared = client_for(None).get("/").content.decode()
    assert "--brand-primary: #154273" in shared and "var(--brand-primary)" in shared
    assert 'site-menu" aria-label' not in shared


def test_the_styles_keep_focus_visible_contrast_and_the_narrow_layout(world):
    css = re.search(r"<style>(.*?)</style>", client_for(None).get("/").content.decode(), re.DOTALL).group(1)
    assert re.search(r":focus-visible \{ outline: 3px solid", css)
    assert ".skip-link:focus" in css
    assert "@media (max-width: 40rem)" in css and "flex-wrap: wrap" in css
    assert "max-width: 100%" in css and "overflow-wrap: break-word" in css
    # every text/background pair the frame itself sets, against WCAG AA (4.5:1)
    pairs = {
        "body text": ("#1b1b1b", "#f5f6f8"),
        "main text": ("#1b1b1b", "#ffffff"),
        "muted text": ("#555555", "#ffffff"),
        "muted text in the footer": ("#555555", "#f5f6f8"),
        "footer links": ("#1b1b1b", "#f5f6f8"),
        "header text": ("#ffffff", "#154273"),
        "skip link": ("#ffffff", "#1b1b1b"),
        "default accent links": ("#b35900", "#ffffff"),
    }
    for name, (text, background) in pairs.items():
        assert contrast_ratio(text, background) >= 4.5, name
    for colour in ("#1b1b1b", "#555", "#f5f6f8", "#154273", "#b35900"):
        assert colour in css


@pytest.mark.parametrize("width", [320, 1280])
def test_in_a_browser_no_sideways_scrolling_and_the_skip_link_shows_on_focus(world, monkeypatch, width):
    """The rendered pages in Chromium (their HTML set straight in, no server): no horizontal scrolling at
    320 px (WCAG 1.4.10 Reflow) nor on a desktop, and the first Tab shows the skip link on screen."""
    require_chromium()
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    long_word = "Rijksoverheidsinformatievoorzieningsbeleidsmedewerkersbijeenkomst" * 2
    pages = {where: response.content.decode() for where, response in _pages(world).items()}
    pages["with a very long word"] = pages["org A home, member"].replace(
        '<main id="main-content" tabindex="-1">', f'<main id="main-content" tabindex="-1"><p>{long_word}</p>'
    )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            for where, html in pages.items():
                page = browser.new_page(viewport={"width": width, "height": 640})  # a fresh tab: Tab starts at the top
                page.set_content(html, wait_until="domcontentloaded")
                overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
                assert overflow <= 0, (where, width, overflow)
                page.keyboard.press("Tab")
                focused = page.evaluate(
                    "(() => { const e = document.activeElement, r = e.getBoundingClientRect();"
                    " return {href: e.getAttribute('href'), top: r.top, bottom: r.bottom,"
                    " outline: getComputedStyle(e).outlineStyle}; })()"
                )
                assert focused["href"] == "#main-content", (where, focused)
                assert focused["top"] >= 0 and focused["bottom"] > focused["top"], (where, focused)  # on screen
                page.keyboard.press("Enter")
                assert page.evaluate("document.activeElement.id") == "main-content", where
                page.close()
        finally:
            browser.close()
