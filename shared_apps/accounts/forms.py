"""Forms of the account pages: they read the input; the services decide (and say what is wrong)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _

from shared_apps.accounts.models import Account


class ServiceErrorsMixin:
    """Put a service's ``ValidationError`` next to the fields it names (the rest above the form)."""

    def add_service_errors(self, error: ValidationError) -> None:
        fields = self.fields  # type: ignore[attr-defined]
        if not hasattr(error, "error_dict"):
            self.add_error(None, list(error.messages))  # type: ignore[attr-defined]
            return
        for field, messages in error.message_dict.items():
            target = field if field in fields else None
            if field == NON_FIELD_ERRORS:
                target = None
            self.add_error(target, list(messages))  # type: ignore[attr-defined]


class _NewPassword(ServiceErrorsMixin, forms.Form):
    password = forms.CharField(
        label=_("Password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password_again = forms.CharField(
        label=_("Password again"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self) -> dict:  # type: ignore[type-arg]
        cleaned = super().clean() or {}
        first, second = cleaned.get("password"), cleaned.get("password_again")
        if first and second and first != second:
            self.add_error("password_again", _("The two passwords are not the same."))
        return cleaned


class SignUpForm(_NewPassword):
    email = forms.CharField(
        label=_("E-mail address"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    display_name = forms.CharField(label=_("Your name"), max_length=150)

    field_order = ["email", "display_name", "password", "password_again"]


class InvitationSignUpForm(_NewPassword):
    display_name = forms.CharField(label=_("Your name"), max_length=150)

    field_order = ["display_name", "password", "password_again"]


class SetPasswordForm(_NewPassword):
    pass


class SignInForm(ServiceErrorsMixin, forms.Form):
    email = forms.CharField(
        label=_("E-mail address"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "username"})
    )
    password = forms.CharField(
        label=_("Password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class CodeForm(ServiceErrorsMixin, forms.Form):
    code = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class EmailForm(ServiceErrorsMixin, forms.Form):
    """The services check the address (one message, in one language, wherever it is typed)."""

    email = forms.CharField(
        label=_("E-mail address"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )


class EmailAddForm(EmailForm):
    make_primary = forms.BooleanField(label=_("Make it my primary address once it is verified"), required=False)


class ProfileForm(ServiceErrorsMixin, forms.Form):
    display_name = forms.CharField(label=_("Display name"), max_length=150)
    job_title = forms.CharField(label=_("Job title"), max_length=150, required=False)
    bio = forms.CharField(
        label=_("About you"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    team = forms.CharField(label=_("Team or department"), max_length=150, required=False)
    location = forms.CharField(
        label=_("Location"),
        max_length=150,
        required=False,
        help_text=_("Where colleagues find you, for example a building and floor."),
    )
    # The service checks the phone number and the expertise, with one message wherever they are typed.
    phone = forms.CharField(
        label=_("Phone number"),
        max_length=64,
        required=False,
        help_text=_("Digits, spaces and + - ( ), for example +31 30 123 45 67."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    expertise = forms.CharField(
        label=_("Expertise"),
        max_length=2000,
        required=False,
        help_text=_(
            "Subjects colleagues may ask you about, separated by commas: at most 20, each at most 50 characters."
        ),
    )
    photo = forms.ImageField(label=_("Photo"), required=False)
    remove_photo = forms.BooleanField(label=_("Remove my photo"), required=False)
    profile_public = forms.BooleanField(
        label=_("Show my profile to everyone, citizens included (otherwise to civil servants only)"), required=False
    )
    language = forms.ChoiceField(label=_("Language"), choices=Account._meta.get_field("language").choices)

    field_order = ["display_name", "job_title", "team", "location", "phone", "expertise", "bio"]

    @classmethod
    def for_account(cls, account: Account) -> ProfileForm:
        return cls(
            initial={
                "display_name": account.display_name,
                "job_title": account.job_title,
                "bio": account.bio,
                "team": account.team,
                "location": account.location,
                "phone": account.phone,
                "expertise": ", ".join(account.expertise),
                "profile_public": account.profile_public,
                "language": account.language,
            }
        )
