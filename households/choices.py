"""Enumerations of the national record system (全国扶贫开发信息系统): stable codes, Chinese labels.

Labels are the system's terms, kept exactly; importers also accept the aliases in ALIASES.
"""

from django.db import models


class Attribute(models.TextChoices):
    GENERAL = "general", "一般贫困户"
    LOW_INCOME = "dibao", "低保贫困户"
    EXTREME = "tekun", "特困供养贫困户"


class Cause(models.TextChoices):
    ILLNESS = "illness", "因病"
    DISABILITY = "disability", "因残"
    SCHOOLING = "schooling", "因学"
    DISASTER = "disaster", "因灾"
    LAND = "land", "缺土地"
    WATER = "water", "缺水"
    SKILLS = "skills", "缺技术"
    LABOUR = "labour", "缺劳力"
    CAPITAL = "capital", "缺资金"
    TRANSPORT = "transport", "交通条件落后"
    MOTIVATION = "motivation", "自身发展动力不足"
    MARRIAGE = "marriage", "因婚"
    OTHER = "other", "其他"


class Status(models.TextChoices):
    POOR = "poor", "未脱贫"
    EXITED = "exited", "已脱贫"
    RETURNED = "returned", "返贫"
    REMOVED = "removed", "已清退"
    # 一般农户: a rural household never registered (建档立卡), held for 防返贫监测 (边缘易致贫户 and
    # 突发严重困难户). It is in no figure: not in COUNTED_STATUSES nor POOR_STATUSES, and never exits.
    GENERAL = "general", "一般农户"


# 返贫 counts as poor (DESIGN.md §3).
POOR_STATUSES = (Status.POOR, Status.RETURNED)
# 已清退 keeps the record but counts nowhere.
COUNTED_STATUSES = (Status.POOR, Status.RETURNED, Status.EXITED)
# 建档立卡 household numbers never carry this prefix; a 一般农户's number always does (so the two can
# never be confused in an inspection, and a general household cannot be given a registered number).
GENERAL_NUMBER_PREFIX = "YB"


class Relation(models.TextChoices):
    HEAD = "head", "户主"
    SPOUSE = "spouse", "配偶"
    SON = "son", "之子"
    DAUGHTER = "daughter", "之女"
    DAUGHTER_IN_LAW = "daughter_in_law", "之儿媳"
    SON_IN_LAW = "son_in_law", "之女婿"
    GRANDSON = "grandson", "之孙子"
    GRANDDAUGHTER = "granddaughter", "之孙女"
    DAUGHTERS_SON = "daughters_son", "之外孙子"
    DAUGHTERS_DAUGHTER = "daughters_daughter", "之外孙女"
    FATHER = "father", "之父"
    MOTHER = "mother", "之母"
    WIFES_FATHER = "wifes_father", "之岳父"
    WIFES_MOTHER = "wifes_mother", "之岳母"
    HUSBANDS_FATHER = "husbands_father", "之公公"
    HUSBANDS_MOTHER = "husbands_mother", "之婆婆"
    GRANDFATHER = "grandfather", "之祖父"
    GRANDMOTHER = "grandmother", "之祖母"
    MATERNAL_GRANDFATHER = "maternal_grandfather", "之外祖父"
    MATERNAL_GRANDMOTHER = "maternal_grandmother", "之外祖母"
    SIBLING = "sibling", "兄弟姐妹"
    OTHER = "other", "其他"


class Sex(models.TextChoices):
    MALE = "male", "男"
    FEMALE = "female", "女"


class Education(models.TextChoices):
    ILLITERATE = "illiterate", "文盲或半文盲"
    PRIMARY = "primary", "小学"
    JUNIOR = "junior", "初中"
    SENIOR = "senior", "高中"
    VOCATIONAL = "vocational", "中专"
    COLLEGE = "college", "大专及以上"
    PRESCHOOL = "preschool", "学龄前儿童"


class SchoolStatus(models.TextChoices):
    NONE = "none", "非在校生"
    PRESCHOOL = "preschool", "学前教育"
    PRIMARY = "primary", "小学"
    JUNIOR = "junior", "七年级至九年级"
    SENIOR = "senior", "高中"
    VOCATIONAL = "vocational", "中职"
    HIGHER = "higher", "高职及以上"


class Health(models.TextChoices):
    HEALTHY = "healthy", "健康"
    CHRONIC = "chronic", "长期慢性病"
    SERIOUS = "serious", "患有大病"
    DISABLED = "disabled", "残疾"


class Labour(models.TextChoices):
    ORDINARY = "ordinary", "普通劳动力"
    SKILLED = "skilled", "技能劳动力"
    WEAK = "weak", "弱劳动力或半劳动力"
    LOST = "lost", "丧失劳动力"
    NONE = "none", "无劳动力"


class MigrantWork(models.TextChoices):
    NONE = "none", "未务工"
    IN_TOWNSHIP = "in_township", "乡（镇）内务工"
    IN_COUNTY = "in_county", "乡（镇）外县内务工"
    IN_PROVINCE = "in_province", "县外省内务工"
    OUT_OF_PROVINCE = "out_of_province", "省外务工"
    OTHER = "other", "其他"


class LeaveReason(models.TextChoices):
    DEATH = "death", "死亡"
    MARRIED_OUT = "married_out", "婚出"
    MOVED_OUT = "moved_out", "迁出"
    OTHER = "other", "其他"


class MeasureCategory(models.TextChoices):
    # 五个一批
    PRODUCTION = "production", "发展生产"
    RELOCATION = "relocation", "易地扶贫搬迁"
    ECOLOGICAL = "ecological", "生态补偿"
    EDUCATION = "education", "发展教育"
    SOCIAL_SECURITY = "social_security", "社会保障兜底"
    # other kinds
    HEALTH = "health", "健康扶贫"
    HOUSING = "housing", "危房改造"
    EMPLOYMENT = "employment", "转移就业"
    TRAINING = "training", "培训"
    OTHER = "other", "其他"


FIVE_BATCHES = (
    MeasureCategory.PRODUCTION,
    MeasureCategory.RELOCATION,
    MeasureCategory.ECOLOGICAL,
    MeasureCategory.EDUCATION,
    MeasureCategory.SOCIAL_SECURITY,
)


class ExitState(models.TextChoices):
    APPLIED = "applied", "申请"
    VILLAGE_CONFIRMED = "village_confirmed", "村委会确定"
    ASSEMBLY_REVIEWED = "assembly_reviewed", "民主评议"
    TOWNSHIP_VERIFIED = "township_verified", "乡镇复核"
    COUNTY_APPROVED = "county_approved", "县审批"
    REJECTED = "rejected", "已退回"


class Decision(models.TextChoices):
    APPROVE = "approve", "同意"
    REJECT = "reject", "不同意"


# Aliases read on import: earlier terms and common spellings.
ALIASES = {
    "五保贫困户": Attribute.EXTREME,  # the 2014–15 term
    "男性": Sex.MALE,
    "女性": Sex.FEMALE,
}
