"""An organisation's branding, edited without code: Settings > Branding in its Wagtail admin.

Name, logo, two colours (checked against WCAG 2.1 AA before they are saved), extra menu links and the
footer. Read through :func:`tenant_apps.branding.selectors.branding_for_request` (cached per organisation).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import connection, models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel, PageChooserPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.models import Orderable

from tenant_apps.branding.colours import AA_NORMAL_TEXT, WHITE, contrast_ratio, hex_colour_validator, shown_ratio
from tenant_apps.pages.visibility import Level, collection_level

FALLBACK_PRIMARY = "#154273"  # the platform's own blue (10.2:1 under white text)
DEFAULT_ACCENT = "#b35900"  # a darker orange than #e17000 (3.2:1), so white on it reads at 4.8:1


def default_primary_colour() -> str:
    """The organisation's brand colour, when it is a colour white text reads well on; else the platform's."""
    colour = getattr(getattr(connection, "tenant", None), "brand_colour", "") or ""
    try:
        if contrast_ratio(WHITE, colour) >= AA_NORMAL_TEXT:
            return colour.lower()
    except ValueError:
        pass
    return FALLBACK_PRIMARY


def contrast_problems(*, primary: str, accent: str) -> dict[str, str]:
    """The colour pairs below WCAG 2.1 AA (4.5:1 for normal text), by field, each saying which pair and its ratio."""
    problems: dict[str, str] = {}
    pairs = {
        "primary_colour": (
            primary,
            _(
                "White text on the primary colour %(colour)s has a contrast of %(ratio)s:1; "
                "WCAG AA needs at least 4.5:1."
            ),
        ),
        "accent_colour": (
            accent,
            _(
                "White text on the accent colour %(colour)s (buttons), and the accent colour as link "
                "text on white, have a contrast of %(ratio)s:1; WCAG AA needs at least 4.5:1."
            ),
        ),
    }
    for field, (colour, message) in pairs.items():
        try:
            ratio = contrast_ratio(WHITE, colour)
        except ValueError:
            continue  # the field's own validator says what is wrong with it
        if ratio < AA_NORMAL_TEXT:
            problems[field] = message % {"colour": colour.lower(), "ratio": shown_ratio(ratio)}
    return problems


@register_setting(icon="image")
class Branding(BaseSiteSetting, ClusterableModel):
    """The subsite's look: shown in the header, menu and footer of every page of the organisation."""

    display_name = models.CharField(
        gettext_lazy("display name"),
        max_length=120,
        blank=True,
        help_text=gettext_lazy("Shown in the header. Leave empty to show the organisation's name."),
    )
    logo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=gettext_lazy("logo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=gettext_lazy(
            "Shown in the header, 48 pixels high, with the display name as its text alternative. "
            "It must be in a collection everyone may see."
        ),
    )
    primary_colour = models.CharField(
        gettext_lazy("primary colour"),
        max_length=7,
        default=default_primary_colour,
        validators=[hex_colour_validator],
        help_text=gettext_lazy("The header's background, under white text, e.g. #154273."),
    )
    accent_colour = models.CharField(
        gettext_lazy("accent colour"),
        max_length=7,
        default=DEFAULT_ACCENT,
        validators=[hex_colour_validator],
        help_text=gettext_lazy("Links on white and the background of buttons with white text, e.g. #b35900."),
    )
    footer_text = models.TextField(
        gettext_lazy("footer text"),
        blank=True,
        max_length=1000,
        help_text=gettext_lazy("A short text at the bottom of every page, e.g. the address or opening hours."),
    )

    panels = [
        MultiFieldPanel(
            [FieldPanel("display_name"), FieldPanel("logo"), FieldPanel("primary_colour"), FieldPanel("accent_colour")],
            heading=gettext_lazy("Header and colours"),
        ),
        InlinePanel("navigation_links", heading=gettext_lazy("Extra menu links"), label=gettext_lazy("Menu link")),
        MultiFieldPanel(
            [
                FieldPanel("footer_text"),
                InlinePanel("footer_links", label=gettext_lazy("Footer link")),
            ],
            heading=gettext_lazy("Footer"),
        ),
    ]

    select_related = ["logo"]

    class Meta:
        verbose_name = gettext_lazy("branding")
        verbose_name_plural = gettext_lazy("branding")

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        if self.primary_colour:
            self.primary_colour = self.primary_colour.lower()
        if self.accent_colour:
            self.accent_colour = self.accent_colour.lower()
        errors.update(contrast_problems(primary=self.primary_colour, accent=self.accent_colour))
        if self.logo_id is not None and collection_level(self.logo.collection) != Level.PUBLIC:
            errors["logo"] = _(
                "This image is in a collection not everyone may see, so visitors would get a broken logo. "
                "Choose an image in a public collection."
            )
        if errors:
            raise ValidationError(errors)


class BrandingLink(Orderable):
    """A link to a page of the subsite or to an address elsewhere, with its own text."""

    label = models.CharField(gettext_lazy("link text"), max_length=80)
    link_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=gettext_lazy("page"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    link_url = models.URLField(gettext_lazy("or address"), blank=True)

    panels = [FieldPanel("label"), PageChooserPanel("link_page"), FieldPanel("link_url")]

    class Meta(Orderable.Meta):
        abstract = True

    def clean(self) -> None:
        super().clean()
        if bool(self.link_page_id) == bool(self.link_url):
            raise ValidationError({"link_url": _("Choose a page or enter an address, not both and not neither.")})

    def __str__(self) -> str:
        return self.label


class BrandingNavigationLink(BrandingLink):
    """An extra link in the subsite's menu, after its sections."""

    branding = ParentalKey(Branding, on_delete=models.CASCADE, related_name="navigation_links")

    class Meta(BrandingLink.Meta):
        verbose_name = gettext_lazy("menu link")
        verbose_name_plural = gettext_lazy("menu links")


class BrandingFooterLink(BrandingLink):
    """A link in the subsite's footer (e.g. contact, privacy statement, accessibility statement)."""

    branding = ParentalKey(Branding, on_delete=models.CASCADE, related_name="footer_links")

    class Meta(BrandingLink.Meta):
        verbose_name = gettext_lazy("footer link")
        verbose_name_plural = gettext_lazy("footer links")
