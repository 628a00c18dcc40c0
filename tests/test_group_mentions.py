"""@mentions in a group's discussions and replies (shared_apps/groups/mentions.py): the widget suggests only
people who may see the item; a mention of someone who may not notifies no one and tells the author why;
the server renders every mention itself (current name, escaped) and an edit notifies only the newly mentioned."""

from __future__ import annotations

from uuid import UUID, uuid4

import pytest
from django.contrib.staticfiles import finders
from django.core.exceptions import ValidationError
from django.utils.html import escape

from shared_apps.accounts.models import Account
from shared_apps.group_discussions import services
from shared_apps.group_discussions.models import Discussion, Reply
from shared_apps.groups import events
from shared_apps.groups.mentions import (
    MENTION_MAX,
    mention_candidates,
    mention_check,
    mention_markup,
    mentions_in,
)
from shared_apps.groups.models import Group, GroupActivity
from shared_apps.groups.services.moderation import item_hide
from tests.harness.people import make_person

pytestmark = pytest.mark.django_db


def token(person, name: str | None = None) -> str:  # type: ignore[no-untyped-def]
    return f"@[{name if name is not None else person.account.display_name}]({person.account.pk})"


def start(group: Group, person, body: str, title: str = "Parking") -> Discussion:  # type: ignore[no-untyped-def]
    return services.discussion_create(
        group=group, author=person.account, kind=Discussion.Kind.DISCUSSION, title=title, body=body
    )


def suggestions_url(group: Group, query: str = "") -> str:
    return f"/groups/{group.slug}/mentions/?q={query}"


def names(accounts) -> set[str]:  # type: ignore[no-untyped-def]
    return {account.display_name for account in accounts}


@pytest.fixture
def recorded():  # type: ignore[no-untyped-def]
    """What ``events.activity_recorded`` carried: ``(verb, item, mentioned)`` per line."""
    seen: list[tuple[str, object, list[UUID]]] = []

    def receiver(sender, activity, item, mentioned, **kwargs):  # type: ignore[no-untyped-def]
        seen.append((activity.verb, item, list(mentioned)))

    events.activity_recorded.connect(receiver, dispatch_uid="test_group_mentions")
    yield seen
    events.activity_recorded.disconnect(dispatch_uid="test_group_mentions")


@pytest.fixture
def closed(civil_servants, make_group):  # type: ignore[no-untyped-def]
    """A closed group for civil servants: org A's editor (owner) and member, and org B's member."""
    return make_group(
        civil_servants.a_editor,
        members=(civil_servants.a_member, civil_servants.b_member),
        name="Closed team",
        visibility="closed",
    )


@pytest.fixture
def open_for_civil_servants(civil_servants, make_group):  # type: ignore[no-untyped-def]
    return make_group(civil_servants.a_editor, members=(civil_servants.a_member,), name="Open forum")


@pytest.fixture
def open_for_everyone(civil_servants, make_group):  # type: ignore[no-untyped-def]
    return make_group(
        civil_servants.a_editor, members=(civil_servants.citizen,), name="Open to all", audience="everyone"
    )


# --- Suggestions ----------------------------------------------------------------------------------------


def test_a_closed_group_suggests_only_its_members(civil_servants, closed, c_member):
    found = mention_candidates(group=closed, author=civil_servants.a_member.account, query="", limit=20)
    ids = {account.pk for account in found}
    assert civil_servants.b_member.account.pk in ids  # a member from the other organisation
    assert civil_servants.a_editor.account.pk in ids
    assert c_member.account.pk not in ids  # a civil servant, not a member
    assert civil_servants.citizen.account.pk not in ids
    assert civil_servants.a_member.account.pk not in ids  # never yourself

    response = civil_servants.client(civil_servants.a_member).get(
        suggestions_url(closed, civil_servants.b_member.account.display_name[:4])
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    rows = response.json()
    assert {"id": str(civil_servants.b_member.account.pk), "name": civil_servants.b_member.account.display_name,
            "detail": "Organisation B"} in rows  # fmt: skip
    assert str(c_member.account.pk) not in {row["id"] for row in rows}
    assert "private" in response["Cache-Control"]


def test_an_open_group_suggests_civil_servants_of_every_organisation_but_no_citizen(
    civil_servants, open_for_civil_servants, c_member
):
    citizen = Account.objects.get(pk=civil_servants.citizen.account.pk)  # not the world's (shared) object
    citizen.profile_public = True  # even one whose profile anyone may see: the group is for civil servants
    citizen.save(update_fields=["profile_public"])
    found = mention_candidates(
        group=open_for_civil_servants, author=civil_servants.a_editor.account, query="", limit=20
    )
    ids = [account.pk for account in found]
    assert {civil_servants.a_member.account.pk, civil_servants.b_member.account.pk, c_member.account.pk} <= set(ids)
    assert citizen.pk not in ids
    assert ids[0] == civil_servants.a_member.account.pk  # members first
    by_name = mention_candidates(
        group=open_for_civil_servants, author=civil_servants.a_editor.account, query=c_member.account.display_name
    )
    assert [account.pk for account in by_name] == [c_member.account.pk]


def test_an_open_group_for_everyone_suggests_citizens_only_where_the_author_finds_them(
    civil_servants, open_for_everyone
):
    hidden_citizen = make_person(key="quiet", email="quiet@mail.example", name="Quinn Quiet", roles={})
    public_citizen = make_person(key="loud", email="loud@mail.example", name="Lou Loud", roles={})
    public_citizen.account.profile_public = True
    public_citizen.account.save(update_fields=["profile_public"])

    as_civil_servant = mention_candidates(
        group=open_for_everyone, author=civil_servants.a_editor.account, query="", limit=20
    )
    ids = {account.pk for account in as_civil_servant}
    assert civil_servants.citizen.account.pk in ids  # a member, whatever their profile
    assert public_citizen.account.pk in ids
    assert hidden_citizen.account.pk not in ids  # not in the directory, not a member
    assert civil_servants.b_member.account.pk in ids  # civil servants find each other

    as_citizen = mention_candidates(group=open_for_everyone, author=civil_servants.citizen.account, query="", limit=20)
    ids = {account.pk for account in as_citizen}
    assert civil_servants.a_editor.account.pk in ids  # a member
    assert public_citizen.account.pk in ids
    assert civil_servants.b_member.account.pk not in ids  # a citizen does not find their (private) profile
    assert hidden_citizen.account.pk not in ids


def test_the_suggestions_are_for_members_who_may_write_only(
    civil_servants, closed, open_for_civil_servants, open_for_everyone, make_group, c_member
):
    anonymous = civil_servants.client(None)
    assert anonymous.get(suggestions_url(open_for_everyone, "a")).status_code == 403  # a group anyone sees
    assert anonymous.get(suggestions_url(closed, "a")).status_code == 404  # for civil servants: unknown to them
    assert civil_servants.client(civil_servants.citizen).get(suggestions_url(open_for_everyone, "a")).status_code == 200
    outsider = civil_servants.client(c_member)
    assert outsider.get(suggestions_url(closed, "a")).status_code == 403  # from another organisation, no member
    assert outsider.get(suggestions_url(open_for_civil_servants, "a")).status_code == 403  # reads it, not a member
    assert civil_servants.client(civil_servants.citizen).get(suggestions_url(closed, "a")).status_code == 404
    hidden = make_group(civil_servants.a_editor, members=(civil_servants.b_member,), name="Hidden", visibility="hidden")
    assert outsider.get(suggestions_url(hidden, "a")).status_code == 404  # it does not exist for them
    assert civil_servants.client(civil_servants.b_member).get(suggestions_url(hidden, "a")).status_code == 200
    assert civil_servants.client(civil_servants.b_member).post(suggestions_url(hidden, "a")).status_code == 405


# --- Who is notified, and the author told ---------------------------------------------------------------


def test_a_non_member_of_a_closed_group_is_not_notified_and_the_author_is_told(
    civil_servants, closed, c_member, recorded
):
    member = civil_servants.client(civil_servants.a_member)
    body = f"Ask {token(civil_servants.b_member)} and {token(c_member)}, and me {token(civil_servants.a_member)}."
    response = member.post(f"/groups/{closed.slug}/discussions/new/", {"title": "Parking", "body": body}, follow=True)
    assert response.status_code == 200
    discussion = Discussion.objects.get(group=closed)
    assert recorded == [("discussion.created", discussion, [civil_servants.b_member.account.pk])]
    page = response.content.decode()
    told = f"{c_member.account.display_name} was not notified: they are not a member of this closed group."
    assert escape(told) in page
    assert escape(civil_servants.b_member.account.display_name) + " was not notified" not in page
    assert "was not notified" not in page.replace(escape(told), "")  # not about yourself either
    # All three are links in the text: the mention shows, whoever is notified.
    assert set(mentions_in(html=discussion.body)) == {
        civil_servants.b_member.account.pk,
        c_member.account.pk,
        civil_servants.a_member.account.pk,
    }

    recorded.clear()
    response = civil_servants.client(civil_servants.b_member).post(
        f"/groups/{closed.slug}/discussions/{discussion.pk}/reply/",
        {"body": f"{token(civil_servants.a_editor)} {token(civil_servants.citizen)}"},
        follow=True,
    )
    reply = Reply.objects.get(discussion=discussion)
    assert recorded == [("reply.created", reply, [civil_servants.a_editor.account.pk])]
    assert escape(f"{civil_servants.citizen.account.display_name} was not notified") in response.content.decode()


def test_a_citizen_in_an_open_group_for_civil_servants_cannot_see_it(
    civil_servants, open_for_civil_servants, c_member, recorded
):
    discussion = start(
        open_for_civil_servants, civil_servants.a_member, f"{token(civil_servants.citizen)} {token(c_member)}"
    )
    assert recorded[-1][2] == [c_member.account.pk]  # a civil servant of a third organisation reads open groups
    assert discussion.mentions_refused == [
        (civil_servants.citizen.account.display_name, "they cannot see this group (it is for civil servants only)")
    ]


def test_people_without_an_account_or_hidden_items_are_refused(civil_servants, closed, recorded):
    gone = make_person(key="gone", email="gone@org-a.example", name="Gone Person", roles={})
    discussion = start(closed, civil_servants.a_member, f"Hello {token(civil_servants.b_member)}")
    gone.account.is_active = False
    gone.account.save(update_fields=["is_active"])
    check = mention_check(item=discussion, account_ids=[gone.account.pk, uuid4(), civil_servants.b_member.account.pk])
    assert check.notify == [civil_servants.b_member.account.pk]
    assert check.refused == [("Gone Person", "they no longer have an account")]  # an unknown id: ignored

    item_hide(group=closed, actor=civil_servants.a_editor.account, item=discussion)
    discussion.refresh_from_db()
    check = mention_check(
        item=discussion, account_ids=[civil_servants.b_member.account.pk, civil_servants.a_editor.account.pk]
    )
    assert check.notify == [civil_servants.a_editor.account.pk]  # the owner moderates: sees hidden items
    assert check.refused == [
        (civil_servants.b_member.account.display_name, "they cannot see it: the group's moderators have hidden it")
    ]


def test_at_most_so_many_people_in_one_text(civil_servants, closed):
    tokens = " ".join(f"@[Someone]({uuid4()})" for _ in range(MENTION_MAX + 1))
    with pytest.raises(ValidationError) as refused:
        start(closed, civil_servants.a_member, tokens)
    assert "body" in refused.value.message_dict and f"at most {MENTION_MAX} people" in str(refused.value)
    assert not Discussion.objects.filter(group=closed).exists()
    response = civil_servants.client(civil_servants.a_member).post(
        f"/groups/{closed.slug}/discussions/new/", {"title": "Too many", "body": tokens}
    )
    assert response.status_code == 400 and f"at most {MENTION_MAX} people" in response.content.decode()


# --- The markup: rendered by the server, harmless -------------------------------------------------------


def test_forged_tokens_and_names_render_harmlessly(civil_servants, closed, recorded):
    b = Account.objects.get(pk=civil_servants.b_member.account.pk)  # not the world's (shared) object
    b.display_name = '<img src=x onerror="alert(1)">Bea & "Co"'
    b.save(update_fields=["display_name"])
    unknown = uuid4()
    body = (
        f"Plain {token(civil_servants.b_member, name='The Director')} and @[Ghost]({unknown}).\n\n"
        f'<script>alert(2)</script>@[Eve "&" y]({civil_servants.a_editor.account.pk})'
    )
    discussion = start(closed, civil_servants.a_member, body)
    html = discussion.body
    assert "<img" not in html and "<script" not in html and "The Director" not in html
    assert (
        f'<a href="/people/{b.pk}/" class="mention" data-mention="{b.pk}" rel="noopener noreferrer nofollow">'
        '@&lt;img src=x onerror="alert(1)"&gt;Bea &amp; "Co"</a>' in html
    )
    assert "@Ghost" in html and str(unknown) not in html  # an unknown id: the text as typed, no link
    assert f'data-mention="{civil_servants.a_editor.account.pk}"' in html
    assert escape(civil_servants.a_editor.account.display_name) in html
    assert recorded[-1][2] == [b.pk, civil_servants.a_editor.account.pk]
    page = civil_servants.client(civil_servants.a_member).get(f"/groups/{closed.slug}/discussions/{discussion.pk}/")
    assert '<img src=x onerror="alert(1)">' not in page.content.decode()


def test_a_hand_written_mention_link_is_rendered_again_by_the_server(civil_servants, closed):
    b, editor = civil_servants.b_member.account, civil_servants.a_editor.account
    marked = mention_markup(
        text=(
            f'<p><a href="https://evil.example/" class="mention" data-mention="{b.pk}">@The Boss</a> '
            f'<a href="https://example.org/" class="mention">@Looks like one</a> '
            f'<a href="https://example.org/" data-mention="not-a-uuid">link</a> '
            f"<code>{token(civil_servants.a_editor)}</code> "
            f'<a href="https://example.org/">{token(civil_servants.a_editor)}</a></p>'
        )
    )
    assert marked.account_ids == [b.pk]
    assert "evil.example" not in marked.html and "The Boss" not in marked.html
    assert f'<a href="/people/{b.pk}/" class="mention" data-mention="{b.pk}"' in marked.html
    assert marked.html.count('class="mention"') == 1 and marked.html.count("data-mention") == 1
    assert f"<code>@[{escape(editor.display_name)}]({editor.pk})</code>" in marked.html  # code stays as written
    assert mention_markup(text=marked.html).html == marked.html  # stable when saved again (an edit)


def test_texts_without_mentions_are_sanitised_as_before(civil_servants):
    assert mention_markup(text="Mail me @ home\n\nor at a@b.example").html == (
        "<p>Mail me @ home</p><p>or at a@b.example</p>"
    )
    assert mention_markup(text="<p>Hi <em>all</em></p>").account_ids == []


# --- Edits notify only the newly mentioned --------------------------------------------------------------


def test_an_edit_notifies_only_the_people_newly_mentioned(civil_servants, closed, c_member, recorded):
    author = civil_servants.a_member
    discussion = start(closed, author, f"Hi {token(civil_servants.b_member)}")
    recorded.clear()

    client = civil_servants.client(author)
    edit_url = f"/groups/{closed.slug}/discussions/{discussion.pk}/edit/"
    form = client.get(edit_url).content.decode()
    assert f'data-mention-suggestions="/groups/{closed.slug}/mentions/"' in form
    discussion.refresh_from_db()
    response = client.post(
        edit_url,
        {"title": "Parking", "body": f"{discussion.body}<p>And {token(civil_servants.a_editor)} {token(c_member)}</p>"},
        follow=True,
    )
    assert response.status_code == 200
    assert recorded == [("mention.added", discussion, [civil_servants.a_editor.account.pk])]
    assert escape(f"{c_member.account.display_name} was not notified") in response.content.decode()
    line = GroupActivity.objects.get(group=closed, verb="mention.added")
    assert line.actor_id == author.account.pk and line.target_id == discussion.pk
    activity = client.get(f"/groups/{closed.slug}/activity/").content.decode()
    assert "mentioned someone in" in activity

    recorded.clear()
    discussion.refresh_from_db()
    services.discussion_edit(
        group=closed, discussion=discussion, actor=author.account, title="Parking, again", body=discussion.body
    )
    assert recorded == []  # the same people: nobody is told twice
    assert GroupActivity.objects.filter(group=closed, verb="mention.added").count() == 1

    reply = services.reply_create(
        group=closed, discussion=discussion, author=civil_servants.b_member.account, body="Ok"
    )
    recorded.clear()
    edited = services.reply_edit(
        group=closed,
        reply=reply,
        actor=civil_servants.b_member.account,
        body=f"Ok {token(civil_servants.a_member)} {token(c_member)}",
    )
    assert recorded == [("mention.added", reply, [author.account.pk])]
    assert edited.mentions_refused == [(c_member.account.display_name, "they are not a member of this closed group")]
    recorded.clear()
    services.reply_edit(group=closed, reply=edited, actor=civil_servants.b_member.account, body=edited.body + " !")
    assert recorded == []


# --- The widget -----------------------------------------------------------------------------------------


def test_the_widget_is_a_static_script_on_the_writing_forms(civil_servants, closed):
    assert finders.find("groups/mentions.js")
    client = civil_servants.client(civil_servants.a_member)
    new = client.get(f"/groups/{closed.slug}/discussions/new/").content.decode()
    assert '<script src="/static/groups/mentions.js" defer></script>' in new
    assert f'data-mention-suggestions="/groups/{closed.slug}/mentions/"' in new
    assert "type @ and a few letters" in new  # without JavaScript: how mentions work, said in the help text
    discussion = start(closed, civil_servants.a_member, "Hello")
    detail = client.get(f"/groups/{closed.slug}/discussions/{discussion.pk}/").content.decode()
    assert "/static/groups/mentions.js" in detail and "data-mention-suggestions" in detail
    assert "<script>" not in detail  # no inline script
