"""Example documents for the demo organisations (``make run``): small but real files, made in code."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from wagtail.documents import get_document_model
from wagtail.models import Collection, Page

from tenant_apps.document_library.services import collection_child_ensure, document_add
from tenant_apps.pages.models import CollectionLevel
from tenant_apps.pages.visibility import Level


def tiny_pdf(*, title: str, lines: list[str]) -> bytes:
    """A valid one-page PDF showing ``title`` and ``lines`` (ASCII; others become '?')."""

    def text(value: str) -> str:
        plain = value.encode("ascii", "replace").decode("ascii")
        return plain.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    stream_lines = ["BT", "/F1 16 Tf", "72 760 Td", f"({text(title)}) Tj", "/F1 11 Tf"]
    for line in lines:
        stream_lines += ["0 -20 Td", f"({text(line)}) Tj"]
    stream = "\n".join([*stream_lines, "ET"]).encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref_at = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref_at)
    return bytes(out)


@dataclass(frozen=True)
class DemoDocument:
    title: str
    file_name: str
    level: Level
    tags: tuple[str, ...]
    lines: tuple[str, ...]
    in_policy: bool = False  # in the "Beleid"/"Policy" sub-collection (under "Civil servants")


DEMO_DOCUMENTS = {
    "nl": [
        DemoDocument(
            "Jaarverslag 2025",
            "jaarverslag-2025.pdf",
            Level.PUBLIC,
            ("jaarverslag", "verantwoording"),
            ("Wat we in 2025 hebben gedaan.", "Begroting en realisatie per programma."),
        ),
        DemoDocument(
            "Openingstijden publieksbalie",
            "openingstijden-publieksbalie.txt",
            Level.PUBLIC,
            ("dienstverlening",),
            ("Maandag tot en met vrijdag 8.30 - 17.00 uur.", "Donderdagavond tot 20.00 uur op afspraak."),
        ),
        DemoDocument(
            "Handreiking informatiebeveiliging",
            "handreiking-informatiebeveiliging.pdf",
            Level.CIVIL_SERVANTS,
            ("informatiebeveiliging", "BIO"),
            ("Baseline Informatiebeveiliging Overheid in de praktijk.", "Wachtwoorden, phishing en datalekken."),
        ),
        DemoDocument(
            "Beleidsnota duurzaam inkopen 2026",
            "beleidsnota-duurzaam-inkopen-2026.pdf",
            Level.CIVIL_SERVANTS,
            ("beleid", "inkoop", "duurzaamheid"),
            ("Doelen voor circulair en sociaal inkopen.", "Vastgesteld door het college."),
            in_policy=True,
        ),
        DemoDocument(
            "Werkinstructie thuiswerken",
            "werkinstructie-thuiswerken.pdf",
            Level.ORGANISATION,
            ("hr", "thuiswerken"),
            ("Afspraken over hybride werken.", "Vergoedingen en de werkplekregeling."),
        ),
        DemoDocument(
            "Notulen teamoverleg",
            "notulen-teamoverleg.txt",
            Level.ORGANISATION,
            ("overleg",),
            ("Aanwezig: het hele team.", "Actiepunten: planning, vakantierooster."),
        ),
    ],
    "en": [
        DemoDocument(
            "Annual report 2025",
            "annual-report-2025.pdf",
            Level.PUBLIC,
            ("annual report", "accountability"),
            ("What we did in 2025.", "Budget and spending per programme."),
        ),
        DemoDocument(
            "Front desk opening hours",
            "front-desk-opening-hours.txt",
            Level.PUBLIC,
            ("services",),
            ("Monday to Friday 8:30 to 17:00.", "Thursday evenings until 20:00 by appointment."),
        ),
        DemoDocument(
            "Information security guide",
            "information-security-guide.pdf",
            Level.CIVIL_SERVANTS,
            ("information security",),
            ("The government information security baseline in practice.", "Passwords, phishing and data leaks."),
        ),
        DemoDocument(
            "Sustainable procurement policy 2026",
            "sustainable-procurement-policy-2026.pdf",
            Level.CIVIL_SERVANTS,
            ("policy", "procurement", "sustainability"),
            ("Targets for circular and social procurement.", "Adopted by the board."),
            in_policy=True,
        ),
        DemoDocument(
            "Working from home guidelines",
            "working-from-home-guidelines.pdf",
            Level.ORGANISATION,
            ("hr", "working from home"),
            ("Agreements on hybrid working.", "Allowances and the workplace scheme."),
        ),
        DemoDocument(
            "Team meeting minutes",
            "team-meeting-minutes.txt",
            Level.ORGANISATION,
            ("meetings",),
            ("Present: the whole team.", "Actions: planning, holiday rota."),
        ),
    ],
}

POLICY_COLLECTION = {"nl": "Beleid", "en": "Policy"}


def _level_collections() -> dict[Level, Collection]:
    """The collection carrying each level directly under the root (``collections_seed``), by identity."""
    carried = (
        CollectionLevel.objects.filter(collection__depth=2).select_related("collection").order_by("collection__path")
    )
    found: dict[Level, Collection] = {}
    for entry in carried.order_by("collection__path"):
        found.setdefault(Level.of(entry.level), entry.collection)
    return found


def demo_documents_ensure(*, section: Page, language: str) -> None:
    """The example documents in the level collections and a policy sub-collection; a second run adds nothing."""
    language = "nl" if language == "nl" else "en"
    with transaction.atomic():
        collections = _level_collections()
        if len(collections) < len(Level):
            return  # the level collections are made with the site; without them the demo has nowhere to put files
        policy = collection_child_ensure(parent=collections[Level.CIVIL_SERVANTS], name=POLICY_COLLECTION[language])
        existing = set(get_document_model().objects.values_list("title", flat=True))
        for item in DEMO_DOCUMENTS[language]:
            if item.title in existing:
                continue
            if item.file_name.endswith(".pdf"):
                content = tiny_pdf(title=item.title, lines=list(item.lines))
            else:
                content = "\n".join([item.title, "", *item.lines, ""]).encode()
            document_add(
                title=item.title,
                file_name=item.file_name,
                content=content,
                collection=policy if item.in_policy else collections[item.level],
                tags=item.tags,
            )
