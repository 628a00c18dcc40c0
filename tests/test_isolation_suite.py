"""The isolation suite (issue 13): tries to see one organisation's content from another, and a group's from
outside it, and prints what it tried: ``isolation: N probes, L leaks``.

The fixture puts secret markers into org A and org B (a page, a document and an image at every level, a
document library) and into groups of every visibility on the shared space. Every answer the suite gets is
probed for every marker: a marker shown to a viewer who may not see it there is a leak. The answers come
from every kind of viewer, on org A's host, org B's host and the shared space, with forged ``Host``,
``X-Forwarded-Host`` and ``Forwarded`` headers, another host's session cookie, the other organisation's ids,
slugs and file paths in URLs (path traversal included), the same path asked on A then B (a cache poisoned
across organisations), search, feed, sitemap, notifications, the Wagtail admin, and pages tasks carrying
the other organisation's schema.

A leak found in the product is not fixed here: it goes into ``KNOWN_LEAKS`` with its reason (reported, not
failed), and to the lead.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from urllib.parse import quote

import pytest
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.core.files.storage import storages
from django.test import Client
from django.utils import timezone
from django_tenants.utils import tenant_context
from PIL import Image as PillowImage
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.images.models import Filter
from wagtail.models import Collection, Page, Site

from shared_apps.accounts.models import AccountEmail
from shared_apps.group_discussions.services import discussion_create
from shared_apps.groups.models import GroupJoinRequest, GroupMembership
from shared_apps.groups.services.groups import group_create
from shared_apps.groups.services.memberships import membership_add
from shared_apps.notifications import tasks as notification_tasks
from shared_apps.notifications.mail import digest_message
from shared_apps.notifications.models import Notification
from shared_apps.search.models import SearchEntry
from shared_apps.search.services import group_reindex, organisation_reindex
from tenant_apps.document_library.models import DocumentLibraryPage
from tenant_apps.pages import tasks as page_tasks
from tenant_apps.pages.models import ContentPage
from tenant_apps.pages.views import signed_image_url
from tenant_apps.pages.visibility import COLLECTION_LEVELS
from tenants.models import EmailDomain
from tests.harness.clients import client_for, host_of
from tests.isolation_support import LEVELS, VIEWERS, Marker, Probes, may_edit, secret
from tests.security_figures import record_figure

pytestmark = pytest.mark.django_db

COLLECTION_OF = {level.key: name for name, level in COLLECTION_LEVELS.items()}
COMMON_WORD = "isolationprobe"  # in every page, document and discussion: one search finds them all
FORGING_VIEWERS = ("anonymous", "a_editor_b_member")

#: (what, marker kind) -> why: leaks the product has today, reported to the lead, not failed here.
KNOWN_LEAKS: dict[tuple[str, str], str] = {}

#: Every probe of the run (printed and recorded at the end of the test).
PROBES = Probes()


@dataclass
class OrgContent:
    label: str
    organisation: object
    pages: dict[str, Page]
    documents: dict[str, object]
    images: dict[str, object]
    document_bytes: dict[str, bytes]
    image_urls: dict[str, str]
    original_urls: dict[str, str]
    document_file_urls: dict[str, str]
    collection_ids: dict[str, int]


@dataclass
class Isolation:
    world: object
    content: dict[str, OrgContent]
    markers: list[Marker]
    #: image marker word -> the bytes a permitted viewer gets (rendition and original)
    image_bytes: dict[str, set[bytes]]
    groups: dict[str, object]
    clients: dict[tuple[str, str | None], Client]


def _png(colour: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    PillowImage.new("RGB", (4, 4), colour).save(buffer, "PNG")
    return buffer.getvalue()


def _forget_cached_rendition(image, spec: str) -> None:  # type: ignore[no-untyped-def]
    """Wagtail caches renditions in Redis by image id, and ids start again in every test database."""
    rendition_model = image.get_rendition_model()
    image_filter = Filter(spec=spec)
    key = rendition_model.construct_cache_key(image, image_filter.get_cache_key(image), image_filter.spec)
    rendition_model.cache_backend.delete(key)


def _body(response) -> bytes:  # type: ignore[no-untyped-def]
    """The answer's body and headers (a Location to the other organisation's host counts too)."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    headers = "\n".join(f"{name}: {value}" for name, value in response.headers.items()).encode()
    return headers + b"\n" + content


def _org_content(label: str, organisation, markers: list[Marker], colour_base: int) -> OrgContent:  # type: ignore[no-untyped-def]
    pages, documents, images, document_bytes = {}, {}, {}, {}
    image_urls, original_urls, document_file_urls, collection_ids = {}, {}, {}, {}
    with tenant_context(organisation):
        home = Site.objects.get().root_page
        home.add_child(
            instance=DocumentLibraryPage(title="Library", slug=f"iso-library-{label.lower()}", visibility="public")
        )
        for index, level in enumerate(LEVELS):
            page_word, document_word, image_word = (secret(f"{label}{level}{kind}") for kind in ("p", "d", "i"))
            markers += [
                Marker(page_word, label, level, "page"),
                Marker(document_word, label, level, "document"),
                Marker(image_word, label, level, "image"),
            ]
            pages[level] = home.add_child(
                instance=ContentPage(
                    title=f"Page {page_word}",
                    slug=f"iso-{label.lower()}-{level.replace('_', '-')}",
                    visibility=level,
                    summary=f"Summary {page_word}",
                    body=f"<p>The {COMMON_WORD} {page_word} report.</p>",
                    show_in_menus=True,
                )
            )
            collection = Collection.objects.get(name=COLLECTION_OF[level], depth=2)
            collection_ids[level] = collection.pk
            content = f"{COMMON_WORD} document {document_word}\n".encode()
            documents[level] = get_document_model().objects.create(
                title=f"Document {document_word} {COMMON_WORD}",
                file=ContentFile(content, name=f"iso-{label.lower()}-{level}.txt"),
                collection=collection,
            )
            document_bytes[level] = content
            document_file_urls[level] = documents[level].file.url
            images[level] = get_image_model().objects.create(
                title=f"Image {image_word}",
                file=ImageFile(io.BytesIO(_png((colour_base, 40 * index, 7))), name=f"iso-{label.lower()}-{level}.png"),
                collection=collection,
            )
            _forget_cached_rendition(images[level], "width-2")
            image_urls[level] = signed_image_url(images[level], "width-2")
            original_urls[level] = images[level].file.url
    return OrgContent(
        label,
        organisation,
        pages,
        documents,
        images,
        document_bytes,
        image_urls,
        original_urls,
        document_file_urls,
        collection_ids,
    )


def _person(world, viewer: str):  # type: ignore[no-untyped-def]
    return None if viewer == "anonymous" else world.people[viewer]


@pytest.fixture
def isolation(world, settings, tmp_path, monkeypatch, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = str(tmp_path / "media")
    storages["default"].__dict__.pop("relative_media_root", None)  # django-tenants caches MEDIA_ROOT
    for organisation, domain in ((world.org_a, "org-a.example"), (world.org_b, "org-b.example")):
        EmailDomain.objects.get_or_create(organisation=organisation, domain=domain)
    for person in world.people.values():  # every address verified: civil servants by their domains
        AccountEmail.objects.update_or_create(
            account=person.account, email=person.email, defaults={"verified_at": timezone.now()}
        )
    markers: list[Marker] = []
    content = {
        "A": _org_content("A", world.org_a, markers, 200),
        "B": _org_content("B", world.org_b, markers, 90),
    }
    for organisation in (world.org_a, world.org_b):
        organisation_reindex(organisation=organisation)

    # Groups of every visibility, each with a secret name and a secret discussion.
    queued: list[tuple[str, dict]] = []
    for name in ("activity_fan_out", "invitation_notify", "join_request_notify", "notification_mail_send"):
        task = getattr(notification_tasks, name)
        monkeypatch.setattr(task, "delay", lambda _name=name, **kwargs: queued.append((_name, kwargs)))
    people = world.people
    plan = {  # visibility: (owner, members, author of the discussion)
        "hidden": (people["a_member"], (people["a_admin"],), people["a_admin"]),
        "closed": (people["b_member"], (people["a_editor_b_member"],), people["b_member"]),
        "open": (people["a_admin"], (), people["a_admin"]),
    }
    groups = {}
    with django_capture_on_commit_callbacks(execute=True):
        for visibility, (owner, members, author) in plan.items():
            name_word, discussion_word = secret(f"g{visibility}n"), secret(f"g{visibility}d")
            markers += [
                Marker(name_word, None, f"{visibility}_name", "group"),
                Marker(discussion_word, None, f"{visibility}_discussion", "group"),
            ]
            group = group_create(
                creator=owner.account,
                name=f"Group {name_word}",
                purpose=f"For the {COMMON_WORD}.",
                visibility=visibility,
                joining="invitation" if visibility == "hidden" else "request",
            )
            for person in members:
                membership_add(group=group, account=person.account, role=GroupMembership.Role.MEMBER)
            discussion_create(
                group=group,
                author=author.account,
                kind="discussion",
                title=f"Talk {discussion_word}",
                body=f"About {COMMON_WORD} {discussion_word}.",
            )
            groups[visibility] = group
    while queued:  # what the worker would do: the notifications of the discussions
        name, kwargs = queued.pop(0)
        getattr(notification_tasks, name).run(**kwargs)
    for group in groups.values():
        group_reindex(group_id=group.pk)

    # What a permitted viewer gets for each image: the bytes no one else may get.
    image_bytes: dict[str, set[bytes]] = {}
    for label, organisation in (("A", world.org_a), ("B", world.org_b)):
        for level in LEVELS:
            word = next(m.word for m in markers if (m.organisation, m.level, m.kind) == (label, level, "image"))
            image = content[label].images[level]
            with tenant_context(organisation):
                with image.file.open("rb") as handle:
                    found = {handle.read()}
                with image.get_rendition("width-2").file.open("rb") as handle:
                    found.add(handle.read())
            image_bytes[word] = found

    clients: dict[tuple[str, str | None], Client] = {}
    for viewer in VIEWERS:
        for label, organisation in (("A", world.org_a), ("B", world.org_b), (None, None)):
            client = client_for(organisation, person=_person(world, viewer))
            client.raise_request_exception = False
            clients[(viewer, label)] = client
    yield Isolation(world, content, markers, image_bytes, groups, clients)
    storages["default"].__dict__.pop("relative_media_root", None)


def _host_name(iso: Isolation, label: str | None) -> str:
    return host_of({"A": iso.world.org_a, "B": iso.world.org_b, None: None}[label])


def _host_variants(iso: Isolation) -> list[tuple[str, str | None, str | None, dict[str, str]]]:
    """(label, session's host, answering host, extra headers): the plain hosts, then forged ones."""
    a, b, shared = _host_name(iso, "A"), _host_name(iso, "B"), _host_name(iso, None)
    return [
        ("A", "A", "A", {}),
        ("B", "B", "B", {}),
        ("shared", None, None, {}),
        ("B+XFH:A", "B", "B", {"X-Forwarded-Host": a}),
        ("B+Forwarded:A", "B", "B", {"Forwarded": f"host={a};proto=https"}),
        ("A+XFH:B", "A", "A", {"X-Forwarded-Host": b}),
        ("A+Forwarded:B", "A", "A", {"Forwarded": f'for=1.2.3.4;host="{b}"'}),
        ("A+XFH:shared", "A", "A", {"X-Forwarded-Host": shared}),
        ("shared+XFH:A", None, None, {"X-Forwarded-Host": a, "X-Forwarded-Server": a}),
        ("shared+Forwarded:A", None, None, {"Forwarded": f"host={a}"}),
        ("B-with-A's-cookie", "A", "B", {}),
        ("A-with-shared-cookie", None, "A", {}),
        ("B:port", "B", "B", {"Host": f"{b}:8000"}),
        ("B-uppercase", "B", "B", {"Host": b.upper()}),
        ("B-trailing-dot", "B", "B", {"Host": f"{b}."}),
        ("A-and-B", "A", "A", {"Host": f"{b}, {a}"}),
    ]


def _ask(iso: Isolation, viewer: str, variant, path: str, params: dict | None = None):  # type: ignore[no-untyped-def]
    label, session, answering, extra = variant
    headers = dict(extra)
    if "Host" not in headers:
        headers["Host"] = _host_name(iso, answering)
    client = iso.clients[(viewer, session)]
    response = client.get(path, params or {}, headers=headers)
    PROBES.answered(host_label=label, status=response.status_code)
    if response.status_code >= 500:
        PROBES.server_errors.append(f"{viewer} {label} GET {path} {params or ''}: {response.status_code}")
    return response


def _subsite_paths(iso: Isolation, *, every_id: bool = True) -> list[tuple[str, str, dict, bool]]:
    """(what, path, query, platform-wide answer): the channels, and (``every_id``) both organisations' ids,
    slugs and file paths (their organisation-only items, and the public document's stored file)."""
    paths: list[tuple[str, str, dict, bool]] = [
        ("home", "/", {}, False),
        ("search", "/search/", {"q": COMMON_WORD}, True),
        ("feed", "/feed/", {}, False),
        ("sitemap", "/sitemap.xml", {}, False),
        ("api list", "/api/v2/pages/", {"limit": 20}, False),
        ("notifications", "/notifications/", {}, True),
    ]
    if not every_id:
        return paths
    for label, content in iso.content.items():
        page = content.pages["organisation"]
        paths += [
            (f"page slug of {label}", f"/{page.slug}/", {}, False),
            (f"api page id of {label}", f"/api/v2/pages/{page.pk}/", {}, False),
            (f"document id of {label}", content.documents["organisation"].url, {}, False),
            (f"image rendition of {label}", content.image_urls["organisation"], {}, False),
            (f"stored file of {label}", content.document_file_urls["public"], {}, False),
            (
                f"library collection of {label}",
                f"/iso-library-{label.lower()}/collection/{content.collection_ids['organisation']}/",
                {},
                False,
            ),
        ]
    return paths


def _admin_paths(iso: Isolation) -> list[tuple[str, str, dict]]:
    paths = [("admin search", "/admin/pages/search/", {"q": COMMON_WORD})]
    for label, content in iso.content.items():
        paths += [
            (f"admin page edit of {label}", f"/admin/pages/{content.pages['organisation'].pk}/edit/", {}),
            (f"admin document edit of {label}", f"/admin/documents/edit/{content.documents['organisation'].pk}/", {}),
        ]
    return paths


def _probe_answer(iso: Isolation, response, *, viewer: str, variant, what: str, platform_wide: bool, editor_of=None):  # type: ignore[no-untyped-def]
    label, _session, answering, _extra = variant
    body = _body(response)
    asked = response.request.get("QUERY_STRING", "").encode()
    if asked:  # a search box shows what was asked: that is no leak
        for marker in iso.markers:
            if marker.word.encode() in asked:
                body = body.replace(marker.word.encode(), b"")
    host = answering if label != "shared" else None
    PROBES.check(
        body,
        viewer=viewer,
        host_label=label,
        host=host,
        what=what,
        markers=iso.markers,
        platform_wide=platform_wide or host is None,
        allow_all_of=editor_of,
    )
    # An image is its bytes: a rendition or original a viewer may not see must not be served.
    for marker in iso.markers:
        if marker.kind != "image" or response.status_code != 200:
            continue
        content = body.split(b"\n\n", 1)[-1]
        served = any(content.endswith(known) for known in iso.image_bytes[marker.word])
        allowed = marker.allowed(viewer=viewer, host=host, platform_wide=False) or editor_of == marker.organisation
        if served and allowed:
            PROBES.shown["image"] = PROBES.shown.get("image", 0) + 1
        PROBES.record(
            viewer=viewer,
            host_label=label,
            what=f"{what} (bytes)",
            marker=f"image:{marker.organisation}:{marker.level}",
            leak=served and not allowed,
        )


def _assert_no_new_leaks(before: int) -> None:
    new = [p for p in PROBES.leaks[before:] if (p.what, p.marker.split(":")[0]) not in KNOWN_LEAKS]
    summary = sorted({f"{p.viewer} on {p.host}: {p.what} shows {p.marker}" for p in new})
    assert not summary, f"{len(summary)} leaks:\n" + "\n".join(summary[:80])


def _probe_subsites_and_forged_hosts(isolation) -> None:  # type: ignore[no-untyped-def]
    iso = isolation
    variants = _host_variants(iso)
    plain, forged = variants[:2], [v for v in variants if v[0] not in ("A", "B", "shared")]
    every, channels = _subsite_paths(iso), _subsite_paths(iso, every_id=False)
    asked = [(viewer, variant, every) for viewer in VIEWERS for variant in plain]
    # Forged hosts, kept to three kinds of viewer and the channels, so that the run stays short.
    asked += [(viewer, variant, channels) for viewer in FORGING_VIEWERS for variant in forged]
    for viewer, variant, paths in asked:
        for what, path, params, platform_wide in paths:
            response = _ask(iso, viewer, variant, path, params)
            _probe_answer(iso, response, viewer=viewer, variant=variant, what=what, platform_wide=platform_wide)
    # Sanity: the probes can see a marker when it is there (org A's public page, to anyone on A).
    anonymous_a = _ask(iso, "anonymous", variants[0], f"/{iso.content['A'].pages['public'].slug}/")
    public_word = next(m.word for m in iso.markers if (m.organisation, m.level, m.kind) == ("A", "public", "page"))
    assert public_word.encode() in _body(anonymous_a)


def _probe_the_other_organisations_admin(isolation) -> None:  # type: ignore[no-untyped-def]
    iso = isolation
    for viewer in ("a_member", "b_member", "a_editor_b_member", "a_admin"):
        for variant in _host_variants(iso)[:2] + _host_variants(iso)[9:10]:
            label, _session, answering, _extra = variant
            editor = may_edit(viewer, answering) and _session == answering
            for what, path, params in _admin_paths(iso):
                response = _ask(iso, viewer, variant, path, params)
                _probe_answer(
                    iso,
                    response,
                    viewer=viewer,
                    variant=variant,
                    what=what,
                    platform_wide=False,
                    editor_of=answering if editor else None,
                )
                if not editor:  # no admin screen for anyone who does not edit this organisation
                    PROBES.record(
                        viewer=viewer,
                        host_label=label,
                        what=f"{what} answered",
                        marker=f"status {response.status_code}",
                        leak=response.status_code == 200,
                    )


def _traversals(iso: Isolation) -> list[tuple[str, str]]:
    a, b = iso.world.org_a.schema_name, iso.world.org_b.schema_name
    found = []
    for level in ("organisation",):
        url = iso.content["A"].document_file_urls[level]  # /media/<schema A>/documents/...
        rest = url.split(f"/{a}/", 1)[1]
        document = iso.content["A"].documents[level]
        for template in (
            f"/media/{b}/../{a}/{rest}",
            f"/media/{b}/%2e%2e/{a}/{rest}",
            f"/media/{b}/%2E%2E%2F{a}%2F{quote(rest, safe='')}",
            f"/media/{b}/..%2f{a}/{rest}",
            f"/media/{b}/%252e%252e/{a}/{rest}",
            f"/media/{b}/....//{a}/{rest}",
            f"/media/{b}/{rest}/../../{a}/{rest}",
            f"/media/{b}/documents/..%5c..%5c{a}%5c{rest}",
            f"/media/{a}/{rest}",
            f"/media/{a}/./{rest}",
            f"/media/{a}//{rest}",
            f"/media/{b}//media/{a}/{rest}",
            f"/documents/{document.pk}/..%2f..%2fmedia%2f{a}%2f{quote(rest, safe='')}",
            f"/documents/{document.pk}/../../media/{a}/{rest}",
            f"/documents/{document.pk}/%2e%2e/{document.filename}",
            f"/documents/{document.pk}/{document.filename}%00",
            f"/media/{b}/documents/%00",
        ):
            found.append((f"traversal to A's {level} file", template))
    return found


def _probe_path_traversal(isolation) -> None:  # type: ignore[no-untyped-def]
    iso = isolation
    variants = [v for v in _host_variants(iso) if v[0] in ("A", "B")]
    for viewer in ("anonymous", "b_member"):
        for variant in variants:
            for what, path in _traversals(iso):
                response = _ask(iso, viewer, variant, path)
                _probe_answer(iso, response, viewer=viewer, variant=variant, what=what, platform_wide=False)


def _probe_the_same_path_on_a_then_b(isolation) -> None:  # type: ignore[no-untyped-def]
    """A shared cache keyed without the host (or a per-process cache) would hand A's answer to B."""
    iso = isolation
    variants = {v[0]: v for v in _host_variants(iso)}
    paths = _subsite_paths(iso, every_id=False)
    for viewer in ("anonymous", "a_member"):
        for what, path, params, platform_wide in paths:
            first = _ask(iso, viewer, variants["A"], path, params)
            second = _ask(iso, viewer, variants["B"], path, params)
            third = _ask(iso, viewer, variants["B+XFH:A"], path, params)
            for variant, response in ((variants["A"], first), (variants["B"], second), (variants["B+XFH:A"], third)):
                _probe_answer(
                    iso, response, viewer=viewer, variant=variant, what=f"cache {what}", platform_wide=platform_wide
                )
            if first.status_code == 200 and second.status_code == 200 and not what.startswith("search"):
                PROBES.record(
                    viewer=viewer,
                    host_label="A then B",
                    what=f"cache {what} identical",
                    marker="whole answer",
                    leak=_body(first).split(b"\n\n", 1)[-1] == _body(second).split(b"\n\n", 1)[-1]
                    and any(m.word.encode() in _body(first) for m in iso.markers if m.organisation == "A"),
                )


def _group_paths(iso: Isolation) -> list[tuple[str, str, dict]]:
    paths = [
        ("group directory", "/groups/", {"q": COMMON_WORD}),
        ("search", "/search/", {"q": COMMON_WORD}),
        ("notifications", "/notifications/", {}),
    ]
    for visibility, group in iso.groups.items():
        for tab in ("", "discussions/"):
            paths.append((f"{visibility} group /{tab}", f"/groups/{group.slug}/{tab}", {}))
    for marker in iso.markers:
        if marker.kind == "group":
            paths.append((f"search for a {marker.kind} secret", "/search/", {"q": marker.word}))
    return paths


def _probe_groups(isolation) -> None:  # type: ignore[no-untyped-def]
    iso = isolation
    variants = [v for v in _host_variants(iso) if v[0] in ("A", "shared", "shared+XFH:A")]
    for viewer in VIEWERS:
        for variant in variants:
            for what, path, params in _group_paths(iso):
                response = _ask(iso, viewer, variant, path, params)
                _probe_answer(iso, response, viewer=viewer, variant=variant, what=what, platform_wide=True)


def _probe_forms_of_groups_and_the_admin(isolation) -> None:  # type: ignore[no-untyped-def]
    """Forms with another's slugs and ids: joining or asking to join a group one may not know of, and
    saving the other organisation's page through its admin (as A's editor who is B's member)."""
    iso = isolation
    people = iso.world.people
    for viewer in ("citizen", "b_member", "a_editor_b_member"):
        for visibility in ("hidden", "closed"):
            group = iso.groups[visibility]
            if GroupMembership.objects.filter(group=group, account=people[viewer].account).exists():
                continue
            client = iso.clients[(viewer, None)]
            for action in ("join", "request"):
                response = client.post(f"/groups/{group.slug}/{action}/", {"message": "let me in"})
                PROBES.answered(host_label="shared (POST)", status=response.status_code)
                joined = GroupMembership.objects.filter(group=group, account=people[viewer].account).exists()
                asked = GroupJoinRequest.objects.filter(group=group, account=people[viewer].account).exists()
                PROBES.record(
                    viewer=viewer,
                    host_label="shared",
                    what=f"POST {action} to a {visibility} group",
                    marker="membership",
                    leak=joined or (asked and visibility == "hidden"),
                )
    b_host = _host_name(iso, "B")
    with tenant_context(iso.world.org_b):
        b_titles = {p.pk: p.title for p in Page.objects.all()}
    for viewer in ("a_editor_b_member", "b_member", "a_admin"):
        session = "B" if viewer != "a_admin" else "A"  # A's administrator replays A's cookie on B
        client = iso.clients[(viewer, session)]
        for page in list(iso.content["A"].pages.values()) + list(iso.content["B"].pages.values()):
            response = client.post(
                f"/admin/pages/{page.pk}/edit/",
                {"title": "Overwritten", "slug": "overwritten", "action-publish": "1"},
                headers={"Host": b_host},
            )
            PROBES.answered(host_label="B (POST admin)", status=response.status_code)
            with tenant_context(iso.world.org_b):
                after = {p.pk: p.title for p in Page.objects.all()}
            PROBES.record(
                viewer=viewer,
                host_label="B",
                what="POST admin page edit",
                marker=f"page id {page.pk}",
                leak=after != b_titles or response.status_code == 200,
            )
    with tenant_context(iso.world.org_a):
        PROBES.record(
            viewer="a_editor_b_member",
            host_label="B",
            what="POST admin page edit: A's pages unchanged",
            marker="A's pages",
            leak=Page.objects.filter(title="Overwritten").exists(),
        )


def _probe_digests(isolation) -> None:  # type: ignore[no-untyped-def]
    """Each person's digest (daily and weekly) of their notifications: no group they may not see."""
    iso = isolation
    for viewer in VIEWERS[1:]:
        account = iso.world.people[viewer].account
        notifications = list(Notification.objects.filter(recipient=account).order_by("pk"))
        if not notifications:
            continue
        for frequency in ("daily", "weekly"):
            message = digest_message(account=account, frequency=frequency, notifications=notifications)
            body = (message.subject + message.body + "".join(str(part[0]) for part in message.alternatives)).encode()
            PROBES.check(
                body,
                viewer=viewer,
                host_label="mail",
                host=None,
                what=f"{frequency} digest",
                markers=iso.markers,
                platform_wide=True,
            )


def _entries_of(organisation) -> dict[str, tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    return {
        entry.key: (entry.title, entry.summary, entry.url)
        for entry in SearchEntry.objects.filter(organisation=organisation).order_by("key")
    }


def _probe_pages_tasks_with_the_other_schema(isolation) -> None:  # type: ignore[no-untyped-def]
    iso = isolation
    world = iso.world
    a_entries = _entries_of(world.org_a)
    with tenant_context(world.org_a):
        a_pages = {p.pk: (p.title, p.live, p.latest_revision_id) for p in Page.objects.all()}
    a_page_ids = [page.pk for page in iso.content["A"].pages.values()]
    a_document_ids = [document.pk for document in iso.content["A"].documents.values()]
    calls = []
    for page_id in a_page_ids:
        calls.append(("page_reindex", page_tasks.page_reindex, {"page_id": page_id}))
    calls.append(("pages_remove", page_tasks.pages_remove, {"page_ids": a_page_ids}))
    for document_id in a_document_ids:
        calls.append(("document_reindex", page_tasks.document_reindex, {"document_id": document_id}))
    calls.append(("documents_reindex", page_tasks.documents_reindex, {}))
    a_words = [m for m in iso.markers if m.organisation == "A"]
    for name, task, kwargs in calls:
        result = task.run(schema_name=world.org_b.schema_name, **kwargs)
        PROBES.record(
            viewer="worker",
            host_label="task",
            what=f"{name} with B's schema",
            marker="answers for B",
            leak=result.get("schema") != world.org_b.schema_name,
        )
        after_a = _entries_of(world.org_a)
        for key, value in a_entries.items():
            PROBES.record(
                viewer="worker",
                host_label="task",
                what=f"{name} with B's schema keeps A's entry",
                marker=key,
                leak=after_a.get(key) != value,
            )
        b_text = repr(_entries_of(world.org_b)).encode()
        for marker in a_words:
            PROBES.record(
                viewer="worker",
                host_label="task",
                what=f"{name} with B's schema: B's entries",
                marker=f"{marker.kind}:A:{marker.level}",
                leak=marker.word.encode() in b_text,
            )
    with tenant_context(world.org_a):
        after_pages = {p.pk: (p.title, p.live, p.latest_revision_id) for p in Page.objects.all()}
    PROBES.record(
        viewer="worker", host_label="task", what="A's pages unchanged", marker="pages", leak=after_pages != a_pages
    )
    # An unknown schema and the public one do nothing at all.
    for schema_name in ("public", "no_such_schema", f"{world.org_a.schema_name}; drop table x"):
        before_all = SearchEntry.objects.count()
        try:
            page_tasks.page_reindex.run(schema_name=schema_name, page_id=a_page_ids[0])
        except Exception as error:  # noqa: BLE001 - a refusal is fine; a change is not
            PROBES.server_errors.append(f"page_reindex({schema_name!r}): {type(error).__name__}: {error}")
        PROBES.record(
            viewer="worker",
            host_label="task",
            what=f"page_reindex with schema {schema_name!r}",
            marker="entries",
            leak=SearchEntry.objects.count() != before_all or _entries_of(world.org_a) != a_entries,
        )
    # And B's subsite search still shows none of A's organisation-only content to B's member.
    client = iso.clients[("b_member", "B")]
    response = client.get("/search/", {"q": COMMON_WORD}, headers={"Host": _host_name(iso, "B")})
    _probe_answer(
        iso, response, viewer="b_member", variant=("B", "B", "B", {}), what="search after the tasks", platform_wide=True
    )


def test_no_organisation_group_or_task_shows_what_its_viewer_may_not_see(isolation, report):
    """Every probe in one test (one fixture, and under pytest-xdist all of them in one worker, so that the
    printed figures are the whole suite's): subsites with plain and forged hosts, the other organisation's
    ids and paths, path traversal, the other organisation's Wagtail admin, the same paths asked on A then
    on B, groups of every visibility, forms, digests and pages tasks carrying the other schema."""
    _probe_subsites_and_forged_hosts(isolation)
    _probe_the_other_organisations_admin(isolation)
    _probe_path_traversal(isolation)
    _probe_the_same_path_on_a_then_b(isolation)
    _probe_groups(isolation)
    _probe_forms_of_groups_and_the_admin(isolation)
    _probe_digests(isolation)
    _probe_pages_tasks_with_the_other_schema(isolation)

    total, leaks = len(PROBES.done), len(PROBES.leaks)
    line = f"{total} probes, {leaks} leaks"
    known = sorted({f"{p.what} ({p.marker})" for p in PROBES.leaks if (p.what, p.marker.split(":")[0]) in KNOWN_LEAKS})
    report(f"isolation: {line}" + (f" (known: {len(known)})" if known else ""))
    if PROBES.server_errors:
        report(f"isolation: {len(PROBES.server_errors)} server errors, e.g. {PROBES.server_errors[:3]}")
    report(f"isolation: markers shown where allowed: {dict(sorted(PROBES.shown.items()))}")
    for host_label, counts in PROBES.statuses.items():
        print(f"isolation answers on {host_label}: {dict(sorted(counts.items()))}")
    record_figure("isolation", line)
    assert total >= 1000
    assert min(PROBES.shown.get(kind, 0) for kind in ("page", "document", "image", "group")) > 0  # they can see
    _assert_no_new_leaks(0)
