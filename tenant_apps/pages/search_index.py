"""The organisation side of the platform search: what the index holds for this schema's pages and
documents, and the signal handlers that keep it in step (through ``tenant_apps.pages.tasks``).

Every entry carries its audience: the page's effective level (``visibility.effective_level``) or the
document's collection level (``visibility.collection_level``), computed here, where the rule lives. Only
live pages that Wagtail's own privacy options leave open (``Page.objects.live().public()``) are indexed:
a page behind a login, password or group restriction is never found by the platform search.

Keys: ``<schema>:wagtailcore.page:<pk>`` (whatever the page type) and ``<schema>:<document model>:<pk>``.
"""

from __future__ import annotations

import html
from typing import Any

from celery import current_app
from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save, pre_delete
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import Truncator
from wagtail.documents import get_document_model
from wagtail.models import Page, PageViewRestriction, Site
from wagtail.search import index
from wagtail.signals import page_published, page_unpublished, post_page_move

from shared_apps.accounts.mail import host_url
from shared_apps.search.group_index import file_name_words
from shared_apps.search.services import EntryData, entries_delete, entries_replace
from tenant_apps.pages.catalogue import search_kind_is_on
from tenant_apps.pages.visibility import EVERY_LEVEL, collection_level, effective_level, visible_pages
from tenants.models import Organisation
from tenants.naming import POOL_SCHEMA_PREFIX, TEMPLATE_SCHEMA_PREFIX

SUMMARY_WORDS = 40
PAGE_LABEL = "wagtailcore.page"


def _plain(value: object) -> str:
    return " ".join(html.unescape(strip_tags(str(value or ""))).split())


def page_key(*, schema_name: str, page_id: int) -> str:
    return f"{schema_name}:{PAGE_LABEL}:{page_id}"


def document_key(*, schema_name: str, document_id: int) -> str:
    return f"{schema_name}:{get_document_model()._meta.label_lower}:{document_id}"


def _page_text(page: Page) -> str:
    """The text of the page's own search fields (title aside): summary, body, … as plain text."""
    parts = []
    for field in page.search_fields:
        if isinstance(field, index.SearchField) and field.field_name != "title":
            parts.append(_plain(getattr(page, field.field_name, "")))
    return "\n".join(part for part in parts if part)


def _site_root() -> Page | None:
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first() or Site.objects.first()
    return site.root_page if site is not None else None


def _indexable_pages(root: Page):  # type: ignore[no-untyped-def]
    """Live pages open to Wagtail, without those of switched-off apps (the catalogue): each entry carries its
    audience, so the search's trim decides who finds it."""
    return visible_pages(queryset=Page.objects.live().public().descendant_of(root, inclusive=True), viewer=EVERY_LEVEL)


def page_entry(*, page: Page, root: Page, organisation: Organisation, host: str) -> EntryData:
    """The entry of one live, open page of the current schema (``page``: specific)."""
    text = _page_text(page)
    summary = getattr(page, "summary", "") or page.search_description or Truncator(text).words(SUMMARY_WORDS, "…")
    path = "/" + page.url_path[len(root.url_path) :]
    return EntryData(
        key=page_key(schema_name=organisation.schema_name, page_id=page.pk),
        source="organisation",
        kind="page",
        title=page.title,
        summary=_plain(summary),
        body=text,
        url=host_url(host, path),
        language=page.locale.language_code if page.locale_id else settings.LANGUAGE_CODE,
        published_at=page.first_published_at or page.last_published_at or timezone.now(),
        organisation_id=organisation.pk,
        audience=effective_level(page).key,
    )


def document_entry(*, document: Any, organisation: Organisation, host: str) -> EntryData:
    path = reverse("wagtaildocs_serve", args=[document.pk, document.filename], urlconf=settings.ROOT_URLCONF)
    return EntryData(
        key=document_key(schema_name=organisation.schema_name, document_id=document.pk),
        source="organisation",
        kind="document",
        title=document.title,
        summary="",
        body="\n".join([file_name_words(document.filename), " ".join(tag.name for tag in document.tags.all())]),
        url=host_url(host, path),
        language=settings.LANGUAGE_CODE,
        published_at=document.created_at,
        organisation_id=organisation.pk,
        audience=collection_level(document.collection).key,
    )


def _current_organisation() -> Organisation:
    tenant = getattr(connection, "tenant", None)
    if not isinstance(tenant, Organisation):
        tenant = Organisation.objects.get(schema_name=connection.schema_name)
    return tenant


def page_entries(*, organisation: Organisation, pages: Any = None) -> list[EntryData]:
    """Entries of the site's live, open pages (of ``pages``, a queryset, if given)."""
    root = _site_root()
    if root is None:
        return []
    host = organisation.primary_host()
    found = _indexable_pages(root)
    if pages is not None:
        found = found.filter(pk__in=pages.values("pk"))
    return [
        page_entry(page=page, root=root, organisation=organisation, host=host)
        for page in found.specific().select_related("locale").order_by("path")
    ]


def document_entries(*, organisation: Organisation, documents: Any = None) -> list[EntryData]:
    """Entries of the organisation's documents; none while the app that declares them as its search source
    (the catalogue's ``search_kinds``) is off."""
    if not search_kind_is_on(kind="document", organisation=organisation):
        return []
    host = organisation.primary_host()
    found = get_document_model().objects.all() if documents is None else documents
    return [
        document_entry(document=document, organisation=organisation, host=host)
        for document in found.select_related("collection").prefetch_related("tags")
    ]


def search_entries_of_organisation(*, organisation: Organisation) -> list[EntryData]:
    """Every entry of the current schema: the ``search_entries_of_organisation`` hook."""
    return [*page_entries(organisation=organisation), *document_entries(organisation=organisation)]


# --- Re-indexing parts of the organisation (called by the tasks, in the organisation's schema) ----------


def page_subtree_reindex(*, page_id: int) -> int:
    """Re-index a page and every page under it (a publish, move or change of level reaches them all);
    those no longer live or open leave the index. A page that is gone: its entry leaves."""
    organisation = _current_organisation()
    page = Page.objects.filter(pk=page_id).first()
    if page is None:
        entries_delete(keys=[page_key(schema_name=organisation.schema_name, page_id=page_id)])
        return 0
    subtree = Page.objects.descendant_of(page, inclusive=True)
    entries = page_entries(organisation=organisation, pages=subtree)
    keys = [page_key(schema_name=organisation.schema_name, page_id=pk) for pk in subtree.values_list("pk", flat=True)]
    return entries_replace(entries=entries, within_keys=keys)


def pages_remove(*, page_ids: list[int]) -> int:
    """Remove the entries of pages (deleted ones)."""
    schema_name = connection.schema_name
    return entries_delete(keys=[page_key(schema_name=schema_name, page_id=pk) for pk in page_ids])


def document_reindex(*, document_id: int) -> int:
    """Re-index one document (saved, or moved to another collection); gone: its entry leaves."""
    organisation = _current_organisation()
    found = get_document_model().objects.filter(pk=document_id)
    if not found.exists():
        entries_delete(keys=[document_key(schema_name=organisation.schema_name, document_id=document_id)])
        return 0
    return entries_replace(
        entries=document_entries(organisation=organisation, documents=found),
        within_keys=[document_key(schema_name=organisation.schema_name, document_id=document_id)],
    )


def documents_reindex() -> int:
    """Re-index every document (a collection's level changed: it reaches every collection below)."""
    organisation = _current_organisation()
    return entries_replace(
        entries=document_entries(organisation=organisation),
        prefix=f"{organisation.schema_name}:{get_document_model()._meta.label_lower}:",
    )


# --- Signal handlers: each only queues a task, after commit ----------------------------------------------


NOT_AN_ORGANISATION = (TEMPLATE_SCHEMA_PREFIX, POOL_SCHEMA_PREFIX)


def _queue(task_name: str, **kwargs: Any) -> None:
    """Queue ``task_name`` with the current schema once the transaction commits (nothing in the public
    schema: the shared space's own Wagtail pages are no organisation's content)."""
    schema_name = connection.schema_name
    if schema_name == settings.PUBLIC_SCHEMA_NAME or schema_name.startswith(NOT_AN_ORGANISATION):
        return  # nor in the template or a warm-pool schema: they are no organisation yet (a claim re-indexes)
    transaction.on_commit(lambda: current_app.tasks[task_name].delay(schema_name=schema_name, **kwargs), robust=True)


def _page_changed(sender: type, instance: Page, **kwargs: Any) -> None:
    """Published, unpublished or moved: the page and its subtree (their addresses and levels follow it)."""
    _queue("search.page_reindex", page_id=instance.pk)


def _page_deleted(sender: type, instance: Page, **kwargs: Any) -> None:
    _queue("search.pages_remove", page_ids=[instance.pk])


def _restriction_changed(sender: type, instance: PageViewRestriction, **kwargs: Any) -> None:
    """Wagtail's own privacy (login, password, groups) on a page closes or opens its subtree."""
    if not kwargs.get("raw"):
        _queue("search.page_reindex", page_id=instance.page_id)


def _document_changed(sender: type, instance: Any, **kwargs: Any) -> None:
    if not kwargs.get("raw"):
        _queue("search.document_reindex", document_id=instance.pk)


def _collection_level_changed(sender: type, instance: Any, **kwargs: Any) -> None:
    if not kwargs.get("raw"):
        _queue("search.documents_reindex")


def connect() -> None:
    """Called once from ``PagesConfig.ready()``."""
    page_published.connect(_page_changed, dispatch_uid="search.page_published")
    page_unpublished.connect(_page_changed, dispatch_uid="search.page_unpublished")
    post_page_move.connect(_page_changed, dispatch_uid="search.page_moved")
    pre_delete.connect(_page_deleted, sender=Page, dispatch_uid="search.page_deleted")
    for signal, name in ((post_save, "saved"), (post_delete, "deleted")):
        signal.connect(_restriction_changed, sender=PageViewRestriction, dispatch_uid=f"search.restriction.{name}")
        signal.connect(_document_changed, sender=get_document_model(), dispatch_uid=f"search.document.{name}")
        signal.connect(
            _collection_level_changed,
            sender=apps.get_model("org_pages", "CollectionLevel"),
            dispatch_uid=f"search.collection_level.{name}",
        )
