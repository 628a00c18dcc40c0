"""When a knowledge article is due for review: pure date arithmetic, no database.

``review_due`` is stored on the article (``KnowledgeArticlePage.save``) so that the reminders and the
listings can filter on it; it is computed here, from the last review (or the first publication, or today
for an article never published) plus the review interval in months.
"""

from __future__ import annotations

import calendar
import datetime

#: Articles due within this many days count as "due soon" and are in the owner's reminder already.
DUE_SOON_DAYS = 14
#: An owner is reminded of the same article at most once in this many days (a re-run the same day, or the
#: next days, sends nothing new; a week later the article is in the reminder again if still not reviewed).
REMIND_AGAIN_AFTER_DAYS = 7


def add_months(day: datetime.date, months: int) -> datetime.date:
    """``day`` plus ``months`` calendar months; the 31st becomes the last day of a shorter month."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def review_due_for(
    *,
    last_reviewed: datetime.date | None,
    first_published_at: datetime.datetime | None,
    interval_months: int,
    today: datetime.date,
) -> datetime.date:
    """The day an article must be reviewed by: its last review (else its first publication, else ``today``)
    plus ``interval_months``."""
    if last_reviewed is not None:
        start = last_reviewed
    elif first_published_at is not None:
        start = first_published_at.date()
    else:
        start = today
    return add_months(start, max(int(interval_months or 0), 1))


def review_state(*, review_due: datetime.date | None, today: datetime.date) -> str:
    """``"overdue"``, ``"due_soon"`` (within ``DUE_SOON_DAYS``) or ``"ok"``."""
    if review_due is None:
        return "ok"
    if review_due < today:
        return "overdue"
    if review_due <= today + datetime.timedelta(days=DUE_SOON_DAYS):
        return "due_soon"
    return "ok"
