"""The login form."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm, UsernameField
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.access import Role


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


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label=_("原密码"), strip=False, widget=forms.PasswordInput)
    new_password = forms.CharField(label=_("新密码"), strip=False, widget=forms.PasswordInput)
    new_password2 = forms.CharField(label=_("再次输入新密码"), strip=False, widget=forms.PasswordInput)

    def clean(self):
        data = super().clean()
        if data.get("new_password") and data.get("new_password") != data.get("new_password2"):
            self.add_error("new_password2", _("两次输入的新密码不一致。"))
        return data


class PasswordResetForm(forms.Form):
    password = forms.CharField(label=_("新密码"), strip=False, widget=forms.PasswordInput)


class AccountCreateForm(forms.Form):
    username = forms.CharField(label=_("用户名"), max_length=150)
    password = forms.CharField(label=_("初始密码"), strip=False, widget=forms.PasswordInput)
    role = forms.ChoiceField(label=_("角色"), choices=Role.choices)
    township = forms.CharField(label=_("所属乡镇（名称或 ID）"), required=False)
    village = forms.CharField(label=_("所属行政村（名称或 ID）"), required=False)
    cadre = forms.CharField(label=_("干部 ID"), required=False)

    def clean(self):
        data = super().clean()
        for name in ("township", "village", "cadre"):
            data[name] = data.get(name) or None
        return data


class AccountUpdateForm(forms.Form):
    role = forms.ChoiceField(label=_("角色"), choices=Role.choices)
    township = forms.CharField(label=_("所属乡镇（名称或 ID）"), required=False)
    village = forms.CharField(label=_("所属行政村（名称或 ID）"), required=False)
    cadre = forms.CharField(label=_("干部 ID"), required=False)
    is_active = forms.BooleanField(label=_("启用"), required=False)

    def __init__(self, *args, account, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "role": account.role,
                "township": account.township_id or "",
                "village": account.village_id or "",
                "cadre": account.cadre_id or "",
                "is_active": account.is_active,
            },
        )
        super().__init__(*args, **kwargs)

    def changes(self) -> dict:
        data = dict(self.cleaned_data)
        for name in ("township", "village", "cadre"):
            data[name] = data.get(name) or None
        return data


def form_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's ValidationError onto the form: field errors where the form has the field."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)
