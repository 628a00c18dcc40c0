"""The news app: the index and articles trimmed to the viewer, comments and reactions for those who may see the
article, moderation by the organisation's editors, the home's "Latest news" block, and bounded queries."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context
from wagtail.images.models import Image
from wagtail.images.tests.utils import get_test_image_file
from wagtail.rich_text import RichText
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from sites import catalogue
from tenant_apps.news.catalogue_entry import latest_news_context
from tenant_apps.news.models import Comment, NewsArticlePage, NewsIndexPage, Reaction
from tenant_apps.news.personal_data import export_news
from tenant_apps.news.services import comment_hide, comment_post, comment_text_clean, reaction_toggle
from tenant_apps.pages.search_index import _page_text
from tests.harness.clients import client_for
from tests.visibility_support import LEVELS, MAY_SEE, client_as, recognise_org_b_staff_as_civil_servants

pytestmark = pytest.mark.django_db


def _index(world) -> NewsIndexPage:  # type: ignore[no-untyped-def]
    """The seeded news section of the current organisation, opened to everyone so that articles can be of any
    level. Call inside the organisation's schema."""
    index = NewsIndexPage.objects.get()
    if index.visibility != "public":
        index.visibility = "public"
        index.save()
    return index


def _article(
    index: NewsIndexPage, *, slug: str, level: str = "", tags: tuple[str, ...] = (), **extra
) -> NewsArticlePage:  # type: ignore[no-untyped-def]
    article = NewsArticlePage(title=f"Article {slug}", slug=slug, lead=f"Lead of {slug}", visibility=level, **extra)
    if tags:
        article.tags.add(*tags)
    index.add_child(instance=article)
    return article


@pytest.fixture
def news(world):  # type: ignore[no-untyped-def]
    """In org A's news section: one article per level; org B's staff recognised as civil servants."""
    recognise_org_b_staff_as_civil_servants(world)
    with tenant_context(world.org_a):
        index = _index(world)
        for level in LEVELS:
            _article(index, slug=f"level-{level}", level=level, tags=(f"tag-{level}",))
    return world


def _a_user(world, key: str):  # type: ignore[no-untyped-def]
    return world.people[key].local_user(world.org_a)


# --- The section and the catalogue -------------------------------------------------------------------------


def test_the_app_is_in_the_catalogue_with_its_section_and_block(world):
    app = catalogue.catalogue_app("news")
    assert app.order == 10
    assert app.page_types == ("org_news.newsindexpage", "org_news.newsarticlepage")
    assert app.section is not None and app.section.slug == "news"
    assert app.section.titles == {"nl": "Nieuws", "en": "News"}
    assert [block.key for block in app.home_blocks] == ["news.latest"]


def test_a_new_organisation_has_its_news_section_in_the_menu(world):
    with tenant_context(world.org_a):
        index = NewsIndexPage.objects.get()
        assert index.live and index.show_in_menus and index.slug == "news"
        assert index.title in ("News", "Nieuws")
        assert index.get_parent().specific_class.__name__ == "HomePage"


def test_demo_content_fills_the_section_once(world):
    with tenant_context(world.org_a):
        index = NewsIndexPage.objects.get()
        catalogue.catalogue_app("news").demo_content(section=index, language="nl")
        catalogue.catalogue_app("news").demo_content(section=index, language="nl")
        articles = NewsArticlePage.objects.child_of(index)
        assert articles.count() == 4
        assert all(article.tags.exists() for article in articles)
        assert "Nieuwe werkplekken op de derde verdieping" in {article.title for article in articles}


def test_the_author_defaults_to_the_creating_editor(world):
    with tenant_context(world.org_a):
        editor = world.a_editor.local_user(world.org_a)
        index = _index(world)
        article = _article(index, slug="owned", owner=editor)
        assert article.author == editor
        member = world.a_member.local_user(world.org_a)
        other = _article(index, slug="named", owner=editor, author=member)
        assert other.author == member


# --- Who sees what -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("viewer", list(MAY_SEE))
def test_the_index_lists_only_the_articles_the_viewer_may_see(news, viewer):
    response = client_as(news, viewer).get("/news/")
    assert response.status_code == 200
    for level in LEVELS:
        assert (f"Article level-{level}".encode() in response.content) == (level in MAY_SEE[viewer]), level


def test_and_from_the_other_organisation_org_a_members_are_outsiders_on_b(news, world):
    with tenant_context(world.org_b):
        index = _index(world)
        _article(index, slug="b-staff-only", level="organisation")
        _article(index, slug="b-for-all", level="public")
    listing = client_for(world.org_b, person=world.a_member).get("/news/")
    assert listing.status_code == 200
    assert b"Article b-for-all" in listing.content and b"b-staff-only" not in listing.content
    assert b"Article b-staff-only" in client_for(world.org_b, person=world.b_member).get("/news/").content


def test_the_index_filters_by_tag(news):
    response = client_as(news, "a_member").get("/news/?tag=tag-public")
    assert response.status_code == 200
    assert b"Article level-public" in response.content
    assert b"Article level-organisation" not in response.content
    assert "tag-public" in response.content.decode()
    unknown = client_as(news, "a_member").get("/news/?tag=no-such-tag")
    assert b"Article level-organisation" in unknown.content  # an unknown tag filters nothing


def test_the_article_shows_its_lead_counts_and_no_sign_in_form_for_anonymous(news):
    response = client_as(news, "anonymous").get("/news/level-public/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "Lead of level-public" in content
    assert content.count("<h1") == 1
    assert 'name="body"' not in content and "Sign in to comment" in content


# --- Taking part -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("viewer", list(MAY_SEE))
def test_comment_allowed_or_refused_per_viewer(news, viewer, level):
    response = client_as(news, viewer).post(f"/news/level-{level}/comment/", {"body": f"Hello from {viewer}"})
    with tenant_context(news.org_a):
        placed = Comment.objects.filter(body=f"Hello from {viewer}").exists()
    if viewer == "anonymous":
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
        assert not placed
    elif level in MAY_SEE[viewer]:
        assert response.status_code == 302 and response["Location"] == f"/news/level-{level}/#comments"
        assert placed
        page = client_as(news, viewer).get(f"/news/level-{level}/")
        assert f"Hello from {viewer}".encode() in page.content
    else:
        assert response.status_code == 403
        assert not placed
        assert f"level-{level}".encode() not in response.content


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("viewer", list(MAY_SEE))
def test_reaction_allowed_or_refused_per_viewer(news, viewer, level):
    response = client_as(news, viewer).post(f"/news/level-{level}/react/", {"kind": "thanks"})
    with tenant_context(news.org_a):
        given = Reaction.objects.filter(article__slug=f"level-{level}", kind="thanks").count()
    if viewer == "anonymous":
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
        assert given == 0
    elif level in MAY_SEE[viewer]:
        assert response.status_code == 302 and given == 1
    else:
        assert response.status_code == 403 and given == 0


def test_a_reaction_toggles_and_is_counted(news):
    client = client_as(news, "a_member")
    client.post("/news/level-public/react/", {"kind": "like"})
    page = client.get("/news/level-public/").content.decode()
    assert 'aria-pressed="true"' in page and "Like (1)" in page
    assert "1 reaction" in client.get("/news/").content.decode()
    client.post("/news/level-public/react/", {"kind": "like"})
    with tenant_context(news.org_a):
        assert not Reaction.objects.filter(kind="like").exists()
    assert client.post("/news/level-public/react/", {"kind": "shrug"}).status_code == 400


def test_a_get_of_the_routes_is_not_allowed(news):
    assert client_as(news, "a_member").get("/news/level-public/comment/").status_code == 405
    assert client_as(news, "a_member").get("/news/level-public/react/").status_code == 405


def test_posting_needs_the_csrf_token(news, world):
    client = client_for(world.org_a, person=world.a_member)
    client.handler.enforce_csrf_checks = True
    assert client.post("/news/level-public/comment/", {"body": "No token"}).status_code == 403
    with tenant_context(world.org_a):
        assert not Comment.objects.filter(body="No token").exists()


@pytest.mark.parametrize(("body", "message"), [("   ", "Write a comment first."), ("x" * 5001, "at most 5000")])
def test_a_bad_comment_is_refused_with_a_clear_message_and_nothing_written(news, body, message):
    response = client_as(news, "a_member").post("/news/level-public/comment/", {"body": body})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert 'role="alert"' in response.content.decode()
    with tenant_context(news.org_a):
        assert not Comment.objects.exists()


def test_comments_are_plain_text(news):
    client_as(news, "a_member").post("/news/level-public/comment/", {"body": "<script>alert(1)</script>\nline two"})
    page = client_as(news, "a_member").get("/news/level-public/").content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;<br>line two" in page


def test_comments_closed_refuses_comments_but_not_reading(news):
    with tenant_context(news.org_a):
        article = NewsArticlePage.objects.get(slug="level-public")
        article.allow_comments = False
        article.save()
    client = client_as(news, "a_member")
    assert client.post("/news/level-public/comment/", {"body": "Closed?"}).status_code == 403
    assert "Comments are closed" in client.get("/news/level-public/").content.decode()


def test_the_services_check_the_right_too(news):
    with tenant_context(news.org_a):
        article = NewsArticlePage.objects.get(slug="level-organisation")
        citizen = news.citizen.local_user(news.org_a)
        with pytest.raises(Exception, match="may not take part"):
            comment_post(article=article, author=citizen, body="Let me in")
        with pytest.raises(Exception, match="may not take part"):
            reaction_toggle(article=article, user=citizen, kind="like")
        assert not Comment.objects.exists() and not Reaction.objects.exists()


# --- Moderation --------------------------------------------------------------------------------------------


def test_a_hidden_comment_is_not_shown_nor_counted(news):
    with tenant_context(news.org_a):
        article = NewsArticlePage.objects.get(slug="level-public")
        member = _a_user(news, "a_member")
        kept = comment_post(article=article, author=member, body="A kept comment")
        hidden = comment_post(article=article, author=member, body="A rude comment")
        comment_hide(comment=hidden, by=_a_user(news, "a_editor"))
        hidden.refresh_from_db()
        assert hidden.status == Comment.Status.HIDDEN and hidden.hidden_by is not None and hidden.hidden_at
        assert kept.status == Comment.Status.PUBLISHED
    page = client_as(news, "a_member").get("/news/level-public/").content.decode()
    assert "A kept comment" in page and "A rude comment" not in page
    assert "1 comment" in page
    assert "1 comment" in client_as(news, "a_member").get("/news/").content.decode()


def test_the_moderation_screen_for_editors_and_not_for_members(news, world):
    with tenant_context(world.org_a):
        article = NewsArticlePage.objects.get(slug="level-organisation")
        comment = comment_post(article=article, author=_a_user(world, "a_member"), body="Moderate me")
    editor = client_for(world.org_a, person=world.a_editor)
    listing = editor.get("/admin/news/comments/")
    assert listing.status_code == 200 and b"Moderate me" in listing.content
    assert editor.post(f"/admin/news/comments/{comment.pk}/hide/").status_code == 302
    with tenant_context(world.org_a):
        comment.refresh_from_db()
        assert comment.status == Comment.Status.HIDDEN
    assert b"Moderate me" not in client_as(news, "a_member").get("/news/level-organisation/").content
    assert editor.post(f"/admin/news/comments/{comment.pk}/restore/").status_code == 302
    with tenant_context(world.org_a):
        comment.refresh_from_db()
        assert comment.status == Comment.Status.PUBLISHED

    member = client_for(world.org_a, person=world.a_member)
    assert member.get("/admin/news/comments/").status_code in (302, 403)
    assert b"Moderate me" not in member.get("/admin/news/comments/", follow=True).content
    member.post(f"/admin/news/comments/{comment.pk}/hide/")
    with tenant_context(world.org_a):
        comment.refresh_from_db()
        assert comment.status == Comment.Status.PUBLISHED


def test_administrators_moderate_too_and_an_editor_of_a_is_no_moderator_on_b(news, world):
    assert client_for(world.org_a, person=world.a_admin).get("/admin/news/comments/").status_code == 200
    assert client_for(world.org_a, person=world.a_editor_b_member).get("/admin/news/comments/").status_code == 200
    on_b = client_for(world.org_b, person=world.a_editor_b_member).get("/admin/news/comments/")
    assert on_b.status_code in (302, 403)
    assert client_for(world.org_b, person=world.a_editor).get("/admin/news/comments/").status_code in (302, 403)


def test_the_moderation_screen_refuses_citizens_and_anonymous(news, world):
    assert client_for(world.org_a, person=world.citizen).get("/admin/news/comments/").status_code in (302, 403)
    anonymous = client_for(world.org_a).get("/admin/news/comments/")
    assert anonymous.status_code == 302 and "login" in anonymous["Location"]


# --- The home's "Latest news" ------------------------------------------------------------------------------


@pytest.mark.parametrize("viewer", ["anonymous", "a_member"])
def test_the_home_block_lists_the_latest_visible_articles(news, viewer):
    home = client_as(news, viewer).get("/")
    assert home.status_code == 200
    content = home.content.decode()
    assert '<h2 id="news-latest' in content
    for level in LEVELS:
        assert (f"Article level-{level}" in content) == (level in MAY_SEE[viewer]), level


# --- Bounded queries ---------------------------------------------------------------------------------------


def _fill(world, *, articles: int, comments: int, prefix: str) -> None:  # type: ignore[no-untyped-def]
    """``articles`` articles (with an image, two tags, a comment and a reaction each) and ``comments``
    comments and reactions on the article ``<prefix>-0``."""
    with tenant_context(world.org_a):
        index = _index(world)
        image = Image.objects.create(title="A picture", file=get_test_image_file())
        member = _a_user(world, "a_member")
        for number in range(articles):
            article = _article(
                index, slug=f"{prefix}-{number}", tags=(f"{prefix}-x", f"{prefix}-y-{number}"), image=image
            )
            Comment.objects.create(article=article, author=member, body=f"Comment {number}")
            Reaction.objects.create(article=article, user=member, kind="like")
        first = NewsArticlePage.objects.get(slug=f"{prefix}-0")
        others = [world.people[key].local_user(world.org_a) for key in ("a_editor", "a_admin")]
        for number in range(comments):
            Comment.objects.create(article=first, author=others[number % 2], body=f"More {number}")


def _queries(client, path: str) -> int:  # type: ignore[no-untyped-def]
    client.get(path)  # warm the per-process caches (content types, site root paths)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured)


def test_the_index_issues_the_same_queries_for_n_and_3n_articles(world):
    client = client_for(world.org_a, person=world.a_member)
    _fill(world, articles=3, comments=0, prefix="few")
    few = _queries(client, "/news/")
    _fill(world, articles=6, comments=0, prefix="many")  # 9 in all, within one listing page
    many = _queries(client, "/news/")
    assert b"Article many-5" in client.get("/news/").content
    assert many == few


def test_the_article_issues_the_same_queries_for_n_and_3n_comments(world):
    client = client_for(world.org_a, person=world.a_member)
    _fill(world, articles=1, comments=3, prefix="talk")
    few = _queries(client, "/news/talk-0/")
    with tenant_context(world.org_a):
        first = NewsArticlePage.objects.get(slug="talk-0")
        for number in range(6):
            Comment.objects.create(article=first, author=_a_user(world, "a_editor"), body=f"Even more {number}")
        for kind in ("thanks", "insightful"):
            Reaction.objects.create(article=first, user=_a_user(world, "a_admin"), kind=kind)
    many = _queries(client, "/news/talk-0/")
    assert b"Even more 5" in client.get("/news/talk-0/").content
    assert many == few


def test_the_home_block_issues_the_same_queries_for_n_and_3n_articles(world):
    class Request:
        user = None

    def count() -> int:
        with tenant_context(world.org_a):
            latest_news_context(request=Request(), page=None, value={"count": 20})  # warm
            with CaptureQueriesContext(connection) as captured:
                context = latest_news_context(request=Request(), page=None, value={"count": 20})
                assert all(article.title for article in context["articles"])
            return len(captured)

    with tenant_context(world.org_a):
        index = _index(world)
        for number in range(2):
            _article(index, slug=f"home-few-{number}", level="public")
    few = count()
    with tenant_context(world.org_a):
        for number in range(4):
            _article(index, slug=f"home-many-{number}", level="public")
        assert len(latest_news_context(request=Request(), page=None, value={})["articles"]) == 5
    assert count() == few


# --- Images, search and personal data ----------------------------------------------------------------------


def test_images_are_served_through_signed_renditions_with_their_title_as_alt(news):
    with tenant_context(news.org_a):
        image = Image.objects.create(title="Our new office", file=get_test_image_file())
        article = NewsArticlePage.objects.get(slug="level-public")
        article.image = image
        article.body = [("image", image), ("quote", "Less is more"), ("paragraph", RichText("<p>Plain words</p>"))]
        article.save()
    for path in ("/news/level-public/", "/news/"):
        content = client_as(news, "a_member").get(path).content.decode()
        assert 'alt="Our new office"' in content
        assert "/images/" in content and "/media/" not in content, path
    content = client_as(news, "a_member").get("/news/level-public/").content.decode()
    assert "<blockquote>Less is more</blockquote>" in content and "Plain words" in content


def test_the_platform_search_text_holds_the_lead_body_and_tags(news):
    with tenant_context(news.org_a):
        article = NewsArticlePage.objects.get(slug="level-public")
        image = Image.objects.create(title="Indexed picture", file=get_test_image_file())
        article.body = [("paragraph", RichText("<p>Searchable body words</p>")), ("image", image)]
        article.save()
        text = _page_text(NewsArticlePage.objects.get(slug="level-public"))
    assert "Lead of level-public" in text and "Searchable body words" in text and "tag-public" in text


def test_the_personal_data_export_holds_the_persons_comments_and_reactions(news):
    class Archive:
        def __init__(self) -> None:
            self.files: dict[str, object] = {}

        def json(self, name: str, data: object) -> None:
            self.files[name] = data

    with tenant_context(news.org_a):
        member = _a_user(news, "a_member")
        article = NewsArticlePage.objects.get(slug="level-public")
        comment_post(article=article, author=member, body="Mine to take away")
        reaction_toggle(article=article, user=member, kind="insightful")
        archive = Archive()
        export_news(account=news.a_member.account, local_user=member, archive=archive, folder="org")
    assert [c["body"] for c in archive.files["org/news_comments.json"]] == ["Mine to take away"]
    assert [r["kind"] for r in archive.files["org/news_reactions.json"]] == ["insightful"]


def test_an_editor_writes_an_article_in_the_admin_and_is_its_author(news, world):
    with tenant_context(world.org_a):
        index = NewsIndexPage.objects.get()
    editor = client_for(world.org_a, person=world.a_editor)
    assert editor.get(f"/admin/pages/add/org_news/newsarticlepage/{index.pk}/").status_code == 200
    data = nested_form_data(
        {
            "title": "Written in the admin",
            "slug": "written-in-the-admin",
            "lead": "A lead from the editor",
            "body": streamfield([("paragraph", rich_text("<p>Body text</p>"))]),
            "tags": "admin, written",
            "date": "2026-11-30",
            "author": "",
            "visibility": "",
            "allow_comments": "on",
            "action-publish": "1",
        }
    )
    response = editor.post(f"/admin/pages/add/org_news/newsarticlepage/{index.pk}/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    with tenant_context(world.org_a):
        article = NewsArticlePage.objects.get(slug="written-in-the-admin")
        # On an intranet, editors publish (org_pages migration 0006 gives Wagtail's "Editors" group the right).
        assert article.live and article.author == world.a_editor.local_user(world.org_a)
        assert sorted(tag.name for tag in article.tags.all()) == ["admin", "written"]


def test_an_administrator_publishes_an_article_in_the_admin_and_it_is_listed_under_its_tag(news, world):
    with tenant_context(world.org_a):
        index = NewsIndexPage.objects.get()
    data = nested_form_data(
        {
            "title": "Published in the admin",
            "slug": "published-in-the-admin",
            "lead": "A lead",
            "body": streamfield([("quote", "Quoted")]),
            "tags": "published",
            "date": "2026-11-30",
            "author": "",
            "visibility": "",
            "allow_comments": "on",
            "action-publish": "1",
        }
    )
    response = client_for(world.org_a, person=world.a_admin).post(
        f"/admin/pages/add/org_news/newsarticlepage/{index.pk}/", data
    )
    assert response.status_code == 302
    with tenant_context(world.org_a):
        article = NewsArticlePage.objects.get(slug="published-in-the-admin")
        assert article.live and article.author == world.a_admin.local_user(world.org_a)
    listing = client_as(news, "a_member").get("/news/?tag=published").content
    assert b"Published in the admin" in listing and b"Article level-public" not in listing


def test_a_nul_byte_in_a_comment_is_refused_by_the_service_too():
    """Over HTTP the request is refused before the view (tenants/nul_bytes.py); a caller of the service is told."""
    with pytest.raises(ValidationError, match="NUL byte"):
        comment_text_clean(body="a\x00b")
