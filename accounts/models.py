"""User accounts: each user has one role and one scope (DESIGN.md §4)."""

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.access import Access, Role, Scope
from villages.models import AdministrativeVillage, Township

__all__ = ["Role", "User"]


class User(AbstractUser):
    """One role and one scope (DESIGN.md §4): the county, a township, or an administrative village."""

    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, default=Role.INSPECTOR)
    township = models.ForeignKey(
        Township,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("所属乡镇"),
    )
    village = models.ForeignKey(
        AdministrativeVillage,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("所属行政村"),
    )
    cadre = models.OneToOneField(
        "assignments.Cadre",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="user",
        verbose_name=pgettext_lazy("the account's own", "干部"),
    )

    must_change_password = models.BooleanField(
        _("首次登录须修改密码"),
        default=False,
        help_text=_("管理员创建或重置密码的账户，登录后必须先修改密码。"),
    )

    objects = UserManager()

    class Meta:
        verbose_name = verbose_name_plural = _("用户")
        constraints = [
            models.CheckConstraint(
                condition=~Q(role="township_official") | Q(township__isnull=False, village__isnull=True),
                name="user_township_official_scope",
                violation_error_message=_("乡镇干部必须指定所属乡镇。"),
            ),
            models.CheckConstraint(
                condition=~Q(role="village_official") | Q(village__isnull=False, township__isnull=True),
                name="user_village_official_scope",
                violation_error_message=_("村委会工作人员必须指定所属行政村。"),
            ),
            models.CheckConstraint(
                condition=~Q(role="cadre") | Q(cadre__isnull=False),
                name="user_cadre_has_cadre",
                violation_error_message=_("干部账户必须关联干部记录。"),
            ),
            models.CheckConstraint(
                condition=~Q(role__in=["county_admin", "inspector"])
                | Q(township__isnull=True, village__isnull=True),
                name="user_county_roles_no_scope",
                violation_error_message=_("县级角色的范围是全县，不能指定乡镇或行政村。"),
            ),
        ]

    access_scope = Scope(owner="pk")  # an account sees itself; the county admin sees every account

    def _get_session_auth_hash(self, secret=None):
        # Sessions are bound to the password and also to the role and scope: changing either ends them.
        from django.utils.crypto import salted_hmac

        value = f"{self.password}|{self.role}|{self.township_id}|{self.village_id}|{self.cadre_id}"
        return salted_hmac(
            "accounts.User.get_session_auth_hash", value, secret=secret, algorithm="sha256"
        ).hexdigest()

    @property
    def scope_label(self) -> str:
        return Access.for_user(self).scope_label
