"""URLs of the shared space (public schema, on PLATFORM_DOMAIN)."""

from django.conf import settings
from django.urls import include, path

from shared_apps.accounts.views import sign_in as sign_in_views
from shared_apps.operator.api import api as operator_api
from shared_apps.shared_space.views import shared_space_home

urlpatterns = [
    path("", shared_space_home, name="shared_space_home"),
    # Accounts (shared_apps/accounts): sign-up, sign-in with its second step, addresses, two-factor, profile.
    # "login" and "logout" also keep their plain names (LOGIN_URL, redirect_to_login, templates).
    path("accounts/login/", sign_in_views.sign_in, name="login"),
    path("accounts/logout/", sign_in_views.sign_out, name="logout"),
    path("accounts/", include("shared_apps.accounts.urls")),
    # A person's own data: export everything, delete the account (shared_apps/accounts/personal_data/).
    path("accounts/data/", include("shared_apps.accounts.personal_data_urls")),
    # Groups: the meeting rooms across organisations (who sees what: shared_apps/groups/access.py).
    path("groups/<slug:slug>/files/", include("shared_apps.group_files.urls")),
    path("groups/<slug:slug>/wiki/", include("shared_apps.group_wiki.urls")),
    path("groups/<slug:slug>/events/", include("shared_apps.group_events.urls")),
    path("groups/<slug:slug>/discussions/", include("shared_apps.group_discussions.urls"), {"kind": "discussion"}),
    path(
        "groups/<slug:slug>/questions/",
        include("shared_apps.group_discussions.urls", namespace="group_questions"),
        {"kind": "question"},
    ),
    path("groups/", include("shared_apps.groups.urls")),
    # A person's notifications and how they are told (shared_apps/notifications), on every host alike.
    path("notifications/", include("shared_apps.notifications.urls")),
    # One search across the platform (shared_apps/search): what the viewer may see, trimmed in the query.
    path("search/", include("shared_apps.search.urls")),
    # The platform's people directory (who sees whom: shared_apps/shared_space/selectors.py).
    path("people/", include("shared_apps.shared_space.urls")),
    # The platform operators' API and pages: on the shared space only, never on an organisation's host.
    path("api/operator/v1/", operator_api.urls),
    path("operator/", include("shared_apps.operator.urls")),
    # The OpenID Connect provider for every subsite (discovery at /o/.well-known/openid-configuration).
    path("o/", include("shared_apps.identity_provider.urls")),
    # The language switcher in the header posts to Django's set_language (i18n/setlang/).
    path("i18n/", include("django.conf.urls.i18n")),
]

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
