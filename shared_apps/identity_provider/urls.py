"""The provider's endpoints, mounted at ``/o/`` on the shared space only (``govsquare.urls_public``).

Only what OpenID Connect sign-in and sign-out need. django-oauth-toolkit's application-management pages
(any signed-in person could register a client), device flow and dynamic registration are left out: the
platform registers its clients itself (``identity_provider.services``). The namespace is the one
django-oauth-toolkit reverses its URLs in.
"""

from django.urls import path, re_path
from oauth2_provider import views

app_name = "oauth2_provider"

urlpatterns = [
    path("authorize/", views.AuthorizationView.as_view(), name="authorize"),
    path("token/", views.TokenView.as_view(), name="token"),
    path("revoke_token/", views.RevokeTokenView.as_view(), name="revoke-token"),
    re_path(
        r"^\.well-known/openid-configuration/?$",
        views.ConnectDiscoveryInfoView.as_view(),
        name="oidc-connect-discovery-info",
    ),
    path(".well-known/jwks.json", views.JwksInfoView.as_view(), name="jwks-info"),
    path("userinfo/", views.UserInfoView.as_view(), name="user-info"),
    # RP-initiated logout. Signing out here raises the account's session epoch (identity_provider.sessions).
    path("logout/", views.RPInitiatedLogoutView.as_view(), name="rp-initiated-logout"),
]
