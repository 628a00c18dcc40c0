"""Keeping the platform search index in step: the services, the organisation side, the groups side."""

from __future__ import annotations

import datetime
import io

import pytest
from django.utils import timezone

from shared_apps.search.models import SearchEntry
from shared_apps.search.services import EntryData, entries_delete, entries_delete_prefix, entries_upsert, entry_upsert

pytestmark = pytest.mark.django_db


def _entry(world, key: str, **changes) -> EntryData:
    values = {
        "key": key,
        "source": "organisation",
        "kind": "page",
        "title": "Vergadering van de raad",
        "summary": "Korte samenvatting",
        "body": "De notulen van de vergaderingen over fietspaden.",
        "url": "http://org-a.example/raad/",
        "language": "nl",
        "published_at": timezone.now() - datetime.timedelta(days=1),
        "organisation_id": world.org_a.pk,
        "audience": "public",
    }
    values.update(changes)
    return EntryData(**values)


def test_upsert_writes_once_per_key_and_folds_the_body_into_the_vector(world) -> None:
    entry_upsert(entry=_entry(world, "org_a:pages.page:1"))
    assert entries_upsert(entries=[_entry(world, "org_a:pages.page:1", title="Nieuwe titel")]) == 1
    stored = SearchEntry.objects.get(key="org_a:pages.page:1")
    assert stored.title == "Nieuwe titel"
    assert "fietspad" in str(stored.search_vector)  # the body is in the vector (Dutch stem) ...
    assert not hasattr(stored, "body")  # ... and nowhere else
    assert SearchEntry.objects.count() == 1


def test_bulk_upsert_in_batches(world) -> None:
    entries = [_entry(world, f"org_a:pages.page:{n}") for n in range(25)]
    assert entries_upsert(entries=entries, batch_size=10) == 25
    assert SearchEntry.objects.filter(search_vector__isnull=False).count() == 25


def test_a_bad_entry_writes_nothing(world) -> None:
    good = _entry(world, "org_a:pages.page:1")
    bad = _entry(world, "org_a:pages.page:2", audience="")
    with pytest.raises(ValueError, match="audience"):
        entries_upsert(entries=[good, bad])
    assert not SearchEntry.objects.exists()
    with pytest.raises(ValueError, match="kind"):
        entry_upsert(entry=_entry(world, "org_a:pages.page:3", kind="poem"))
    with pytest.raises(ValueError, match="group"):
        entry_upsert(entry=_entry(world, "group:groups.group:1", source="group", audience=""))


def test_delete_by_key_and_by_prefix(world) -> None:
    entries_upsert(entries=[_entry(world, f"org_a:pages.page:{n}") for n in range(3)])
    entries_upsert(entries=[_entry(world, "org_b:pages.page:1", organisation_id=world.org_b.pk)])
    assert entries_delete(keys=["org_a:pages.page:0"]) == 1
    assert entries_delete_prefix(prefix="org_a:") == 2
    assert list(SearchEntry.objects.values_list("key", flat=True)) == ["org_b:pages.page:1"]
    with pytest.raises(ValueError):
        entries_delete_prefix(prefix="")


# --- The organisation side: signals queue tasks after commit, the tasks keep the index in step ----------

from urllib.parse import urlsplit  # noqa: E402 - the section's own imports

from celery import current_app  # noqa: E402
from django.conf import settings as django_settings  # noqa: E402
from django.core.files.base import ContentFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django_tenants.utils import tenant_context  # noqa: E402
from wagtail.documents import get_document_model  # noqa: E402
from wagtail.models import Collection, Page, PageViewRestriction, Site  # noqa: E402

from shared_apps.group_discussions.services import discussion_create, reply_create  # noqa: E402
from shared_apps.group_events.services import EventFields, event_create  # noqa: E402
from shared_apps.group_files.services import file_upload, folder_create  # noqa: E402
from shared_apps.group_wiki.services import wiki_page_create  # noqa: E402
from shared_apps.groups.models import Group  # noqa: E402
from shared_apps.groups.services.groups import group_update  # noqa: E402
from shared_apps.groups.services.moderation import item_hide  # noqa: E402
from shared_apps.search.access import SearchViewer, search_viewer_for_account  # noqa: E402
from shared_apps.search.selectors import search  # noqa: E402
from shared_apps.search.services import group_reindex, organisation_reindex  # noqa: E402
from tenant_apps.pages.models import CollectionLevel, ContentPage  # noqa: E402
from tenants.audit import Actor  # noqa: E402
from tenants.models import EmailDomain, Organisation  # noqa: E402
from tenants.services import organisation_set_default_visibility  # noqa: E402
from tests.harness.clients import client_for  # noqa: E402

SEARCH_TASKS = [
    "search.page_reindex",
    "search.pages_remove",
    "search.document_reindex",
    "search.documents_reindex",
    "search.organisation_reindex",
    "search.group_reindex",
]


class Queue:
    """The search tasks queued (their ``delay`` recorded instead of sent), run on demand like a worker."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, dict]] = []

    def names(self) -> list[str]:
        return [name for name, _ in self.sent]

    def run(self) -> None:
        sent, self.sent = self.sent, []
        for name, kwargs in sent:
            current_app.tasks[name].run(**kwargs)


@pytest.fixture
def queue(monkeypatch) -> Queue:  # type: ignore[no-untyped-def]
    recorded = Queue()
    for name in SEARCH_TASKS:
        task = current_app.tasks[name]
        monkeypatch.setattr(task, "delay", lambda _name=name, **kwargs: recorded.sent.append((_name, kwargs)))
    return recorded


def _entry_of(world, page_id: int) -> SearchEntry | None:  # type: ignore[no-untyped-def]
    return SearchEntry.objects.filter(key=f"{world.org_a.schema_name}:wagtailcore.page:{page_id}").first()


def test_publish_and_unpublish_keep_the_index_in_step(world, queue, django_capture_on_commit_callbacks) -> None:
    with tenant_context(world.org_a):
        home = Site.objects.get().root_page
        page = home.add_child(instance=ContentPage(title="Verkeersplan", slug="plan", visibility="public", live=False))
        with django_capture_on_commit_callbacks(execute=True):
            page.save_revision().publish()
    assert queue.names() == ["search.page_reindex"]
    assert queue.sent[0][1] == {"schema_name": world.org_a.schema_name, "page_id": page.pk}
    queue.run()
    entry = _entry_of(world, page.pk)
    assert entry.audience == "public" and entry.organisation_id == world.org_a.pk
    assert entry.url.endswith("/plan/") and world.org_a.platform_host in entry.url
    with tenant_context(world.org_a), django_capture_on_commit_callbacks(execute=True):
        ContentPage.objects.get(pk=page.pk).unpublish()
    queue.run()
    assert _entry_of(world, page.pk) is None


def test_a_level_change_reaches_the_whole_subtree(world, queue, django_capture_on_commit_callbacks) -> None:
    with tenant_context(world.org_a):
        home = Site.objects.get().root_page
        section = home.add_child(instance=ContentPage(title="Sectie", slug="sectie", visibility="public"))
        child = section.add_child(instance=ContentPage(title="Kind", slug="kind", visibility="public"))
        grandchild = child.add_child(instance=ContentPage(title="Kleinkind", slug="kleinkind", visibility="public"))
        unmarked = child.add_child(instance=ContentPage(title="Ongemarkeerd", slug="ongemarkeerd"))
    organisation_reindex(organisation=world.org_a)
    assert _entry_of(world, grandchild.pk).audience == "public"
    assert _entry_of(world, unmarked.pk).audience == "organisation"  # unmarked: the intranet's default
    citizen = search_viewer_for_account(account=world.citizen.account)
    assert [entry.title for entry in search(viewer=citizen, query="kleinkind").entries] == ["Kleinkind"]
    with tenant_context(world.org_a), django_capture_on_commit_callbacks(execute=True):
        page = ContentPage.objects.get(pk=child.pk)
        page.visibility = "civil_servants"
        page.save_revision().publish()
    queue.run()
    assert _entry_of(world, child.pk).audience == "civil_servants"
    assert _entry_of(world, grandchild.pk).audience == "civil_servants"  # never more visible than its parent
    assert search(viewer=citizen, query="kleinkind").total == 0
    civil_servant = search_viewer_for_account(account=world.b_member.account)
    assert search(viewer=civil_servant, query="kleinkind").total == 0  # not a civil servant without the domain
    EmailDomain.objects.create(organisation=world.org_b, domain="org-b.example")
    civil_servant = search_viewer_for_account(account=world.b_member.account)
    assert search(viewer=civil_servant, query="kleinkind").total == 1


def test_move_and_delete_keep_the_index_in_step(world, queue, django_capture_on_commit_callbacks) -> None:
    with tenant_context(world.org_a):
        home = Site.objects.get().root_page
        closed = home.add_child(instance=ContentPage(title="Dicht", slug="dicht", visibility="organisation"))
        page = home.add_child(instance=ContentPage(title="Open", slug="open", visibility="public"))
        below = page.add_child(instance=ContentPage(title="Onder", slug="onder", visibility="public"))
    organisation_reindex(organisation=world.org_a)
    with tenant_context(world.org_a), django_capture_on_commit_callbacks(execute=True):
        Page.objects.get(pk=page.pk).move(closed, pos="last-child")
    assert "search.page_reindex" in queue.names()
    queue.run()
    moved = _entry_of(world, page.pk)
    assert moved.audience == "organisation" and moved.url.endswith("/dicht/open/")
    assert _entry_of(world, below.pk).audience == "organisation"
    with tenant_context(world.org_a), django_capture_on_commit_callbacks(execute=True):
        Page.objects.get(pk=page.pk).delete()
    assert "search.pages_remove" in queue.names()
    queue.run()
    assert _entry_of(world, page.pk) is None and _entry_of(world, below.pk) is None
    assert _entry_of(world, closed.pk) is not None


def test_wagtail_privacy_takes_a_subtree_out_of_the_index(world, queue, django_capture_on_commit_callbacks) -> None:
    with tenant_context(world.org_a):
        home = Site.objects.get().root_page
        page = home.add_child(instance=ContentPage(title="Wachtwoord", slug="wachtwoord", visibility="public"))
    organisation_reindex(organisation=world.org_a)
    assert _entry_of(world, page.pk) is not None
    with tenant_context(world.org_a), django_capture_on_commit_callbacks(execute=True):
        PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.PASSWORD, password="x")
    queue.run()
    assert _entry_of(world, page.pk) is None


def test_documents_follow_their_collection(world, queue, django_capture_on_commit_callbacks) -> None:
    with tenant_context(world.org_a), django_capture_on_commit_callbacks(execute=True):
        public = Collection.objects.get(name="Public", depth=2)
        document = get_document_model().objects.create(
            title="Jaarverslag", file=ContentFile(b"verslag", name="jaarverslag.txt"), collection=public
        )
    queue.run()
    key = f"{world.org_a.schema_name}:{get_document_model()._meta.label_lower}:{document.pk}"
    entry = SearchEntry.objects.get(key=key)
    assert entry.kind == "document" and entry.audience == "public" and "/documents/" in entry.url
    with tenant_context(world.org_a), django_capture_on_commit_callbacks(execute=True):
        level = CollectionLevel.objects.get(collection=public)
        level.level = "civil_servants"
        level.save()
    assert queue.names() == ["search.documents_reindex"]
    queue.run()
    assert SearchEntry.objects.get(key=key).audience == "civil_servants"
    with tenant_context(world.org_a), django_capture_on_commit_callbacks(execute=True):
        get_document_model().objects.get(pk=document.pk).delete()
    queue.run()
    assert not SearchEntry.objects.filter(key=key).exists()


def test_the_organisation_default_reindexes_unmarked_pages(world, queue, django_capture_on_commit_callbacks) -> None:
    with tenant_context(world.org_a):
        home = Site.objects.get().root_page
        page = home.add_child(instance=ContentPage(title="Ongemarkeerd", slug="ongemarkeerd"))
    organisation_reindex(organisation=world.org_a)
    assert _entry_of(world, page.pk).audience == "organisation"
    with django_capture_on_commit_callbacks(execute=True):
        organisation_set_default_visibility(organisation=world.org_a, level="public", actor=Actor.cli())
    assert queue.sent == [("search.organisation_reindex", {"organisation_id": world.org_a.pk})]
    queue.run()
    assert _entry_of(world, page.pk).audience == "public"


def test_the_shared_spaces_own_pages_are_not_indexed(world, queue, django_capture_on_commit_callbacks) -> None:
    root = Page.get_first_root_node()
    with django_capture_on_commit_callbacks(execute=True):
        page = root.add_child(instance=Page(title="Shared", slug="shared-test", live=False))
        page.save_revision().publish()
    assert queue.sent == []


# --- The groups side ------------------------------------------------------------------------------------


def _group_titles() -> set[str]:
    return set(SearchEntry.objects.filter(source="group").values_list("title", flat=True))


def test_group_items_follow_saves_hiding_tabs_and_renames(world, make_group, queue, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        group = make_group(world.a_member, name="Fietsers", audience="everyone")
        discussion = discussion_create(
            group=group, author=world.a_member.account, kind="discussion", title="Routes", body="<p>Welke?</p>"
        )
        discussion_create(
            group=group, author=world.a_member.account, kind="question", title="Helm?", body="<p>Verplicht?</p>"
        )
        reply_create(group=group, discussion=discussion, author=world.a_member.account, body="<p>Langs de gracht.</p>")
    assert set(queue.names()) == {"search.group_reindex"}
    queue.run()
    assert _group_titles() == {"Fietsers", "Routes", "Helm?"}
    kinds = dict(SearchEntry.objects.filter(source="group").values_list("title", "kind"))
    assert kinds == {"Fietsers": "group", "Routes": "discussion", "Helm?": "question"}
    citizen = search_viewer_for_account(account=world.citizen.account)
    assert [e.title for e in search(viewer=citizen, query="gracht").entries] == ["Routes"]  # the reply is in it
    route = SearchEntry.objects.get(title="Routes")
    assert route.url.endswith(f"/groups/{group.slug}/discussions/{discussion.pk}/") and route.audience == ""
    with django_capture_on_commit_callbacks(execute=True):
        item_hide(group=group, actor=world.a_member.account, item=discussion)
    queue.run()
    assert _group_titles() == {"Fietsers", "Helm?"}
    with django_capture_on_commit_callbacks(execute=True):
        item_hide(group=group, actor=world.a_member.account, item=discussion, hidden=False)
    queue.run()
    assert "Routes" in _group_titles()
    with django_capture_on_commit_callbacks(execute=True):
        group_update(group=group, actor=world.a_member.account, name="Fietsers en lopers", disabled_tabs=["questions"])
    queue.run()
    assert _group_titles() == {"Fietsers en lopers", "Routes"}


def test_a_deleted_groups_entries_go_with_it(world, make_group) -> None:
    group = make_group(world.a_member, name="Weg")
    discussion_create(group=group, author=world.a_member.account, kind="discussion", title="Ook weg", body="x")
    group_reindex(group_id=group.pk)
    assert SearchEntry.objects.filter(group_id=group.pk).count() == 2
    Group.objects.filter(pk=group.pk).delete()
    assert not SearchEntry.objects.filter(source="group").exists()
    assert group_reindex(group_id=group.pk) == 0


def test_the_reindex_command(world, make_group) -> None:
    with tenant_context(world.org_a):
        Site.objects.get().root_page.add_child(instance=ContentPage(title="Commando", slug="c", visibility="public"))
    group = make_group(world.a_member, name="Commandogroep")
    call_command("search_reindex", "--organisation", world.org_a.slug)
    assert SearchEntry.objects.filter(title="Commando").exists()
    assert not SearchEntry.objects.filter(group=group).exists()
    call_command("search_reindex", "--groups")
    assert SearchEntry.objects.filter(group=group).exists()
    assert not SearchEntry.objects.filter(organisation=world.org_b).exists()
    call_command("search_reindex")
    assert SearchEntry.objects.filter(organisation=world.org_b).exists()
    with pytest.raises(Exception, match="No organisation with the slug nope"):
        call_command("search_reindex", "--organisation", "nope")


def test_the_demo_data_ends_indexed(world) -> None:
    call_command("demo_data", stdout=io.StringIO())
    interior = Organisation.objects.get(slug="interior")
    assert SearchEntry.objects.filter(organisation=interior, kind="page").exists()
    anonymous = SearchViewer()
    found = {entry.title for entry in search(viewer=anonymous, query="ministerie").entries}
    assert "Ministerie van Binnenlandse Zaken" in found
    assert [e.title for e in search(viewer=anonymous, query="wijkplan", kind="group").entries] == [
        "Wijkplan Utrecht-Oost"
    ]
    assert search(viewer=anonymous, query="taskforce").total == 0  # a hidden group
    assert SearchEntry.objects.filter(title="Taskforce informatiebeveiliging").exists()


def test_every_kind_of_group_item_is_indexed_with_an_address_that_opens_it(world, make_group, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.SENDFILE_ROOT = settings.MEDIA_ROOT
    owner = world.a_member.account
    group = make_group(world.a_member, name="Alles", visibility="closed")
    starts = timezone.now() + datetime.timedelta(days=3)
    event_create(
        group=group,
        author=owner,
        fields=EventFields(
            title="Kennissessie",
            description="<p>Ervaringen delen.</p>",
            starts_at=starts,
            ends_at=starts + datetime.timedelta(hours=1),
            place="Utrecht",
            online_url="",
            capacity=None,
        ),
    )
    wiki_page_create(group=group, actor=owner, title="Overzicht", body="<p>Afspraken en planning.</p>")
    folder = folder_create(group=group, actor=owner, name="Verslagen")
    file_upload(group=group, actor=owner, folder_id=folder.pk, upload=ContentFile(b"Verslag.\n", name="verslag.txt"))
    group_reindex(group_id=group.pk)
    kinds = dict(SearchEntry.objects.filter(group=group).values_list("kind", "title"))
    assert kinds == {"group": "Alles", "event": "Kennissessie", "wiki": "Overzicht", "file": "verslag.txt"}
    member = client_for(None, person=world.a_member)
    for entry in SearchEntry.objects.filter(group=group):
        address = urlsplit(entry.url)
        assert address.hostname == django_settings.PLATFORM_DOMAIN, entry.url
        assert member.get(address.path).status_code == 200, entry.url
    # A closed group's items: its member finds them; another civil servant, the citizen and anonymous do not.
    mine = search_viewer_for_account(account=owner)
    found = {e.kind for e in search(viewer=mine, query="verslag or overzicht or kennissessie").entries}
    assert found == {"file", "wiki", "event"}
    for account in (world.b_member.account, world.citizen.account, None):
        outsider = search_viewer_for_account(account=account)
        assert search(viewer=outsider, query="verslag or overzicht or kennissessie").total == 0
    # Hiding the folder takes the file in it out of the index.
    item_hide(group=group, actor=owner, item=folder)
    group_reindex(group_id=group.pk)
    assert not SearchEntry.objects.filter(group=group, kind="file").exists()
