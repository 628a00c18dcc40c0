"""What the index holds for groups: the group itself and its items, built from the group apps' models.

One registry maps each concrete group-content model to what its entry says (kind, title, text). The
group apps stay free of search: this module imports their models, not the other way round. An item is
left out while it or anything it sits in (``GroupContent.containers``) is hidden, and while its tab is
switched off in the group; replies are folded into their discussion's text (no entries of their own).
Who may find a group's entries is decided at query time by the group's state (``access``), so a change
of visibility or membership needs no re-index.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.text import Truncator

from shared_apps.accounts.mail import platform_url
from shared_apps.group_discussions.models import TAB_KEYS, Discussion, Reply
from shared_apps.group_events.models import GroupEvent
from shared_apps.group_files.models import Folder, GroupFile
from shared_apps.group_wiki.models import WikiPage, WikiRevision
from shared_apps.groups.models import Group, GroupContent, group_content_models
from shared_apps.search.entries import EntryData

GROUP_PREFIX = "group:"
_NAME_SEPARATORS = re.compile(r"[._\-]+")
SUMMARY_WORDS = 40


@dataclass(frozen=True)
class ItemText:
    kind: str
    tab: str  # the group tab it is shown in (``shared_apps.groups.tabs``): off there, out of the index
    title: str
    body: str  # plain text


def plain(text: str) -> str:
    """Sanitised HTML as plain text, whitespace collapsed."""
    return " ".join(html.unescape(strip_tags(text or "")).split())


def summary_of(text: str) -> str:
    return Truncator(text).words(SUMMARY_WORDS, truncate="…")


def _discussion(item: Discussion) -> ItemText:
    replies = [plain(reply.body) for reply in item.replies.filter(hidden_at__isnull=True).order_by("created_at")]
    body = "\n".join([plain(item.body), *replies])
    return ItemText(kind=item.kind, tab=TAB_KEYS[item.kind], title=item.title, body=body)


def _event(item: GroupEvent) -> ItemText:
    return ItemText(kind="event", tab="events", title=item.title, body=f"{plain(item.description)}\n{item.place}")


def file_name_words(name: str) -> str:
    """A file name as words too: "jaar-verslag_2024.pdf" is found by "verslag" (PostgreSQL's parser would
    keep the whole name as one token)."""
    return f"{name} {_NAME_SEPARATORS.sub(' ', name)}"


def _file(item: GroupFile) -> ItemText:
    return ItemText(kind="file", tab="files", title=item.original_name, body=file_name_words(item.original_name))


def _wiki(item: WikiPage) -> ItemText:
    latest = item.revisions.order_by("-created_at", "-pk").first()
    return ItemText(kind="wiki", tab="wiki", title=item.title, body=plain(latest.body) if latest else "")


#: model -> what its entry says; ``None``: the model has no entries of its own (a reply is part of its
#: discussion's; a folder is a place, found through its files).
ITEM_TEXT: dict[type[GroupContent], Callable[..., ItemText] | None] = {
    Discussion: _discussion,
    Reply: None,
    GroupEvent: _event,
    GroupFile: _file,
    Folder: None,
    WikiPage: _wiki,
}

#: Models outside ``GroupContent`` whose change changes an entry: model -> the group it belongs to.
DEPENDENT_MODELS: dict[type, Callable[..., int]] = {WikiRevision: lambda revision: revision.page.group_id}


def check_registry() -> list[str]:
    """The group-content models the registry does not know (each needs an entry above, even ``None``)."""
    return sorted(model._meta.label for model in group_content_models() if model not in ITEM_TEXT)


def group_key(group: Group) -> str:
    return f"{GROUP_PREFIX}groups.group:{group.pk}"


def item_key(item: GroupContent) -> str:
    return f"{GROUP_PREFIX}{item._meta.label_lower}:{item.pk}"


def _group_entry(group: Group) -> EntryData:
    path = reverse("groups:detail", kwargs={"slug": group.slug}, urlconf=settings.PUBLIC_SCHEMA_URLCONF)
    return EntryData(
        key=group_key(group),
        source="group",
        kind="group",
        title=group.name,
        summary=group.purpose,
        body="\n".join([plain(group.introduction), " ".join(group.tags)]),
        url=platform_url(path),
        language=settings.LANGUAGE_CODE,
        published_at=group.created_at,
        group_id=group.pk,
    )


def _out_of_sight(item: GroupContent) -> bool:
    return item.is_hidden or any(container.is_hidden for container in item.containers())


def group_entries(*, group: Group) -> list[EntryData]:
    """Every entry of ``group``: itself and its visible items in the tabs it has switched on."""
    entries = [_group_entry(group)]
    for model, describe in ITEM_TEXT.items():
        if describe is None:
            continue
        for item in model.objects.filter(group=group, hidden_at__isnull=True).select_related("group"):
            if _out_of_sight(item):
                continue
            text = describe(item)
            if text.tab in group.disabled_tabs:
                continue
            entries.append(
                EntryData(
                    key=item_key(item),
                    source="group",
                    kind=text.kind,
                    title=text.title,
                    summary=summary_of(text.body),
                    body=text.body,
                    url=platform_url(item.item_url()),
                    language=settings.LANGUAGE_CODE,
                    published_at=item.created_at,
                    group_id=group.pk,
                )
            )
    return entries
