"""Search, feed, sitemap, pages API and image renditions of a subsite (before Wagtail's page catch-all)."""

from django.urls import path, re_path
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.contrib.sitemaps.views import sitemap

from tenant_apps.pages import views

api_router = WagtailAPIRouter("wagtailapi")
api_router.register_endpoint("pages", views.VisiblePagesAPIViewSet)

urlpatterns = [
    path("search/", views.search, name="pages_search"),
    path("feed/", views.RecentPagesFeed(), name="pages_feed"),
    path("sitemap.xml", sitemap, {"sitemaps": {"pages": views.PublicSitemap}}, name="pages_sitemap"),
    path("api/v2/", api_router.urls),
    # Named as Wagtail's own, so that {% image_url %} links renditions through this view.
    re_path(r"^images/([^/]*)/(\d*)/([^/]*)/[^/]*$", views.VisibleImageServeView.as_view(), name="wagtailimages_serve"),
]
