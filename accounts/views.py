"""Signing in and out, the lock-out answer, changing one's password, and the county admin's accounts page."""

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts import selectors, services
from accounts.forms import (
    AccountCreateForm,
    AccountUpdateForm,
    LoginForm,
    PasswordChangeForm,
    PasswordResetForm,
    form_errors,
)
from accounts.models import User
from core.access import Access

login = auth_views.LoginView.as_view(
    template_name="registration/login.html",
    authentication_form=LoginForm,
    redirect_authenticated_user=True,
)
logout = auth_views.LogoutView.as_view()

LOCKED_MESSAGE = gettext_lazy(
    "密码错误次数过多，该账户或地址已被暂时锁定，请 {hours} 小时后再试，或联系县扶贫办管理员解除锁定。"
)


def locked_message() -> str:
    from django.conf import settings

    hours = settings.AXES_COOLOFF_TIME
    return LOCKED_MESSAGE.format(hours=f"{hours:g}" if isinstance(hours, (int, float)) else "1")


def client_ip(request) -> str | None:
    """The client's address for django-axes: behind TRUSTED_PROXY_COUNT proxies, the one the outermost
    proxy saw (counted from the right of X-Forwarded-For, where a client cannot write)."""
    from django.conf import settings

    count = settings.TRUSTED_PROXY_COUNT
    forwarded = [ip.strip() for ip in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if ip.strip()]
    if count and len(forwarded) >= count:
        return forwarded[-count]
    return request.META.get("REMOTE_ADDR")


def locked_out(request, credentials=None, *args, **kwargs) -> HttpResponse:
    """django-axes' answer for a locked-out account or address (AXES_LOCKOUT_CALLABLE): 429 with words."""
    message = locked_message()
    if request.path.startswith("/api/") or request.headers.get("accept", "").startswith("application/json"):
        return JsonResponse({"detail": message}, status=429)
    body = render_to_string("accounts/locked_out.html", {"message": message}, request=request)
    return HttpResponse(body, status=429)


@login_required
def password_change(request):
    """Change one's own password (forced after an admin created or reset the account)."""
    form = PasswordChangeForm(request.POST or None)
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if request.method == "POST" and form.is_valid():
        try:
            services.account_password_change(
                account=request.user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password"],
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            request.user.refresh_from_db()
            update_session_auth_hash(request, request.user)
            messages.success(request, _("密码已修改。"))
            if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}):
                next_url = ""
            return redirect(next_url or "home")
    return render(request, "accounts/password_change.html", {"form": form, "next": next_url})


def _county_admin(request) -> None:
    if not Access.for_user(request.user).uses_admin_site:
        raise PermissionDenied(_("只有县扶贫办管理员可以管理用户账户。"))


@login_required
def account_list(request):
    _county_admin(request)
    accounts = selectors.account_list(query=request.GET.get("q", ""), role=request.GET.get("role", ""))
    return render(
        request,
        "accounts/account_list.html",
        {"accounts": accounts, "q": request.GET.get("q", ""), "create_form": AccountCreateForm()},
    )


@login_required
def account_create(request):
    _county_admin(request)
    form = AccountCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account = services.account_create(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(
                request,
                _("已创建账户“{account_username}”，首次登录须修改密码。").format(
                    account_username=account.username
                ),
            )
            return redirect("account-list")
    return render(request, "accounts/account_form.html", {"form": form, "title": _("新建账户")})


@login_required
def account_detail(request, pk: int):
    _county_admin(request)
    account = get_object_or_404(User.objects.select_related("township", "village", "cadre"), pk=pk)
    form = AccountUpdateForm(request.POST or None, account=account)
    if request.method == "POST" and form.is_valid():
        try:
            services.account_update(account=account, by=request.user, **form.changes())
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(
                request, _("已保存账户“{account_username}”。").format(account_username=account.username)
            )
            return redirect("account-detail", pk=account.pk)
    return render(
        request,
        "accounts/account_detail.html",
        {
            "account": account,
            "form": form,
            "reset_form": PasswordResetForm(),
            "locked": services.account_is_locked(account),
        },
    )


@login_required
@require_POST
def account_reset_password(request, pk: int):
    _county_admin(request)
    account = get_object_or_404(User, pk=pk)
    form = PasswordResetForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError({"password": _("请填写新密码。")})
        services.account_password_reset(
            account=account, by=request.user, password=form.cleaned_data["password"]
        )
    except ValidationError as exc:
        messages.error(request, _("重置密码未成功：") + _("；").join(exc.messages))
    else:
        messages.success(
            request,
            _("已重置“{account_username}”的密码，下次登录须修改密码。").format(
                account_username=account.username
            ),
        )
    return redirect("account-detail", pk=account.pk)


@login_required
@require_POST
def account_unlock(request, pk: int):
    _county_admin(request)
    account = get_object_or_404(User, pk=pk)
    services.account_unlock(account=account, by=request.user)
    messages.success(
        request, _("已解除账户“{account_username}”的锁定。").format(account_username=account.username)
    )
    return redirect("account-detail", pk=account.pk)
