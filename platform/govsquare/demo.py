"""Demo data for ``make run``: the shared space's two demo organisations and a person of every kind.

Idempotent: running it again finds what is there and creates only what is missing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.core.files.base import ContentFile
from django.utils import timezone
from django_tenants.utils import tenant_context

from shared_apps.accounts.models import Account
from shared_apps.accounts.selectors import account_find_by_email
from shared_apps.accounts.services.accounts import account_create
from shared_apps.group_discussions.models import Discussion
from shared_apps.group_discussions.services import answer_choose, discussion_create, reply_create
from shared_apps.group_events.services import EventFields, event_create
from shared_apps.group_files.services import file_upload, folder_create
from shared_apps.group_wiki.services import wiki_page_create
from shared_apps.groups.models import Group
from shared_apps.groups.services.groups import group_create, group_update
from shared_apps.groups.services.memberships import membership_add
from shared_apps.operator.services import account_set_platform_operator
from shared_apps.people.services import local_user_for_account
from shared_apps.search.services import platform_reindex
from tenant_apps.featured_groups.models import FeaturedGroup
from tenant_apps.featured_groups.services import featured_group_add
from tenant_apps.members.services import membership_set_role
from tenant_apps.pages.seeding import demo_content_seed
from tenants.audit import Actor
from tenants.models import EmailDomain, Organisation
from tenants.provisioning import organisation_create
from tenants.roles import Role
from tenants.schemas import in_schema
from tenants.services import organisation_email_domain_add

DEMO_PASSWORD = "govsquare-demo"  # noqa: S105 - development demo data only

DEMO_ORGANISATIONS = [
    # name, slug, the e-mail domain that makes its staff civil servants
    ("Ministerie van Binnenlandse Zaken", "interior", "interior.example"),
    ("Gemeente Utrecht", "utrecht", "utrecht.example"),
]

DEMO_PEOPLE = [
    # email, display name, {organisation slug: role}
    ("admin@interior.example", "Anna Admin", {"interior": Role.ADMINISTRATOR}),
    ("editor@interior.example", "Eddy Editor", {"interior": Role.EDITOR}),
    ("member@interior.example", "Mia Member", {"interior": Role.MEMBER}),
    ("member@utrecht.example", "Umar Utrecht", {"utrecht": Role.MEMBER}),
    ("both@interior.example", "Bo Both", {"interior": Role.EDITOR, "utrecht": Role.MEMBER}),
    ("citizen@example.org", "Cees Citizen", {}),
]

#: A platform operator: runs the operator UI (/operator/) and API on the shared space.
DEMO_OPERATOR = ("operator@govsquare.example", "Otto Operator")


@dataclass
class DemoReport:
    organisations: list[Organisation] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    people: list[tuple[str, str]] = field(default_factory=list)  # (email, description)


def demo_data_ensure() -> DemoReport:
    report = DemoReport()
    new_organisations = []
    for name, slug, email_domain in DEMO_ORGANISATIONS:
        organisation = Organisation.objects.filter(slug=slug).first()
        if organisation is None:
            organisation = organisation_create(name=name, slug=slug, language="nl")
            report.created.append(f"organisation {slug}")
            new_organisations.append(organisation)
        if not EmailDomain.objects.filter(domain=email_domain).exists():
            organisation_email_domain_add(organisation=organisation, domain=email_domain, actor=Actor.system("demo"))
        report.organisations.append(organisation)
    by_slug = {organisation.slug: organisation for organisation in report.organisations}
    for email, display_name, roles in DEMO_PEOPLE:
        account = account_find_by_email(email=email)
        if account is None:
            account = account_create(email=email, display_name=display_name, password=DEMO_PASSWORD)
            report.created.append(f"account {email}")
        for slug, role in roles.items():
            with tenant_context(by_slug[slug]):
                membership_set_role(user=local_user_for_account(account=account), role=role)
        description = ", ".join(f"{role} of {slug}" for slug, role in roles.items()) or "citizen (member nowhere)"
        report.people.append((email, description))
    email, display_name = DEMO_OPERATOR
    operator = account_find_by_email(email=email)
    if operator is None:
        operator = account_create(email=email, display_name=display_name, password=DEMO_PASSWORD)
        report.created.append(f"account {email}")
    if not operator.is_platform_operator:
        account_set_platform_operator(account=operator, value=True, actor=Actor.system("demo"))
    report.people.append((email, "platform operator (shared space: /operator/)"))
    for organisation in new_organisations:  # the intranet's example news, events, guidance and documents
        with in_schema(organisation):
            filled = demo_content_seed(language=organisation.language)
        report.created += [f"{organisation.slug}: example {key}" for key in filled]
    report.created += demo_groups_ensure()
    _demo_featured_groups(organisation=by_slug["interior"])
    platform_reindex()  # the platform search finds what the demo made (pages, documents, groups)
    return report


#: The groups the demo's ministry features on its intranet home.
DEMO_FEATURED = ["Klimaatadaptatie", "Wijkplan Utrecht-Oost"]


def _demo_featured_groups(*, organisation: Organisation) -> None:
    with in_schema(organisation):
        for name in DEMO_FEATURED:
            group = Group.objects.get(name=name)
            if not FeaturedGroup.objects.filter(group=group).exists():
                featured_group_add(organisation=organisation, group_slug=group.slug, actor=Actor.system("demo"))


#: The demo's groups: (name, purpose, owner, members, settings). Members come from both organisations,
#: and a citizen where the group welcomes citizens.
DEMO_GROUPS = [
    (
        "Klimaatadaptatie",
        "Wat werkt tegen hitte en wateroverlast: ervaringen van gemeenten en Rijk.",
        "admin@interior.example",
        ["member@utrecht.example", "member@interior.example"],
        {"visibility": "open", "audience": "civil_servants", "joining": "open"},
    ),
    (
        "Wijkplan Utrecht-Oost",
        "Bewoners en gemeente maken samen het plan voor de wijk.",
        "member@utrecht.example",
        ["citizen@example.org", "both@interior.example"],
        {"visibility": "open", "audience": "everyone", "joining": "open"},
    ),
    (
        "Digitale toegankelijkheid",
        "Toegankelijke websites en apps voor iedereen (WCAG).",
        "editor@interior.example",
        ["both@interior.example"],
        {"visibility": "closed", "audience": "civil_servants", "joining": "request"},
    ),
    (
        "Taskforce informatiebeveiliging",
        "Vertrouwelijk overleg over incidenten en maatregelen.",
        "admin@interior.example",
        ["both@interior.example"],
        {"visibility": "hidden", "audience": "civil_servants", "joining": "invitation"},
    ),
]


def demo_groups_ensure() -> list[str]:
    """The demo's groups, made through the services (idempotent: a group that exists by name is left alone)."""
    created = []
    for name, purpose, owner_email, member_emails, settings in DEMO_GROUPS:
        if Group.objects.filter(name=name).exists():
            continue
        owner = account_find_by_email(email=owner_email)
        group = group_create(creator=owner, name=name, purpose=purpose, **settings)
        group_update(
            group=group,
            actor=owner,
            introduction=f"<p>{purpose}</p><p>Deel wat je weet en vraag wat je wilt weten.</p>",
            welcome_message="<p>Welkom! Stel je even voor aan de andere leden.</p>",
            tags=["demo"],
        )
        for email in member_emails:
            membership_add(group=group, account=account_find_by_email(email=email))
        _demo_content(group=group, owner=owner, members=[account_find_by_email(email=e) for e in member_emails])
        created.append(f"group {group.slug}")
    return created


def _demo_content(*, group: Group, owner: Account, members: list[Account]) -> None:
    """A living group: a discussion with replies, a question with its answer, an event, a file, a wiki page."""
    other = members[0] if members else owner
    discussion = discussion_create(
        group=group,
        author=owner,
        kind=Discussion.Kind.DISCUSSION,
        title="Even voorstellen",
        body="Wie ben je, en waar werk je aan? Ik begin: ik coördineer deze groep.",
    )
    reply_create(group=group, discussion=discussion, author=other, body="Hallo allemaal! Fijn om hier te zijn.")
    question = discussion_create(
        group=group,
        author=other,
        kind=Discussion.Kind.QUESTION,
        title="Waar vind ik de laatste stand van zaken?",
        body="Is er een overzicht van wat er al besloten is?",
    )
    answer = reply_create(group=group, discussion=question, author=owner, body="Ja: zie de wikipagina Overzicht.")
    answer_choose(group=group, discussion=question, actor=other, reply=answer)
    starts = (timezone.now() + timedelta(days=14)).replace(hour=9, minute=30, second=0, microsecond=0)
    event_create(
        group=group,
        author=owner,
        fields=EventFields(
            title="Kennissessie",
            description="Een uur om ervaringen te delen. Iedereen is welkom.",
            starts_at=starts,
            ends_at=starts + timedelta(hours=1),
            place="Online",
            online_url="https://meet.example.org/kennissessie",
            capacity=25,
        ),
    )
    wiki_page_create(
        group=group,
        actor=owner,
        title="Overzicht",
        body="<p>Wat we hebben afgesproken en wie waaraan werkt.</p><ul><li>Doel</li><li>Planning</li></ul>",
    )
    folder = folder_create(group=group, actor=owner, name="Verslagen")
    file_upload(
        group=group,
        actor=owner,
        folder_id=folder.pk,
        upload=ContentFile(b"Verslag van de eerste bijeenkomst.\n", name="verslag-eerste-bijeenkomst.txt"),
    )
