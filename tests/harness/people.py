"""Factories for the people of the test world: an account, plus a role in some organisations."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import factory
from django_tenants.utils import tenant_context

from shared_apps.accounts.models import Account
from shared_apps.accounts.services.accounts import account_create
from shared_apps.people.models import User
from shared_apps.people.services import local_user_for_account
from tenant_apps.members.services import membership_set_role
from tenants.models import Organisation
from tenants.roles import Role

PASSWORD = "correct horse battery staple"
_counter = itertools.count(1)


@dataclass
class Person:
    """A person of the test world: their account, password and role per organisation slug."""

    key: str
    account: Account
    password: str = PASSWORD
    roles: dict[str, Role] = field(default_factory=dict)

    @property
    def email(self) -> str:
        return self.account.email

    def local_user(self, organisation: Organisation) -> User:
        """This person's local user in ``organisation`` (created on first use, like a first sign-in)."""
        with tenant_context(organisation):
            return local_user_for_account(account=self.account)


class AccountFactory(factory.django.DjangoModelFactory):
    """Accounts made through the ``account_create`` service, as the platform makes them."""

    class Meta:
        model = Account

    email = factory.LazyFunction(lambda: f"person{next(_counter)}@example.org")
    display_name = factory.Faker("name")
    password = PASSWORD

    @classmethod
    def _create(cls, model_class, *args, **kwargs):  # type: ignore[no-untyped-def]
        return account_create(email=kwargs["email"], display_name=kwargs["display_name"], password=kwargs["password"])


def make_person(
    *, key: str, email: str | None = None, name: str | None = None, roles: dict[Organisation, Role] | None = None
) -> Person:
    """An account with the given role in each given organisation (``{}``: a citizen, member nowhere)."""
    kwargs = {k: v for k, v in {"email": email, "display_name": name}.items() if v}
    account = AccountFactory(**kwargs)
    person = Person(key=key, account=account)
    for organisation, role in (roles or {}).items():
        with tenant_context(organisation):
            membership_set_role(user=local_user_for_account(account=account), role=role)
        person.roles[organisation.slug] = role
    return person
