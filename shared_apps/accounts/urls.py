"""The account pages, included under ``/accounts/`` by the shared space's URLconf (``govsquare.urls_public``)."""

from django.urls import path

from shared_apps.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.sign_in, name="login"),
    path("login/two-factor/", views.sign_in_two_factor, name="login_two_factor"),
    path("logout/", views.sign_out, name="logout"),
    path("signup/", views.sign_up, name="signup"),
    path("verify/<str:token>/", views.verify_email, name="verify_email"),
    path("password/reset/", views.password_reset, name="password_reset"),
    path("password/reset/done/", views.password_reset_done, name="password_reset_done"),
    path("password/reset/<str:token>/", views.password_reset_confirm, name="password_reset_confirm"),
    path("emails/", views.emails, name="emails"),
    path("emails/<int:pk>/<slug:action>/", views.email_action, name="email_action"),
    path("two-factor/", views.two_factor, name="two_factor"),
    path("two-factor/disable/", views.two_factor_disable, name="two_factor_disable"),
    path("profile/", views.profile, name="profile"),
    path("invitation/<str:token>/", views.invitation_sign_up, name="invitation_sign_up"),
]
