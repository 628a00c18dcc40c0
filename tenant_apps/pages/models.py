"""Page types of an organisation's subsite."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index

from sites.blueprints import VISIBILITY_CHOICES


def check_visibility_under_parent(*, visibility: str, parent) -> None:  # type: ignore[no-untyped-def]
    """``ValidationError`` (on the visibility field) if a page would be more visible than its parent."""
    from tenant_apps.pages.visibility import DEFAULT, Level, effective_level

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


class VisibilityPageForm(WagtailAdminPageForm):
    """Says in the editor, on the field, when a page would be more visible than its parent."""

    def clean(self):  # type: ignore[no-untyped-def]
        cleaned = super().clean()
        parent = self.parent_page if self.instance.pk is None else self.instance.get_parent()
        try:
            check_visibility_under_parent(visibility=cleaned.get("visibility", ""), parent=parent)
        except ValidationError as error:
            self.add_error("visibility", error.message_dict["visibility"])
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
        if self.pk:  # a new page is checked by VisibilityPageForm, which knows its parent
            check_visibility_under_parent(visibility=self.visibility, parent=self.get_parent())

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
