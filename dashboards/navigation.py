"""The main navigation. Entries whose page does not exist yet have url None (shown disabled, 建设中),
so later work fills them in just by adding the URL name."""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core.access import OFFICE_ROLES, OFFICIALS, Access, Role


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    roles: tuple[str, ...] | None = None  # None = every role

    def url(self) -> str | None:
        try:
            return reverse(self.url_name)
        except NoReverseMatch:
            return None


ITEMS = (
    NavItem(_("首页"), "home"),
    NavItem(_("贫困户"), "households:list", OFFICIALS),
    NavItem(_("脱贫程序"), "households:exit-list", OFFICIALS),
    NavItem(_("乡村出列"), "dashboards:exit", OFFICIALS),
    NavItem(_("挂图作战"), "dashboards:map", OFFICIALS),
    NavItem(_("挂包帮"), "assignments:pairings", OFFICIALS),
    NavItem(_("我的挂包户"), "assignments:my-households", (Role.CADRE,)),
    NavItem(_("项目与搬迁"), "projects:list", OFFICIALS),
    NavItem(_("防返贫监测"), "monitoring:list", OFFICIALS),
    NavItem(_("花名册导入导出"), "rosters:index", OFFICE_ROLES),
    NavItem(_("接口文档"), "api-docs", (Role.COUNTY_ADMIN,)),
)


def navigation_for(user, current: str | None = None) -> list[dict]:
    """The items this user sees (the access rule decides); ``current`` is the view name of the page shown."""
    access = Access.for_user(user)
    items = []
    for item in ITEMS:
        if not access.sees_nav_item(item):
            continue
        items.append(
            {
                "label": item.label,
                "url": item.url(),
                "url_name": item.url_name,
                "active": item.url_name == current,
            }
        )
    return items
