"""The account pages, included under ``/accounts/`` by the shared space's URLconf (``govsquare.urls_public``)."""

from django.urls import path

from shared_apps.accounts.views import addresses, passwords, profile, sign_in, sign_up, two_factor

app_name = "accounts"

urlpatterns = [
    path("login/", sign_in.sign_in, name="login"),
    path("login/two-factor/", sign_in.sign_in_two_factor, name="login_two_factor"),
    path("logout/", sign_in.sign_out, name="logout"),
    path("signup/", sign_up.sign_up, name="signup"),
    path("verify/<str:token>/", sign_up.verify_email, name="verify_email"),
    path("password/reset/", passwords.password_reset, name="password_reset"),
    path("password/reset/done/", passwords.password_reset_done, name="password_reset_done"),
    path("password/reset/<str:token>/", passwords.password_reset_confirm, name="password_reset_confirm"),
    path("emails/", addresses.emails, name="emails"),
    path("emails/<int:pk>/<slug:action>/", addresses.email_action, name="email_action"),
    path("two-factor/", two_factor.two_factor, name="two_factor"),
    path("two-factor/disable/", two_factor.two_factor_disable, name="two_factor_disable"),
    path("profile/", profile.profile, name="profile"),
    path("invitation/<str:token>/", sign_up.invitation_sign_up, name="invitation_sign_up"),
]
