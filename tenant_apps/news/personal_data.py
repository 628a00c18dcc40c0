"""The news app's share of a person's data export, in the current schema: their comments and reactions.
Registered for ``personal_data_export`` (``tenants.organisation_hooks``) in ``apps.py``.

Nothing is erased here: comments stay, with the anonymised local user as their author."""

from __future__ import annotations

from shared_apps.accounts.models import Account
from shared_apps.accounts.personal_data.archive import PersonalArchive
from shared_apps.people.models import User
from tenant_apps.news.models import Comment, Reaction


def export_news(*, account: Account, local_user: User, archive: PersonalArchive, folder: str) -> None:
    comments = Comment.objects.filter(author=local_user).select_related("article").order_by("created_at", "pk")
    archive.json(
        f"{folder}/news_comments.json",
        [
            {
                "id": comment.pk,
                "article": comment.article.title,
                "article_url_path": comment.article.url_path,
                "body": comment.body,
                "created_at": comment.created_at,
                "status": comment.status,
            }
            for comment in comments
        ],
    )
    reactions = Reaction.objects.filter(user=local_user).select_related("article").order_by("created_at", "pk")
    archive.json(
        f"{folder}/news_reactions.json",
        [
            {"article": reaction.article.title, "kind": reaction.kind, "created_at": reaction.created_at}
            for reaction in reactions
        ],
    )
