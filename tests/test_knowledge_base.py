"""The knowledge base (tenant_apps.knowledge_base): topics, articles, visibility, review dates and reminders."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import tenant_context
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from shared_apps.people.services import local_user_for_account
from sites import catalogue
from tenant_apps.knowledge_base import catalogue_entry, tasks
from tenant_apps.knowledge_base.models import KnowledgeArticlePage, KnowledgeBasePage, ReviewReminder, TopicPage
from tenant_apps.knowledge_base.reviews import add_months, review_due_for, review_state
from tenant_apps.pages import search_index
from tests.harness.clients import client_for
from tests.visibility_support import LEVELS, MAY_SEE, client_as, recognise_org_b_staff_as_civil_servants

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 15)


def _index(organisation):  # type: ignore[no-untyped-def]
    """The seeded knowledge base of ``organisation`` (current schema must be that organisation's)."""
    return KnowledgeBasePage.objects.get()


def _article(parent, *, slug: str, owner=None, visibility: str = "", **fields):  # type: ignore[no-untyped-def]
    article = KnowledgeArticlePage(
        title=fields.pop("title", f"Article {slug}"),
        slug=slug,
        summary=fields.pop("summary", f"Summary of {slug}"),
        body=[{"type": "paragraph", "value": f"<p>Body of {slug}</p>"}],
        content_owner=owner,
        visibility=visibility,
        live=fields.pop("live", True),
        **fields,
    )
    parent.add_child(instance=article)
    return article


@pytest.fixture
def kb(world):  # type: ignore[no-untyped-def]
    """Org A's knowledge base opened to everyone, a public topic with one article per level; org B's staff
    recognised as civil servants."""
    recognise_org_b_staff_as_civil_servants(world)
    with tenant_context(world.org_a):
        index = _index(world.org_a)
        index.visibility = "public"
        index.save()
        topic = index.add_child(instance=TopicPage(title="Thuiswerken", slug="thuiswerken", visibility="public"))
        for level in LEVELS:
            _article(topic, slug=f"level-{level}", title=f"Secret {level} guidance", visibility=level)
    return world


# --- The catalogue and seeding --------------------------------------------------------------------------


def test_the_app_is_in_the_catalogue_with_its_section_block_and_task():
    app = catalogue.catalogue_app("knowledge-base")
    assert app.order == 30
    assert app.section is not None and app.section.slug == "knowledge-base"
    assert app.section.titles == {"nl": "Kennisbank", "en": "Knowledge base"}
    assert [block.key for block in app.home_blocks] == ["knowledge-base.recent"]
    assert [(t.name, t.task) for t in app.scheduled_tasks] == [
        ("knowledge-base-review-reminders", "knowledge_base.review_reminders_send")
    ]
    assert "org_knowledge_base.knowledgearticlepage" in app.page_types


def test_the_section_is_seeded_under_the_home_in_the_menu(world):
    with tenant_context(world.org_a):
        index = _index(world.org_a)
        assert index.live and index.show_in_menus and index.slug == "knowledge-base"
        assert index.get_parent().specific_class.__name__ == "HomePage"
        assert index.title == catalogue_entry.TITLES[world.org_a.language]


def test_demo_content_makes_two_topics_and_one_overdue_article(world):
    with tenant_context(world.org_a):
        index = _index(world.org_a)
        catalogue_entry.demo_content(section=index, language="nl")
        topics = TopicPage.objects.child_of(index)
        assert sorted(t.title for t in topics) == ["Declaraties en IT-hulp", "Thuiswerken"]
        articles = KnowledgeArticlePage.objects.descendant_of(index).live()
        assert 4 <= articles.count() <= 6
        today = timezone.localdate()
        assert sum(review_state(review_due=a.review_due, today=today) == "overdue" for a in articles) == 1
        assert all(a.last_published_at is not None for a in articles)


# --- Visibility ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("viewer", list(MAY_SEE))
def test_article_serving_matrix(kb, viewer, level):
    response = client_as(kb, viewer).get(f"/knowledge-base/thuiswerken/level-{level}/")
    if level in MAY_SEE[viewer]:
        assert response.status_code == 200
        assert f"Secret {level} guidance".encode() in response.content
    elif viewer == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    else:
        assert response.status_code == 403
        assert b"Secret" not in response.content


@pytest.mark.parametrize("viewer", list(MAY_SEE))
def test_topic_and_index_list_only_what_the_viewer_may_see(kb, viewer):
    client = client_as(kb, viewer)
    for address in ("/knowledge-base/thuiswerken/", "/knowledge-base/"):
        response = client.get(address)
        assert response.status_code == 200, address
        for level in LEVELS:
            assert (f"Secret {level} guidance".encode() in response.content) == (level in MAY_SEE[viewer]), (
                address,
                level,
            )


def test_the_home_block_lists_only_visible_guidance(kb):
    member_home = client_for(kb.org_a, person=kb.a_member).get("/")
    citizen_home = client_for(kb.org_a, person=kb.citizen).get("/")
    assert b'<h2 id="knowledge-base-recent' in member_home.content
    assert b"Secret organisation guidance" in member_home.content
    assert b"Secret organisation guidance" not in citizen_home.content
    assert b"Secret public guidance" in citizen_home.content


def test_and_from_the_other_organisation_a_member_of_b_is_an_outsider_on_a(world):
    """No civil-servant recognition: b_member on org A's organisation-only knowledge base is refused."""
    with tenant_context(world.org_a):
        topic = _index(world.org_a).add_child(instance=TopicPage(title="Intern", slug="intern"))
        _article(topic, slug="only-for-a", title="Only for A")
    assert client_for(world.org_a, person=world.b_member).get("/knowledge-base/intern/only-for-a/").status_code == 403
    assert client_for(world.org_a, person=world.citizen).get("/knowledge-base/intern/only-for-a/").status_code == 403
    assert client_for(world.org_a).get("/knowledge-base/intern/only-for-a/").status_code == 302
    assert client_for(world.org_a, person=world.a_member).get("/knowledge-base/intern/only-for-a/").status_code == 200


def test_breadcrumbs_and_the_article_facts(world):
    with tenant_context(world.org_a):
        owner = local_user_for_account(account=world.a_editor.account)
        topic = _index(world.org_a).add_child(instance=TopicPage(title="IT-hulp", slug="it-hulp"))
        sub = topic.add_child(instance=TopicPage(title="Laptops", slug="laptops"))
        article = _article(sub, slug="old", owner=owner, last_reviewed=datetime.date(2020, 1, 10))
        article.save_revision().publish()
    response = client_for(world.org_a, person=world.a_member).get("/knowledge-base/it-hulp/laptops/old/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<nav class="breadcrumbs" aria-label=' in html and "<ol" in html
    assert html.index(">IT-hulp<") < html.index(">Laptops<") < html.index('aria-current="page">Article old<')
    assert str(owner) in html
    assert "10 " in html and "2020" in html  # last reviewed
    assert 'class="review-warning"' in html  # overdue, said in words too
    assert html.count("<h1") == 1


def test_summary_and_body_are_searchable(world):
    with tenant_context(world.org_a):
        article = _article(_index(world.org_a), slug="vpn", summary="Verbinding maken met de VPN")
        article.body = [
            {"type": "steps", "value": {"title": "Zo werkt het", "steps": ["Start de VPN-client"]}},
            {"type": "callout", "value": {"kind": "warning", "text": "<p>Nooit via openbare wifi</p>"}},
        ]
        article.save()
        text = search_index._page_text(KnowledgeArticlePage.objects.get(pk=article.pk))
    assert "Verbinding maken met de VPN" in text
    assert "Start de VPN-client" in text and "Nooit via openbare wifi" in text


# --- Review dates -------------------------------------------------------------------------------------


def test_add_months_keeps_the_day_or_takes_the_last_of_a_short_month():
    assert add_months(datetime.date(2026, 1, 31), 1) == datetime.date(2026, 2, 28)
    assert add_months(datetime.date(2024, 1, 31), 1) == datetime.date(2024, 2, 29)
    assert add_months(datetime.date(2026, 11, 15), 3) == datetime.date(2027, 2, 15)
    assert add_months(datetime.date(2026, 3, 15), -14) == datetime.date(2025, 1, 15)


def test_review_due_is_from_the_last_review_else_the_first_publication_else_today():
    published = datetime.datetime(2025, 5, 2, 10, 0, tzinfo=datetime.UTC)
    assert review_due_for(
        last_reviewed=datetime.date(2026, 1, 10), first_published_at=published, interval_months=6, today=TODAY
    ) == datetime.date(2026, 7, 10)
    assert review_due_for(last_reviewed=None, first_published_at=published, interval_months=12, today=TODAY) == (
        datetime.date(2026, 5, 2)
    )
    assert review_due_for(last_reviewed=None, first_published_at=None, interval_months=12, today=TODAY) == (
        datetime.date(2027, 6, 15)
    )
    assert review_state(review_due=TODAY - datetime.timedelta(days=1), today=TODAY) == "overdue"
    assert review_state(review_due=TODAY + datetime.timedelta(days=14), today=TODAY) == "due_soon"
    assert review_state(review_due=TODAY + datetime.timedelta(days=15), today=TODAY) == "ok"


def test_review_due_is_stored_on_every_save(world):
    with tenant_context(world.org_a):
        article = _article(_index(world.org_a), slug="stored", last_reviewed=datetime.date(2026, 1, 10))
        assert KnowledgeArticlePage.objects.get(pk=article.pk).review_due == datetime.date(2027, 1, 10)
        article.review_interval_months = 3
        article.save()
        assert KnowledgeArticlePage.objects.get(pk=article.pk).review_due == datetime.date(2026, 4, 10)
        article.last_reviewed = None
        article.first_published_at = datetime.datetime(2026, 2, 1, 9, 0, tzinfo=datetime.UTC)
        article.save(update_fields=["last_reviewed", "first_published_at"])
        assert KnowledgeArticlePage.objects.get(pk=article.pk).review_due == datetime.date(2026, 5, 1)
        revision = article.save_revision()
        revision.publish()
        assert KnowledgeArticlePage.objects.get(pk=article.pk).review_due == datetime.date(2026, 5, 1)


def test_the_editor_must_name_a_content_owner(world):
    with tenant_context(world.org_a):
        index = _index(world.org_a)
    data = nested_form_data(
        {
            "title": "No owner",
            "slug": "no-owner",
            "visibility": "",
            "summary": "",
            "body": streamfield([]),
            "content_owner": "",
            "last_reviewed": "",
            "review_interval_months": "12",
            "action-publish": "1",
        }
    )
    client = client_for(world.org_a, person=world.a_admin)
    response = client.post(f"/admin/pages/add/org_knowledge_base/knowledgearticlepage/{index.pk}/", data)
    assert response.status_code == 200
    assert b"This field is required" in response.content
    with tenant_context(world.org_a):
        assert not KnowledgeArticlePage.objects.filter(slug="no-owner").exists()
        owner = local_user_for_account(account=world.a_editor.account)
    data["content_owner"] = str(owner.pk)
    data["body-count"] = "1"
    data.update(nested_form_data({"body": streamfield([("paragraph", rich_text("<p>Hello</p>"))])}))
    response = client.post(f"/admin/pages/add/org_knowledge_base/knowledgearticlepage/{index.pk}/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    with tenant_context(world.org_a):
        created = KnowledgeArticlePage.objects.get(slug="no-owner")
        assert created.content_owner_id == owner.pk and created.live and created.review_due is not None
    assert client.get(f"/admin/pages/{created.pk}/edit/").status_code == 200


# --- Review reminders ---------------------------------------------------------------------------------


@pytest.fixture
def run_owner_tasks_inline(monkeypatch):  # type: ignore[no-untyped-def]
    """``review_reminder_send.delay`` runs the task here and now (the worker's job), recording each call."""
    calls: list[dict] = []

    def delay(**kwargs):  # type: ignore[no-untyped-def]
        calls.append(kwargs)
        return tasks.review_reminder_send(**kwargs)

    monkeypatch.setattr(tasks.review_reminder_send, "delay", delay)
    return calls


@pytest.fixture
def due_articles(world):  # type: ignore[no-untyped-def]
    """Org A: two overdue articles of the editor, one due soon of the member, one not due, one draft and one
    without an owner; org B: one overdue article of b_member."""
    long_ago = add_months(TODAY, -13)
    made = {}
    with tenant_context(world.org_a):
        index = _index(world.org_a)
        editor = local_user_for_account(account=world.a_editor.account)
        member = local_user_for_account(account=world.a_member.account)
        made["editor_1"] = _article(index, slug="e1", owner=editor, last_reviewed=long_ago)
        made["editor_2"] = _article(index, slug="e2", owner=editor, last_reviewed=add_months(TODAY, -12))
        made["member_soon"] = _article(
            index, slug="m1", owner=member, last_reviewed=add_months(TODAY, -12) + datetime.timedelta(days=10)
        )
        made["member_fine"] = _article(index, slug="m2", owner=member, last_reviewed=TODAY)
        made["draft"] = _article(index, slug="d1", owner=member, last_reviewed=long_ago, live=False)
        made["orphan"] = _article(index, slug="o1", owner=None, last_reviewed=long_ago)
    with tenant_context(world.org_b):
        b_owner = local_user_for_account(account=world.b_member.account)
        made["b"] = _article(KnowledgeBasePage.objects.get(), slug="b1", owner=b_owner, last_reviewed=long_ago)
    return made


def _mails_to(address: str) -> list:
    return [message for message in mail.outbox if address in message.to]


def test_one_reminder_per_owner_listing_their_due_articles_with_edit_links(world, due_articles, run_owner_tasks_inline):
    result = tasks.review_reminders_send(today=TODAY.isoformat())
    assert result == {"queued": 3, "failed": []}
    assert len(mail.outbox) == 3
    (editor_mail,) = _mails_to(world.a_editor.email)
    (member_mail,) = _mails_to(world.a_member.email)
    (b_mail,) = _mails_to(world.b_member.email)
    host = world.org_a.primary_host()
    for key in ("editor_1", "editor_2"):
        assert f"{host}" in editor_mail.body and f"/admin/pages/{due_articles[key].pk}/edit/" in editor_mail.body
    assert f"/admin/pages/{due_articles['member_soon'].pk}/edit/" in member_mail.body
    for key in ("member_fine", "draft", "orphan", "b"):
        assert f"/admin/pages/{due_articles[key].pk}/edit/" not in editor_mail.body + member_mail.body
    # not another organisation's articles: org B's owner hears only of org B's, on org B's host
    assert f"/admin/pages/{due_articles['b'].pk}/edit/" in b_mail.body and world.org_b.primary_host() in b_mail.body
    assert "Article e1" not in b_mail.body
    assert "Organisation A" in editor_mail.subject and "GovSquare" in editor_mail.subject
    assert editor_mail.from_email
    assert editor_mail.extra_headers["Content-Language"] == (world.a_editor.account.language or "nl")
    assert editor_mail.alternatives and "text/html" in editor_mail.alternatives[0][1]
    with tenant_context(world.org_a):
        assert set(ReviewReminder.objects.values_list("article_id", flat=True)) == {
            due_articles["editor_1"].pk,
            due_articles["editor_2"].pk,
            due_articles["member_soon"].pk,
        }


def test_the_reminder_is_in_the_owners_language(world, due_articles, run_owner_tasks_inline):
    account = world.a_editor.account
    original = account.language
    try:
        account.language = "en"
        account.save(update_fields=["language"])
        tasks.review_reminders_send(today=TODAY.isoformat())
        (editor_mail,) = _mails_to(world.a_editor.email)
        assert editor_mail.extra_headers["Content-Language"] == "en"
        assert "articles of Organisation A to review" in editor_mail.subject
    finally:
        account.language = original
        account.save(update_fields=["language"])


def test_a_re_run_the_same_day_sends_nothing(world, due_articles, run_owner_tasks_inline):
    tasks.review_reminders_send(today=TODAY.isoformat())
    assert len(mail.outbox) == 3
    assert tasks.review_reminders_send(today=TODAY.isoformat()) == {"queued": 0, "failed": []}
    # a task queued twice (two beats, a retry) sends once
    with tenant_context(world.org_a):
        editor = local_user_for_account(account=world.a_editor.account)
    assert (
        tasks.review_reminder_send(schema_name=world.org_a.schema_name, owner_id=editor.pk, today=TODAY.isoformat())
        == 0
    )
    assert len(mail.outbox) == 3
    # a week later, still not reviewed: reminded again; a reviewed article no more
    with tenant_context(world.org_a):
        reviewed = KnowledgeArticlePage.objects.get(pk=due_articles["editor_2"].pk)
        reviewed.last_reviewed = TODAY
        reviewed.save()
    later = TODAY + datetime.timedelta(days=7)
    tasks.review_reminders_send(today=later.isoformat())
    again = _mails_to(world.a_editor.email)[1:]
    assert len(again) == 1
    assert f"/admin/pages/{due_articles['editor_1'].pk}/edit/" in again[0].body
    assert f"/admin/pages/{due_articles['editor_2'].pk}/edit/" not in again[0].body


def test_nothing_is_sent_where_the_app_is_off(world, due_articles, run_owner_tasks_inline):
    org_b = world.org_b
    original = list(org_b.enabled_apps)
    try:
        org_b.enabled_apps = [key for key in original if key != "knowledge-base"]
        org_b.save(update_fields=["enabled_apps"])
        tasks.review_reminders_send(today=TODAY.isoformat())
        assert _mails_to(world.b_member.email) == []
        assert len(_mails_to(world.a_editor.email)) == 1  # org A still gets its reminders
        # a task queued before the switch sends nothing either
        with tenant_context(org_b):
            b_owner = local_user_for_account(account=world.b_member.account)
        assert (
            tasks.review_reminder_send(schema_name=org_b.schema_name, owner_id=b_owner.pk, today=TODAY.isoformat()) == 0
        )
        assert _mails_to(world.b_member.email) == []
    finally:
        org_b.enabled_apps = original
        org_b.save(update_fields=["enabled_apps"])


def test_a_mail_server_that_is_down_leaves_nothing_marked(world, due_articles, monkeypatch):
    def down(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise OSError("mail server down")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", down)
    with tenant_context(world.org_a):
        editor = local_user_for_account(account=world.a_editor.account)
    with pytest.raises(OSError):
        tasks.review_reminder_send.run(schema_name=world.org_a.schema_name, owner_id=editor.pk, today=TODAY.isoformat())
    with tenant_context(world.org_a):
        assert not ReviewReminder.objects.exists()
    assert OSError in tasks.review_reminder_send.autoretry_for


# --- Bounded queries ----------------------------------------------------------------------------------


def _topic_with(world, *, slug: str, count: int) -> str:  # type: ignore[no-untyped-def]
    with tenant_context(world.org_a):
        owner = local_user_for_account(account=world.a_editor.account)
        topic = _index(world.org_a).add_child(instance=TopicPage(title=slug, slug=slug))
        for number in range(count):
            _article(topic, slug=f"{slug}-{number}", owner=owner, last_reviewed=TODAY)
            topic.add_child(instance=TopicPage(title=f"{slug} sub {number}", slug=f"{slug}-sub-{number}"))
    return f"/knowledge-base/{slug}/"


def _queries_for(client, address: str) -> int:  # type: ignore[no-untyped-def]
    client.get(address)  # warm caches (content types, site root paths)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(address)
    assert response.status_code == 200
    return len(queries)


def test_a_topic_listing_issues_the_same_queries_for_n_and_3n_articles(world):
    few = _topic_with(world, slug="few", count=3)
    many = _topic_with(world, slug="many", count=9)
    client = client_for(world.org_a, person=world.a_member)
    assert _queries_for(client, few) == _queries_for(client, many)


def test_the_index_and_the_home_block_issue_the_same_queries_for_n_and_3n_articles(world):
    client = client_for(world.org_a, person=world.a_member)
    _topic_with(world, slug="first", count=3)
    index_few, home_few = _queries_for(client, "/knowledge-base/"), _queries_for(client, "/")
    _topic_with(world, slug="second", count=6)
    assert _queries_for(client, "/knowledge-base/") == index_few
    assert _queries_for(client, "/") == home_few
