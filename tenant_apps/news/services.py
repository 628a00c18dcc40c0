"""Writes of the news section: comments, their moderation, and reactions. Keyword-only, validated, atomic."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tenant_apps.news import models as news_models
from tenant_apps.news import selectors


def _check_may_take_part(*, user: Any, article: Any) -> None:
    if not selectors.may_take_part(user=user, article=article):
        raise PermissionDenied(_("You may not take part in the conversation on this article."))


def comment_text_clean(*, body: str) -> str:
    """The comment as stored: line endings made plain, blank edges removed; ``ValidationError`` when empty or
    too long."""
    text = (body or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        raise ValidationError(_("Write a comment first."))
    if "\x00" in text:
        raise ValidationError(_("The comment contains a character that cannot be stored (a NUL byte)."))
    limit = news_models.COMMENT_MAX_LENGTH
    if len(text) > limit:
        raise ValidationError(
            _("A comment can be at most %(limit)d characters long; this one has %(length)d.")
            % {"limit": limit, "length": len(text)}
        )
    return text


@transaction.atomic
def comment_post(*, article: Any, author: Any, body: str) -> Any:
    """A published comment by ``author`` on ``article``. ``PermissionDenied`` for someone who may not take
    part or when comments are closed; ``ValidationError`` for an empty or too long text."""
    _check_may_take_part(user=author, article=article)
    if not article.allow_comments:
        raise PermissionDenied(_("Comments are closed for this article."))
    text = comment_text_clean(body=body)
    return news_models.Comment.objects.create(article=article, author=author, body=text)


def _check_may_moderate(*, user: Any) -> None:
    if not selectors.may_moderate(user=user):
        raise PermissionDenied(_("Only the organisation's editors may moderate comments."))


@transaction.atomic
def comment_hide(*, comment: Any, by: Any) -> Any:
    """Hide ``comment`` from its article (an editor's moderation). Hiding a hidden comment changes nothing."""
    _check_may_moderate(user=by)
    Comment = news_models.Comment
    locked = Comment.objects.select_for_update().get(pk=comment.pk)
    if locked.status != Comment.Status.HIDDEN:
        locked.status = Comment.Status.HIDDEN
        locked.hidden_by = by
        locked.hidden_at = timezone.now()
        locked.save(update_fields=["status", "hidden_by", "hidden_at"])
    return locked


@transaction.atomic
def comment_restore(*, comment: Any, by: Any) -> Any:
    """Show a hidden comment again."""
    _check_may_moderate(user=by)
    Comment = news_models.Comment
    locked = Comment.objects.select_for_update().get(pk=comment.pk)
    if locked.status != Comment.Status.PUBLISHED:
        locked.status = Comment.Status.PUBLISHED
        locked.hidden_by = None
        locked.hidden_at = None
        locked.save(update_fields=["status", "hidden_by", "hidden_at"])
    return locked


@transaction.atomic
def reaction_toggle(*, article: Any, user: Any, kind: str) -> bool:
    """Give or take back ``user``'s reaction of ``kind`` on ``article``; True when it is now given."""
    Reaction = news_models.Reaction
    if kind not in Reaction.Kind.values:
        raise ValidationError(_("Unknown reaction."))
    _check_may_take_part(user=user, article=article)
    deleted, _rows = Reaction.objects.filter(article=article, user=user, kind=kind).delete()
    if deleted:
        return False
    Reaction.objects.get_or_create(article=article, user=user, kind=kind)  # a simultaneous toggle may have made it
    return True
