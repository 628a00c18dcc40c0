"""URLs of an organisation's subsite (its own schema): Wagtail's site and admin."""

from django.conf import settings
from django.urls import include, path, re_path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from tenant_apps.members.operator_access import admit_platform_operators
from tenant_apps.pages.media import serve_document, serve_media
from tenant_apps.sso import views as sso_views

urlpatterns = [
    # Sign-in and sign-out through the shared space (OpenID Connect): /accounts/login/, callback/, logout/.
    path("accounts/", include("tenant_apps.sso.urls")),
    # The language switcher in the header posts to Django's set_language (before Wagtail's page catch-all).
    path("i18n/", include("django.conf.urls.i18n")),
    # Wagtail's own password forms (the admin's and the private pages') send to the sign-on flow instead,
    # before Wagtail's routes: no password is taken on a subsite.
    path("admin/login/", sso_views.password_form_replacement, {"default_next": "/admin/"}, name="wagtailadmin_login"),
    path("_util/login/", sso_views.password_form_replacement, name="wagtailcore_login"),
    # Platform operators are let into the admin (and each entry is audited): tenant_apps.members.operator_access.
    path("admin/", include(admit_platform_operators(wagtailadmin_urls))),
    # Documents through Wagtail's view, the answer marked for caches by its level (tenant_apps.pages.media).
    re_path(r"^documents/(\d+)/(.*)$", serve_document, name="wagtaildocs_serve"),
    path("documents/", include(wagtaildocs_urls)),
    # Every stored file (image renditions, originals, documents), only after its item's visibility is checked.
    path(f"{settings.MEDIA_URL.strip('/')}/<str:schema>/<path:path>", serve_media, name="media_serve"),
]

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()

# A person's notifications, the same pages as on the shared space (shared_apps/notifications).
urlpatterns += [path("notifications/", include("shared_apps.notifications.urls"))]
# The people directory and "request to join", before Wagtail's page catch-all.
urlpatterns += [path("", include("tenant_apps.members.urls"))]
# Search, feed, sitemap, pages API and image renditions, each through tenant_apps.pages.visibility.
urlpatterns += [path("", include("tenant_apps.pages.urls"))]
# Calendar files (…/agenda.ics, …/event.ics): Wagtail's page paths allow no dot, so they are handed to the
# event pages' own routes here (tenant_apps/events/urls.py; the pages' visibility checks still apply).
urlpatterns += [path("", include("tenant_apps.events.urls"))]
urlpatterns += [path("", include(wagtail_urls))]
