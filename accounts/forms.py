"""The login form."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm, UsernameField
from django.utils.translation import gettext_lazy as _


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
