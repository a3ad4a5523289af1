"""The signed-in user's home: the dashboard of their own scope (DESIGN.md §8), and the login form."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm, UsernameField
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from assignments import phone_views
from assignments.models import Role
from assignments.selectors import overdue_for
from households import selectors
from poverty_tracker.access import Access


class LoginForm(AuthenticationForm):
    """Django's login form with plain Chinese labels and messages."""

    username = UsernameField(
        label=_("用户名"),
        widget=forms.TextInput(attrs={"autofocus": True, "class": "form-control form-control-lg"}),
    )
    password = forms.CharField(
        label=_("密码"),
        strip=False,
        widget=forms.PasswordInput(
            attrs={"autocomplete": "current-password", "class": "form-control form-control-lg"}
        ),
    )
    error_messages = {
        "invalid_login": _("用户名或密码不正确，请重新输入（区分大小写）。"),
        "inactive": _("该账户已停用，请联系县扶贫办。"),
    }


@login_required
def home(request):
    """Which dashboard is decided by role; what it shows is decided by the selectors, which ask Access."""
    access = Access.for_user(request.user)
    user = request.user
    if user.role == Role.CADRE:
        # A cadre's home is their households, on the phone pages that keep working offline.
        return phone_views.my_households(request)
    if user.role == Role.VILLAGE_OFFICIAL:
        context = {
            "level": "village",
            "figures": selectors.scope_figures(access=access, village_id=user.village_id),
            "rows": selectors.figures_by_natural_village(access=access, village_id=user.village_id),
        }
    elif user.role == Role.TOWNSHIP_OFFICIAL:
        context = {
            "level": "township",
            "figures": selectors.scope_figures(access=access, township_id=user.township_id),
            "rows": selectors.figures_by_village(access=access, township_id=user.township_id),
        }
    else:  # county_admin and inspector see the county
        context = {
            "level": "county",
            "figures": selectors.scope_figures(access=access),
            "rows": selectors.figures_by_township(access=access),
        }
    # 转走访 reminders: what is overdue in this user's scope (the cadre's phone page shows its own).
    context["overdue"] = overdue_for(access=access)
    return render(request, "home.html", context)
