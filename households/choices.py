"""Enumerations of the national record system (全国扶贫开发信息系统): stable codes, Chinese labels.

Labels are the system's terms, kept exactly; importers also accept the aliases in ALIASES. They are
translated lazily for the English UI (households/locale); the roster reads and writes them in Chinese
whatever the UI language (households/rosters.py).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Attribute(models.TextChoices):
    GENERAL = "general", _("一般贫困户")
    LOW_INCOME = "dibao", _("低保贫困户")
    EXTREME = "tekun", _("特困供养贫困户")


class Cause(models.TextChoices):
    ILLNESS = "illness", _("因病")
    DISABILITY = "disability", _("因残")
    SCHOOLING = "schooling", _("因学")
    DISASTER = "disaster", _("因灾")
    LAND = "land", _("缺土地")
    WATER = "water", _("缺水")
    SKILLS = "skills", _("缺技术")
    LABOUR = "labour", _("缺劳力")
    CAPITAL = "capital", _("缺资金")
    TRANSPORT = "transport", _("交通条件落后")
    MOTIVATION = "motivation", _("自身发展动力不足")
    MARRIAGE = "marriage", _("因婚")
    OTHER = "other", _("其他")


class Status(models.TextChoices):
    POOR = "poor", _("未脱贫")
    EXITED = "exited", _("已脱贫")
    RETURNED = "returned", _("返贫")
    REMOVED = "removed", _("已清退")
    # 一般农户: a rural household never registered (建档立卡), held for 防返贫监测 (边缘易致贫户 and
    # 突发严重困难户). It is in no figure: not in COUNTED_STATUSES nor POOR_STATUSES, and never exits.
    GENERAL = "general", _("一般农户")


# 返贫 counts as poor (DESIGN.md §3).
POOR_STATUSES = (Status.POOR, Status.RETURNED)
# 已清退 keeps the record but counts nowhere.
COUNTED_STATUSES = (Status.POOR, Status.RETURNED, Status.EXITED)
# 建档立卡 household numbers never carry this prefix; a 一般农户's number always does (so the two can
# never be confused in an inspection, and a general household cannot be given a registered number).
GENERAL_NUMBER_PREFIX = "YB"


class Relation(models.TextChoices):
    HEAD = "head", _("户主")
    SPOUSE = "spouse", _("配偶")
    SON = "son", _("之子")
    DAUGHTER = "daughter", _("之女")
    DAUGHTER_IN_LAW = "daughter_in_law", _("之儿媳")
    SON_IN_LAW = "son_in_law", _("之女婿")
    GRANDSON = "grandson", _("之孙子")
    GRANDDAUGHTER = "granddaughter", _("之孙女")
    DAUGHTERS_SON = "daughters_son", _("之外孙子")
    DAUGHTERS_DAUGHTER = "daughters_daughter", _("之外孙女")
    FATHER = "father", _("之父")
    MOTHER = "mother", _("之母")
    WIFES_FATHER = "wifes_father", _("之岳父")
    WIFES_MOTHER = "wifes_mother", _("之岳母")
    HUSBANDS_FATHER = "husbands_father", _("之公公")
    HUSBANDS_MOTHER = "husbands_mother", _("之婆婆")
    GRANDFATHER = "grandfather", _("之祖父")
    GRANDMOTHER = "grandmother", _("之祖母")
    MATERNAL_GRANDFATHER = "maternal_grandfather", _("之外祖父")
    MATERNAL_GRANDMOTHER = "maternal_grandmother", _("之外祖母")
    SIBLING = "sibling", _("兄弟姐妹")
    OTHER = "other", _("其他")


class Sex(models.TextChoices):
    MALE = "male", _("男")
    FEMALE = "female", _("女")


class Education(models.TextChoices):
    ILLITERATE = "illiterate", _("文盲或半文盲")
    PRIMARY = "primary", _("小学")
    JUNIOR = "junior", _("初中")
    SENIOR = "senior", _("高中")
    VOCATIONAL = "vocational", _("中专")
    COLLEGE = "college", _("大专及以上")
    PRESCHOOL = "preschool", _("学龄前儿童")


class SchoolStatus(models.TextChoices):
    NONE = "none", _("非在校生")
    PRESCHOOL = "preschool", _("学前教育")
    PRIMARY = "primary", _("小学")
    JUNIOR = "junior", _("七年级至九年级")
    SENIOR = "senior", _("高中")
    VOCATIONAL = "vocational", _("中职")
    HIGHER = "higher", _("高职及以上")


class Health(models.TextChoices):
    HEALTHY = "healthy", _("健康")
    CHRONIC = "chronic", _("长期慢性病")
    SERIOUS = "serious", _("患有大病")
    DISABLED = "disabled", _("残疾")


class Labour(models.TextChoices):
    ORDINARY = "ordinary", _("普通劳动力")
    SKILLED = "skilled", _("技能劳动力")
    WEAK = "weak", _("弱劳动力或半劳动力")
    LOST = "lost", _("丧失劳动力")
    NONE = "none", _("无劳动力")


class MigrantWork(models.TextChoices):
    NONE = "none", _("未务工")
    IN_TOWNSHIP = "in_township", _("乡（镇）内务工")
    IN_COUNTY = "in_county", _("乡（镇）外县内务工")
    IN_PROVINCE = "in_province", _("县外省内务工")
    OUT_OF_PROVINCE = "out_of_province", _("省外务工")
    OTHER = "other", _("其他")


class LeaveReason(models.TextChoices):
    DEATH = "death", _("死亡")
    MARRIED_OUT = "married_out", _("婚出")
    MOVED_OUT = "moved_out", _("迁出")
    OTHER = "other", _("其他")


class MeasureCategory(models.TextChoices):
    # 五个一批
    PRODUCTION = "production", _("发展生产")
    RELOCATION = "relocation", _("易地扶贫搬迁")
    ECOLOGICAL = "ecological", _("生态补偿")
    EDUCATION = "education", _("发展教育")
    SOCIAL_SECURITY = "social_security", _("社会保障兜底")
    # other kinds
    HEALTH = "health", _("健康扶贫")
    HOUSING = "housing", _("危房改造")
    EMPLOYMENT = "employment", _("转移就业")
    TRAINING = "training", _("培训")
    OTHER = "other", _("其他")


FIVE_BATCHES = (
    MeasureCategory.PRODUCTION,
    MeasureCategory.RELOCATION,
    MeasureCategory.ECOLOGICAL,
    MeasureCategory.EDUCATION,
    MeasureCategory.SOCIAL_SECURITY,
)


class ExitState(models.TextChoices):
    APPLIED = "applied", _("申请")
    VILLAGE_CONFIRMED = "village_confirmed", _("村委会确定")
    ASSEMBLY_REVIEWED = "assembly_reviewed", _("民主评议")
    TOWNSHIP_VERIFIED = "township_verified", _("乡镇复核")
    COUNTY_APPROVED = "county_approved", _("县审批")
    REJECTED = "rejected", _("已退回")


class Decision(models.TextChoices):
    APPROVE = "approve", _("同意")
    REJECT = "reject", _("不同意")


# Aliases read on import: earlier terms and common spellings.
ALIASES = {
    "五保贫困户": Attribute.EXTREME,  # the 2014–15 term
    "男性": Sex.MALE,
    "女性": Sex.FEMALE,
}
