"""The people directory in the app catalogue (``sites.catalogue``): registered in ``apps.py``."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_noop

from sites.catalogue import CatalogueApp, HomeBlock, Section
from tenant_apps.people_directory.demo import demo_content
from tenant_apps.people_directory.home_blocks import new_colleagues_context
from tenant_apps.people_directory.models import PeopleDirectoryPage

#: Not "people": the subsite's own ``/people/`` (tenant_apps.members) comes before the page tree.
SECTION_SLUG = "colleagues"
TITLES = {"nl": "Collega's", "en": "Colleagues"}
SUMMARIES = {
    "nl": "Wie werkt hier, in welk team, waar en waarover je hen kunt vragen.",
    "en": "Who works here, in which team, where, and what you can ask them about.",
}


def seed(*, home: Any, language: str) -> PeopleDirectoryPage:
    """The directory page under ``home``, live and in the menu, titled in ``language``."""
    language = language if language in TITLES else "en"
    page = PeopleDirectoryPage(
        title=TITLES[language],
        slug=SECTION_SLUG,
        live=True,
        show_in_menus=True,
        search_description=SUMMARIES[language],
    )
    home.add_child(instance=page)
    return page


APP = CatalogueApp(
    key="people",
    label=gettext_noop("People"),
    description=gettext_noop(
        "A directory of the organisation's members, for its members: job title, team, location, phone and "
        "expertise from each person's profile, with search and filters."
    ),
    page_types=("org_people_directory.peopledirectorypage",),
    section=Section(
        slug=SECTION_SLUG,
        index_page_type="org_people_directory.peopledirectorypage",
        titles=TITLES,
        summaries=SUMMARIES,
        seed=seed,
    ),
    home_blocks=(
        HomeBlock(
            key="people.new",
            label=gettext_noop("New colleagues"),
            template="people_directory/blocks/new_colleagues.html",
            context=new_colleagues_context,
        ),
    ),
    demo_content=demo_content,
    order=50,
)
