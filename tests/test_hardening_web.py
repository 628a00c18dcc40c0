"""Issue 13, the web defects: Wagtail's Users and Groups admin (3), document caching (11), Wagtail's password
forms (12, 17), signed-in answers kept private (17) and NUL bytes in the input (16).

Each test asks "and from the other organisation?" and "and as a citizen?" where it applies.
"""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.test import override_settings
from django_tenants.utils import tenant_context
from wagtail.documents import get_document_model
from wagtail.models import Collection

from shared_apps.accounts.models import Account
from shared_apps.people.models import User
from tenant_apps.pages.visibility import COLLECTION_LEVELS
from tests.harness.clients import client_for
from tests.harness.people import PASSWORD, make_person
from tests.visibility_support import LEVELS, MAY_SEE, client_as, recognise_org_b_staff_as_civil_servants

pytestmark = pytest.mark.django_db

COLLECTION_OF = {level.key: name for name, level in COLLECTION_LEVELS.items()}
VIEWERS = list(MAY_SEE)
NUL_MIDDLEWARE = "tenants.nul_bytes.RefuseNulBytesMiddleware"


def _cache_control(response) -> set[str]:  # type: ignore[no-untyped-def]
    return {part.strip().split("=")[0].lower() for part in response.get("Cache-Control", "").split(",") if part.strip()}


def _varies_on_cookie(response) -> bool:  # type: ignore[no-untyped-def]
    return "cookie" in {part.strip().lower() for part in response.get("Vary", "").split(",")}


def _assert_private(response) -> None:  # type: ignore[no-untyped-def]
    directives = _cache_control(response)
    assert "private" in directives, response.get("Cache-Control")
    assert "public" not in directives, response.get("Cache-Control")
    assert _varies_on_cookie(response), response.get("Vary")


def _signed_in_user_id(client, organisation) -> str | None:  # type: ignore[no-untyped-def]
    with tenant_context(organisation):  # sessions live in the organisation's schema
        return client.session.get("_auth_user_id")


@pytest.fixture
def operator(world):  # type: ignore[no-untyped-def]
    person = make_person(key="operator", email="operator-web@govsquare.example")
    Account.objects.filter(pk=person.account.pk).update(is_platform_operator=True)
    person.account.refresh_from_db()
    return person


# --- Defect 3: Wagtail's own Users and Groups admin is closed on subsites ---------------------------------

WAGTAIL_ACCOUNT_SCREENS = ["/admin/users/", "/admin/users/new/", "/admin/groups/", "/admin/groups/new/"]


@pytest.mark.parametrize("who", ["a_admin", "operator"])
def test_wagtails_users_and_groups_are_not_in_the_admin_menu(world, operator, who):
    person = operator if who == "operator" else world.a_admin
    response = client_for(world.org_a, person=person).get("/admin/")
    assert response.status_code == 200
    content = response.content.decode()
    if who == "a_admin":
        assert "/admin/members/" in content  # the audited screen is there
    assert "/admin/users/" not in content and "/admin/groups/" not in content
    search = client_for(world.org_a, person=person).get("/admin/pages/search/?q=member")
    assert search.status_code == 200 and "/admin/users/" not in search.content.decode()  # no "Users" search area


@pytest.mark.parametrize("who", ["a_admin", "operator", "a_editor"])
@pytest.mark.parametrize("path", WAGTAIL_ACCOUNT_SCREENS)
def test_wagtails_users_and_groups_screens_are_refused(world, operator, who, path):
    person = operator if who == "operator" else getattr(world, who)
    response = client_for(world.org_a, person=person).get(path)
    assert response.status_code in (302, 403), response.status_code
    if response.status_code == 302:
        assert response["Location"] in ("/admin/members/",) or "/accounts/login/" in response["Location"]
    # and in the other organisation, as its own member, and as a citizen
    for organisation, other in ((world.org_b, world.b_member), (world.org_a, world.citizen)):
        refused = client_for(organisation, person=other).get(path)
        assert refused.status_code in (302, 403)


@pytest.mark.parametrize("who", ["a_admin", "operator"])
def test_no_one_saves_is_superuser_or_a_group_through_wagtails_user_form(world, operator, who):
    person = operator if who == "operator" else world.a_admin
    target = world.a_member.local_user(world.org_a)
    client = client_for(world.org_a, person=person)
    with tenant_context(world.org_a):
        groups_before = set(target.groups.values_list("pk", flat=True))
    response = client.post(
        f"/admin/users/edit/{target.pk}/",
        {"email": target.email, "first_name": "X", "last_name": "Y", "is_superuser": "on", "is_active": "on"},
    )
    assert response.status_code in (302, 403)
    assert "/admin/users/" not in response.get("Location", "")
    created = client.post(
        "/admin/users/new/",
        {"email": "local@nowhere.example", "password1": "x" * 20, "password2": "x" * 20, "is_superuser": "on"},
    )
    assert created.status_code in (302, 403)
    with tenant_context(world.org_a):
        stored = User.objects.get(pk=target.pk)
        assert not stored.is_superuser and stored.first_name != "X"
        assert set(stored.groups.values_list("pk", flat=True)) == groups_before
        assert not User.objects.filter(email="local@nowhere.example").exists()


# --- Defect 11 and 17: documents are cached per viewer, never answered 304 past the visibility check -------


@pytest.fixture
def documents(world, settings, tmp_path):  # type: ignore[no-untyped-def]
    """One document per level in org A; org B's staff recognised as civil servants."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    storages["default"].__dict__.pop("relative_media_root", None)  # django-tenants caches it
    recognise_org_b_staff_as_civil_servants(world)
    urls = {}
    with tenant_context(world.org_a):
        for level in LEVELS:
            collection = Collection.objects.get(name=COLLECTION_OF[level], depth=2)
            document = get_document_model().objects.create(
                title=f"Web {level}",
                file=ContentFile(f"web {level}".encode(), name=f"web-{level}.txt"),
                collection=collection,
            )
            urls[level] = document.url
    yield urls
    storages["default"].__dict__.pop("relative_media_root", None)


def _consume(response) -> None:  # type: ignore[no-untyped-def]
    if getattr(response, "streaming", False):
        b"".join(response.streaming_content)


@pytest.mark.parametrize("viewer", VIEWERS)
@pytest.mark.parametrize("level", LEVELS)
def test_document_cache_headers_for_every_level_and_viewer(documents, world, viewer, level):
    client = client_as(world, viewer)
    response = client.get(documents[level])
    _consume(response)
    if level not in MAY_SEE[viewer]:
        assert response.status_code in (302, 403)
        assert "public" not in _cache_control(response)
        return
    assert response.status_code == 200
    if level == "public" and viewer == "anonymous":
        assert "private" not in _cache_control(response)  # may be kept by shared caches
    else:
        _assert_private(response)  # made for a signed-in person, or not for everyone


@pytest.mark.parametrize("viewer", VIEWERS)
@pytest.mark.parametrize("level", LEVELS)
def test_a_conditional_request_for_a_document_is_checked_before_any_304(documents, world, viewer, level):
    allowed = client_as(world, "a_member").get(documents[level])
    _consume(allowed)
    etag, modified = allowed.get("ETag"), allowed.get("Last-Modified")
    assert etag, "Wagtail's view sends an ETag"
    client = client_as(world, viewer)
    for headers in (
        {"HTTP_IF_NONE_MATCH": etag},
        {"HTTP_IF_MODIFIED_SINCE": modified or "Fri, 01 Jan 2100 00:00:00 GMT"},
    ):
        response = client.get(documents[level], **headers)
        _consume(response)
        if level in MAY_SEE[viewer]:
            assert response.status_code in (200, 304)
            if level != "public":
                _assert_private(response)
        else:
            assert response.status_code in (302, 403), (headers, response.status_code)
    # and the same document's address on org B's host is not a document of B's
    other = client_for(world.org_b, person=world.b_member).get(documents[level], HTTP_IF_NONE_MATCH=etag)
    assert other.status_code != 304


# --- Defect 12 and 17: Wagtail's password forms send to the sign-on flow ----------------------------------


@pytest.mark.parametrize("org", ["org_a", "org_b"])
@pytest.mark.parametrize(("path", "default_next"), [("/admin/login/", "/admin/"), ("/_util/login/", "/")])
def test_wagtails_login_forms_send_to_single_sign_on(world, org, path, default_next):
    organisation = getattr(world, org)
    client = client_for(organisation)
    for query, expected_next in (("", default_next), ("?next=/news/", "/news/")):
        response = client.get(path + query)
        assert response.status_code == 302
        location = urlsplit(response["Location"])
        assert location.path == "/accounts/login/"
        assert parse_qs(location.query)["next"] == [expected_next]


@pytest.mark.parametrize("org", ["org_a", "org_b"])
@pytest.mark.parametrize("path", ["/admin/login/", "/_util/login/"])
@pytest.mark.parametrize("who", ["a_member", "b_member", "citizen"])
def test_wagtails_login_forms_take_no_password(world, org, path, who):
    organisation, person = getattr(world, org), getattr(world, who)
    client = client_for(organisation)
    response = client.post(path, {"username": person.email, "password": PASSWORD, "next": "/"})
    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == "/accounts/login/"
    assert _signed_in_user_id(client, organisation) is None


# --- Defect 17: signed-in answers are private -------------------------------------------------------------


@pytest.mark.parametrize("who", ["a_member", "a_editor", "b_member", "citizen"])
def test_signed_in_answers_of_the_api_people_join_and_documents_are_private(documents, world, who):
    client = client_for(world.org_a, person=getattr(world, who))
    for path in ["/api/v2/pages/", "/people/", "/join/", documents["organisation"], documents["public"]]:
        response = client.get(path)
        _consume(response)
        assert response.status_code in (200, 403), (path, response.status_code)
        _assert_private(response)


# --- Defect 16: a NUL byte is a 400, never a 500 ----------------------------------------------------------


def _nul_urls(world) -> list[tuple[object, str]]:  # type: ignore[no-untyped-def]
    schema = world.org_a.schema_name
    return [
        (world.org_a, f"/media/{schema}/documents/%00"),
        (world.org_a, f"/media/{schema}/images/x.width-3.png%00"),
        (world.org_a, f"/media/{schema}/original_images/x.png%00"),
        (world.org_a, f"/media/{schema}/documents/web-public.txt%00"),
        (world.org_a, "/search/?q=%00"),
        (world.org_a, "/api/v2/pages/?search=%00"),
        (world.org_a, "/people/?q=%00"),
        (None, "/people/?q=%00"),
        (None, "/people/?q=a%00b"),
    ]


@pytest.mark.parametrize("who", [None, "a_member", "b_member", "citizen"])
def test_a_nul_byte_in_the_input_is_a_400_anonymous_or_signed_in(world, who):
    for organisation, url in _nul_urls(world):
        person = getattr(world, who) if who else None
        response = client_for(organisation, person=person).get(url)
        assert 400 <= response.status_code < 500, (url, response.status_code)


def _with_nul_middleware() -> list[str]:
    return [NUL_MIDDLEWARE, *django_settings.MIDDLEWARE]


@pytest.mark.parametrize("who", [None, "a_member"])
def test_the_nul_middleware_refuses_nul_anywhere_in_path_query_or_form(world, who):
    person = getattr(world, who) if who else None
    with override_settings(MIDDLEWARE=_with_nul_middleware()):
        for organisation in (world.org_a, world.org_b, None):
            client = client_for(organisation, person=person)
            for url in ["/anything%00/", "/news/%00", "/?x=%00", "/?%00=x", "/search/?q=ab%00cd"]:
                assert client.get(url).status_code == 400, url
            assert client.post("/search/", {"q": "a\x00b"}).status_code == 400
            posted = client.post("/join/", json.dumps({"message": "a\u0000b"}), content_type="application/json")
            assert posted.status_code == 400
            assert client.get("/?q=fine").status_code != 400  # and ordinary input goes through
