"""Writes to user accounts (DESIGN.md §4, §8): one role and one scope per user."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from accounts.models import Role, User
from core.access import SCOPE_OF_ROLE, Access
from core.validation import is_record_id
from villages.models import AdministrativeVillage, Township

SCOPE_LABELS = {
    "township": gettext_lazy("乡镇"),
    "village": gettext_lazy("行政村"),
    "cadre": gettext_lazy("干部"),
}


def _township(value: Township | int | str) -> Township:
    if isinstance(value, Township):
        return value
    if is_record_id(value):
        found = list(Township.objects.select_related("county").filter(pk=int(value)))
    else:
        found = list(Township.objects.select_related("county").filter(name=str(value).strip()).order_by("id"))
    if not found:
        raise ValidationError({"township": gettext("未找到乡镇“{value}”。").format(value=value)})
    if len(found) > 1:
        choices = gettext("；").join(
            gettext("{county_name}{t_name} 的 ID 为 {t_pk}").format(
                county_name=t.county.name, t_name=t.name, t_pk=t.pk
            )
            for t in found
        )
        raise ValidationError(
            {
                "township": gettext("乡镇“{value}”在多个县都有（{choices}），请改用乡镇 ID。").format(
                    value=value, choices=choices
                )
            }
        )
    return found[0]


def _village(value: AdministrativeVillage | int | str) -> AdministrativeVillage:
    if isinstance(value, AdministrativeVillage):
        return value
    if is_record_id(value):
        found = list(AdministrativeVillage.objects.select_related("township").filter(pk=int(value)))
    else:
        found = list(
            AdministrativeVillage.objects.select_related("township")
            .filter(name=str(value).strip())
            .order_by("id")
        )
    if not found:
        raise ValidationError({"village": gettext("未找到行政村“{value}”。").format(value=value)})
    if len(found) > 1:
        # Village names repeat across townships: only the id says which one.
        choices = gettext("；").join(
            gettext("{township_name}{v_name} 的 ID 为 {v_pk}").format(
                township_name=v.township.name, v_name=v.name, v_pk=v.pk
            )
            for v in found
        )
        raise ValidationError(
            {
                "village": gettext("行政村“{value}”在多个乡镇都有（{choices}），请改用行政村 ID。").format(
                    value=value, choices=choices
                )
            }
        )
    return found[0]


def _cadre(value: Any):
    Cadre = User._meta.get_field("cadre").related_model  # assignments.Cadre, named by the model
    if isinstance(value, Cadre):
        return value
    found = Cadre.objects.filter(pk=int(value)).first() if is_record_id(value) else None
    if found is None:
        raise ValidationError(
            {"cadre": gettext("未找到干部记录“{value}”（请填写干部 ID）。").format(value=value)}
        )
    return found


def _scope(
    *, role: str, township: object, village: object, cadre: object
) -> tuple[Township | None, AdministrativeVillage | None, Any]:
    """Check the role and that exactly the scope it needs is given; resolve names and ids to records."""
    known = gettext("、").join(
        gettext("{value}（{r_label}）").format(value=r.value, r_label=r.label) for r in Role
    )
    if not role:
        raise ValidationError({"role": gettext("必须指定角色，可选：{known}。").format(known=known)})
    if role not in SCOPE_OF_ROLE:
        raise ValidationError(
            {"role": gettext("未知角色“{role}”，可选：{known}。").format(role=role, known=known)}
        )
    needed = SCOPE_OF_ROLE[role]
    label = Role(role).label
    given = {
        k: v
        for k, v in {"township": township, "village": village, "cadre": cadre}.items()
        if v not in (None, "")
    }
    errors: dict[str, str] = {}
    for name in given:
        if name != needed:
            if needed is None:
                errors[name] = gettext("{label}的范围是全县，不能指定{scope}。").format(
                    label=label, scope=SCOPE_LABELS[name]
                )
            else:
                errors[name] = gettext("{label}只能指定{needed}，不能指定{scope}。").format(
                    label=label, needed=SCOPE_LABELS[needed], scope=SCOPE_LABELS[name]
                )
    if needed is not None and needed not in given:
        errors[needed] = gettext("{label}账户必须指定{needed}。").format(
            label=label, needed=SCOPE_LABELS[needed]
        )
    if errors:
        raise ValidationError(errors)
    if needed == "township":
        return _township(given["township"]), None, None
    if needed == "village":
        return None, _village(given["village"]), None
    if needed == "cadre":
        return None, None, _cadre(given["cadre"])
    return None, None, None


def _check_cadre_free(cadre: Any, *, user: User | None = None) -> None:
    if cadre is None:
        return
    others = User.objects.filter(cadre=cadre)
    if user is not None:
        others = others.exclude(pk=user.pk)
    taken = others.first()
    if taken is not None:
        raise ValidationError(
            {
                "cadre": gettext(
                    "干部“{cadre_name}”（ID {cadre_pk}）已有登录账户“{taken_username}”。"
                ).format(cadre_name=cadre.name, cadre_pk=cadre.pk, taken_username=taken.username)
            }
        )


@transaction.atomic
def account_create(
    *,
    username: str,
    password: str,
    role: str,
    township: Township | int | str | None = None,
    village: AdministrativeVillage | int | str | None = None,
    cadre: Any | None = None,
    by: User | None = None,
) -> User:
    """Create a login with one role and its scope. Township and village may be given by name or id.
    A login an admin creates (``by``) must choose its own password at first sign-in."""
    username = (username or "").strip()
    if not username:
        raise ValidationError({"username": gettext("用户名不能为空。")})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": gettext("用户名“{username}”已存在。").format(username=username)})
    township, village, cadre = _scope(role=role, township=township, village=village, cadre=cadre)
    _check_cadre_free(cadre)
    if by is not None:
        _county_admin(by, gettext("创建用户账户"))
    user = User(username=username, role=role, township=township, village=village, cadre=cadre)
    user.must_change_password = by is not None
    _grant_admin_site(user)
    _set_password(user, password)
    user.full_clean()
    user.save()
    _sync_admin_group(user)
    return user


@transaction.atomic
def account_ensure(
    *,
    username: str,
    password: str,
    role: str,
    township: Township | int | str | None = None,
    village: AdministrativeVillage | int | str | None = None,
    cadre: Any | None = None,
) -> tuple[User, bool]:
    """Create the login, or bring an existing one to this role, scope and password. Returns (user, created)."""
    user = User.objects.filter(username=username).first()
    if user is None:
        return account_create(
            username=username, password=password, role=role, township=township, village=village, cadre=cadre
        ), True
    township, village, cadre = _scope(role=role, township=township, village=village, cadre=cadre)
    _check_cadre_free(cadre, user=user)
    user.role, user.township, user.village, user.cadre = role, township, village, cadre
    user.is_active = True
    _grant_admin_site(user)
    _set_password(user, password)
    user.full_clean()
    user.save()
    _sync_admin_group(user)
    return user, False


def _grant_admin_site(user: User) -> None:
    # county_admin keeps the reference data (poverty lines, geography, units) in the admin site (§4):
    # staff with the model permissions of REFERENCE_DATA (given through a group after saving), never a
    # superuser. Households, pairings, projects and accounts are managed on the pages.
    user.is_staff = Access.for_user(user).uses_admin_site
    user.is_superuser = False


# The reference data the county admin keeps in the admin site, as (app label, model) names: accounts sits
# below these apps, so it names them rather than importing them.
REFERENCE_DATA = (
    ("households", "povertyline"),
    ("villages", "county"),
    ("villages", "township"),
    ("villages", "administrativevillage"),
    ("villages", "naturalvillage"),
    ("villages", "exitindicator"),
    ("assignments", "workunit"),
    ("assignments", "revisitround"),
)
REFERENCE_DATA_GROUP = "县扶贫办参考数据"


def reference_data_group():
    """The group whose permissions open the reference data in the admin site (made or brought up to date)."""
    from django.contrib.auth.models import Group, Permission
    from django.db.models import Q

    group, _ = Group.objects.get_or_create(name=REFERENCE_DATA_GROUP)
    which = Q(pk__in=[])
    for app_label, model in REFERENCE_DATA:
        which |= Q(content_type__app_label=app_label, content_type__model=model)
    group.permissions.set(Permission.objects.filter(which))
    return group


def _sync_admin_group(user: User) -> None:
    group = reference_data_group()
    if user.is_staff:
        user.groups.add(group)
    else:
        user.groups.remove(group)


def _set_password(user: User, password: str) -> None:
    if not password:
        raise ValidationError({"password": gettext("密码不能为空。")})
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": [_password_message(e) for e in exc.error_list]}) from None
    user.set_password(password)


def _password_message(error: ValidationError) -> str:
    # Django 5.2's Chinese catalogue misses the new wording of this one message: say it ourselves.
    if error.code == "password_too_short":
        return gettext("密码太短，至少需要 {min_length} 个字符。").format(
            min_length=error.params["min_length"]
        )
    return error.messages[0]


# -- the admin site: changing and deleting logins ------------------------------------------------------

ACCOUNT_EDITABLE = (
    "username",
    "first_name",
    "last_name",
    "email",
    "is_active",
    "role",
    "township",
    "village",
    "cadre",
)


def _county_admin(by: User, what: str) -> None:
    if not Access.for_user(by).uses_admin_site:
        raise ValidationError(gettext("只有县扶贫办管理员可以{what}。").format(what=what))


@transaction.atomic
def account_update(*, account: User, by: User, **changes) -> User:
    """Change a login's details, role and scope. Whether it opens the admin site follows from the role."""
    _county_admin(by, gettext("修改用户账户"))
    account = User.objects.select_for_update().get(pk=account.pk)
    unknown = set(changes) - set(ACCOUNT_EDITABLE)
    if unknown:
        raise ValidationError({f: gettext("该字段不能在此修改。") for f in sorted(unknown)})
    if account.pk == by.pk and (
        changes.get("is_active") is False or changes.get("role", account.role) != account.role
    ):
        raise ValidationError(gettext("不能停用自己的账户或改变自己的角色：请由另一名县扶贫办管理员办理。"))
    if "username" in changes:
        username = (changes["username"] or "").strip()
        if User.objects.filter(username__iexact=username).exclude(pk=account.pk).exists():
            raise ValidationError(
                {"username": gettext("用户名“{username}”已存在。").format(username=username)}
            )
        changes["username"] = username
    if {"role", "township", "village", "cadre"} & set(changes):
        scope = {name: changes.get(name, getattr(account, name)) for name in ("township", "village", "cadre")}
        role = changes.get("role", account.role)
        changes["township"], changes["village"], changes["cadre"] = _scope(role=role, **scope)
        _check_cadre_free(changes["cadre"], user=account)
    before = (account.role, account.township_id, account.village_id, account.cadre_id, account.is_active)
    for name, value in changes.items():
        setattr(account, name, value)
    _grant_admin_site(account)
    account.full_clean()
    account.save()
    _sync_admin_group(account)
    if before != (account.role, account.township_id, account.village_id, account.cadre_id, account.is_active):
        # A new role or scope, or a deactivation: the old sessions (their hash covers role and scope,
        # see User._get_session_auth_hash) and API tokens stop working.
        _end_sessions_and_tokens(account)
    return account


def _end_sessions_and_tokens(account: User) -> None:
    from rest_framework.authtoken.models import Token

    Token.objects.filter(user=account).delete()


@transaction.atomic
def account_password_reset(*, account: User, by: User, password: str) -> User:
    """The county admin sets a new password; the user must change it at the next sign-in."""
    _county_admin(by, gettext("重置密码"))
    account = User.objects.select_for_update().get(pk=account.pk)
    _set_password(account, password)
    account.must_change_password = True
    account.save()
    _end_sessions_and_tokens(account)
    account_unlock(account=account, by=by)
    return account


@transaction.atomic
def account_password_change(*, account: User, old_password: str, new_password: str) -> User:
    """The user changes their own password: the old one must be right; every API token is deleted."""
    if not account.check_password(old_password):
        raise ValidationError({"old_password": gettext("原密码不正确。")})
    if old_password == new_password:
        raise ValidationError({"new_password": gettext("新密码不能与原密码相同。")})
    _set_password(account, new_password)
    account.must_change_password = False
    account.save()
    _end_sessions_and_tokens(account)
    return account


def account_is_locked(account: User) -> bool:
    """Locked out by django-axes after AXES_FAILURE_LIMIT wrong passwords (until the cool-off ends)."""
    from axes.helpers import get_cool_off
    from axes.models import AccessAttempt

    cooloff = get_cool_off()
    attempts = AccessAttempt.objects.filter(
        username=account.username, failures_since_start__gte=settings.AXES_FAILURE_LIMIT
    )
    if cooloff is not None:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - cooloff)
    return attempts.exists()


def account_unlock(*, account: User, by: User) -> int:
    """The county admin lifts a lock-out of this account (its failed attempts are forgotten)."""
    from axes.utils import reset

    _county_admin(by, gettext("解除账户锁定"))
    return reset(username=account.username)


@transaction.atomic
def account_delete(*, account: User, by: User) -> None:
    """Delete a login nobody has acted with yet; one with a history is deactivated instead (is_active)."""
    _county_admin(by, gettext("删除用户账户"))
    if account.pk == by.pk:
        raise ValidationError(gettext("不能删除自己的账户。"))
    account.delete()


# -- demo county logins --------------------------------------------------------------------------------
