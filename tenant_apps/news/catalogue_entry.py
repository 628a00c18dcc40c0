"""The news app in the catalogue (``sites.catalogue``): its page types, its menu section, the home's
"Latest news" block and the demo's example articles."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext_noop
from wagtail.models import Page
from wagtail.rich_text import RichText

from sites.catalogue import CatalogueApp, HomeBlock, Section
from tenant_apps.members.roles import MEMBERS_GROUP
from tenant_apps.news.models import Comment, NewsArticlePage, NewsIndexPage
from tenant_apps.news.selectors import latest_articles
from tenant_apps.pages.visibility import viewer_for_user, visible_pages

SECTION_TITLES = {"nl": "Nieuws", "en": "News"}
SECTION_SUMMARIES = {
    "nl": "Het laatste nieuws van en over de organisatie.",
    "en": "The latest news from and about the organisation.",
}


def _in(language: str, texts: dict[str, Any]) -> Any:
    return texts.get(language) or texts["en"]


def section_seed(*, home: Page, language: str) -> NewsIndexPage:
    """The news index page under ``home``: live, in the menu, titled in the organisation's language."""
    index = NewsIndexPage(
        title=_in(language, SECTION_TITLES),
        slug="news",
        intro=f"<p>{escape(_in(language, SECTION_SUMMARIES))}</p>",
        live=True,
        show_in_menus=True,
    )
    home.add_child(instance=index)
    return index


def latest_news_context(*, request: HttpRequest | None, page: Any, value: dict[str, Any]) -> dict[str, Any]:
    """The newest visible articles (``value["count"]``, default 5) and the news section's address. Bounded
    queries: the articles with their counts, and the section."""
    viewer = viewer_for_user(getattr(request, "user", None))
    articles = latest_articles(viewer=viewer, count=int(value.get("count") or 5))
    section = visible_pages(queryset=NewsIndexPage.objects.live().public(), viewer=viewer).order_by("path").first()
    return {"articles": articles, "section": section}


# --- Demo content (``make run``'s example organisations) -------------------------------------------------

DEMO_ARTICLES: dict[str, list[dict[str, Any]]] = {
    "nl": [
        {
            "title": "Nieuwe werkplekken op de derde verdieping",
            "lead": "Vanaf maandag zijn er veertig flexplekken extra, met stille ruimtes voor geconcentreerd werk.",
            "body": "<p>De verbouwing is klaar. Reserveer een plek via de werkplekapp; de stille ruimtes zijn niet "
            "te reserveren en voor iedereen vrij.</p>",
            "tags": ["huisvesting", "werkplek"],
            "comments": ["Fijn! Zijn er ook statafels?", "De stille ruimtes zijn een aanwinst."],
        },
        {
            "title": "Wijziging thuiswerkvergoeding per 1 januari",
            "lead": "De thuiswerkvergoeding gaat omhoog naar de nieuwe norm uit de cao.",
            "body": "<p>De verhoging wordt automatisch verwerkt in de salarisstrook van januari. Je hoeft niets "
            "aan te vragen.</p>",
            "tags": ["personeel", "cao"],
            "comments": ["Goed nieuws, dank voor de duidelijke uitleg."],
        },
        {
            "title": "Oefening bedrijfshulpverlening op donderdag",
            "lead": "Donderdagochtend om 10.00 uur gaat het ontruimingsalarm af. Volg de aanwijzingen van de BHV'ers.",
            "body": "<p>De oefening duurt ongeveer een half uur. Verzamel op het plein voor de hoofdingang.</p>",
            "tags": ["veiligheid"],
            "comments": [],
        },
        {
            "title": "Nieuwe directeur Dienstverlening begonnen",
            "lead": "Deze week is de nieuwe directeur Dienstverlening begonnen. "
            "Maak kennis tijdens de inloop op vrijdag.",
            "body": "<p>Zij komt van een andere gemeente en werkte daar aan digitale dienstverlening voor "
            "inwoners en ondernemers.</p>",
            "tags": ["organisatie", "personeel"],
            "comments": [],
        },
    ],
    "en": [
        {
            "title": "New workplaces on the third floor",
            "lead": "From Monday there are forty extra flexible desks, with quiet rooms for focused work.",
            "body": "<p>The refurbishment is finished. Book a desk in the workplace app; the quiet rooms cannot be "
            "booked and are free for everyone.</p>",
            "tags": ["accommodation", "workplace"],
            "comments": ["Great! Are there standing desks too?", "The quiet rooms are a real improvement."],
        },
        {
            "title": "Working-from-home allowance changes on 1 January",
            "lead": "The working-from-home allowance rises to the new rate agreed in the collective agreement.",
            "body": "<p>The increase is paid automatically from the January payslip. You need not apply.</p>",
            "tags": ["staff", "collective agreement"],
            "comments": ["Good news, thanks for the clear explanation."],
        },
        {
            "title": "Emergency response drill on Thursday",
            "lead": "On Thursday at 10:00 the evacuation alarm will sound. Follow the emergency response officers.",
            "body": "<p>The drill takes about half an hour. Gather on the square in front of the main entrance.</p>",
            "tags": ["safety"],
            "comments": [],
        },
        {
            "title": "New director of Public Services has started",
            "lead": "The new director of Public Services started this week. Meet her at the walk-in on Friday.",
            "body": "<p>She joins us from another municipality, where she worked on digital services for "
            "residents and businesses.</p>",
            "tags": ["organisation", "staff"],
            "comments": [],
        },
    ],
}


def demo_content(*, section: NewsIndexPage, language: str) -> None:
    """Four example articles with tags (and a comment or two by the organisation's members). Idempotent: a
    section that has articles already is left alone."""
    if section.get_children().exists():
        return
    commenters = list(get_user_model().objects.filter(groups__name=MEMBERS_GROUP).order_by("pk")[:3])
    today = timezone.localdate()
    now = timezone.now()
    for number, item in enumerate(_in(language, DEMO_ARTICLES)):
        article = NewsArticlePage(
            title=item["title"],
            lead=item["lead"],
            body=[("paragraph", RichText(item["body"]))],
            date=today - datetime.timedelta(days=3 * number),
            live=True,
            first_published_at=now - datetime.timedelta(days=3 * number),
            last_published_at=now - datetime.timedelta(days=3 * number),
        )
        article.tags.add(*item["tags"])
        section.add_child(instance=article)
        for position, text in enumerate(item["comments"]):
            if commenters:
                Comment.objects.create(article=article, author=commenters[position % len(commenters)], body=text)


APP = CatalogueApp(
    key="news",
    label=gettext_noop("News"),
    description=gettext_noop("News articles with tags, comments and reactions; the home's latest news."),
    page_types=("org_news.newsindexpage", "org_news.newsarticlepage"),
    section=Section(
        slug="news",
        index_page_type="org_news.newsindexpage",
        titles=SECTION_TITLES,
        summaries=SECTION_SUMMARIES,
        seed=section_seed,
    ),
    home_blocks=(
        HomeBlock(
            key="news.latest",
            label=gettext_noop("Latest news"),
            template="news/blocks/latest.html",
            context=latest_news_context,
        ),
    ),
    demo_content=demo_content,
    order=10,
)
