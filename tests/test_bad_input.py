"""Bad input (issue 13): whatever is typed, uploaded or sent, the answer is a clean value or a clear refusal.

* Property-based (hypothesis): slugs, domains, e-mail addresses, rich text and group-file uploads. Each
  input gives either a clean value or a ``ValidationError`` with a message; never another exception, and
  sanitised rich text never carries a script, an event handler or a ``javascript:`` link.
* schemathesis against the operator API's OpenAPI document, through the Django test client: no 5xx.
* Oversize and malformed uploads (Wagtail documents, group files, profile photo), malformed OpenID Connect
  requests to the shared space's provider and to a subsite's callback, NUL bytes in queries and paths:
  4xx, never 5xx.

Prints ``bad input: N tried, S server errors`` (the known ones in ``tests/bad_input_support.py``).
"""

from __future__ import annotations

import html.parser
import io
import json
import time
from collections import Counter
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import schemathesis
from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from hypothesis import HealthCheck, assume, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from PIL import Image
from schemathesis.core import NotSet

from shared_apps.accounts.forms import SignUpForm
from shared_apps.accounts.services.accounts import account_sign_up
from shared_apps.accounts.services.addresses import clean_address
from shared_apps.group_files import services as file_services
from shared_apps.group_files.models import GroupFile
from shared_apps.groups.richtext import sanitise
from shared_apps.identity_provider.selectors import oidc_client_for
from shared_apps.operator.services import account_set_platform_operator, operator_token_create
from tenants.naming import normalise_domain, validate_slug
from tests.bad_input_support import ARTIFACTS, COLLECT_ONLY, TALLY, function_error, no_server_error, probe, refused
from tests.harness.clients import client_for
from tests.harness.people import make_person
from tests.security_figures import record_figure
from tests.test_sso import provider  # noqa: F401 - the provider answering in-process (a fixture)

pytestmark = pytest.mark.django_db

#: Bounded and repeatable: the same examples on every run (a CI run never fails by chance).
BOUNDED = hypothesis_settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
FEW = hypothesis_settings(BOUNDED, max_examples=40)

GOOD_PASSWORD = "a long and unusual passphrase 7"
NAVIGATION = {"Sec-Fetch-Dest": "document", "Sec-Fetch-Mode": "navigate"}


@pytest.fixture(autouse=True)
def _no_rate_limits(settings):  # type: ignore[no-untyped-def]
    """Hundreds of requests from one address: the rate limits (tests/test_web_security) would answer 429."""
    settings.RATELIMIT_ENABLE = False


def _messages(error: ValidationError) -> list[str]:
    return [str(message) for message in error.messages]


def _clean_or_refused(where: str, call, value):  # type: ignore[no-untyped-def]
    """``call(value)``: its result, or ``None`` for a ``ValidationError`` with a message; anything else fails."""
    TALLY.count()
    try:
        return call(value)
    except ValidationError as error:
        assert _messages(error) and all(message.strip() for message in _messages(error)), (where, value)
        return None
    except Exception as exc:  # noqa: BLE001 - any other exception is what this suite looks for
        function_error(where, value, exc)
        return None


# --- Slugs and domains ------------------------------------------------------------------------------------

_NASTY = st.sampled_from(
    [
        "\x00",
        "\u202e",
        "\u200b",
        "\ufeff",
        "..",
        "/",
        "\\",
        "%00",
        "\r\n",
        "\ud7ff",
        "xn--",
        "-",
        ".",
        "ß",
        "İ",
        "\u0130",
    ]
)
_SLUGGISH = st.text(alphabet=st.sampled_from("abcxyz019-_."), max_size=50)
_TEXT = st.one_of(st.text(max_size=300), _SLUGGISH, st.lists(st.one_of(_SLUGGISH, _NASTY), max_size=8).map("".join))


@BOUNDED
@given(value=_TEXT)
@example(value="water-board")
def test_a_slug_is_accepted_unchanged_or_refused_with_a_message(value):  # type: ignore[no-untyped-def]
    result = _clean_or_refused("validate_slug", validate_slug, value)
    if result is not None:
        assert result == value and result.isascii() and 2 <= len(result) <= 40 and "--" not in result


_LABEL = st.text(alphabet=st.sampled_from("abcdefxyz0123456789-"), min_size=0, max_size=70)
_UNICODE_LABEL = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=0, max_size=70)
_DOMAINISH = st.lists(st.one_of(_LABEL, _UNICODE_LABEL, _NASTY), min_size=1, max_size=6).map(".".join)


@BOUNDED
@given(value=st.one_of(_DOMAINISH, st.text(max_size=300)))
@example(value="Intranet.Gemeente-Ü.nl.")
def test_a_domain_is_normalised_or_refused_with_a_message(value):  # type: ignore[no-untyped-def]
    result = _clean_or_refused("normalise_domain", normalise_domain, value)
    if result is not None:
        assert result.isascii() and result == result.lower() and len(result) <= 253 and not result.endswith(".")
        assert normalise_domain(result) == result  # the stored form is stable


# --- E-mail addresses -------------------------------------------------------------------------------------

_LOCAL = st.one_of(st.emails().map(lambda address: address.split("@")[0]), st.text(max_size=80), _NASTY)
_ADDRESSES = st.one_of(
    st.emails(),
    st.tuples(_LOCAL, st.one_of(_DOMAINISH, st.emails().map(lambda a: a.split("@")[1]))).map("@".join),
    st.text(max_size=400),
    st.builds(lambda n: "a" * n + "@example.org", st.integers(min_value=240, max_value=330)),
)


@BOUNDED
@given(value=_ADDRESSES)
def test_an_address_is_cleaned_or_refused_with_a_message_and_the_sign_up_form_never_breaks(value):  # type: ignore[no-untyped-def]
    _clean_or_refused("clean_address", clean_address, value)
    form = SignUpForm(
        data={"email": value, "display_name": "Someone", "password": GOOD_PASSWORD, "password_again": GOOD_PASSWORD}
    )
    _clean_or_refused("SignUpForm.is_valid", lambda _: form.is_valid(), value)


@FEW
@given(value=_ADDRESSES)
def test_signing_up_with_any_address_makes_an_account_or_refuses_and_writes_nothing(world, value):  # type: ignore[no-untyped-def]
    def sign_up(email: str):  # type: ignore[no-untyped-def]
        with transaction.atomic():
            account = account_sign_up(email=email, display_name="Someone", password=GOOD_PASSWORD)
            transaction.set_rollback(True)  # every example starts from the same database
        return account

    _clean_or_refused("account_sign_up", sign_up, value)


# --- Rich text --------------------------------------------------------------------------------------------

_DANGER = st.sampled_from(
    [
        "<script>alert(1)</script>",
        "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
        "<img src=x onerror=alert(1)>",
        '<a href="javascript:alert(1)">x</a>',
        '<a href="JaVaScRiPt:alert(1)">x</a>',
        '<a href="java\tscript:alert(1)">x</a>',
        '<a href="&#106;avascript:alert(1)">x</a>',
        '<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>',
        '<a href="vbscript:msgbox(1)">x</a>',
        "<svg onload=alert(1)>",
        "<svg><script>alert(1)</script></svg>",
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
        '<p onclick="alert(1)">x</p>',
        '<a href="https://ok.example" onmouseover="alert(1)">x</a>',
        "<iframe src=//evil.example></iframe>",
        "<style>body{background:url(javascript:alert(1))}</style>",
        '<a href="#" style="x:expression(alert(1))">x</a>',
        '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
        "<!--<script>alert(1)</script>-->",
        "<<script>script>alert(1)<</script>/script>",
        '<a data-mention="\'><script>alert(1)</script>">x</a>',
        "<form action=//evil.example><input name=q></form>",
        "<object data=x></object><embed src=x>",
        "<base href=//evil.example/>",
        '<meta http-equiv="refresh" content="0;url=//evil.example">',
        "\x00<scr\x00ipt>alert(1)</script>",
    ]
)
_HTMLISH = st.lists(
    st.one_of(_DANGER, st.text(max_size=40), st.sampled_from(["<p>", "</p>", "<a href=", "<", ">", '"', "'", "="])),
    max_size=12,
).map("".join)

_BAD_TAGS = {"script", "style", "iframe", "object", "embed", "svg", "math", "form", "input", "base", "meta", "img"}


class _Inspector(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BAD_TAGS:
            self.problems.append(f"tag <{tag}>")
        for name, value in attrs:
            if name.startswith("on") or name == "style":
                self.problems.append(f"attribute {name}")
            if name in {"href", "src"} and value is not None:
                scheme = "".join(value.split()).lower().split(":", 1)
                if len(scheme) == 2 and scheme[0] not in {"http", "https", "mailto"}:
                    self.problems.append(f"{name}={value!r}")


@BOUNDED
@given(value=st.one_of(_HTMLISH, st.text(max_size=500)))
def test_sanitised_rich_text_never_carries_a_script_an_event_handler_or_a_script_link(value):  # type: ignore[no-untyped-def]
    TALLY.count()
    try:
        cleaned = sanitise(value)
    except Exception as exc:  # noqa: BLE001
        function_error("groups.richtext.sanitise", value, exc)
    inspector = _Inspector()
    inspector.feed(cleaned)
    inspector.close()
    assert not inspector.problems, (value, cleaned, inspector.problems)
    assert "\x00" not in cleaned


# --- Group-file uploads (the service) ---------------------------------------------------------------------

_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_EXTENSIONS = st.sampled_from(["pdf", "png", "jpg", "docx", "odt", "txt", "csv", "zip", "exe", "PDF", "", "tar.gz"])
_FILE_NAMES = st.one_of(
    st.tuples(st.one_of(st.text(max_size=60), _NASTY, _SLUGGISH), _EXTENSIONS).map(lambda p: f"{p[0]}.{p[1]}"),
    st.text(max_size=260),
    st.builds(lambda n: "x" * n + ".pdf", st.integers(min_value=190, max_value=260)),
)
_CONTENTS = st.one_of(
    st.binary(max_size=3000),
    st.binary(max_size=2000).map(lambda tail: _PDF + tail),
    st.binary(max_size=2000).map(lambda tail: _PNG_SIGNATURE + tail),
    st.binary(max_size=2000).map(lambda tail: b"PK\x03\x04" + tail),
    st.text(max_size=2000).map(lambda text: text.encode("utf-8", "surrogatepass")),
)


@FEW
@given(name=_FILE_NAMES, content=_CONTENTS)
@example(name="Report 2025.pdf", content=_PDF)  # one that is stored: the check above is not vacuous
def test_a_group_file_upload_of_any_name_and_content_is_stored_or_refused_and_a_refusal_stores_nothing(  # type: ignore[no-untyped-def]
    civil_servants, make_group, settings, tmp_path, name, content
):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.GROUP_FILE_MAX_BYTES = 2500
    # One group for all the examples (the fixtures are the test's, the examples run inside it).
    group = getattr(make_group, "bad_input_group", None) or make_group(civil_servants.a_member, name="Uploads")
    make_group.bad_input_group = group
    before = GroupFile.objects.filter(group=group).count()
    try:
        # What Django's upload handler would give the service (it keeps only a usable base name).
        uploaded = SimpleUploadedFile(name, content)
    except SuspiciousFileOperation:
        assume(False)

    def upload(_: object) -> GroupFile:
        with transaction.atomic():
            item = file_services.file_upload(group=group, actor=civil_servants.a_member.account, upload=uploaded)
            assert item.size == len(content) <= 2500
            item.file.storage.delete(item.file.name)  # rolled back below: its file goes too
            transaction.set_rollback(True)
        return item

    stored = _clean_or_refused("group_files.file_upload", upload, (name, content[:40]))
    assert stored is not None or name != "Report 2025.pdf"
    if stored is None:
        assert GroupFile.objects.filter(group=group).count() == before
        folder = tmp_path / "media" / "public" / "groups" / str(group.pk)
        assert not folder.exists() or not any(folder.iterdir())


# --- The operator API, from its OpenAPI document (schemathesis) --------------------------------------------

OPERATOR_API = "/api/operator/v1"
#: The whole schemathesis run stays under this many seconds (examples per operation are few).
SCHEMATHESIS_SECONDS = 50


@pytest.fixture
def operator_key(world) -> str:  # type: ignore[no-untyped-def]
    person = make_person(key="bad_input_operator", email="ops-bad@platform.example", name="Bad Input Operator")
    account_set_platform_operator(account=person.account, value=True)
    _, raw_key = operator_token_create(account=person.account, name="bad input")
    return raw_key


def _send_case(client, case, *, key: str | None):  # type: ignore[no-untyped-def]
    """A schemathesis case through Django's test client (no server, no thread: the test's transaction)."""
    headers = {name: str(value) for name, value in (case.headers or {}).items()}
    if key is not None:
        headers["Authorization"] = f"Bearer {key}"  # else the one schemathesis made up
    path = case.formatted_path if case.formatted_path.startswith(OPERATOR_API) else OPERATOR_API + case.formatted_path
    query = urlencode(case.query or {}, doseq=True)
    target = f"{path}?{query}" if query else path
    body = b""
    content_type = case.media_type or "application/json"
    if case.body is not None and not isinstance(case.body, NotSet):
        body = case.body if isinstance(case.body, bytes) else json.dumps(case.body).encode()
    return probe(
        client,
        case.method,
        target,
        given=f"body={body[:200]!r}",
        raw=True,
        data=body,
        content_type=content_type,
        headers=headers,
    )


_NUL = "a\u0000b"
#: Hand-made bodies the generator may miss: NULs in every text field, broken and odd JSON.
_OPERATOR_BODIES: list[tuple[str, str, object]] = [
    ("POST", "/organisations", {"name": "Nul slug", "slug": _NUL}),
    ("POST", "/organisations", {"name": _NUL, "slug": "nul-name"}),
    ("POST", "/organisations", {"name": "Nul domain", "slug": "nul-domain", "domains": [f"{_NUL}.example"]}),
    ("POST", "/organisations", {"name": "Nul mail", "slug": "nul-mail", "email_domains": [f"{_NUL}.example"]}),
    ("POST", "/organisations", {"name": "Nul admin", "slug": "nul-admin", "admin_email": f"{_NUL}@x.example"}),
    ("POST", "/organisations", {"name": "Nul app", "slug": "nul-app", "apps": [_NUL], "blueprint": _NUL}),
    ("POST", "/organisations", {"name": "x" * 10000, "slug": "y" * 10000}),
    ("PATCH", "/organisations/org-a", {"name": _NUL, "default_visibility": _NUL}),
    ("POST", "/organisations/org-a/suspend", {"reason": _NUL}),
    ("POST", "/organisations/org-a/domains", {"domain": f"{_NUL}.example"}),
    ("POST", "/organisations/org-a/email-domains", {"domain": f"{_NUL}.example"}),
    ("POST", "/organisations/org-a/purge", {"confirm": _NUL}),
    ("POST", "/organisations", b'{"name": "broken'),
    ("POST", "/organisations", b"[1, 2, 3]"),
    ("POST", "/organisations", b'{"name": 1e999, "slug": {"$gt": ""}}'),
    ("POST", "/organisations", b"[" * 5000 + b"]" * 5000),
    ("POST", "/organisations", b"\xff\xfe\x00\x00"),
    ("GET", "/organisations/org-a/audit?limit=-1&offset=99999999999999999999", None),
    ("GET", "/jobs/not-a-uuid", None),
    ("GET", "/jobs/00000000-0000-0000-0000-000000000000%00", None),
]


@pytest.mark.parametrize(("method", "path", "body"), _OPERATOR_BODIES)
def test_the_operator_api_refuses_nul_bytes_and_broken_json_with_4xx(world, operator_key, method, path, body):  # type: ignore[no-untyped-def]
    data = body if isinstance(body, bytes) else json.dumps(body).encode() if body is not None else b""
    answer = probe(
        client_for(None),
        method,
        OPERATOR_API + path,
        given=f"body={data[:120]!r}",
        raw=True,
        data=data,
        content_type="application/json",
        headers={"Authorization": f"Bearer {operator_key}"},
    )
    assert no_server_error(answer)


def test_the_operator_api_answers_every_generated_request_without_a_server_error(world, operator_key, report):  # type: ignore[no-untyped-def]
    client = client_for(None)
    document = probe(client, "get", f"{OPERATOR_API}/openapi.json")
    assert document.status_code == 200
    schema = schemathesis.openapi.from_dict(document.json())
    started = time.monotonic()
    calls = 0
    statuses: Counter[int] = Counter()
    for result in schema.get_all_operations():
        operation = result.ok()
        budget = SCHEMATHESIS_SECONDS - (time.monotonic() - started)
        if budget <= 0:
            break

        @hypothesis_settings(FEW, max_examples=25)
        @given(case=operation.as_strategy(), with_key=st.booleans(), slug=st.sampled_from([None, "org-a", "org-b"]))
        def run(case, with_key: bool, slug: str | None) -> None:  # type: ignore[no-untyped-def]
            nonlocal calls
            calls += 1
            if slug and case.path_parameters and "slug" in case.path_parameters:
                case.path_parameters["slug"] = slug  # past the 404: a real organisation's endpoints
            with transaction.atomic():
                answer = _send_case(client, case, key=operator_key if with_key else None)
                transaction.set_rollback(True)  # a generated change (a new organisation, a purge) goes again
            statuses[answer.status_code] += 1
            assert no_server_error(answer)

        run()
    seconds = time.monotonic() - started
    report(
        f"[bad input] schemathesis: {calls} generated requests to the operator API in {seconds:.1f}s, "
        f"answers {dict(sorted(statuses.items()))}"
    )
    assert seconds < 60


# --- NUL bytes and other odd characters in queries and paths, anonymously (issue 13 #16) ---------------------

_ODD = ["%00", "%00x", "x%00", "%C0%80", "%FF", "%EF%BF%BF", "%ED%A0%80", "%0D%0ALocation:%20x", "%25", "..%2F..%2F"]


@pytest.mark.parametrize("odd", _ODD)
def test_odd_characters_in_queries_and_paths_answer_4xx_or_a_page_never_a_server_error(world, odd):  # type: ignore[no-untyped-def]
    schema = world.org_a.schema_name
    subsite = client_for(world.org_a)
    for path in (
        f"/search/?q={odd}",
        f"/api/v2/pages/?search={odd}",
        f"/api/v2/pages/?type={odd}",
        f"/api/v2/pages/{odd}/",
        f"/media/{schema}/documents/{odd}",
        f"/media/{schema}/images/{odd}.png",
        f"/documents/1/{odd}",
        f"/documents/{odd}/x.pdf",
        f"/news/?page={odd}",
        f"/{odd}/",
    ):
        probe(subsite, "get", path, given=odd)
    shared = client_for(None)
    for path in (f"/people/?q={odd}", f"/groups/?q={odd}", f"/search/?q={odd}", f"/groups/{odd}/"):
        probe(shared, "get", path, given=odd)


# --- Oversize and malformed uploads --------------------------------------------------------------------------

_BOUNDARY = "xXxBoundaryxXx"
_MALFORMED_BODIES = [
    ("multipart/form-data; boundary=" + _BOUNDARY, b"--" + _BOUNDARY.encode() + b"\r\ngarbage without headers"),
    ("multipart/form-data", b"no boundary at all"),
    ("multipart/form-data; boundary=" + _BOUNDARY, b""),
    (
        "multipart/form-data; boundary=" + _BOUNDARY,
        b"--" + _BOUNDARY.encode() + b'\r\nContent-Disposition: form-data; name="upload-file"; filename="a\x00.pdf"\r\n'
        b"Content-Type: application/pdf\r\n\r\n%PDF-1.4\r\n--" + _BOUNDARY.encode() + b"--\r\n",
    ),
    (
        "multipart/form-data; boundary=" + _BOUNDARY,
        b"--" + _BOUNDARY.encode() + b'\r\nContent-Disposition: form-data; name="file"; filename="../../etc/passwd"\r\n'
        b"\r\nroot:x:0:0\r\n--" + _BOUNDARY.encode() + b"--\r\n",
    ),
    ("multipart/form-data; boundary=" + "x" * 300, b"--" + b"x" * 300 + b"\r\n"),
    ("application/json", b'{"file": "not a file"'),
    ("text/plain", b"\x00\x01\x02"),
]


def _png(size: tuple[int, int] = (4, 4), mode: str = "RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size).save(buffer, format="PNG")
    return buffer.getvalue()


def _post_malformed(client, path: str) -> None:  # type: ignore[no-untyped-def]
    for content_type, body in _MALFORMED_BODIES:
        answer = probe(
            client, "POST", path, given=f"{content_type}: {body[:60]!r}", raw=True, data=body, content_type=content_type
        )
        assert no_server_error(answer)


def test_group_file_uploads_oversize_malformed_or_oddly_named_are_refused_with_4xx(  # type: ignore[no-untyped-def]
    civil_servants, make_group, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.GROUP_FILE_MAX_BYTES = 1000
    group = make_group(civil_servants.a_member, name="Upload probes")
    client = civil_servants.client(civil_servants.a_member)
    path = f"/groups/{group.slug}/files/upload/"
    for name, content in (
        ("big.pdf", _PDF + b"x" * 5000),
        ("empty.pdf", b""),
        ("x" * 250 + ".pdf", _PDF),
        ("\u202efdp.exe", _PDF),
        ("noextension", _PDF),
        ("image.png", b"<script>alert(1)</script>"),
        ("bomb.png", _png((6000, 6000), "1")),
    ):
        answer = probe(
            client, "post", path, given=repr(name[:40]), data={"upload-file": SimpleUploadedFile(name, content)}
        )
        assert refused(answer), (name, answer.status_code)
    answer = probe(client, "post", path, given="no file", data={"upload-folder": "not-a-number"})
    assert refused(answer)
    _post_malformed(client, path)
    # Only the well-formed body among the malformed ones is stored, its NUL dropped by Django's parser.
    assert list(GroupFile.objects.filter(group=group).values_list("original_name", flat=True)) == ["a.pdf"]
    GroupFile.objects.filter(group=group).delete()
    # And from a citizen who is no member, and anonymously: refused, never a server error.
    for other in (civil_servants.client(civil_servants.citizen), civil_servants.client(None)):
        answer = probe(other, "post", path, given="outsider", data={"upload-file": SimpleUploadedFile("a.pdf", _PDF)})
        assert no_server_error(answer) and answer.status_code != 200
    assert not GroupFile.objects.filter(group=group).exists()


def test_profile_photos_oversize_malformed_or_bombs_are_refused_with_4xx(world, settings, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = str(tmp_path)
    monkeypatch.setattr("shared_apps.accounts.services.accounts.PROFILE_PHOTO_MAX_BYTES", 2000)
    person = make_person(key="photographed", email="photo@mail.example", name="Photo Graphed")
    client = client_for(None, person=person)
    data = {"display_name": "Photo Graphed", "language": "en"}
    gif_header_only = b"GIF89a\xff\xff\xff\xff\x00\x00\x00;"
    for name, content in (
        ("big.png", _png((200, 200)) + b"\x00" * 5000),
        ("text.png", b"not an image"),
        ("cut.png", _png((64, 64))[:40]),
        ("empty.png", b""),
        ("bomb.png", _png((20000, 20000), "1")),
        ("huge.gif", gif_header_only),
        ("evil.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
        ("x" * 300 + ".png", _png()),
    ):
        answer = probe(
            client,
            "post",
            "/accounts/profile/",
            given=repr(name[:40]),
            data={**data, "photo": SimpleUploadedFile(name, content)},
        )
        assert refused(answer) or name.startswith("x"), (name, answer.status_code)
    _post_malformed(client, "/accounts/profile/")
    person.account.refresh_from_db()
    assert not person.account.photo or not person.account.photo.name.endswith(("bomb.png", "evil.svg"))


def test_wagtail_document_uploads_oversize_malformed_or_oddly_named_never_break_the_admin(world, settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = str(tmp_path)
    editor = client_for(world.org_a, person=world.a_editor)
    for name, content in (
        ("big.pdf", _PDF + b"x" * (3 * 1024 * 1024)),
        ("empty.pdf", b""),
        ("x" * 300 + ".pdf", _PDF),
        ("\u202efdp.exe", _PDF),
        ("virus.exe", b"MZ\x90\x00"),
        ("page.html", b"<script>alert(1)</script>"),
    ):
        upload = SimpleUploadedFile(name, content)
        probe(
            editor,
            "post",
            "/admin/documents/add/",
            given=repr(name[:40]),
            data={"title": name[:40], "file": upload, "collection": "1"},
        )
        upload = SimpleUploadedFile(name, content)
        probe(editor, "post", "/admin/documents/multiple/add/", given=repr(name[:40]), data={"files[]": upload})
    probe(
        editor,
        "post",
        "/admin/documents/add/",
        given="no file, long title",
        data={"title": "t" * 5000, "collection": "x"},
    )
    _post_malformed(editor, "/admin/documents/add/")
    _post_malformed(editor, "/admin/documents/multiple/add/")
    # A member who is no editor, org B's member and a citizen: refused, never a server error.
    for person, organisation in (
        (world.a_member, world.org_a),
        (world.b_member, world.org_a),
        (world.citizen, world.org_a),
    ):
        answer = probe(
            client_for(organisation, person=person),
            "post",
            "/admin/documents/add/",
            given=person.key,
            data={"title": "x", "file": SimpleUploadedFile("a.pdf", _PDF)},
        )
        assert no_server_error(answer)


# --- Malformed OpenID Connect requests: the shared space's provider and a subsite's callback ---------------------


def _authorize_queries(client_id: str, redirect_uri: str) -> list[dict[str, str]]:
    good = {
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "response_type": "code",
        "scope": "openid profile email",
        "state": "s" * 16,
        "code_challenge": "c" * 43,
        "code_challenge_method": "S256",
    }
    return [
        {},
        {"client_id": "unknown"},
        {**good, "client_id": "\x00"},
        {**good, "client_id": "x" * 5000},
        {**good, "redirect_uri": "https://evil.example/accounts/callback/"},
        {**good, "redirect_uri": "javascript:alert(1)"},
        {**good, "redirect_uri": "\x00"},
        {**good, "response_type": "token id_token"},
        {**good, "response_type": "\x00"},
        {**good, "scope": "\x00 openid"},
        {**good, "scope": "admin write:all"},
        {**good, "code_challenge_method": "plain"},
        {**good, "code_challenge_method": "MD5"},
        {**good, "code_challenge": ""},
        {**good, "prompt": "none"},
        {**good, "prompt": "\x00"},
        {**good, "max_age": "-1"},
        {**good, "max_age": "not a number"},
        {**good, "nonce": "n" * 10000},
        {**good, "request": "eyJhbGciOiJub25lIn0.e30."},
        {**good, "claims": "{not json"},
        {**good, "ui_locales": "\x00"},
        {**good, "state": "\x00"},
        {**good, "login_hint": "\x00@x"},
        {**good, "id_token_hint": "garbage.garbage.garbage"},
    ]


_TOKEN_BODIES: list[tuple[str, bytes]] = [
    ("application/x-www-form-urlencoded", b""),
    ("application/x-www-form-urlencoded", b"grant_type=authorization_code&code=nonsense"),
    ("application/x-www-form-urlencoded", b"grant_type=authorization_code&code=%00&client_id=%00&redirect_uri=%00"),
    ("application/x-www-form-urlencoded", b"grant_type=refresh_token&refresh_token=%00"),
    ("application/x-www-form-urlencoded", b"grant_type=password&username=a&password=b"),
    ("application/x-www-form-urlencoded", b"grant_type=client_credentials"),
    ("application/x-www-form-urlencoded", b"grant_type=%00"),
    ("application/x-www-form-urlencoded", b"grant_type=urn:ietf:params:oauth:grant-type:device_code&device_code=x"),
    ("application/x-www-form-urlencoded", b"code_verifier=" + b"v" * 10000),
    ("application/x-www-form-urlencoded", b"%zz=%zz&&&==="),
    ("application/json", b'{"grant_type": "authorization_code", "code": "x"}'),
    ("application/json", b"{broken"),
    ("multipart/form-data; boundary=x", b"--x\r\ngarbage"),
    ("text/plain", b"\x00\xff\xfe"),
]
_AUTHORIZATIONS = [
    "",
    "Basic !!!notbase64",
    "Basic " + "QUFB" * 3,
    "Basic OjA=",
    "Bearer \x7f",
    "Digest x",
    "Basic AA==",
]


def test_malformed_requests_to_the_provider_answer_4xx_never_a_server_error(world):  # type: ignore[no-untyped-def]
    client = oidc_client_for(organisation=world.org_a)
    assert client is not None
    queries = _authorize_queries(client.client_id, client.redirect_uris[0])
    for viewer in (client_for(None), client_for(None, person=world.a_member), client_for(None, person=world.citizen)):
        for query in queries:
            answer = probe(viewer, "get", "/o/authorize/?" + urlencode(query), given=repr(query)[:120])
            assert no_server_error(answer)
        answer = probe(viewer, "post", "/o/authorize/", given="POST garbage", data={"allow": "x", "client_id": "\x00"})
    anonymous = client_for(None)
    for content_type, body in _TOKEN_BODIES:
        for authorization in _AUTHORIZATIONS:
            headers = {"Authorization": authorization} if authorization else {}
            answer = probe(
                anonymous,
                "POST",
                "/o/token/",
                given=f"{authorization!r} {body[:60]!r}",
                raw=True,
                data=body,
                content_type=content_type,
                headers=headers,
            )
            assert refused(answer), (authorization, body[:60], answer.status_code)
    for path in ("/o/userinfo/", "/o/revoke_token/", "/o/logout/?id_token_hint=garbage&post_logout_redirect_uri=%00"):
        for authorization in _AUTHORIZATIONS:
            headers = {"Authorization": authorization} if authorization else {}
            probe(anonymous, "get", path, given=authorization, headers=headers)
            probe(anonymous, "post", path, given=authorization, headers=headers, data={"token": "\x00"})
    probe(anonymous, "get", "/o/logout/?" + urlencode({"id_token_hint": "a.b.c", "client_id": "\x00", "state": "x"}))


_CALLBACK_QUERIES = [
    {},
    {"code": "x"},
    {"state": "unknown", "code": "x"},
    {"state": "\x00", "code": "\x00"},
    {"state": "s" * 5000},
    {"error": "access_denied"},
    {"error": "\x00", "error_description": "<script>alert(1)</script>"},
    {"state": ["a", "b"], "code": ["c", "d"]},
]


def _started_state(subsite) -> str:  # type: ignore[no-untyped-def]
    """The state of a sign-in this subsite's session started (``/accounts/login/`` sends the browser on)."""
    started = subsite.get("/accounts/login/?next=/news/", headers=NAVIGATION)
    assert started.status_code == 302, started.status_code
    return parse_qs(urlsplit(started["Location"]).query)["state"][0]


def test_a_subsites_callback_refuses_bad_state_and_bad_codes_with_4xx(world, provider):  # type: ignore[no-untyped-def]  # noqa: F811
    for organisation in (world.org_a, world.org_b):
        subsite = client_for(organisation)
        for query in _CALLBACK_QUERIES:
            answer = probe(
                subsite, "get", "/accounts/callback/?" + urlencode(query, doseq=True), given=repr(query)[:80]
            )
            assert refused(answer), (query, answer.status_code)
        # A sign-in really started here: the right state, but a code the provider never gave.
        for code in ("nonsense", "\x00", "c" * 5000, ""):
            state = _started_state(subsite)
            query = urlencode({"state": state, "code": code})
            answer = probe(subsite, "get", f"/accounts/callback/?{query}", given=f"started state, code {code[:20]!r}")
            assert refused(answer), (code[:20], answer.status_code)
        # And the state of org A's sign-in, brought to org B's callback (another session, another host).
    state_a = _started_state(client_for(world.org_a))
    answer = probe(
        client_for(world.org_b), "get", f"/accounts/callback/?state={state_a}&code=x", given="A's state at B"
    )
    assert refused(answer)


# --- The figures ---------------------------------------------------------------------------------------------


def test_zz_the_bad_input_figures_are_printed_and_recorded(report):  # type: ignore[no-untyped-def]
    """Last in the module: what the tests above tried, and the server errors (known ones included), grouped by
    their reason; every one with its traceback in ``test-artifacts/bad-input-errors.txt``."""
    report(f"[bad input] {TALLY.figure}")
    by_reason: dict[str, list[str]] = {}
    for error in TALLY.distinct:
        by_reason.setdefault(error.known or "NEW", []).append(error.where[:100])
    for reason, places in by_reason.items():
        report(f"[bad input]   {len(places)} x {reason[:140]} (e.g. {places[0]})")
    record_figure("bad input", TALLY.counts)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "bad-input-errors.txt").write_text("\n\n".join(str(error) for error in TALLY.distinct) + "\n")
    assert TALLY.tried > 0
    assert all(error.known for error in TALLY.distinct) or COLLECT_ONLY
