"""A group's "Discussions" and "Questions" tabs (shared_apps/group_discussions): members start threads and
reply, authors edit and delete, a question's asker marks the answer, moderators hide and remove — for
members of any organisation and citizens alike, and for nobody else."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shared_apps.group_discussions import services
from shared_apps.group_discussions.models import Discussion, Reply
from shared_apps.groups.models import Group, GroupActivity, GroupMembership
from shared_apps.groups.services.groups import group_archive, group_update
from shared_apps.groups.services.memberships import member_remove, membership_add
from tests.harness.people import make_person

pytestmark = pytest.mark.django_db

DISCUSSION, QUESTION = Discussion.Kind.DISCUSSION, Discussion.Kind.QUESTION


def tab_url(group: Group, kind: str = DISCUSSION, rest: str = "") -> str:
    return f"/groups/{group.slug}/{'questions' if kind == QUESTION else 'discussions'}/{rest}"


def start(group: Group, person, *, kind: str = DISCUSSION, title: str = "Shared parking rules", body: str = "Hello"):  # type: ignore[no-untyped-def]
    return services.discussion_create(group=group, author=person.account, kind=kind, title=title, body=body)


def reply_to(group: Group, discussion: Discussion, person, body: str = "I agree.") -> Reply:  # type: ignore[no-untyped-def]
    return services.reply_create(group=group, discussion=discussion, author=person.account, body=body)


@pytest.fixture
def team(civil_servants, make_group):  # type: ignore[no-untyped-def]
    """A closed group for civil servants: owned by org A's editor, with a member of org A and one of org B."""
    return make_group(
        civil_servants.a_editor, members=(civil_servants.a_member, civil_servants.b_member), visibility="closed"
    )


# --- Members write and read ------------------------------------------------------------------------------


def test_members_start_a_discussion_and_reply(civil_servants, team):
    member = civil_servants.client(civil_servants.a_member)
    assert member.get(tab_url(team, rest="new/")).status_code == 200
    response = member.post(
        tab_url(team, rest="new/"),
        {"title": "Shared parking rules", "body": "<p>What do <strong>you</strong> do?</p><script>alert(1)</script>"},
    )
    discussion = Discussion.objects.get(group=team)
    assert response.status_code == 302 and response["Location"] == tab_url(team, rest=f"{discussion.pk}/")
    assert discussion.kind == DISCUSSION and discussion.author == civil_servants.a_member.account
    assert discussion.body == "<p>What do <strong>you</strong> do?</p>"  # sanitised

    response = civil_servants.client(civil_servants.b_member).post(
        tab_url(team, rest=f"{discussion.pk}/reply/"), {"body": 'We share. <a href="javascript:evil()">x</a>'}
    )
    reply = Reply.objects.get(discussion=discussion)
    assert response.status_code == 302 and response["Location"].endswith(f"?page=1#reply-{reply.pk}")
    assert "javascript" not in reply.body and reply.author == civil_servants.b_member.account

    page = member.get(tab_url(team))
    assert page.status_code == 200
    assert "Shared parking rules" in page.content.decode() and "1 reply" in page.content.decode()
    assert civil_servants.a_member.account.display_name in page.content.decode()
    detail = member.get(tab_url(team, rest=f"{discussion.pk}/")).content.decode()
    assert "We share." in detail and "<script>" not in detail and detail.count("<h1") == 1
    verbs = set(GroupActivity.objects.filter(group=team).values_list("verb", flat=True))
    assert {"discussion.created", "reply.created"} <= verbs


def test_the_list_is_newest_activity_first_with_counts(civil_servants, team):
    old = start(team, civil_servants.a_member, title="Old thread")
    start(team, civil_servants.a_member, title="New thread")
    reply_to(team, old, civil_servants.b_member)  # the old thread has the newest activity now
    reply_to(team, old, civil_servants.a_member)
    page = civil_servants.client(civil_servants.a_member).get(tab_url(team))
    items = list(page.context["page"].object_list)
    assert [d.title for d in items] == ["Old thread", "New thread"]
    assert [d.reply_count for d in items] == [2, 0]


def test_a_discussion_shows_its_replies_oldest_first_fifty_a_page(civil_servants, team):
    discussion = start(team, civil_servants.a_member)
    for number in range(55):
        reply_to(team, discussion, civil_servants.b_member, body=f"reply number {number}")
    client = civil_servants.client(civil_servants.a_member)
    first = client.get(tab_url(team, rest=f"{discussion.pk}/"))
    bodies = [reply.body for reply, _editable in first.context["replies"]]
    assert len(bodies) == 50 and bodies[0] == "<p>reply number 0</p>" and bodies[1] == "<p>reply number 1</p>"
    second = client.get(tab_url(team, rest=f"{discussion.pk}/?page=2"))
    assert [reply.body for reply, _editable in second.context["replies"]][-1] == "<p>reply number 54</p>"


def test_the_author_edits_and_it_is_marked_edited(civil_servants, team):
    discussion = start(team, civil_servants.a_member)
    reply = reply_to(team, discussion, civil_servants.b_member)
    author = civil_servants.client(civil_servants.a_member)
    response = author.post(tab_url(team, rest=f"{discussion.pk}/edit/"), {"title": "Parking, again", "body": "Better"})
    assert response.status_code == 302
    discussion.refresh_from_db()
    assert discussion.title == "Parking, again" and discussion.body == "<p>Better</p>" and discussion.edited_at
    assert "edited" in author.get(tab_url(team, rest=f"{discussion.pk}/")).content.decode()

    # someone else's reply: not theirs to edit (a plain member), nothing changes
    assert author.get(tab_url(team, rest=f"{discussion.pk}/replies/{reply.pk}/edit/")).status_code == 403
    author.post(tab_url(team, rest=f"{discussion.pk}/replies/{reply.pk}/edit/"), {"body": "Changed"})
    reply.refresh_from_db()
    assert reply.body == "<p>I agree.</p>" and reply.edited_at is None
    with pytest.raises(PermissionDenied):
        services.reply_edit(group=team, reply=reply, actor=civil_servants.a_member.account, body="Changed")

    response = civil_servants.client(civil_servants.b_member).post(
        tab_url(team, rest=f"{discussion.pk}/replies/{reply.pk}/edit/"), {"body": "I agree, mostly."}
    )
    assert response.status_code == 302
    reply.refresh_from_db()
    assert reply.body == "<p>I agree, mostly.</p>" and reply.edited_at is not None


def test_the_author_deletes_a_discussion_with_its_replies(civil_servants, team):
    discussion = start(team, civil_servants.a_member)
    reply_to(team, discussion, civil_servants.b_member)
    other = civil_servants.client(civil_servants.b_member)
    other.post(tab_url(team, rest=f"{discussion.pk}/delete/"))
    assert Discussion.objects.filter(pk=discussion.pk).exists()  # not theirs

    response = civil_servants.client(civil_servants.a_member).post(tab_url(team, rest=f"{discussion.pk}/delete/"))
    assert response.status_code == 302 and response["Location"] == tab_url(team)
    assert not Discussion.objects.filter(pk=discussion.pk).exists() and not Reply.objects.filter(group=team).exists()
    assert not GroupActivity.objects.filter(group=team, verb__in=["discussion.created", "reply.created"]).exists()


def test_a_reply_is_deleted_by_its_author_or_a_moderator(civil_servants, team):
    discussion = start(team, civil_servants.a_member)
    first = reply_to(team, discussion, civil_servants.b_member, body="first")
    second = reply_to(team, discussion, civil_servants.b_member, body="second")
    civil_servants.client(civil_servants.a_member).post(
        tab_url(team, rest=f"{discussion.pk}/replies/{first.pk}/delete/")
    )
    assert Reply.objects.filter(pk=first.pk).exists()
    civil_servants.client(civil_servants.b_member).post(
        tab_url(team, rest=f"{discussion.pk}/replies/{second.pk}/delete/")
    )
    assert not Reply.objects.filter(pk=second.pk).exists()
    discussion.refresh_from_db()
    assert discussion.last_activity_at == first.created_at  # the reply before it
    civil_servants.client(civil_servants.a_editor).post(
        tab_url(team, rest=f"{discussion.pk}/replies/{first.pk}/delete/")
    )
    assert not Reply.objects.filter(pk=first.pk).exists()


# --- Questions and answers -------------------------------------------------------------------------------


def test_the_asker_marks_changes_and_clears_the_answer(civil_servants, team):
    asker = civil_servants.client(civil_servants.b_member)  # org B asks, like anyone of org A would
    response = asker.post(tab_url(team, QUESTION, "new/"), {"title": "Which form for leave?", "body": "Anyone?"})
    question = Discussion.objects.get(group=team)
    assert response["Location"] == tab_url(team, QUESTION, f"{question.pk}/") and question.kind == QUESTION
    early = reply_to(team, question, civil_servants.a_member, body="Form A")
    late = reply_to(team, question, civil_servants.a_editor, body="Form B, since March")

    # another member may not mark it
    civil_servants.client(civil_servants.a_member).post(
        tab_url(team, QUESTION, f"{question.pk}/answer/"), {"reply": early.pk}
    )
    question.refresh_from_db()
    assert question.answer is None

    asker.post(tab_url(team, QUESTION, f"{question.pk}/answer/"), {"reply": late.pk})
    question.refresh_from_db()
    assert question.answer == late
    page = asker.get(tab_url(team, QUESTION, f"{question.pk}/"))
    assert [reply for reply, _editable in page.context["replies"]] == [late, early]  # the answer first
    assert "Marked as the answer" in page.content.decode()
    # the links of the page stay within the questions tab (one URLconf, included once per tab)
    assert f'action="{tab_url(team, QUESTION, f"{question.pk}/reply/")}"' in page.content.decode()
    assert f'href="{tab_url(team, QUESTION)}"' in page.content.decode()
    assert "Answered" in asker.get(tab_url(team, QUESTION)).content.decode()
    assert GroupActivity.objects.filter(group=team, verb="answer.chosen").count() == 1

    asker.post(tab_url(team, QUESTION, f"{question.pk}/answer/"), {"reply": early.pk})
    question.refresh_from_db()
    assert question.answer == early
    asker.post(tab_url(team, QUESTION, f"{question.pk}/answer/"), {"reply": ""})
    question.refresh_from_db()
    assert question.answer is None

    # a moderator marks it too
    civil_servants.client(civil_servants.a_editor).post(
        tab_url(team, QUESTION, f"{question.pk}/answer/"), {"reply": early.pk}
    )
    question.refresh_from_db()
    assert question.answer == early
    # deleting the answer leaves the question without one
    services.reply_delete(group=team, reply=early, actor=civil_servants.a_member.account)
    question.refresh_from_db()
    assert question.answer is None


def test_the_tabs_keep_to_their_kind(civil_servants, team):
    question = start(team, civil_servants.a_member, kind=QUESTION, title="A question")
    discussion = start(team, civil_servants.a_member, title="A discussion")
    client = civil_servants.client(civil_servants.a_member)
    assert client.get(tab_url(team, DISCUSSION, f"{question.pk}/")).status_code == 404
    assert client.get(tab_url(team, QUESTION, f"{discussion.pk}/")).status_code == 404
    assert [d.title for d in client.get(tab_url(team, QUESTION)).context["page"].object_list] == ["A question"]
    other = reply_to(team, question, civil_servants.b_member)
    with pytest.raises(ValidationError):
        services.answer_choose(group=team, discussion=discussion, actor=civil_servants.a_member.account, reply=None)
    with pytest.raises(ValidationError):  # a reply of another thread
        reply_in_discussion = reply_to(team, discussion, civil_servants.b_member)
        services.answer_choose(
            group=team, discussion=question, actor=civil_servants.a_member.account, reply=reply_in_discussion
        )
    assert Discussion.objects.get(pk=question.pk).answer is None and other.pk


# --- Bad input -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        {"title": "", "body": "text"},
        {"title": "A title", "body": ""},
        {"title": "A title", "body": "<script>x</script>"},
    ],
    ids=["no title", "no text", "nothing left once sanitised"],
)
def test_bad_input_gets_a_clear_error_and_stores_nothing(civil_servants, team, data):
    response = civil_servants.client(civil_servants.a_member).post(tab_url(team, rest="new/"), data)
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert not Discussion.objects.filter(group=team).exists()
    assert not GroupActivity.objects.filter(group=team, verb="discussion.created").exists()


def test_an_empty_reply_gets_a_clear_error_and_stores_nothing(civil_servants, team):
    discussion = start(team, civil_servants.a_member)
    response = civil_servants.client(civil_servants.b_member).post(
        tab_url(team, rest=f"{discussion.pk}/reply/"), {"body": "<p> </p><script>x</script>"}
    )
    assert response.status_code == 400
    assert "the reply cannot be empty" in response.content.decode()
    assert not Reply.objects.filter(discussion=discussion).exists()
    with pytest.raises(ValidationError) as error:
        services.discussion_create(
            group=team, author=civil_servants.a_member.account, kind=DISCUSSION, title="x" * 201, body="y"
        )
    assert "title" in error.value.message_dict


# --- And from the other organisation? And as a citizen? ------------------------------------------------


def test_a_civil_servant_of_a_third_organisation_gets_404_in_a_hidden_group(civil_servants, make_group, c_member):
    hidden = make_group(civil_servants.a_editor, members=(civil_servants.b_member,), visibility="hidden", name="Hidden")
    discussion = start(hidden, civil_servants.b_member)
    stranger = civil_servants.client(c_member)
    for url in [
        tab_url(hidden),
        tab_url(hidden, rest="new/"),
        tab_url(hidden, rest=f"{discussion.pk}/"),
        tab_url(hidden, QUESTION),
    ]:
        assert stranger.get(url).status_code == 404, url
    assert stranger.post(tab_url(hidden, rest=f"{discussion.pk}/reply/"), {"body": "Let me in"}).status_code == 404
    assert not Reply.objects.filter(discussion=discussion).exists()
    with pytest.raises(PermissionDenied):
        reply_to(hidden, discussion, c_member)
    # org B's member works there like anyone of org A
    assert (
        civil_servants.client(civil_servants.b_member).get(tab_url(hidden, rest=f"{discussion.pk}/")).status_code == 200
    )


def test_a_civil_servant_of_a_third_organisation_cannot_read_a_closed_group(civil_servants, team, c_member):
    discussion = start(team, civil_servants.b_member, title="Members only")
    stranger = civil_servants.client(c_member)
    for url in [tab_url(team), tab_url(team, rest=f"{discussion.pk}/")]:
        response = stranger.get(url)
        assert response.status_code == 403 and "Members only" not in response.content.decode()
    stranger.post(tab_url(team, rest="new/"), {"title": "Hello", "body": "Hi"})
    stranger.post(tab_url(team, rest=f"{discussion.pk}/reply/"), {"body": "Hi"})
    assert Discussion.objects.filter(group=team).count() == 1 and not Reply.objects.exists()


def test_in_an_open_group_the_audience_reads_but_only_members_write(civil_servants, make_group, c_member):
    group = make_group(civil_servants.a_editor, members=(civil_servants.a_member,))
    discussion = start(group, civil_servants.a_member, title="Open to read")
    stranger = civil_servants.client(c_member)
    assert "Open to read" in stranger.get(tab_url(group)).content.decode()
    assert stranger.get(tab_url(group, rest="new/")).status_code == 403
    stranger.post(tab_url(group, rest=f"{discussion.pk}/reply/"), {"body": "Me too"})
    assert not Reply.objects.exists()


def test_a_citizen_member_takes_part(civil_servants, make_group):
    group = make_group(
        civil_servants.a_editor, members=(civil_servants.citizen,), audience="everyone", visibility="closed"
    )
    citizen = civil_servants.client(civil_servants.citizen)
    citizen.post(tab_url(group, QUESTION, "new/"), {"title": "Bin collection", "body": "When?"})
    question = Discussion.objects.get(group=group, kind=QUESTION)
    assert question.author == civil_servants.citizen.account
    citizen.post(tab_url(group, QUESTION, f"{question.pk}/reply/"), {"body": "Tuesdays, I think"})
    assert citizen.get(tab_url(group, QUESTION, f"{question.pk}/")).status_code == 200
    assert Reply.objects.filter(discussion=question).count() == 1


def test_a_citizen_non_member_is_refused_in_a_civil_servants_group(civil_servants, make_group):
    group = make_group(civil_servants.a_editor, members=(civil_servants.a_member,))  # open, for civil servants
    discussion = start(group, civil_servants.a_member, title="For staff")
    citizen = civil_servants.client(civil_servants.citizen)
    for url in [tab_url(group), tab_url(group, rest=f"{discussion.pk}/")]:
        response = citizen.get(url)
        assert response.status_code in (403, 404) and "For staff" not in response.content.decode()
    citizen.post(tab_url(group, rest=f"{discussion.pk}/reply/"), {"body": "Me?"})
    assert not Reply.objects.exists()


def test_an_anonymous_visitor_is_sent_to_sign_in(civil_servants, make_group):
    group = make_group(civil_servants.a_editor, members=(civil_servants.a_member,), audience="everyone")
    discussion = start(group, civil_servants.a_member)
    anonymous = civil_servants.client(None)
    for url in [tab_url(group), tab_url(group, QUESTION), tab_url(group, rest=f"{discussion.pk}/")]:
        response = anonymous.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), url
    anonymous.post(tab_url(group, rest=f"{discussion.pk}/reply/"), {"body": "Hi"})
    assert not Reply.objects.exists()


def test_a_removed_member_loses_access_at_once(civil_servants, team):
    discussion = start(team, civil_servants.b_member)
    member = civil_servants.client(civil_servants.b_member)
    assert member.get(tab_url(team, rest=f"{discussion.pk}/")).status_code == 200
    member_remove(group=team, actor=civil_servants.a_editor.account, account_id=civil_servants.b_member.account.pk)
    assert member.get(tab_url(team, rest=f"{discussion.pk}/")).status_code == 403
    member.post(tab_url(team, rest=f"{discussion.pk}/reply/"), {"body": "Still here?"})
    member.post(tab_url(team, rest=f"{discussion.pk}/edit/"), {"title": "Mine", "body": "Mine"})
    assert not Reply.objects.exists() and Discussion.objects.get(pk=discussion.pk).title == "Shared parking rules"


def test_a_switched_off_tab_answers_404(civil_servants, team):
    question = start(team, civil_servants.a_member, kind=QUESTION)
    group_update(group=team, actor=civil_servants.a_editor.account, disabled_tabs=["questions"])
    client = civil_servants.client(civil_servants.a_member)
    assert client.get(tab_url(team, QUESTION)).status_code == 404
    assert client.get(tab_url(team, QUESTION, f"{question.pk}/")).status_code == 404
    assert client.post(tab_url(team, QUESTION, f"{question.pk}/reply/"), {"body": "Hi"}).status_code == 404
    assert client.get(tab_url(team)).status_code == 200  # the other tab stays on


def test_an_archived_group_is_read_only(civil_servants, team):
    discussion = start(team, civil_servants.a_member)
    operator = civil_servants.a_editor.account
    operator.is_platform_operator = True
    operator.save(update_fields=["is_platform_operator"])
    group_archive(group=team, operator=operator)
    client = civil_servants.client(civil_servants.a_member)
    assert client.get(tab_url(team, rest=f"{discussion.pk}/")).status_code == 200
    assert client.get(tab_url(team, rest="new/")).status_code == 403
    client.post(tab_url(team, rest=f"{discussion.pk}/reply/"), {"body": "Hi"})
    client.post(tab_url(team, rest=f"{discussion.pk}/edit/"), {"title": "New", "body": "New"})
    assert not Reply.objects.exists() and Discussion.objects.get(pk=discussion.pk).edited_at is None


# --- Moderation ------------------------------------------------------------------------------------------


def _moderate(client, group: Group, item, action: str, back: str, **extra: str):  # type: ignore[no-untyped-def]
    content_type = ContentType.objects.get_for_model(item)
    return client.post(f"/groups/{group.slug}/moderate/{content_type.pk}/{item.pk}/{action}/", {"back": back, **extra})


def test_members_report_and_moderators_hide_items(civil_servants, team):
    discussion = start(team, civil_servants.a_member, title="Heated")
    reply = reply_to(team, discussion, civil_servants.b_member, body="Something rude")
    url = tab_url(team, rest=f"{discussion.pk}/")
    member, moderator = civil_servants.client(civil_servants.a_member), civil_servants.client(civil_servants.a_editor)
    page = member.get(url).content.decode()
    assert "Report" in page and ">Hide<" not in page  # members report; only moderators hide
    reply_type = ContentType.objects.get_for_model(Reply).pk
    member.post(f"/groups/{team.slug}/report/{reply_type}/{reply.pk}/", {"reason": "Rude", "back": url})
    assert team.reports.filter(target_id=reply.pk).exists()

    assert _moderate(member, team, reply, "hide", url).status_code == 302
    reply.refresh_from_db()
    assert not reply.is_hidden  # not a moderator
    _moderate(moderator, team, reply, "hide", url)
    reply.refresh_from_db()
    assert reply.is_hidden
    assert "Something rude" not in member.get(url).content.decode()
    assert member.get(tab_url(team)).context["page"].object_list[0].reply_count == 0
    assert member.get(tab_url(team, rest=f"{discussion.pk}/replies/{reply.pk}/edit/")).status_code == 404
    shown = moderator.get(url).content.decode()
    assert "Something rude" in shown and "Hidden by the moderators" in shown

    _moderate(moderator, team, discussion, "hide", url)
    assert member.get(url).status_code == 404
    assert "Heated" not in member.get(tab_url(team)).content.decode()
    assert "Hidden by the moderators" in moderator.get(tab_url(team)).content.decode()
    member.post(tab_url(team, rest=f"{discussion.pk}/reply/"), {"body": "Hello?"})
    assert Reply.objects.filter(discussion=discussion).count() == 1
    _moderate(moderator, team, discussion, "hide", url, hidden="0")
    assert member.get(url).status_code == 200


def test_moderators_remove_a_discussion_with_its_replies_and_their_activity(civil_servants, team):
    discussion = start(team, civil_servants.a_member, title="To go")
    reply_to(team, discussion, civil_servants.b_member)
    kept = start(team, civil_servants.a_member, title="To stay")
    reply_to(team, kept, civil_servants.b_member)
    moderator = civil_servants.client(civil_servants.a_editor)
    response = _moderate(moderator, team, discussion, "remove", tab_url(team))
    assert response.status_code == 302 and response["Location"] == tab_url(team)
    assert not Discussion.objects.filter(pk=discussion.pk).exists()
    assert Reply.objects.filter(group=team).count() == 1
    assert list(
        GroupActivity.objects.filter(group=team, verb__in=["discussion.created", "reply.created"]).values_list(
            "summary", flat=True
        )
    ) == ["To stay", "To stay"]


def test_a_moderator_removes_a_reply(civil_servants, team):
    discussion = start(team, civil_servants.a_member)
    reply = reply_to(team, discussion, civil_servants.b_member)
    _moderate(
        civil_servants.client(civil_servants.a_editor), team, reply, "remove", tab_url(team, rest=f"{discussion.pk}/")
    )
    assert not Reply.objects.filter(pk=reply.pk).exists()
    assert Discussion.objects.filter(pk=discussion.pk).exists()


def test_a_hidden_discussion_takes_its_replies_out_of_the_activity_stream(civil_servants, team):
    discussion = start(team, civil_servants.a_member, title="Out of sight")
    reply_to(team, discussion, civil_servants.b_member)
    member, moderator = civil_servants.client(civil_servants.a_member), civil_servants.client(civil_servants.a_editor)
    activity = f"/groups/{team.slug}/activity/"
    assert member.get(activity).content.decode().count("Out of sight") == 2  # started, replied to
    _moderate(moderator, team, discussion, "hide", tab_url(team))
    assert "Out of sight" not in member.get(activity).content.decode()
    discussion.refresh_from_db()
    with pytest.raises(PermissionDenied):  # nothing new happens in it while it is hidden, moderators too
        reply_to(team, discussion, civil_servants.a_editor)
    _moderate(moderator, team, discussion, "hide", tab_url(team), hidden="0")
    assert member.get(activity).content.decode().count("Out of sight") == 2


# --- Queries ---------------------------------------------------------------------------------------------


def _people(group: Group, count: int):  # type: ignore[no-untyped-def]
    """``count`` more members of the group (civil servants of org A), each to write in it."""

    people = [make_person(key=f"writer{n}", email=f"writer{n}@org-a.example", roles={}) for n in range(count)]
    for person in people:
        membership_add(group=group, account=person.account, role=GroupMembership.Role.MEMBER)
    return people


def test_the_list_does_not_query_per_item(civil_servants, team, django_assert_max_num_queries):
    client = civil_servants.client(civil_servants.a_member)
    start(team, civil_servants.a_member, title="The only one")
    client.get(tab_url(team))  # the first request of a session does more (signing in, caches)
    with CaptureQueriesContext(connection) as one:
        client.get(tab_url(team))
    writers = _people(team, 19)
    for writer in writers:
        discussion = start(team, writer, title=f"By {writer.key}")
        reply_to(team, discussion, civil_servants.b_member)
        reply_to(team, discussion, writer)
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get(tab_url(team))
    assert len(page.context["page"].object_list) == 20


def test_a_discussion_page_does_not_query_per_reply(civil_servants, team, django_assert_max_num_queries):
    client = civil_servants.client(civil_servants.a_member)
    discussion = start(team, civil_servants.a_member, kind=QUESTION)
    first = reply_to(team, discussion, civil_servants.b_member)
    services.answer_choose(group=team, discussion=discussion, actor=civil_servants.a_member.account, reply=first)
    url = tab_url(team, QUESTION, f"{discussion.pk}/")
    client.get(url)  # the first request of a session does more (signing in, caches)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for writer in _people(team, 30):
        reply_to(team, discussion, writer)
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get(url)
    assert len(page.context["replies"]) == 31
