"""@mentions in what members write in a group: the one place for them.

**Markup.** Members type in a plain textarea; the suggestion widget (``static/groups/mentions.js``) inserts a
token ``@[Anna de Vries](<account uuid>)``. On every write the server turns the tokens into links
(``mention_markup``)::

    <a href="/people/<uuid>/" class="mention" data-mention="<uuid>" rel="…">@Anna de Vries</a>

* The name typed in the token is never trusted: the link shows the account's current display name,
  HTML-escaped. A token with an id of no account stays the plain text typed (``@Anna de Vries``); one of an
  account that is no longer active too.
* A mention link already in the text (an edited text holds its stored links) is rendered again the same
  way from its id, whatever its text or address said; so a link written by hand with ``data-mention`` is no
  way to show a made-up name, and ``class="mention"`` is dropped from any other link.
* Tokens inside a link, ``code`` or ``pre`` stay text. At most ``MENTION_MAX`` people per text.
* ``shared_apps.groups.richtext.sanitise`` (nh3) stays the sanitiser: the text is sanitised first (the
  tokens are plain text to it), the tokens are expanded in its text nodes only, and the result goes through
  the sanitiser again, which allows ``class="mention"`` and a UUID in ``data-mention`` on links only.

**Who is notified.** ``mention_check`` keeps the people who may see the item
(``access.can_see_content_item``) and says why each of the others was not notified; the services pass the
first to ``activity_record(mentioned=…)`` and return the others to the author. The author never mentions
themselves (ignored).

**Suggestions.** ``mention_candidates`` offers only people who may read the group's content and whom the
author could find anyway: the group's members; in an open group also the people of its audience the author
finds in the platform directory (``shared_apps.shared_space.selectors.directory_accounts``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from uuid import UUID

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Case, Exists, IntegerField, OuterRef, Q, Value, When
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from shared_apps.accounts.models import Account
from shared_apps.accounts.selectors import civil_servant_organisations_of
from shared_apps.groups import access
from shared_apps.groups.models import Group, GroupContent, GroupMembership
from shared_apps.groups.richtext import sanitise
from shared_apps.shared_space.selectors import civil_servant_condition, directory_accounts

#: People mentioned in one text, at most.
MENTION_MAX = 20
#: Suggestions per request, at most; characters of a query looked at.
SUGGESTIONS_MAX = 20
QUERY_MAX = 100

_UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
#: A token as it stands in sanitised text (the typed name HTML-escaped by the sanitiser).
TOKEN = re.compile(r"@\[(?P<name>[^\[\]\n]{0,200})\]\((?P<id>" + _UUID + r")\)")
_TAG = re.compile(r"(<[^>]*>)")  # nh3's output escapes "<" and ">" in attribute values and text
_TAG_NAME = re.compile(r"^<(/?)([a-zA-Z0-9]+)")
_DATA_MENTION = re.compile(r'\sdata-mention="(' + _UUID + r')"')
_CLASS = re.compile(r'\sclass="[^"]*"')
_STORED = re.compile(r'<a\s[^>]*data-mention="(' + _UUID + r')"')
#: Elements whose text is left alone: a link in a link is no link, code is shown as written.
_LITERAL = {"a", "code", "pre"}


@dataclass(frozen=True)
class MarkedText:
    """A text sanitised with its mentions expanded (``html``), and the accounts it mentions (in order:
    those that exist, active or not; ids of no account are left out)."""

    html: str
    account_ids: list[UUID]


@dataclass(frozen=True)
class MentionCheck:
    #: The accounts to notify: active, not the writer, and allowed to see the item.
    notify: list[UUID]
    #: ``(display name, why they were not notified)`` for each of the others, in a sentence's words.
    refused: list[tuple[str, str]]


# --- Markup -----------------------------------------------------------------------------------------------


def mention_url(*, account_id: UUID | str) -> str:
    """A person's profile in the shared space's directory (where a mention links to)."""
    return reverse("shared_space_person", kwargs={"account_id": account_id}, urlconf=settings.PUBLIC_SCHEMA_URLCONF)


def _parts(clean: str) -> list[str | tuple[UUID, str]]:
    """``clean`` (sanitised HTML) cut into HTML to keep (``str``) and mentions (``(id, fallback HTML)``)."""
    parts: list[str | tuple[UUID, str]] = []
    literal: list[str] = []  # the open elements of _LITERAL, innermost last
    mention: tuple[UUID, list[str]] | None = None  # a stored mention link being read: its id, its inside
    for piece in _TAG.split(clean):
        if not piece:
            continue
        tag = _TAG_NAME.match(piece) if piece.startswith("<") else None
        if mention is not None:
            if tag and tag.group(2).lower() == "a" and tag.group(1):
                parts.append((mention[0], "".join(mention[1])))
                mention = None
            else:
                mention[1].append(piece)
            continue
        if tag is None:
            parts.extend(_tokens(piece) if not literal else [piece])
            continue
        closing, name = tag.group(1), tag.group(2).lower()
        if name == "a" and not closing:
            found = _DATA_MENTION.search(piece)
            if found and not literal:
                mention = (UUID(found.group(1)), [])
                continue
            piece = _DATA_MENTION.sub("", _CLASS.sub("", piece))  # only the server's mention links are mentions
        if name in _LITERAL:
            if not closing:
                literal.append(name)
            elif name in literal:
                del literal[len(literal) - 1 - literal[::-1].index(name)]
        parts.append(piece)
    if mention is not None:  # an unclosed link (not in nh3's output): keep its text
        parts.append((mention[0], "".join(mention[1])))
    return parts


def _tokens(text: str) -> list[str | tuple[UUID, str]]:
    parts: list[str | tuple[UUID, str]] = []
    at = 0
    for token in TOKEN.finditer(text):
        parts.append(text[at : token.start()])
        parts.append((UUID(token.group("id")), f"@{token.group('name')}"))
        at = token.end()
    parts.append(text[at:])
    return parts


def mention_markup(*, text: str) -> MarkedText:
    """``text`` sanitised (``richtext.sanitise``) with its mention tokens and links rendered by the server.

    ``ValidationError`` when it mentions more than ``MENTION_MAX`` people."""
    clean = sanitise(text)
    if "@" not in clean:
        return MarkedText(html=clean, account_ids=[])
    parts = _parts(clean)
    wanted = list(dict.fromkeys(part[0] for part in parts if isinstance(part, tuple)))
    if len(wanted) > MENTION_MAX:
        raise ValidationError(
            ngettext(
                "Mention at most %(count)s person in one text.",
                "Mention at most %(count)s people in one text.",
                MENTION_MAX,
            )
            % {"count": MENTION_MAX}
        )
    accounts = {account.pk: account for account in Account.objects.filter(pk__in=wanted)}
    rendered: list[str] = []
    for part in parts:
        if isinstance(part, str):
            rendered.append(part)
            continue
        account_id, fallback = part
        account = accounts.get(account_id)
        if account is None or not account.is_active:
            rendered.append(fallback)
            continue
        rendered.append(
            f'<a href="{escape(mention_url(account_id=account.pk))}" class="mention" '
            f'data-mention="{account.pk}">@{escape(account.display_name)}</a>'
        )
    expanded = "".join(rendered)
    html = sanitise(expanded) if expanded != clean else clean
    return MarkedText(html=html, account_ids=[account_id for account_id in wanted if account_id in accounts])


def mentions_in(*, html: str) -> list[UUID]:
    """The accounts mentioned in a stored (``mention_markup``-made) text, in order, each once."""
    return list(dict.fromkeys(UUID(found) for found in _STORED.findall(html or "")))


# --- Who is notified --------------------------------------------------------------------------------------


def _why_not(*, viewer: access.GroupViewer, item: GroupContent) -> str:
    """Why ``viewer`` may not see ``item`` (``access.can_see_content_item`` said no), for its author to read."""
    group = item.group
    if not access.can_see_group(viewer=viewer, group=group) or not access.can_read_content(viewer=viewer, group=group):
        if group.visibility == Group.Visibility.OPEN:
            if group.audience == Group.Audience.CIVIL_SERVANTS and not viewer.civil_servant:
                return _("they cannot see this group (it is for civil servants only)")
            return _("they cannot read this group")
        if group.visibility == Group.Visibility.HIDDEN:
            return _("they are not a member of this hidden group")
        return _("they are not a member of this closed group")
    return _("they cannot see it: the group's moderators have hidden it")


def mention_check(*, item: GroupContent, account_ids: list[UUID], writer_id: UUID | None = None) -> MentionCheck:
    """Of ``account_ids`` (mentioned in ``item``), who is notified and why the others are not.

    The writer (``writer_id``; else the item's author) is left out silently, as are ids of no account.
    Asks ``access.can_see_content_item`` for each (three queries a person, at most ``MENTION_MAX``)."""
    itself = {writer_id if writer_id is not None else item.author_id}
    wanted = [account_id for account_id in dict.fromkeys(account_ids) if account_id not in itself]
    accounts = {account.pk: account for account in Account.objects.filter(pk__in=wanted)}
    notify: list[UUID] = []
    refused: list[tuple[str, str]] = []
    for account_id in wanted:
        account = accounts.get(account_id)
        if account is None:
            continue
        if not account.is_active:
            refused.append((account.display_name, _("they no longer have an account")))
            continue
        viewer = access.viewer_for_account(account)
        if access.can_see_content_item(viewer=viewer, item=item):
            notify.append(account.pk)
        else:
            refused.append((account.display_name, _why_not(viewer=viewer, item=item)))
    return MentionCheck(notify=notify, refused=refused)


# --- Suggestions ------------------------------------------------------------------------------------------


def mention_candidates(*, group: Group, author: Account, query: str, limit: int = 8) -> list[Account]:
    """People ``author`` may mention in ``group`` whose display name has ``query`` in it: the group's
    members; in an open group also the people of its audience (signed in: any active account; civil
    servants only where it is for them) whom the author finds in the platform directory. Members first,
    then names starting with the query. Two queries (the directory's rule asks whether the author is a
    civil servant)."""
    query = " ".join((query or "").replace("\x00", "").split())[:QUERY_MAX]
    limit = max(1, min(limit, SUGGESTIONS_MAX))
    accounts = (
        Account.objects.filter(is_active=True)
        .exclude(pk=author.pk)
        .annotate(is_member=Exists(GroupMembership.objects.filter(group=group, account=OuterRef("pk"))))
    )
    reach = Q(is_member=True)
    if group.visibility == Group.Visibility.OPEN:  # the rule of access.can_read_content for non-members
        outsiders = Q(pk__in=directory_accounts(viewer=author).order_by().values("pk"))
        if group.audience == Group.Audience.CIVIL_SERVANTS:
            outsiders &= Q(civil_servant_condition())
        reach |= outsiders
    accounts = accounts.filter(reach)
    if query:
        accounts = accounts.filter(display_name__icontains=query)
    first = Case(When(display_name__istartswith=query, then=Value(0)), default=Value(1), output_field=IntegerField())
    member_first = Case(When(is_member=True, then=Value(0)), default=Value(1), output_field=IntegerField())
    return list(accounts.order_by(member_first, first, "display_name", "pk")[:limit])


def mention_suggestions(*, group: Group, author: Account, query: str) -> list[dict[str, str]]:
    """``mention_candidates`` as the suggestion widget shows them: id, name and organisations (or "citizen")."""
    candidates = mention_candidates(group=group, author=author, query=query)
    organisations = civil_servant_organisations_of(account_ids=[account.pk for account in candidates])
    return [
        {
            "id": str(account.pk),
            "name": account.display_name,
            "detail": ", ".join(o.name for o in organisations.get(account.pk, [])) or _("citizen"),
        }
        for account in candidates
    ]
