"""Writes of the knowledge base: the review reminder to one content owner (current schema: the organisation's).

The e-mail follows the platform's conventions (``shared_apps.notifications.mail``): built in the recipient's
language, from ``DEFAULT_FROM_EMAIL``, "GovSquare" in the subject, marked auto-generated. The articles are
marked reminded only after the mail backend accepted the message, inside one transaction that holds the
articles locked, so two workers never send the same reminder and a failed send is simply tried again.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import ngettext

from shared_apps.accounts.mail import host_url
from tenant_apps.knowledge_base import reviews, selectors
from tenant_apps.knowledge_base.models import KnowledgeArticlePage, ReviewReminder


def edit_url(*, organisation: Any, article: KnowledgeArticlePage) -> str:
    """The article's edit screen in the organisation's admin, on its primary host."""
    return host_url(organisation.primary_host(), f"/admin/pages/{article.pk}/edit/")


def owner_address(*, owner: Any, account: Any) -> str:
    """Where the owner's mail goes: their platform account's address (the local user's copy otherwise)."""
    return (account.email if account is not None else "") or owner.email or ""


def review_reminder_message(
    *, organisation: Any, owner: Any, articles: list[KnowledgeArticlePage], today: datetime.date
) -> EmailMultiAlternatives:
    """The reminder to ``owner`` of ``articles`` (not empty), in the owner's language."""
    account = owner.account if owner.account_id else None
    language = (account.language if account is not None else "") or settings.LANGUAGE_CODE
    with translation.override(language):
        lines = [
            {
                "title": article.title,
                "due": date_format(article.review_due, "j F Y") if article.review_due else "",
                "overdue": reviews.review_state(review_due=article.review_due, today=today) == "overdue",
                "edit_url": edit_url(organisation=organisation, article=article),
            }
            for article in articles
        ]
        count = len(lines)
        subject = ngettext(
            "GovSquare: %(count)s knowledge base article of %(organisation)s to review",
            "GovSquare: %(count)s knowledge base articles of %(organisation)s to review",
            count,
        ) % {"count": count, "organisation": organisation.name}
        context = {
            "name": (account.display_name if account is not None else "") or str(owner),
            "organisation": organisation.name,
            "lines": lines,
            "due_soon_days": reviews.DUE_SOON_DAYS,
        }
        message = EmailMultiAlternatives(
            subject=subject,
            body=render_to_string("knowledge_base/mail/review_reminder.txt", context),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[owner_address(owner=owner, account=account)],
            headers={
                "Auto-Submitted": "auto-generated",
                "Content-Language": translation.get_language() or settings.LANGUAGE_CODE,
            },
        )
        message.attach_alternative(render_to_string("knowledge_base/mail/review_reminder.html", context), "text/html")
    return message


def review_reminder_send(*, organisation: Any, owner_id: int, today: datetime.date) -> int:
    """Mail ``owner_id`` the articles whose review is due (or due soon) that they were not reminded of lately;
    the number of articles in the mail (0: nothing to say, no mail). Errors of the mail backend are raised
    (the task retries) and nothing is marked reminded then."""
    with transaction.atomic():
        locked = list(
            selectors.articles_needing_a_reminder(today=today, owner_id=owner_id)
            .select_for_update(of=("self",))
            .values_list("pk", flat=True)
        )
        if not locked:
            return 0
        # Read again now the rows are held: a worker that held them before us may have reminded of them.
        articles = list(
            selectors.articles_needing_a_reminder(today=today, owner_id=owner_id)
            .filter(pk__in=locked)
            .select_related("content_owner")
        )
        if not articles:
            return 0
        owner = articles[0].content_owner
        if not owner_address(owner=owner, account=owner.account if owner.account_id else None):
            return 0
        review_reminder_message(organisation=organisation, owner=owner, articles=articles, today=today).send(
            fail_silently=False
        )
        ReviewReminder.objects.bulk_create(
            [ReviewReminder(article_id=article.pk, reminded_on=today) for article in articles],
            update_conflicts=True,
            unique_fields=["article"],
            update_fields=["reminded_on"],
        )
    return len(articles)
