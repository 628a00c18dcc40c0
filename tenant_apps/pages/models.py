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
from wagtail import blocks
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from shared_apps.search.views import search_page
from sites import catalogue
from sites.blueprints import VISIBILITY_CHOICES
from tenant_apps.pages.catalogue import page_type_is_on
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

    @classmethod
    def can_create_at(cls, parent) -> bool:  # type: ignore[no-untyped-def]
        """A page type of an app that is off for the organisation (``sites.catalogue``) cannot be created."""
        return super().can_create_at(parent) and page_type_is_on(model=cls)

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


class AppBlock(blocks.StructBlock):
    """A block an app of the catalogue brings to the home (latest news, upcoming events, my groups, …).

    Its choices are read from the catalogue, so a new app's blocks are offered without a change here; a
    block whose app is off renders nothing (``tenant_apps.pages.templatetags.home_tags``)."""

    block = blocks.ChoiceBlock(choices=catalogue.home_block_choices, label=gettext_lazy("Block"))
    heading = blocks.CharBlock(
        required=False,
        max_length=80,
        label=gettext_lazy("Heading"),
        help_text=gettext_lazy("Leave empty for the block's own."),
    )
    count = blocks.IntegerBlock(default=5, min_value=1, max_value=20, label=gettext_lazy("Number of items"))

    class Meta:
        icon = "placeholder"
        label = gettext_lazy("Block from an app")


class QuickLinkBlock(blocks.StructBlock):
    title = blocks.CharBlock(max_length=80, label=gettext_lazy("Title"))
    page = blocks.PageChooserBlock(required=False, label=gettext_lazy("Page"))
    url = blocks.URLBlock(required=False, label=gettext_lazy("Or an address"))

    class Meta:
        icon = "link"
        label = gettext_lazy("Quick link")

    def clean(self, value):  # type: ignore[no-untyped-def]
        value = super().clean(value)
        if bool(value.get("page")) == bool(value.get("url")):
            raise blocks.StructBlockValidationError(
                block_errors={"url": ValidationError(_("Choose a page or give an address, not both."))}
            )
        return value


class QuickLinksBlock(blocks.StructBlock):
    heading = blocks.CharBlock(required=False, max_length=80, label=gettext_lazy("Heading"))
    links = blocks.ListBlock(QuickLinkBlock(), min_num=1, max_num=12, label=gettext_lazy("Links"))

    class Meta:
        icon = "list-ul"
        label = gettext_lazy("Quick links")
        template = "pages/blocks/quick_links.html"


class NewSinceLastVisitBlock(blocks.StructBlock):
    """What was published on the subsite since the person's previous visit (``HomeVisit``)."""

    heading = blocks.CharBlock(required=False, max_length=80, label=gettext_lazy("Heading"))
    count = blocks.IntegerBlock(default=8, min_value=1, max_value=20, label=gettext_lazy("Number of items"))

    class Meta:
        icon = "time"
        label = gettext_lazy("New since your last visit")


class HomePage(VisibilityMixin, Page):  # noqa: DJ008 - Page provides __str__
    """The root of an organisation's subsite, its intranet home: a dashboard of blocks editors arrange.

    One per organisation, created by its blueprint with the catalogue's blocks (those of apps that are off
    render nothing, and come back when the app is switched on)."""

    intro = RichTextField(blank=True)
    dashboard = StreamField(
        [
            ("app_block", AppBlock()),
            ("new_since_last_visit", NewSinceLastVisitBlock()),
            ("quick_links", QuickLinksBlock()),
            ("text", blocks.RichTextBlock(label=gettext_lazy("Text"), template="pages/blocks/text.html")),
        ],
        blank=True,
        verbose_name=gettext_lazy("dashboard"),
    )

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("dashboard")]
    parent_page_types = ["wagtailcore.Page"]
    max_count_per_parent = 1
    template = "pages/home_page.html"

    class Meta:
        verbose_name = gettext_lazy("home page")

    # The visit is recorded by a before_serve_page hook (tenant_apps.pages.wagtail_hooks), which sets
    # ``request.previous_home_visit`` for the "new since your last visit" block.


class HomeVisit(models.Model):
    """When a person last opened the intranet home (and the visit before that), for "new since your last visit"."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="home_visit")
    previous_at = models.DateTimeField(null=True, blank=True)
    last_at = models.DateTimeField()

    class Meta:
        verbose_name = gettext_lazy("home visit")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.last_at:%Y-%m-%d %H:%M}"


class ContentPage(VisibilityMixin, Page):  # noqa: DJ008 - Page provides __str__
    """The standard page: a title, a summary and a body, listing the pages below it."""

    summary = models.CharField(max_length=300, blank=True)
    body = RichTextField(blank=True)

    content_panels = [*Page.content_panels, FieldPanel("summary"), FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("summary"), index.SearchField("body")]
    template = "pages/content_page.html"

    class Meta:
        verbose_name = gettext_lazy("standard page")

    #: How many of the pages below a section page its listing shows at a time.
    LISTING_PAGE_SIZE = 20

    def get_context(self, request, *args, **kwargs):  # type: ignore[no-untyped-def]
        """The pages below this one that the visitor may see, a listing page at a time (in menu order)."""
        context = super().get_context(request, *args, **kwargs)
        below = visible_pages(queryset=self.get_children().live().public(), viewer=viewer_for_user(request.user))
        context["children"] = Paginator(below.specific(), self.LISTING_PAGE_SIZE).get_page(request.GET.get("page"))
        return context


class SearchPage(VisibilityMixin, Page):  # noqa: DJ008 - Page provides __str__
    """The platform search placed in the page tree (with an introduction), beside the subsite's ``/search/``."""

    intro = RichTextField(blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    subpage_types: list[str] = []
    max_count_per_parent = 1

    class Meta:
        verbose_name = gettext_lazy("search page")

    RESULTS_PER_PAGE = 20

    def serve(self, request, *args, **kwargs):  # type: ignore[no-untyped-def]
        return search_page(
            request, template_name="pages/search.html", per_page=self.RESULTS_PER_PAGE, extra_context={"page": self}
        )


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
