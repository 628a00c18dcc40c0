"""A group's wiki (shared_apps/group_wiki): pages in a tree with their revisions, read and written by the
group's members, whichever organisation they are of (or none), with the core's rules of who may what."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shared_apps.group_wiki import services
from shared_apps.group_wiki.models import WikiPage, WikiRevision
from shared_apps.group_wiki.selectors import wiki_tree
from shared_apps.group_wiki.tree import MAX_DEPTH
from shared_apps.groups.access import viewer_for_account
from shared_apps.groups.models import Group, GroupActivity
from shared_apps.groups.services.memberships import member_remove

pytestmark = pytest.mark.django_db


def wiki(group: Group, rest: str = "") -> str:
    return f"/groups/{group.slug}/wiki/{rest}"


def page_at(group: Group, page: WikiPage, rest: str = "") -> str:
    return wiki(group, f"{page.slug}/{rest}")


def write(group: Group, person, title: str = "Onboarding", body: str = "How we start.", parent=None) -> WikiPage:  # type: ignore[no-untyped-def]
    return services.wiki_page_create(group=group, actor=person.account, title=title, body=body, parent=parent)


def edit(group: Group, person, page: WikiPage, **changes):  # type: ignore[no-untyped-def]
    current = page.revisions.order_by("-created_at", "-pk").first()
    fields = {"title": page.title, "body": current.body if current else "", **changes}
    return services.wiki_page_edit(group=group, actor=person.account, page=page, **fields)


def edit_lines(group: Group, page: WikiPage) -> list[GroupActivity]:
    return list(
        GroupActivity.objects.filter(
            group=group, verb="wiki.edited", target_type=ContentType.objects.get_for_model(WikiPage), target_id=page.pk
        )
    )


def form_of(page: WikiPage, **changes: str) -> dict[str, str]:
    current = page.revisions.order_by("-created_at", "-pk").first()
    return {
        "title": page.title,
        "body": current.body,
        "parent": str(page.parent_id or ""),
        "note": "",
        "base_revision": str(current.pk),
        **changes,
    }


# --- Members write and read ------------------------------------------------------------------------------


def test_a_member_writes_a_page_and_another_reads_it(civil_servants, make_group) -> None:  # type: ignore[no-untyped-def]
    group = make_group(civil_servants.a_member, members=(civil_servants.a_editor,))
    writer = civil_servants.client(civil_servants.a_editor)

    response = writer.post(wiki(group, "new/"), {"title": "Onboarding plan", "body": "First <b>week</b>", "parent": ""})

    page = WikiPage.objects.get(group=group)
    assert response.status_code == 302 and response["Location"] == page_at(group, page)
    assert page.slug == "onboarding-plan" and page.author == civil_servants.a_editor.account
    revision = page.revisions.get()
    assert revision.body == "First <b>week</b>" and revision.author == civil_servants.a_editor.account
    reader = civil_servants.client(civil_servants.a_member)
    index = reader.get(wiki(group))
    assert index.status_code == 200 and "Onboarding plan" in index.content.decode()
    shown = reader.get(page_at(group, page)).content.decode()
    assert "First <b>week</b>" in shown and civil_servants.a_editor.account.display_name in shown
    assert GroupActivity.objects.filter(group=group, verb="wiki.created", summary="Onboarding plan").count() == 1


def test_any_member_edits_any_page_each_save_a_revision(civil_servants, make_group) -> None:  # type: ignore[no-untyped-def]
    group = make_group(civil_servants.a_member, members=(civil_servants.a_editor,))
    page = write(group, civil_servants.a_member)
    client = civil_servants.client(civil_servants.a_editor)

    response = client.post(page_at(group, page, "edit/"), form_of(page, body="Week one, then week two.", note="More"))

    assert response.status_code == 302
    assert page.revisions.count() == 2
    latest = page.revisions.order_by("-created_at", "-pk").first()
    assert latest.author == civil_servants.a_editor.account and latest.note == "More"
    shown = client.get(page_at(group, page)).content.decode()
    assert "Week one, then week two." in shown and "Last edited by" in shown
    assert civil_servants.a_editor.account.display_name in shown


def test_an_edit_that_changes_nothing_makes_no_revision(civil_servants, make_group) -> None:  # type: ignore[no-untyped-def]
    group = make_group(civil_servants.a_member)
    page = write(group, civil_servants.a_member, body="Same text")

    result = edit(group, civil_servants.a_member, page, body="<p>Same text</p>", note="nothing really")
    response = civil_servants.client(civil_servants.a_member).post(page_at(group, page, "edit/"), form_of(page))

    assert not result.changed and response.status_code == 302
    assert page.revisions.count() == 1 and edit_lines(group, page) == []


def test_a_title_change_keeps_the_address(civil_servants, make_group) -> None:  # type: ignore[no-untyped-def]
    group = make_group(civil_servants.a_member)
    page = write(group, civil_servants.a_member, title="Budget")

    edit(group, civil_servants.a_member, page, title="Budget 2026")

    page.refresh_from_db()
    assert (page.title, page.slug) == ("Budget 2026", "budget")
    assert page.revisions.order_by("-created_at", "-pk").first().title == "Budget 2026"


def test_slugs_come_from_titles_with_a_number_on_a_clash(civil_servants, make_group) -> None:  # type: ignore[no-untyped-def]
    group = make_group(civil_servants.a_member)
    other = make_group(civil_servants.a_member, name="Other group")

    slugs = [
        write(group, civil_servants.a_member, title=title).slug for title in ("Plan", "Plan", "Plan!", "New", "日本")
    ]

    assert slugs == ["plan", "plan-2", "plan-3", "new-2", "page"]
    assert write(other, civil_servants.a_member, title="Plan").slug == "plan"  # unique per group only


def test_member_text_is_sanitised(civil_servants, make_group) -> None:  # type: ignore[no-untyped-def]
    group = make_group(civil_servants.a_member)

    page = write(group, civil_servants.a_member, body='<p onclick="x()">Hi</p><script>alert(1)</script>')

    body = page.revisions.get().body
    assert "script" not in body and "onclick" not in body and "Hi" in body


# --- The tree ----------------------------------------------------------------------------------------------


def test_pages_go_at_the_top_or_under_another_page_and_show_as_a_tree(civil_servants, make_group) -> None:  # type: ignore[no-untyped-def]
    group = make_group(civil_servants.a_member)
    top = write(group, civil_servants.a_member, title="Handbook")
    client = civil_servants.client(civil_servants.a_member)

    form = client.get(wiki(group, f"new/?parent={top.slug}")).content.decode()
    response = client.post(wiki(group, "new/"), {"title": "Travel", "body": "", "parent": str(top.pk)})
    write(group, civil_servants.a_member, title="Expenses", parent=WikiPage.objects.get(slug="travel"))

    assert f'<option value="{top.pk}" selected>' in form
    assert response.status_code == 302
    travel = WikiPage.objects.get(group=group, slug="travel")
    assert travel.parent == top
    index = client.get(wiki(group)).content.decode()
    assert index.index("Handbook") < index.index("Travel") < index.index("Expenses")
    assert index.count("<ul>") >= 3  # nested lists: one per level
    shown = client.get(page_at(group, top)).content.decode()
    assert "Subpages" in shown and "Travel" in shown
    crumbs = client.get(page_at(group, travel)).content.decode()
    assert 'aria-label="Where this page is"' in crumbs and f'href="{page_at(group, top)}"' in crumbs


def test_the_tree_is_built_with_one_query_however_many_pages(civil_servants, make_group) -> None:  # type: ignore[no-untyped-def]
    group = make_group(civil_servants.a_member)
    viewer = viewer_for_account(civil_servants.a_member.account)
    parent = None
    for level in range(5):
        parent = write(group, civil_servants.a_member, title=f"Level {level}", parent=parent)
        for sibling in range(4):
            write(group, civil_servants.a_member, title=f"Sibling {level}.{sibling}", parent=parent)

    with CaptureQueriesContext(connection) as queries:
        tree = wiki_tree(group=group, viewer=viewer)
        flat = tree.flat()

    assert len([query for query in queries.captured_queries if not query["sql"].startswith("SET ")]) == 1
    assert len(flat) == 25 and [node.depth for node in flat if node.page.title.startswith("Level")] == [0, 1, 2, 3, 4]
    assert [node.page.title for node in tree.by_id[parent.pk].children] == [f"Sibling 4.{n}" for n in range(4)]


def test_the_wiki_list_does_not_query_per_page(civil_servants, make_group, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    group = make_group(civil_servants.a_member)
    client = civil_servants.client(civil_servants.a_member)
    write(group, civil_servants.a_member, title="Alone")
    with CaptureQueriesContext(connection) as few:
        assert client.get(wiki(group)).status_code == 200
    parent = None
    for number in range(40):
        parent = write(group, civil_servants.a_member, title=f"Page {number}", parent=parent if number % 5 else None)

    with django_assert_max_num_queries(len(few)):
        response = client.get(wiki(group))

    assert response.status_code == 200 and "Page 39" in response.content.decode()


def test_a_page_moves_under_another_but_never_under_itself_or_its_subpage(civil_servants, make_group) -> None:  # type: ignore[no-untyped-def]
    group = make_group(civil_servants.a_member)
    top = write(group, civil_servants.a_member, title="Top")
    child = write(group, civil_servants.a_member, title="Child", parent=top)
    grandchild = write(group, civil_servants.a_member, title="Grandchild", parent=child)
    other = write(group, civil_servants.a_member, title="Other")

    for target in (top, child, grandchild):
        with pytest.raises(ValidationError) as refused:
            edit(group, civil_servants.a_member, WikiPage.objects.get(pk=top.pk), parent=target)
        assert "under itself or one of its own subpages" in str(refused.value)
    client = civil_servants.client(civil_servants.a_member)
    form = client.get(page_at(group, top, "edit/")).content.decode()
    posted = client.post(page_at(group, top, "edit/"), form_of(top, parent=str(grandchild.pk)))
    moved = edit(group, civil_servants.a_member, WikiPage.objects.get(pk=child.pk), parent=other)

    assert f'<option value="{grandchild.pk}"' not in form and f'<option value="{other.pk}"' in form  # not offered
    assert posted.status_code == 400 and 'role="alert"' in posted.content.decode()
    top.refresh_from_db()
    assert top.parent is None
    assert moved.moved and moved.revision is None
    child.refresh_from_db()
    grandchild.refresh_from_db()
    assert child.parent == other and grandchild.parent == child  # the subpages move along


def test_pages_nest_only_so_deep(civil_servants, make_group) -> None:  # type: ignore[no-untyped-def]
    group = make_group(civil_servants.a_member)
    parent = None
    for level in range(MAX_DEPTH):
        parent = write(group, civil_servants.a_member, title=f"Level {level}", parent=parent)

    with pytest.raises(ValidationError, match="levels deep"):
        write(group, civil_servants.a_member, title="Too deep", parent=parent)
    assert not WikiPage.objects.filter(title="Too deep").exists()


# --- History and restore -------------------------------------------------------------------------------------


def test_history_lists_revisions_newest_first_and_shows_an_old_one(civil_servants, make_group) -> None:  # type: ignore[no-untyped-def]
    group = make_group(civil_servants.a_member, members=(civil_servants.b_member,))
    page = write(group, civil_servants.a_member, body="First text")
    edit(group, civil_servants.b_member, page, body="Second text", note="Rewrote it")
    first = page.revisions.order_by("created_at", "pk").first()
    client = civil_servants.client(civil_servants.a_member)

    history = client.get(page_at(group, page, "history/")).content.decode()
    old = client.get(page_at(group, page, f"history/{first.pk}/")).content.decode()

    second = page.revisions.order_by("-created_at", "-pk").first()
    assert history.index(f"/history/{second.pk}/") < history.index(f"/history/{first.pk}/")  # newest first
    assert "Rewrote it" in history and civil_servants.b_member.account.display_name in history
    assert history.count("(current version)") == 1
    assert "First text" in old and "Make this version the current one" in old
    assert client.get(page_at(group, page, "history/999999/")).status_code == 404


def test_history_is_paginated_with_the_authors_in_one_query(civil_servants, make_group) -> None:  # type: ignore[no-untyped-def]
    group = make_group(civil_servants.a_member, members=(civil_servants.a_editor, civil_servants.b_member))
    page = write(group, civil_servants.a_member, body="v0")
    client = civil_servants.client(civil_servants.a_member)
    with CaptureQueriesContext(connection) as few:
        client.get(page_at(group, page, "history/"))
    people = (civil_servants.a_editor, civil_servants.b_member, civil_servants.a_member)
    for number in range(1, 30):
        edit(group, people[number % 3], page, body=f"v{number}")

    with CaptureQueriesContext(connection) as many:
        first_page = client.get(page_at(group, page, "history/")).content.decode()
    second_page = client.get(page_at(group, page, "history/?page=2")).content.decode()

    assert len(many) <= len(few) + 1  # the count for paging, never a query per revision
    assert "Page 1 of 2" in first_page and "Page 2 of 2" in second_page
    assert first_page.count('<li class="revision">') == 25 and second_page.count('<li class="revision">') == 5


def test_the_author_or_a_moderator_restores_an_old_revision(civil_servants, make_group) -> None:  # type: ignore[no-untyped-def]
    owner, author, other = civil_servants.a_member, civil_servants.a_editor, civil_servants.b_member
    group = make_group(owner, members=(author, other))
    page = write(group, author, body="Good text")
    edit(group, other, page, body="Vandalised")
    good = page.revisions.order_by("created_at", "pk").first()

    refused = civil_servants.client(other).post(page_at(group, page, f"history/{good.pk}/restore/"))
    assert refused.status_code == 302 and page.revisions.count() == 2
    restored = civil_servants.client(author).post(page_at(group, page, f"history/{good.pk}/restore/"))

    assert restored.status_code == 302
    latest = page.revisions.order_by("-created_at", "-pk").first()
    assert latest.body == "<p>Good text</p>" and latest.author == author.account and latest.note.startswith("Restored")
    assert page.revisions.count() == 3  # the history keeps the vandalised version
    edit(group, other, page, body="Vandalised again")
    services.wiki_page_restore(group=group, actor=owner.account, page=page, revision_id=good.pk)  # a moderator
    assert page.revisions.order_by("-created_at", "-pk").first().body == "<p>Good text</p>"
    with pytest.raises(ValidationError, match="current text already"):
        services.wiki_page_restore(group=group, actor=owner.account, page=page, revision_id=good.pk)
    with pytest.raises(PermissionDenied):
        services.wiki_page_restore(group=group, actor=other.account, page=page, revision_id=good.pk)


def test_a_stale_edit_is_refused_and_the_editors_text_kept(civil_servants, make_group) -> None:  # type: ignore[no-untyped-def]
    group = make_group(civil_servants.a_member, members=(civil_servants.b_member,))
    page = write(group, civil_servants.a_member, body="Start")
    stale = form_of(page, body="My version")
    edit(group, civil_servants.b_member, page, body="Their version")

    response = civil_servants.client(civil_servants.a_member).post(page_at(group, page, "edit/"), stale)

    assert response.status_code == 400
    text = response.content.decode()
    assert "Someone saved this page while you were editing it" in text and "My version" in text
    assert page.revisions.count() == 2


# --- Activity ----------------------------------------------------------------------------------------------


def test_an_edit_is_in_the_activity_at_most_once_per_person_per_page_per_hour(civil_servants, make_group) -> None:  # type: ignore[no-untyped-def]
    group = make_group(civil_servants.a_member, members=(civil_servants.a_editor, civil_servants.b_member))
    page = write(group, civil_servants.a_member)
    other_page = write(group, civil_servants.a_member, title="Other")

    for number in range(3):
        edit(group, civil_servants.a_editor, page, body=f"Edit {number}")
    assert len(edit_lines(group, page)) == 1
    edit(group, civil_servants.b_member, page, body="Another person")
    edit(group, civil_servants.a_editor, other_page, body="Another page")
    assert len(edit_lines(group, page)) == 2 and len(edit_lines(group, other_page)) == 1
    edit(group, civil_servants.a_member, page, body="The creator, right after creating it")
    assert len(edit_lines(group, page)) == 2

    GroupActivity.objects.filter(group=group).update(created_at=timezone.now() - timedelta(hours=1, minutes=1))
    edit(group, civil_servants.a_editor, page, body="An hour later")

    lines = edit_lines(group, page)
    assert len(lines) == 3 and all(line.url == page_at(group, page) for line in lines)
    assert page.revisions.count() == 7  # every save is kept in the history all the same
    activity = civil_servants.client(civil_servants.a_member).get(f"/groups/{group.slug}/activity/").content.decode()
    assert "edited a wiki page" in activity and "wrote a wiki page" in activity


# --- Deleting ----------------------------------------------------------------------------------------------


def test_the_author_deletes_a_page_with_its_subpages_after_being_told(civil_servants, make_group) -> None:  # type: ignore[no-untyped-def]
    owner, author, other = civil_servants.a_member, civil_servants.a_editor, civil_servants.b_member
    group = make_group(owner, members=(author, other))
    page = write(group, author, title="Projects")
    child = write(group, other, title="Project X", parent=page)
    write(group, other, title="Project X notes", parent=child)
    kept = write(group, other, title="Kept")

    assert civil_servants.client(other).get(page_at(group, page, "delete/")).status_code == 403
    assert civil_servants.client(other).post(page_at(group, page, "delete/")).status_code == 403
    with pytest.raises(PermissionDenied):
        services.wiki_page_delete(group=group, actor=other.account, page=page)
    client = civil_servants.client(author)
    confirmation = client.get(page_at(group, page, "delete/")).content.decode()
    response = client.post(page_at(group, page, "delete/"))

    assert "Its 2 subpages go with it" in confirmation and "Project X notes" in confirmation
    assert response.status_code == 302 and response["Location"] == wiki(group)
    assert list(WikiPage.objects.filter(group=group)) == [kept]
    assert not WikiRevision.objects.filter(page__group=group).exclude(page=kept).exists()
    assert not GroupActivity.objects.filter(group=group, verb__startswith="wiki.").exclude(target_id=kept.pk).exists()
    assert services.wiki_page_delete(group=group, actor=owner.account, page=kept) == 1  # a moderator deletes any


# --- Who may: other organisations, citizens, outsiders ---------------------------------------------------------


def test_a_member_of_the_other_organisation_works_like_one_of_the_first(civil_servants, make_group) -> None:  # type: ignore[no-untyped-def]
    group = make_group(civil_servants.a_member, members=(civil_servants.b_member,), visibility="closed")
    page = write(group, civil_servants.a_member)
    client = civil_servants.client(civil_servants.b_member)

    assert client.get(page_at(group, page)).status_code == 200
    assert client.post(page_at(group, page, "edit/"), form_of(page, body="From B")).status_code == 302
    assert client.post(wiki(group, "new/"), {"title": "From org B", "body": "x", "parent": ""}).status_code == 302
    assert WikiPage.objects.get(slug="from-org-b").author == civil_servants.b_member.account


def test_a_third_organisations_civil_servant_outside_a_hidden_group_gets_404(
    civil_servants, make_group, c_member
) -> None:  # type: ignore[no-untyped-def]
    group = make_group(civil_servants.a_member, visibility="hidden")
    page = write(group, civil_servants.a_member)
    revision = page.revisions.get()
    client = civil_servants.client(c_member)

    for address in (
        wiki(group),
        wiki(group, "new/"),
        page_at(group, page),
        page_at(group, page, "edit/"),
        page_at(group, page, "history/"),
        page_at(group, page, f"history/{revision.pk}/"),
        page_at(group, page, "delete/"),
    ):
        assert client.get(address).status_code == 404, address
    assert client.post(wiki(group, "new/"), {"title": "Sneaky", "body": "", "parent": ""}).status_code == 404
    assert client.post(page_at(group, page, f"history/{revision.pk}/restore/")).status_code == 404
    assert not WikiPage.objects.filter(title="Sneaky").exists()


def test_a_third_organisations_civil_servant_cannot_read_a_closed_group(civil_servants, make_group, c_member) -> None:  # type: ignore[no-untyped-def]
    group = make_group(civil_servants.a_member, visibility="closed")
    page = write(group, civil_servants.a_member, body="Members only")
    client = civil_servants.client(c_member)

    for address in (wiki(group), page_at(group, page), page_at(group, page, "history/")):
        response = client.get(address)
        assert response.status_code == 403 and "Members only" not in response.content.decode()
    assert client.post(page_at(group, page, "edit/"), form_of(page, body="Outsider")).status_code == 403
    assert page.revisions.count() == 1
    with pytest.raises(PermissionDenied):
        write(group, c_member, title="Outsider page")


def test_a_reader_of_an_open_group_reads_but_does_not_write(civil_servants, make_group, c_member) -> None:  # type: ignore[no-untyped-def]
    group = make_group(civil_servants.a_member)
    page = write(group, civil_servants.a_member, body="Open to all civil servants")
    client = civil_servants.client(c_member)

    shown = client.get(page_at(group, page)).content.decode()
    assert "Open to all civil servants" in shown and "Edit this page" not in shown
    assert client.get(wiki(group, "new/")).status_code == 403
    assert client.post(page_at(group, page, "edit/"), form_of(page, body="Not a member")).status_code == 403
    assert page.revisions.count() == 1


def test_a_citizen_member_works_in_a_group_for_everyone(civil_servants, make_group) -> None:  # type: ignore[no-untyped-def]
    group = make_group(civil_servants.a_member, members=(civil_servants.citizen,), audience="everyone")
    page = write(group, civil_servants.a_member)
    client = civil_servants.client(civil_servants.citizen)

    assert client.get(page_at(group, page)).status_code == 200
    assert client.post(page_at(group, page, "edit/"), form_of(page, body="A citizen's view")).status_code == 302
    assert client.post(wiki(group, "new/"), {"title": "Citizens' page", "body": "", "parent": ""}).status_code == 302
    assert WikiPage.objects.get(slug="citizens-page").author == civil_servants.citizen.account


def test_a_citizen_who_is_not_a_member_is_refused_in_a_civil_servants_group(civil_servants, make_group) -> None:  # type: ignore[no-untyped-def]
    group = make_group(civil_servants.a_member)
    page = write(group, civil_servants.a_member, body="For civil servants")
    client = civil_servants.client(civil_servants.citizen)

    for address in (wiki(group), page_at(group, page), page_at(group, page, "history/")):
        assert client.get(address).status_code == 404
    assert client.post(wiki(group, "new/"), {"title": "Citizen", "body": "", "parent": ""}).status_code == 404
    with pytest.raises(PermissionDenied):
        write(group, civil_servants.citizen, title="Citizen")


def test_an_anonymous_visitor_is_sent_to_sign_in(civil_servants, make_group) -> None:  # type: ignore[no-untyped-def]
    group = make_group(civil_servants.a_member, audience="everyone")
    page = write(group, civil_servants.a_member)
    client = civil_servants.client(None)

    for address in (wiki(group), page_at(group, page), page_at(group, page, "history/"), wiki(group, "new/")):
        response = client.get(address)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), address


def test_a_removed_member_loses_access_at_once(civil_servants, make_group) -> None:  # type: ignore[no-untyped-def]
    owner, member = civil_servants.a_member, civil_servants.b_member
    group = make_group(owner, members=(member,), visibility="closed")
    page = write(group, owner)
    client = civil_servants.client(member)
    assert client.get(page_at(group, page)).status_code == 200

    member_remove(group=group, actor=owner.account, account_id=member.account.pk)

    assert client.get(page_at(group, page)).status_code == 403
    assert client.post(page_at(group, page, "edit/"), form_of(page, body="Still here?")).status_code == 403
    with pytest.raises(PermissionDenied):
        edit(group, member, page, body="Still here?")
    assert page.revisions.count() == 1


def test_a_switched_off_tab_answers_404(civil_servants, make_group) -> None:  # type: ignore[no-untyped-def]
    group = make_group(civil_servants.a_member)
    page = write(group, civil_servants.a_member)
    group.disabled_tabs = ["wiki"]
    group.save(update_fields=["disabled_tabs"])
    client = civil_servants.client(civil_servants.a_member)

    for address in (wiki(group), wiki(group, "new/"), page_at(group, page), page_at(group, page, "history/")):
        assert client.get(address).status_code == 404
    assert f'href="{wiki(group)}"' not in client.get(f"/groups/{group.slug}/").content.decode()


def test_an_archived_group_is_read_only(civil_servants, make_group) -> None:  # type: ignore[no-untyped-def]
    group = make_group(civil_servants.a_member)
    page = write(group, civil_servants.a_member, body="Kept")
    group.status = Group.Status.ARCHIVED
    group.save(update_fields=["status"])
    client = civil_servants.client(civil_servants.a_member)

    shown = client.get(page_at(group, page)).content.decode()
    assert "Kept" in shown and "Edit this page" not in shown and "Delete this page" not in shown
    assert client.post(page_at(group, page, "edit/"), form_of(page, body="Changed")).status_code == 403
    with pytest.raises(PermissionDenied):
        write(group, civil_servants.a_member, title="New")
    with pytest.raises(PermissionDenied):
        services.wiki_page_delete(group=group, actor=civil_servants.a_member.account, page=page)


# --- Bad input ---------------------------------------------------------------------------------------------


def test_bad_input_gets_a_clear_error_and_stores_nothing(civil_servants, make_group) -> None:  # type: ignore[no-untyped-def]
    group = make_group(civil_servants.a_member)
    client = civil_servants.client(civil_servants.a_member)

    response = client.post(wiki(group, "new/"), {"title": "   ", "body": "Text", "parent": ""})
    too_long = client.post(wiki(group, "new/"), {"title": "x" * 201, "body": "", "parent": ""})
    unknown_parent = client.post(wiki(group, "new/"), {"title": "Fine", "body": "", "parent": "999999"})

    assert response.status_code == 400 and 'role="alert"' in response.content.decode()
    assert "Give the page a title." in response.content.decode() or "required" in response.content.decode()
    assert too_long.status_code == 400 and unknown_parent.status_code == 400
    assert not WikiPage.objects.filter(group=group).exists() and not WikiRevision.objects.exists()
    with pytest.raises(ValidationError) as error:
        write(group, civil_servants.a_member, title="\x00  ")
    assert error.value.message_dict == {"title": ["Give the page a title."]}
    page = write(group, civil_servants.a_member)
    with pytest.raises(ValidationError, match="note"):
        edit(group, civil_servants.a_member, page, body="Changed", note="n" * 201)
    assert page.revisions.count() == 1


# --- Moderation --------------------------------------------------------------------------------------------


def test_moderators_hide_a_page_and_what_is_under_it(civil_servants, make_group) -> None:  # type: ignore[no-untyped-def]
    owner, member = civil_servants.a_member, civil_servants.b_member
    group = make_group(owner, members=(member,))
    page = write(group, member, title="Off topic")
    child = write(group, member, title="Even more off topic", parent=page)
    content_type = ContentType.objects.get_for_model(WikiPage)
    moderator = civil_servants.client(owner)

    hidden = moderator.post(
        f"/groups/{group.slug}/moderate/{content_type.pk}/{page.pk}/hide/", {"back": page_at(group, page)}
    )

    assert hidden.status_code == 302
    client = civil_servants.client(member)
    assert "Off topic" not in client.get(wiki(group)).content.decode()
    assert client.get(page_at(group, page)).status_code == 404 and client.get(page_at(group, child)).status_code == 404
    assert client.post(page_at(group, child, "edit/"), form_of(child, body="x")).status_code == 404
    with pytest.raises(PermissionDenied):
        edit(group, member, WikiPage.objects.get(pk=child.pk), body="x")
    with pytest.raises(ValidationError):
        write(group, member, title="Under a hidden page", parent=WikiPage.objects.get(pk=page.pk))
    assert "(hidden)" in moderator.get(wiki(group)).content.decode()
    assert "Hidden by a moderator" in moderator.get(page_at(group, page)).content.decode()
    edit(group, owner, WikiPage.objects.get(pk=child.pk), body="Moderated")
    assert edit_lines(group, child) == []  # nothing about a hidden page in the stream


def test_moderators_remove_a_page_with_its_subpages(civil_servants, make_group) -> None:  # type: ignore[no-untyped-def]
    owner, member = civil_servants.a_member, civil_servants.b_member
    group = make_group(owner, members=(member,))
    page = write(group, member, title="Spam")
    write(group, member, title="More spam", parent=page)
    content_type = ContentType.objects.get_for_model(WikiPage)
    address = f"/groups/{group.slug}/moderate/{content_type.pk}/{page.pk}/remove/"

    civil_servants.client(member).post(address, {"back": wiki(group)})
    assert WikiPage.objects.filter(group=group).count() == 2  # a member does not moderate
    response = civil_servants.client(owner).post(address, {"back": wiki(group)})

    assert response.status_code == 302
    assert not WikiPage.objects.filter(group=group).exists() and not WikiRevision.objects.filter(page__group=group)
    assert not GroupActivity.objects.filter(group=group, verb__startswith="wiki.").exists()
