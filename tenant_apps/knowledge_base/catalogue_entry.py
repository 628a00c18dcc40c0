"""The knowledge base in the app catalogue: its page types, its menu section, the "Recently updated guidance"
block for the intranet home, the daily review reminders and the demo's example guidance."""

from __future__ import annotations

import datetime
from typing import Any

from celery.schedules import crontab
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_noop
from wagtail.models import Page

from shared_apps.people.models import User
from sites.catalogue import CatalogueApp, HomeBlock, ScheduledTask, Section
from tenant_apps.knowledge_base import selectors
from tenant_apps.knowledge_base.models import KnowledgeArticlePage, KnowledgeBasePage, TopicPage
from tenant_apps.knowledge_base.reviews import add_months
from tenant_apps.pages.visibility import viewer_for_user

KEY = "knowledge-base"
SLUG = "knowledge-base"
TITLES = {"nl": "Kennisbank", "en": "Knowledge base"}
SUMMARIES = {
    "nl": "Antwoorden op praktische vragen over het werk: thuiswerken, declaraties, IT-hulp en meer.",
    "en": "Answers to practical questions about work: working from home, expenses, IT help and more.",
}
INTROS = {
    "nl": (
        "<p>Zoek hier hoe je iets regelt. Staat je vraag er niet bij? Laat het de eigenaar van het onderwerp weten.</p>"
    ),
    "en": "<p>Find out here how to get things done. Is your question not answered? Tell the topic's owner.</p>",
}


def section_seed(*, home: Page, language: str) -> Page:
    """The knowledge base's index under ``home``, live and in the menu, titled in ``language``."""
    language = language if language in TITLES else "en"
    index = KnowledgeBasePage(title=TITLES[language], slug=SLUG, intro=INTROS[language], live=True, show_in_menus=True)
    home.add_child(instance=index)
    return index


def recent_context(*, request: HttpRequest | None, page: Any, value: dict[str, Any]) -> dict[str, Any]:
    """The newest articles the visitor may see (one query, whatever the count)."""
    viewer = viewer_for_user(getattr(request, "user", None))
    count = int(value.get("count") or 5)
    return {"articles": selectors.articles_recently_updated(viewer=viewer, limit=count)}


# --- Demo content -------------------------------------------------------------------------------------


def _p(text: str) -> dict[str, Any]:
    return {"type": "paragraph", "value": f"<p>{text}</p>"}


def _steps(title: str, *steps: str) -> dict[str, Any]:
    return {"type": "steps", "value": {"title": title, "steps": list(steps)}}


def _callout(kind: str, text: str) -> dict[str, Any]:
    return {"type": "callout", "value": {"kind": kind, "text": f"<p>{text}</p>"}}


DEMO: dict[str, list[dict[str, Any]]] = {
    "nl": [
        {
            "title": "Thuiswerken",
            "slug": "thuiswerken",
            "intro": "<p>Alles over hybride werken: afspraken, inrichting en vergoedingen.</p>",
            "articles": [
                {
                    "title": "Een thuiswerkplek aanvragen",
                    "slug": "thuiswerkplek-aanvragen",
                    "summary": "Bureau, stoel en beeldscherm voor thuis: zo vraag je ze aan.",
                    "body": [
                        _p(
                            "Werk je structureel twee dagen of meer per week thuis? "
                            "Dan heb je recht op een ergonomische werkplek."
                        ),
                        _steps(
                            "Zo werkt het",
                            "Bespreek je thuiswerkdagen met je leidinggevende.",
                            "Vul het formulier Thuiswerkplek in op het personeelsportaal.",
                            "Je ontvangt binnen tien werkdagen bericht over de levering.",
                        ),
                        _callout("tip", "Laat je werkplek na levering controleren met de Arbo-checklist."),
                    ],
                },
                {
                    "title": "Thuiswerkvergoeding",
                    "slug": "thuiswerkvergoeding",
                    "summary": "De vergoeding per thuiswerkdag en hoe die wordt uitbetaald.",
                    "body": [
                        _p(
                            "Voor elke dag dat je thuiswerkt ontvang je een thuiswerkvergoeding. "
                            "Die wordt maandelijks met je salaris uitbetaald."
                        ),
                        _callout("warning", "Geef wijzigingen in je thuiswerkdagen binnen een maand door."),
                    ],
                    "overdue": True,
                },
                {
                    "title": "Veilig werken op afstand",
                    "slug": "veilig-werken-op-afstand",
                    "summary": "Wat je doet om informatie thuis en onderweg te beschermen.",
                    "body": [
                        _p("Werk alleen op een apparaat van de organisatie en vergrendel je scherm als je wegloopt."),
                        _steps(
                            "Voor je begint", "Maak verbinding via de VPN.", "Gebruik geen openbare wifi zonder VPN."
                        ),
                    ],
                },
            ],
        },
        {
            "title": "Declaraties en IT-hulp",
            "slug": "declaraties-en-it-hulp",
            "intro": "<p>Kosten declareren en hulp bij je laptop, telefoon en accounts.</p>",
            "articles": [
                {
                    "title": "Reiskosten declareren",
                    "slug": "reiskosten-declareren",
                    "summary": "Dienstreizen en woon-werkverkeer declareren via het personeelsportaal.",
                    "body": [
                        _steps(
                            "Declareren in drie stappen",
                            "Open Declaraties in het personeelsportaal.",
                            "Voeg je reis en het bewijs (ov-overzicht of bonnetje) toe.",
                            "Dien in: je leidinggevende keurt de declaratie goed.",
                        ),
                        _callout("tip", "Declareer binnen drie maanden na de reis."),
                    ],
                },
                {
                    "title": "Wachtwoord vergeten of account geblokkeerd",
                    "slug": "wachtwoord-vergeten",
                    "summary": "Zo krijg je weer toegang tot je werkaccount.",
                    "body": [
                        _p("Na vijf mislukte pogingen wordt je account tijdelijk geblokkeerd."),
                        _steps(
                            "Weer toegang", "Bel de IT-servicedesk op 1234.", "Houd je personeelsnummer bij de hand."
                        ),
                    ],
                },
            ],
        },
    ],
    "en": [
        {
            "title": "Working from home",
            "slug": "working-from-home",
            "intro": "<p>All about hybrid working: agreements, your workspace and allowances.</p>",
            "articles": [
                {
                    "title": "Requesting a home workstation",
                    "slug": "requesting-a-home-workstation",
                    "summary": "Desk, chair and monitor for home: how to request them.",
                    "body": [
                        _p(
                            "Do you work from home two days a week or more? "
                            "Then you are entitled to an ergonomic workstation."
                        ),
                        _steps(
                            "How it works",
                            "Agree your days at home with your manager.",
                            "Fill in the Home workstation form on the staff portal.",
                            "You hear about the delivery within ten working days.",
                        ),
                        _callout("tip", "Check your workstation with the health and safety checklist once it arrives."),
                    ],
                },
                {
                    "title": "Working from home allowance",
                    "slug": "working-from-home-allowance",
                    "summary": "The allowance per day at home and how it is paid.",
                    "body": [
                        _p("You receive an allowance for every day you work from home, paid monthly with your salary."),
                        _callout("warning", "Report changes to your days at home within a month."),
                    ],
                    "overdue": True,
                },
                {
                    "title": "Working safely away from the office",
                    "slug": "working-safely-away-from-the-office",
                    "summary": "How to protect information at home and on the move.",
                    "body": [
                        _p("Only work on a device of the organisation and lock your screen when you walk away."),
                        _steps(
                            "Before you start", "Connect through the VPN.", "Do not use public wifi without the VPN."
                        ),
                    ],
                },
            ],
        },
        {
            "title": "Expenses and IT help",
            "slug": "expenses-and-it-help",
            "intro": "<p>Claiming expenses, and help with your laptop, phone and accounts.</p>",
            "articles": [
                {
                    "title": "Claiming travel expenses",
                    "slug": "claiming-travel-expenses",
                    "summary": "Business travel and commuting claims through the staff portal.",
                    "body": [
                        _steps(
                            "Claiming in three steps",
                            "Open Expenses on the staff portal.",
                            "Add your journey and the receipt.",
                            "Submit: your manager approves the claim.",
                        ),
                        _callout("tip", "Claim within three months of the journey."),
                    ],
                },
                {
                    "title": "Forgotten password or locked account",
                    "slug": "forgotten-password",
                    "summary": "How to get back into your work account.",
                    "body": [
                        _p("After five failed attempts your account is locked for a while."),
                        _steps(
                            "Getting back in", "Call the IT service desk on 1234.", "Have your staff number at hand."
                        ),
                    ],
                },
            ],
        },
    ],
}


def demo_content(*, section: Page, language: str) -> None:
    """Two topics with their articles (one overdue for review), owned by the organisation's first person."""
    owner = User.objects.filter(is_active=True).order_by("-is_superuser", "pk").first()
    today = timezone.localdate()
    for topic_data in DEMO["nl" if language == "nl" else "en"]:
        topic = TopicPage(title=topic_data["title"], slug=topic_data["slug"], intro=topic_data["intro"], live=True)
        section.add_child(instance=topic)
        for article_data in topic_data["articles"]:
            overdue = article_data.get("overdue", False)
            article = KnowledgeArticlePage(
                title=article_data["title"],
                slug=article_data["slug"],
                summary=article_data["summary"],
                body=article_data["body"],
                content_owner=owner,
                last_reviewed=add_months(today, -14) if overdue else today - datetime.timedelta(days=30),
                review_interval_months=12,
                live=True,
            )
            topic.add_child(instance=article)
            article.save_revision().publish()


APP = CatalogueApp(
    key=KEY,
    label=gettext_noop("Knowledge base"),
    description=gettext_noop(
        "Guidance for colleagues in a tree of topics, each article with a content owner who is reminded to review it."
    ),
    page_types=(
        "org_knowledge_base.knowledgebasepage",
        "org_knowledge_base.topicpage",
        "org_knowledge_base.knowledgearticlepage",
    ),
    section=Section(
        slug=SLUG,
        index_page_type="org_knowledge_base.knowledgebasepage",
        titles=TITLES,
        summaries=SUMMARIES,
        seed=section_seed,
    ),
    home_blocks=(
        HomeBlock(
            key="knowledge-base.recent",
            label=gettext_noop("Recently updated guidance"),
            template="knowledge_base/blocks/recent.html",
            context=recent_context,
        ),
    ),
    scheduled_tasks=(
        ScheduledTask(
            name="knowledge-base-review-reminders",
            task="knowledge_base.review_reminders_send",
            schedule=crontab(hour=8, minute=0),
        ),
    ),
    demo_content=demo_content,
    order=30,
)
