"""The main navigation. Entries whose page does not exist yet are shown as 'coming' so later work fills them in."""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from assignments.models import Role


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: tuple[str, ...] | None = None  # None = every role

    def url(self) -> str | None:
        try:
            return reverse(self.url_name)
        except NoReverseMatch:
            return None


OFFICIALS = (Role.COUNTY_ADMIN, Role.TOWNSHIP_OFFICIAL, Role.VILLAGE_OFFICIAL, Role.INSPECTOR)

ITEMS = (
    NavItem("首页", "home"),
    NavItem("贫困户", "households:list", OFFICIALS),
    NavItem("脱贫程序", "households:exit-list", OFFICIALS),
    NavItem("乡村出列", "villages:exit", OFFICIALS),
    NavItem("挂包帮", "assignments:pairings", OFFICIALS),
    NavItem("我的挂包户", "assignments:my-households", (Role.CADRE,)),
    NavItem("项目与搬迁", "projects:list", OFFICIALS),
    NavItem(
        "花名册导入导出",
        "households:rosters",
        (Role.COUNTY_ADMIN, Role.TOWNSHIP_OFFICIAL, Role.VILLAGE_OFFICIAL),
    ),
    NavItem("接口文档", "api-docs", (Role.COUNTY_ADMIN,)),
)


def navigation_for(user) -> list[dict]:
    items = []
    for item in ITEMS:
        if item.roles is not None and user.role not in item.roles:
            continue
        items.append({"label": item.label, "url": item.url(), "url_name": item.url_name})
    return items
