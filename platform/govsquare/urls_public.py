"""URLs of the shared space (public schema, on PLATFORM_DOMAIN)."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import include, path

from shared_apps.operator.api import api as operator_api
from shared_apps.shared_space.views import shared_space_home

urlpatterns = [
    path("", shared_space_home, name="shared_space_home"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # The platform operators' API and pages: on the shared space only, never on an organisation's host.
    path("api/operator/v1/", operator_api.urls),
    path("operator/", include("shared_apps.operator.urls")),
]

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
