from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext, gettext_noop

from dashboards.navigation import navigation_for

# Role, scope and status labels live in the models' choices without gettext; they are marked here so
# makemessages keeps their English translations, and translated at render time (here and in templates).
_LABELS = (
    gettext_noop("未脱贫"),
    gettext_noop("已脱贫"),
    gettext_noop("返贫"),
    gettext_noop("已清退"),
    gettext_noop("县扶贫办管理员"),
    gettext_noop("乡镇干部"),
    gettext_noop("村委会工作人员"),
    gettext_noop("挂包帮干部"),
    gettext_noop("督查人员"),
    gettext_noop("全县"),
    gettext_noop("我的挂包户"),
)


def _county_name() -> str:
    from villages.models import County

    return County.objects.order_by("pk").values_list("name", flat=True).first() or ""


def navigation(request):
    """The navbar: items by role, the user's role and scope, and the county's name (read only if shown)."""
    context = {"nav_items": [], "county_name": SimpleLazyObject(_county_name)}
    user = request.user
    if user.is_authenticated:
        match = request.resolver_match
        context["nav_items"] = navigation_for(user, current=match.view_name if match else None)
        context["user_role_label"] = SimpleLazyObject(lambda: gettext(user.get_role_display()))
        context["user_scope_label"] = SimpleLazyObject(lambda: gettext(user.scope_label))
    return context
