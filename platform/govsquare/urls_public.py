"""URLs of the shared space (public schema, on PLATFORM_DOMAIN)."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import path

from shared_apps.shared_space.views import shared_space_home

urlpatterns = [
    path("", shared_space_home, name="shared_space_home"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
]

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
