"""Page types of an organisation's subsite."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.urls import Resolver404, resolve
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index

from sites.blueprints import VISIBILITY_CHOICES
from tenant_apps.pages.visibility import DEFAULT, Level, effective_level, viewer_for_user, visible_pages


def check_visibility_under_parent(*, visibility: str, parent) -> None:  # type: ignore[no-untyped-def]
    """``ValidationError`` (on the visibility field) if a page would be more visible than its parent."""
    if parent is None or parent.depth < 2 or visibility == DEFAULT:
        return
    above = effective_level(parent)
    if Level.of(visibility) > above:
        raise ValidationError(
            {
                "visibility": _(
                    "This page cannot be more visible than the page above it, which is visible to "
                    "%(audience)s. Choose that level or a narrower one."
                )
                % {"audience": str(dict(VISIBILITY_CHOICES)[above.key]).lower()}
            }
        )


def page_address(*, slug: str, parent) -> str:  # type: ignore[no-untyped-def]
    """The path a page with ``slug`` under ``parent`` has on its subsite (the home page is ``/``)."""
    below_home = parent.url_path.split("/", 2)[2] if parent.depth >= 2 else ""
    return f"/{below_home}{slug}/"


def check_address_is_free(*, slug: str, parent) -> None:  # type: ignore[no-untyped-def]
    """``ValidationError`` (on the slug field) if the subsite's own routes answer the page's address.

    ``/search/``, ``/feed/``, ``/people/``, ``/admin/`` and the like come before the page tree, so a
    page there could never be shown. Asked of the subsites' URLs themselves, so a new route counts at once.
    """
    if parent is None or parent.depth < 2 or not slug:
        return
    address = page_address(slug=slug, parent=parent)
    try:
        match = resolve(address, urlconf=settings.ROOT_URLCONF)
    except Resolver404:
        return
    if match.url_name != "wagtail_serve":
        raise ValidationError(
            {
                "slug": _(
                    "The address %(address)s is taken by a part of the site itself, so this page could "
                    "never be shown there. Choose another slug."
                )
                % {"address": address}
            }
        )


class VisibilityPageForm(WagtailAdminPageForm):
    """Says in the editor, on the field, when a page would be more visible than its parent, or when its
    address is taken by the site's own routes."""

    def clean(self):  # type: ignore[no-untyped-def]
        cleaned = super().clean()
        parent = self.parent_page if self.instance.pk is None else self.instance.get_parent()
        for field, check in (
            (
                "visibility",
                lambda: check_visibility_under_parent(visibility=cleaned.get("visibility", ""), parent=parent),
            ),
            ("slug", lambda: check_address_is_free(slug=cleaned.get("slug", ""), parent=parent)),
        ):
            try:
                check()
            except ValidationError as error:
                self.add_error(field, error.message_dict[field])
        return cleaned


class VisibilityMixin(models.Model):
    """Who may see the page: the organisation, all civil servants, or everyone (tenant_apps.pages.visibility)."""

    visibility = models.CharField(
        max_length=20,
        blank=True,
        default="",
        choices=[("", gettext_lazy("The organisation's default")), *VISIBILITY_CHOICES],
        help_text=gettext_lazy("A page is never more visible than the page above it."),
    )

    settings_panels = [*Page.settings_panels, FieldPanel("visibility")]
    base_form_class = VisibilityPageForm

    class Meta:
        abstract = True

    def clean(self) -> None:
        super().clean()
        if self.path:  # placed in the tree (add_child places a page before saving it); the form checks earlier
            parent = self.get_parent(update=True)
            check_visibility_under_parent(visibility=self.visibility, parent=parent)
            check_address_is_free(slug=self.slug, parent=parent)

    def serve(self, request, *args, **kwargs):  # type: ignore[no-untyped-def]
        """A page made for a signed-in visitor (its menu lists what they may see) is never kept by a shared cache."""
        response = super().serve(request, *args, **kwargs)
        patch_vary_headers(response, ["Cookie"])
        if request.user.is_authenticated:
            patch_cache_control(response, private=True)
        return response


class HomePage(VisibilityMixin, Page):  # noqa: DJ008 - Page provides __str__
    """The root of an organisation's subsite: one per organisation, created by its blueprint."""

    intro = RichTextField(blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["wagtailcore.Page"]
    max_count_per_parent = 1
    template = "pages/home_page.html"

    class Meta:
        verbose_name = gettext_lazy("home page")


class ContentPage(VisibilityMixin, Page):  # noqa: DJ008 - Page provides __str__
    """A general page: news item, knowledge-base article, or anything else with a body."""

    summary = models.CharField(max_length=300, blank=True)
    body = RichTextField(blank=True)

    content_panels = [*Page.content_panels, FieldPanel("summary"), FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("summary"), index.SearchField("body")]
    template = "pages/content_page.html"

    class Meta:
        verbose_name = gettext_lazy("content page")

    #: How many of the pages below a section page its listing shows at a time.
    LISTING_PAGE_SIZE = 20

    def get_context(self, request, *args, **kwargs):  # type: ignore[no-untyped-def]
        """The pages below this one that the visitor may see, a listing page at a time (in menu order)."""
        context = super().get_context(request, *args, **kwargs)
        below = visible_pages(queryset=self.get_children().live().public(), viewer=viewer_for_user(request.user))
        context["children"] = Paginator(below.specific(), self.LISTING_PAGE_SIZE).get_page(request.GET.get("page"))
        return context


class CollectionLevel(models.Model):
    """The visibility level a collection of documents and images carries, by identity (a renamed
    collection keeps it). Collections below it take it too, unless one of them carries a narrower one;
    see ``tenant_apps.pages.visibility.collection_level``."""

    collection = models.OneToOneField(
        "wagtailcore.Collection", on_delete=models.CASCADE, related_name="visibility_level"
    )
    level = models.CharField(max_length=20, choices=VISIBILITY_CHOICES)

    class Meta:
        verbose_name = gettext_lazy("collection level")

    def __str__(self) -> str:
        return f"{self.collection}: {self.level}"
