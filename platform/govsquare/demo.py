"""Demo data for ``make run``: the shared space's two demo organisations and a person of every kind.

Idempotent: running it again finds what is there and creates only what is missing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django_tenants.utils import tenant_context

from shared_apps.accounts.selectors import account_find_by_email
from shared_apps.accounts.services.accounts import account_create
from shared_apps.operator.services import account_set_platform_operator
from shared_apps.people.services import local_user_for_account
from tenant_apps.members.services import membership_set_role
from tenants.audit import Actor
from tenants.models import Organisation
from tenants.provisioning import organisation_create
from tenants.roles import Role

DEMO_PASSWORD = "govsquare-demo"  # noqa: S105 - development demo data only

DEMO_ORGANISATIONS = [
    ("Ministry of the Interior", "interior"),
    ("Municipality of Utrecht", "utrecht"),
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
    for name, slug in DEMO_ORGANISATIONS:
        organisation = Organisation.objects.filter(slug=slug).first()
        if organisation is None:
            organisation = organisation_create(name=name, slug=slug)
            report.created.append(f"organisation {slug}")
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
    return report
