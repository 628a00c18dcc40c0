"""The organisation's people directory: one page listing its members, with a page per person."""

from __future__ import annotations

from uuid import UUID

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index

from tenant_apps.pages.models import VisibilityMixin
from tenant_apps.pages.refusals import refusal
from tenant_apps.pages.visibility import viewer_for_user
from tenant_apps.people_directory.forms import DirectoryFilterForm
from tenant_apps.people_directory.selectors import (
    PER_PAGE,
    directory_filters,
    directory_people,
    directory_person,
    member_account_ids,
)
from tenants.roles import role_label


class PeopleDirectoryPage(VisibilityMixin, RoutablePageMixin, Page):
    """The organisation's members with their platform profile: searchable, filtered by team and expertise."""

    intro = RichTextField(
        blank=True,
        help_text=gettext_lazy(
            "Shown above the list. The list itself is shown to the organisation's members only, whatever the "
            "page's visibility."
        ),
    )

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    # The page itself is found by search; the people in it are not indexed with it (members only, see serve()).
    search_fields = [*Page.search_fields, index.SearchField("intro")]
    subpage_types: list[str] = []
    template = "people_directory/people_directory_page.html"
    person_template = "people_directory/person.html"

    class Meta:
        verbose_name = gettext_lazy("people directory")

    def serve(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:  # type: ignore[no-untyped-def]
        """Members of the organisation only, whatever the page's own level.

        The page's level (``tenant_apps.pages.visibility``, checked before this by the page hook) may open
        it to civil servants or everyone, and that still decides who finds it in menus and search. But a list
        of the organisation's staff — names, teams, locations, phone numbers — is never shown to outsiders (a
        civil servant of another organisation, a citizen, an anonymous visitor): it is an address book of
        the staff for the staff, as the subsite's ``/people/`` is. So outsiders get the same refusal as any
        closed page: sign in when anonymous, 403 when signed in.
        """
        viewer = viewer_for_user(request.user)
        if not viewer.member:
            return refusal(request, viewer=viewer)
        return super().serve(request, *args, **kwargs)

    @path("")
    def directory(self, request: HttpRequest) -> HttpResponse:
        account_ids = member_account_ids()
        filters = directory_filters(account_ids=account_ids)
        form = DirectoryFilterForm(request.GET, filters=filters)
        people = None
        status = 200
        if form.is_valid():
            data = form.cleaned_data
            people = directory_people(
                query=data["q"],
                team=data["team"],
                expertise=data["expertise"],
                page=request.GET.get("page"),
                account_ids=account_ids,
                per_page=PER_PAGE,
            )
        else:
            status = 400
        response = self.render(
            request,
            context_overrides={
                "form": form,
                "people": people,
                "filters": filters,
                "filtered": bool(form.is_valid() and any(form.cleaned_data.values())),
                "directory_url": self.get_url(request),
            },
        )
        response.status_code = status
        return response

    @path("<uuid:account_id>/", name="person")
    def person(self, request: HttpRequest, account_id: UUID) -> HttpResponse:
        profile = directory_person(account_id=account_id)
        if profile is None:
            raise Http404
        return self.render(
            request,
            template=self.person_template,
            context_overrides={
                "profile": profile,
                "person": profile.person,
                "role_label": role_label(profile.role),
                "directory_url": self.get_url(request),
            },
        )
