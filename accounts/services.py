"""Writes to user accounts (DESIGN.md §4, §8): one role and one scope per user."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import Role, User
from core.access import SCOPE_OF_ROLE, Access
from core.validation import is_record_id
from villages.models import AdministrativeVillage, Township

SCOPE_LABELS = {"township": "乡镇", "village": "行政村", "cadre": "干部"}


def _township(value: Township | int | str) -> Township:
    if isinstance(value, Township):
        return value
    if is_record_id(value):
        found = list(Township.objects.select_related("county").filter(pk=int(value)))
    else:
        found = list(Township.objects.select_related("county").filter(name=str(value).strip()).order_by("id"))
    if not found:
        raise ValidationError({"township": f"未找到乡镇“{value}”。"})
    if len(found) > 1:
        choices = "；".join(f"{t.county.name}{t.name} 的 ID 为 {t.pk}" for t in found)
        raise ValidationError({"township": f"乡镇“{value}”在多个县都有（{choices}），请改用乡镇 ID。"})
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
        raise ValidationError({"village": f"未找到行政村“{value}”。"})
    if len(found) > 1:
        # Village names repeat across townships: only the id says which one.
        choices = "；".join(f"{v.township.name}{v.name} 的 ID 为 {v.pk}" for v in found)
        raise ValidationError({"village": f"行政村“{value}”在多个乡镇都有（{choices}），请改用行政村 ID。"})
    return found[0]


def _cadre(value: Any):
    Cadre = User._meta.get_field("cadre").related_model  # assignments.Cadre, named by the model
    if isinstance(value, Cadre):
        return value
    found = Cadre.objects.filter(pk=int(value)).first() if is_record_id(value) else None
    if found is None:
        raise ValidationError({"cadre": f"未找到干部记录“{value}”（请填写干部 ID）。"})
    return found


def _scope(
    *, role: str, township: object, village: object, cadre: object
) -> tuple[Township | None, AdministrativeVillage | None, Any]:
    """Check the role and that exactly the scope it needs is given; resolve names and ids to records."""
    known = "、".join(f"{r.value}（{r.label}）" for r in Role)
    if not role:
        raise ValidationError({"role": f"必须指定角色，可选：{known}。"})
    if role not in SCOPE_OF_ROLE:
        raise ValidationError({"role": f"未知角色“{role}”，可选：{known}。"})
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
                errors[name] = f"{label}的范围是全县，不能指定{SCOPE_LABELS[name]}。"
            else:
                errors[name] = f"{label}只能指定{SCOPE_LABELS[needed]}，不能指定{SCOPE_LABELS[name]}。"
    if needed is not None and needed not in given:
        errors[needed] = f"{label}账户必须指定{SCOPE_LABELS[needed]}。"
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
            {"cadre": f"干部“{cadre.name}”（ID {cadre.pk}）已有登录账户“{taken.username}”。"}
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
) -> User:
    """Create a login with one role and its scope. Township and village may be given by name or id."""
    username = (username or "").strip()
    if not username:
        raise ValidationError({"username": "用户名不能为空。"})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": f"用户名“{username}”已存在。"})
    township, village, cadre = _scope(role=role, township=township, village=village, cadre=cadre)
    _check_cadre_free(cadre)
    user = User(username=username, role=role, township=township, village=village, cadre=cadre)
    _grant_admin_site(user)
    _set_password(user, password)
    user.full_clean()
    user.save()
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
    return user, False


def _grant_admin_site(user: User) -> None:
    # county_admin keeps the reference data (poverty lines, geography, units) in the admin site (§4).
    user.is_staff = user.is_superuser = Access.for_user(user).uses_admin_site


def _set_password(user: User, password: str) -> None:
    if not password:
        raise ValidationError({"password": "密码不能为空。"})
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": [_password_message(e) for e in exc.error_list]}) from None
    user.set_password(password)


def _password_message(error: ValidationError) -> str:
    # Django 5.2's Chinese catalogue misses the new wording of this one message: say it ourselves.
    if error.code == "password_too_short":
        return f"密码太短，至少需要 {error.params['min_length']} 个字符。"
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
        raise ValidationError(f"只有县扶贫办管理员可以{what}。")


@transaction.atomic
def account_update(*, account: User, by: User, **changes) -> User:
    """Change a login's details, role and scope. Whether it opens the admin site follows from the role."""
    _county_admin(by, "修改用户账户")
    account = User.objects.select_for_update().get(pk=account.pk)
    unknown = set(changes) - set(ACCOUNT_EDITABLE)
    if unknown:
        raise ValidationError({f: "该字段不能在此修改。" for f in sorted(unknown)})
    if account.pk == by.pk and (
        changes.get("is_active") is False or changes.get("role", account.role) != account.role
    ):
        raise ValidationError("不能停用自己的账户或改变自己的角色：请由另一名县扶贫办管理员办理。")
    if "username" in changes:
        username = (changes["username"] or "").strip()
        if User.objects.filter(username__iexact=username).exclude(pk=account.pk).exists():
            raise ValidationError({"username": f"用户名“{username}”已存在。"})
        changes["username"] = username
    if {"role", "township", "village", "cadre"} & set(changes):
        scope = {name: changes.get(name, getattr(account, name)) for name in ("township", "village", "cadre")}
        role = changes.get("role", account.role)
        changes["township"], changes["village"], changes["cadre"] = _scope(role=role, **scope)
        _check_cadre_free(changes["cadre"], user=account)
    for name, value in changes.items():
        setattr(account, name, value)
    _grant_admin_site(account)
    account.full_clean()
    account.save()
    return account


@transaction.atomic
def account_delete(*, account: User, by: User) -> None:
    """Delete a login nobody has acted with yet; one with a history is deactivated instead (is_active)."""
    _county_admin(by, "删除用户账户")
    if account.pk == by.pk:
        raise ValidationError("不能删除自己的账户。")
    account.delete()


# -- demo county logins --------------------------------------------------------------------------------
