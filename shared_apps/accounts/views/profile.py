"""A person's profile: name, job title, team, location, phone, expertise, about, photo, language, public or not."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from shared_apps.accounts import selectors
from shared_apps.accounts.forms import (
    ProfileForm,
)
from shared_apps.accounts.language import language_remember
from shared_apps.accounts.models import Account
from shared_apps.accounts.services.accounts import account_update_profile
from shared_apps.accounts.views.common import account_required

# --- Profile ------------------------------------------------------------------------------------------------


def _profile_page(request: HttpRequest, account: Account, form: ProfileForm, status: int = 200) -> HttpResponse:
    context = {
        "account": account,
        "form": form,
        "is_civil_servant": selectors.account_is_civil_servant(account=account),
        "civil_servant_organisations": list(selectors.account_civil_servant_organisations(account=account)),
        "email_verified": selectors.account_email_is_verified(account=account),
        "two_factor": selectors.account_second_factor_enabled(account=account),
        "two_factor_required": selectors.account_second_factor_required(account=account),
    }
    return render(request, "accounts/profile.html", context, status=status)


@require_http_methods(["GET", "POST"])
@account_required
def profile(request: HttpRequest) -> HttpResponse:
    account = request.account  # type: ignore[attr-defined]
    if request.method == "GET":
        return _profile_page(request, account, ProfileForm.for_account(account))
    form = ProfileForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            account_update_profile(
                account=account,
                display_name=data["display_name"],
                job_title=data["job_title"],
                bio=data["bio"],
                team=data["team"],
                location=data["location"],
                phone=data["phone"],
                expertise=data["expertise"],
                profile_public=data["profile_public"],
                language=data["language"],
                photo=data["photo"] or None,
                remove_photo=data["remove_photo"],
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            language_remember(request, account.language)  # the pages follow the language chosen here
            messages.success(request, _("Your profile is saved."))
            return redirect("accounts:profile")
    account.refresh_from_db()
    return _profile_page(request, account, form, status=422)
