"""A subsite's sign-in and sign-out, mounted at ``/accounts/`` (``govsquare.urls_tenants``).

The names stay ``login`` and ``logout``, as Django's and Wagtail's ``reverse`` expect.
"""

from django.urls import path

from tenant_apps.sso import views

urlpatterns = [
    path("login/", views.sign_in, name="login"),
    path("callback/", views.callback, name="sso_callback"),
    path("logout/", views.sign_out, name="logout"),
]
