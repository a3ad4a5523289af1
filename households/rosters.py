"""The household roster (花名册), DESIGN.md §6: sheet 成员 (one row per member, the household's columns
repeated on each of its rows) and sheet 年度收入 (one row per household and year)."""

from decimal import Decimal

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from core.excel.columns import CellError, Column, Roster, Sheet
from core.excel.parsers import Amount, Bool, Enum, IdNumber, Integer, MultiEnum, Names, Text
from core.excel.registry import RosterEntry
from households import choices

# The 56 nationalities, in the order of GB 3304.
ETHNICITIES = (
    "汉族 蒙古族 回族 藏族 维吾尔族 苗族 彝族 壮族 布依族 朝鲜族 满族 侗族 瑶族 白族 土家族 哈尼族 哈萨克族 傣族 "
    "黎族 傈僳族 佤族 畲族 高山族 拉祜族 水族 东乡族 纳西族 景颇族 柯尔克孜族 土族 达斡尔族 仫佬族 羌族 布朗族 "
    "撒拉族 毛南族 仡佬族 锡伯族 阿昌族 普米族 塔吉克族 怒族 乌孜别克族 俄罗斯族 鄂温克族 德昂族 保安族 裕固族 "
    "京族 塔塔尔族 独龙族 鄂伦春族 赫哲族 门巴族 珞巴族 基诺族"
).split()

ZERO = Decimal("0")
YEARS = {"min_value": 2013, "max_value": 2100, "what": "年份（四位数字）"}


def _enum(enum, **kwargs) -> Enum:
    """The roster is the national layout, in Chinese whatever language the page is in: the parser reads the
    choices' labels once, here, so it reads them in the primary language."""
    with translation.override(settings.LANGUAGE_CODE):
        return Enum(enum, **kwargs)


def _multi_enum(enum) -> MultiEnum:
    with translation.override(settings.LANGUAGE_CODE):
        return MultiEnum(enum)


def _phone(value: str) -> None:
    if value and not all(ch.isdigit() or ch in "-+()" for ch in value):
        raise CellError(_("联系电话只能包含数字和“-”：“{value}”").format(value=value))


MEMBERS = Sheet(
    name="成员",
    anchor="户编号",
    help="每名成员一行；户的信息（户编号至乡镇村、贫困户属性等）在该户每一行重复填写，且须一致。",
    columns=(
        Column("户编号", "household_number", Text(30, code=True), required=True, parent=True, width=18,
               help="同一户的成员填写相同户编号；按户编号匹配已登记的户"),
        Column("乡镇", "township", Text(50), required=True, parent=True, scoped_choices="township"),
        Column("行政村", "village", Text(50), required=True, parent=True, scoped_choices="village"),
        Column("自然村", "natural_village", Text(50), required=True, parent=True,
               scoped_choices="natural_village", help="村民小组"),
        Column("姓名", "name", Text(50), required=True, width=10),
        Column("身份证号", "id_number", IdNumber(), required=True, width=22,
               help="18 位；按身份证号匹配已登记的成员；一人只能属于一户"),
        Column("与户主关系", "relation", _enum(choices.Relation), required=True),
        Column("性别", "sex", _enum(choices.Sex, aliases=choices.ALIASES), width=6,
               help="须与身份证号第 17 位一致；不填则按身份证号"),
        Column("民族", "ethnicity", Names(ETHNICITIES, suffix="族"), filled=True, width=8),
        Column("文化程度", "education", _enum(choices.Education), default=""),
        Column("在校生状况", "school_status", _enum(choices.SchoolStatus), default=choices.SchoolStatus.NONE),
        Column("健康状况", "health", _multi_enum(choices.Health), default=list),
        Column("劳动能力", "labour", _enum(choices.Labour), default=""),
        Column("务工状况", "migrant_work", _enum(choices.MigrantWork), default=choices.MigrantWork.NONE, width=16),
        Column("贫困户属性", "attribute", _enum(choices.Attribute, aliases=choices.ALIASES), required=True,
               parent=True, width=14, help="五保贫困户按特困供养贫困户读入"),
        Column("主要致贫原因", "main_cause", _enum(choices.Cause), required=True, parent=True, width=14),
        Column("识别年度", "identified_year", Integer(**YEARS), required=True, parent=True, width=9),
        Column("联系电话", "phone", Text(20, code=True), default="", validators=(_phone,), parent=True, width=14),
        Column("贫困户状态", "status", _enum(choices.Status), default=choices.Status.POOR, parent=True,
               help="新登记的户可填写；已登记户的状态只能通过脱贫程序变更"),
        Column("脱贫年度", "exit_year", Integer(**YEARS), parent=True, width=9, help="已脱贫户必填"),
    ),
)  # fmt: skip

ASSESSMENTS = Sheet(
    name="年度收入",
    anchor="户编号",
    help="每户每年一行（年度收入与保障情况）；按户编号和年度匹配。",
    columns=(
        Column("户编号", "household_number", Text(30, code=True), required=True, width=18),
        Column("年度", "year", Integer(**YEARS), required=True, width=8),
        Column("工资性收入", "wage_income", Amount(), default=ZERO),
        Column("生产经营性收入", "operating_income", Amount(), default=ZERO, width=14),
        Column("财产性收入", "property_income", Amount(), default=ZERO),
        Column("转移性收入", "transfer_income", Amount(), default=ZERO),
        Column("生产经营性支出", "operating_expense", Amount(), default=ZERO, width=14),
        Column("不愁吃", "food_secure", Bool(), required=True, width=8),
        Column("不愁穿", "clothing_secure", Bool(), required=True, width=8),
        Column("义务教育有保障", "education_secure", Bool(), required=True, width=14),
        Column("基本医疗有保障", "medical_secure", Bool(), required=True, width=14),
        Column("住房安全有保障", "housing_secure", Bool(), required=True, width=14),
        Column("饮水安全有保障", "water_secure", Bool(), required=True, width=14),
    ),
)  # fmt: skip

HOUSEHOLD_ROSTER = Roster(
    name="households",
    title="建档立卡贫困户花名册",
    sheets=(MEMBERS, ASSESSMENTS),
    notes=(
        "红色表头为必填列；列的顺序可以调整，表头须与本模板一致（前后空格、全角字符会自动处理）。",
        "工作簿可以只含“成员”或“年度收入”其中一张表，也可以两张都有。",
        "导入按户编号匹配户、按身份证号匹配成员、按户编号和年度匹配年度收入：同一文件重复导入不会产生重复记录。",
        "导入前会先校验；只要有一处错误，全部不导入，并返回标出错误单元格的工作簿。",
        "已登记户在文件中没有列出的成员保持不变；导入不删除任何记录。",
        "身份证号、户编号、联系电话请设为“文本”格式，避免 Excel 把身份证号后几位变成 0。",
    ),
)

# What the roster pages and API offer for this app (poverty_tracker/excel/registry.py). Dotted paths, resolved
# on use: this module is imported by the importer itself.
ENTRIES = [
    RosterEntry(
        key="households",
        title="贫困户花名册（成员、年度收入）",
        importer="households.roster_io.household_roster_import",
        template="households.roster_io.household_roster_template",
        exporter="households.roster_io.households_export",
        after_commit="households.roster_io.household_roster_after_commit",
        queryset="households.roster_io.household_export_queryset",
    )
]
