"""How fast one search across the platform is, and whether its cost grows with the number of organisations.

    DJANGO_SETTINGS_MODULE=benchmarks.settings_bench python benchmarks/search.py   (or: make bench-search)

In a fresh database of its own (``govsquare_bench_search``, dropped and recreated first):

1. The index is filled for 100 organisations x 100 pages (their pages at the three visibility levels, the
   mix a real intranet has) plus 1,000 groups (open, closed and hidden, for civil servants or everyone)
   with five items each. The organisations are registry rows only — the search never reads an
   organisation's schema, which is the point — and their entries go in through the index's own bulk
   service (``shared_apps.search.services.entries_upsert``), the one the re-index uses.
2. Searches as a civil servant (a member of organisation 1 and of 30 groups) through the selector the
   search pages use (``shared_apps.search.selectors.search``: trimming, ranking, the first page and the
   counts per type), over a fixed list of queries, each several times: p50 and p95.
3. The index grows to 1,000 organisations x 100 pages; the same searches again. The ratio of the two p95s
   says whether the cost grows with the number of organisations (the query reads the index, never the
   schemas: it grows with the matches a query has, printed beside it).
4. One real organisation (cloned from the template): a page is published through Wagtail and the time until
   its entry answers a search is measured (the index task runs inline here, as a worker would run it).

Target: p95 ≤ 150 ms at 1,000 organisations. The figures are this machine's, measured in the same run.
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(1, str(ROOT))

from benchmarks.common import (  # noqa: E402 - needs the repository root on sys.path
    Figures,
    bench_database_name,
    bench_environment,
    database_recreate,
    django_start,
    figures,
    machine_line,
    public_schema_migrate,
)

DATABASE = bench_database_name(default="govsquare_bench_search")
bench_environment(database=DATABASE)
django_start()

from django.db import connection, transaction  # noqa: E402 - after django.setup()
from django.utils import timezone  # noqa: E402 - after django.setup()
from django_tenants.utils import tenant_context  # noqa: E402 - after django.setup()
from wagtail.models import Site  # noqa: E402 - after django.setup()

from shared_apps.accounts.models import Account, AccountEmail  # noqa: E402 - after django.setup()
from shared_apps.groups.models import Group, GroupMembership  # noqa: E402 - after django.setup()
from shared_apps.search.access import search_viewer_for_account  # noqa: E402 - after django.setup()
from shared_apps.search.models import SearchEntry  # noqa: E402 - after django.setup()
from shared_apps.search.selectors import search  # noqa: E402 - after django.setup()
from shared_apps.search.services import EntryData, entries_upsert  # noqa: E402 - after django.setup()
from tenant_apps.pages.models import ContentPage  # noqa: E402 - after django.setup()
from tenants.models import EmailDomain, Organisation  # noqa: E402 - after django.setup()
from tenants.provisioning import organisation_create  # noqa: E402 - after django.setup()
from tenants.schema_template import ensure_template_schema  # noqa: E402 - after django.setup()

PAGES_PER_ORGANISATION = 100
GROUPS = 1_000
ITEMS_PER_GROUP = 5
TARGET_P95 = 0.150

#: The words intranet pages are made of: a common government vocabulary (Dutch and English), drawn with a
#: skew (a few words on many pages, most on few), and each organisation's own names.
COMMON = (
    "beleid vergadering begroting subsidie vergunning wetgeving handreiking privacy inkoop aanbesteding "
    "personeel verlof thuiswerken reiskosten opleiding duurzaamheid energie klimaat mobiliteit woningbouw "
    "jeugdzorg onderwijs zorg veiligheid handhaving toezicht archief informatie openbaarheid woo transparantie "
    "digitalisering cloud security incident melding procedure formulier aanvraag bezwaar beroep termijn "
    "budget policy meeting guidance procurement leave training sustainability housing security incident "
    "report form application deadline strategy programme project evaluation audit risk data dashboard"
).split()
FILLER = (
    "de het een en van in op voor met over door naar bij als ook nog meer wordt zijn heeft kunnen "
    "the a of and to for on with by from this that are was be is it"
).split()
#: Searches a civil servant makes: a single word (common and rare), two words, a phrase, a word in another form.
QUERIES = [
    "begroting",
    "subsidie aanvraag",
    "thuiswerken",
    "vergaderingen",
    "privacy incident",
    '"open data"',
    "klimaat energie",
    "woningbouw",
    "procurement guidance",
    "audit",
    "jeugdzorg toezicht",
    "openbaarheid",
]


VOCABULARY_SIZE = 3_000


def _vocabulary() -> tuple[list[str], list[float]]:
    """A vocabulary with Zipf's skew (the word of rank r has weight 1/r), as text has: the common government
    words sit at ranks 100 to 2,900 (each on roughly 9 % down to 0.3 % of the pages), the other ranks are made-up
    words (``woord0042``), so a query matches what a query on a real intranet would, not half the pages."""
    words = [f"woord{rank:04d}" for rank in range(1, VOCABULARY_SIZE + 1)]
    step = (VOCABULARY_SIZE - 200) // len(COMMON)
    for position, word in enumerate(COMMON):
        words[100 + position * step] = word
    return words, [1 / rank for rank in range(1, VOCABULARY_SIZE + 1)]


WORDS, WEIGHTS = _vocabulary()


def weighted_words(rng: random.Random, count: int) -> list[str]:
    return rng.choices(WORDS, weights=WEIGHTS, k=count)


def page_text(rng: random.Random, organisation_name: str) -> tuple[str, str]:
    title = " ".join(weighted_words(rng, 3)).capitalize()
    words = weighted_words(rng, 80) + rng.choices(FILLER, k=60) + [organisation_name]
    rng.shuffle(words)
    if rng.random() < 0.05:
        words += ["open", "data"]
    return title, " ".join(words)


def organisations_make(*, start: int, stop: int) -> list[Organisation]:
    """Registry rows only (status active): the index carries each entry's organisation; no schema is read."""
    rows = [
        Organisation(
            name=f"Organisatie {number:04d}",
            slug=f"bench-org-{number:04d}",
            schema_name=f"bench_org_{number:04d}",
            status=Organisation.Status.ACTIVE,
        )
        for number in range(start, stop)
    ]
    return Organisation.objects.bulk_create(rows, batch_size=1000)


def organisation_entries(*, organisations: list[Organisation], rng: random.Random) -> list[EntryData]:
    levels = ["organisation"] * 4 + ["civil_servants"] * 3 + ["public"] * 3
    now = timezone.now()
    entries = []
    for organisation in organisations:
        for number in range(PAGES_PER_ORGANISATION):
            title, body = page_text(rng, organisation.name)
            entries.append(
                EntryData(
                    key=f"{organisation.schema_name}:org_pages.contentpage:{number}",
                    source="organisation",
                    kind="page" if number % 10 else "document",
                    title=title,
                    summary=body[:200],
                    body=body,
                    url=f"https://{organisation.slug}.govsquare.example/page-{number}/",
                    language="nl",
                    published_at=now - timezone.timedelta(days=rng.randint(0, 1500)),
                    organisation_id=organisation.pk,
                    audience=rng.choice(levels),
                )
            )
    return entries


def groups_make(*, owner: Account, rng: random.Random) -> list[Group]:
    kinds = [
        (Group.Visibility.OPEN, Group.Audience.CIVIL_SERVANTS),
        (Group.Visibility.OPEN, Group.Audience.EVERYONE),
        (Group.Visibility.CLOSED, Group.Audience.CIVIL_SERVANTS),
        (Group.Visibility.HIDDEN, Group.Audience.CIVIL_SERVANTS),
    ]
    rows = []
    for number in range(GROUPS):
        visibility, audience = kinds[number % len(kinds)]
        rows.append(
            Group(
                name=f"Groep {number:04d} {' '.join(weighted_words(rng, 2))}",
                slug=f"bench-group-{number:04d}",
                purpose=" ".join(weighted_words(rng, 12)),
                visibility=visibility,
                audience=audience,
                created_by=owner,
            )
        )
    return Group.objects.bulk_create(rows, batch_size=1000)


def group_entries(*, groups: list[Group], rng: random.Random) -> list[EntryData]:
    now = timezone.now()
    entries = []
    for group in groups:
        entries.append(
            EntryData(
                key=f"group:groups.group:{group.pk}",
                source="group",
                kind="group",
                title=group.name,
                summary=group.purpose,
                body=group.purpose,
                url=f"https://govsquare.example/groups/{group.slug}/",
                language="nl",
                published_at=now,
                group_id=group.pk,
            )
        )
        for number in range(ITEMS_PER_GROUP):
            title, body = page_text(rng, group.name)
            entries.append(
                EntryData(
                    key=f"group:group_discussions.discussion:{group.pk * 10 + number}",
                    source="group",
                    kind="discussion",
                    title=title,
                    summary=body[:200],
                    body=body,
                    url=f"https://govsquare.example/groups/{group.slug}/discussions/{number}/",
                    language="nl",
                    published_at=now - timezone.timedelta(days=rng.randint(0, 700)),
                    group_id=group.pk,
                )
            )
    return entries


def timed_fill(label: str, entries: list[EntryData]) -> None:
    started = time.perf_counter()
    written = entries_upsert(entries=entries)
    seconds = time.perf_counter() - started
    print(f"[bench-search] {label}: {written} entries in {seconds:.1f}s ({written / seconds:.0f}/s, untimed set-up)")


def the_civil_servant(*, organisation: Organisation, groups: list[Group]) -> Account:
    """A civil servant (a verified address at ``organisation``'s e-mail domain), member of every 33rd group."""
    EmailDomain.objects.create(organisation=organisation, domain="bench-org-1.example")
    account = Account.objects.create(email="ambtenaar@bench-org-1.example", display_name="Ambtenaar")
    AccountEmail.objects.create(account=account, email=account.email, is_primary=True, verified_at=timezone.now())
    GroupMembership.objects.bulk_create(
        [GroupMembership(group=group, account=account) for group in groups[::33]], ignore_conflicts=True
    )
    return account


def searches(*, account: Account, member_of: list[int], rounds: int) -> tuple[Figures, dict[str, int]]:
    """Every query ``rounds`` times through the search pages' selector (a fresh viewer each time, as a request
    has): durations, and the matches each query has for this viewer."""
    durations: list[float] = []
    matches: dict[str, int] = {}
    for _ in range(rounds):
        for query in QUERIES:
            started = time.perf_counter()
            viewer = search_viewer_for_account(account=account)  # the account's groups, civil-servant status
            # Its membership of organisation 1 (registry rows here have no schema to hold it; in production
            # ``member_organisation_ids`` reads it from the few schemas that hold the person).
            viewer = dataclasses.replace(viewer, member_organisation_ids=frozenset(member_of))
            found = search(viewer=viewer, query=query, page=1)
            durations.append(time.perf_counter() - started)
            matches[query] = found.total
    return figures(durations), matches


def report(result: Figures) -> str:
    milliseconds = {name: getattr(result, name) * 1000 for name in ("p50", "p95", "high")}
    return (
        f"p50 {milliseconds['p50']:6.1f} ms  p95 {milliseconds['p95']:6.1f} ms  "
        f"(n={result.count}, max {milliseconds['high']:.1f} ms)"
    )


def publish_to_searchable(*, rounds: int) -> Figures:
    """A real organisation: publish a page through Wagtail; time until its entry answers a search."""
    ensure_template_schema()
    organisation = organisation_create(name="Publicatie Ministerie", slug="bench-publish")
    durations = []
    with tenant_context(organisation):
        home = Site.objects.get(is_default_site=True).root_page
        for number in range(rounds):
            word = f"publicatie{uuid.uuid4().hex[:8]}"
            started = time.perf_counter()
            with transaction.atomic():
                page = home.add_child(
                    instance=ContentPage(title=f"Nieuw {word}", slug=f"nieuw-{number}", live=False, visibility="public")
                )
                page.save_revision().publish()
            # The index task ran at commit (inline here; a worker in production): the entry is there now.
            if not SearchEntry.objects.filter(search_vector=word).exists():
                raise SystemExit(f"[bench-search] the published page {word} is not in the index")
            durations.append(time.perf_counter() - started)
    return figures(durations)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--organisations", type=int, default=1_000, help="organisations at the end (default 1000)")
    parser.add_argument("--first", type=int, default=100, help="organisations at the first measurement (default 100)")
    parser.add_argument("--rounds", type=int, default=10, help="times each query runs per measurement (default 10)")
    parser.add_argument("--publishes", type=int, default=20, help="pages published for the update time (default 20)")
    args = parser.parse_args()

    database_recreate(database=DATABASE)
    connection.close()
    print(f"[bench-search] {machine_line()}", flush=True)
    print(f"[bench-search] public schema migrated in {public_schema_migrate():.1f}s (untimed set-up)", flush=True)
    rng = random.Random(20261201)  # noqa: S311 - made-up text, the same in every run

    owner = Account.objects.create(email="eigenaar@bench.example", display_name="Eigenaar")
    groups = groups_make(owner=owner, rng=rng)
    timed_fill(f"{GROUPS} groups x {ITEMS_PER_GROUP} items", group_entries(groups=groups, rng=rng))
    first = organisations_make(start=1, stop=args.first + 1)
    timed_fill(
        f"{args.first} organisations x {PAGES_PER_ORGANISATION} pages",
        organisation_entries(organisations=first, rng=rng),
    )
    account = the_civil_servant(organisation=first[0], groups=groups)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    searches(account=account, member_of=[first[0].pk], rounds=1)  # warm the caches (untimed)
    at_first, matches_first = searches(account=account, member_of=[first[0].pk], rounds=args.rounds)
    print(f"[bench-search] {args.first:>5} organisations ({SearchEntry.objects.count()} entries): {report(at_first)}")

    rest = organisations_make(start=args.first + 1, stop=args.organisations + 1)
    timed_fill(
        f"{len(rest)} more organisations x {PAGES_PER_ORGANISATION} pages",
        organisation_entries(organisations=rest, rng=rng),
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    searches(account=account, member_of=[first[0].pk], rounds=1)
    at_all, matches_all = searches(account=account, member_of=[first[0].pk], rounds=args.rounds)
    print(
        f"[bench-search] {args.organisations:>5} organisations "
        f"({SearchEntry.objects.count()} entries): {report(at_all)}"
    )

    print("[bench-search] matches per query for this viewer (first / all organisations):")
    for query in QUERIES:
        print(f"    {query:<24} {matches_first[query]:>7} / {matches_all[query]:>7}")

    publish = publish_to_searchable(rounds=args.publishes)
    print(f"[bench-search] publish -> searchable (Wagtail publish + index task): {report(publish)}")

    ratio = at_all.p95 / at_first.p95
    organisations_ratio = args.organisations / args.first
    print(
        f"[bench-search] p95 at {args.organisations} / at {args.first} organisations: {ratio:.2f}x "
        f"(the organisations grew {organisations_ratio:.0f}x)"
    )
    met = at_all.p95 <= TARGET_P95
    print(
        f"[bench-search] target p95 ≤ {TARGET_P95 * 1000:.0f} ms at {args.organisations} organisations: "
        f"{'met' if met else 'NOT met'} ({at_all.p95 * 1000:.1f} ms)"
    )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
