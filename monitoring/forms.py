from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from monitoring.choices import Kind, State


class AdvanceForm(forms.Form):
    decision = forms.ChoiceField(label=_("决定"), choices=[("approve", _("同意")), ("reject", _("不同意"))])
    comment = forms.CharField(
        label=_("意见（不同意时必填）"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    help_measures = forms.CharField(
        label=_("帮扶措施（县级确认时必填）"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    expected_state = forms.ChoiceField(choices=State.choices, widget=forms.HiddenInput)


class ObjectionForm(forms.Form):
    raised_by = forms.CharField(label=_("反映人"), max_length=50, required=False)
    content = forms.CharField(label=_("异议内容"), widget=forms.Textarea(attrs={"rows": 2}))


class ResolveForm(forms.Form):
    resolution = forms.CharField(label=_("处理结果"), widget=forms.Textarea(attrs={"rows": 2}))


class StableSinceForm(forms.Form):
    stable_since = forms.DateField(
        label=_("收入稳定起始日期"), widget=forms.DateInput(attrs={"type": "date"})
    )


class ListFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("类别"), choices=[("", _("全部类别")), *Kind.choices], required=False)
    state = forms.ChoiceField(label=_("状态"), choices=[("", _("全部状态")), *State.choices], required=False)
    # Carried by the dashboards' monitoring panel: its unit and its "this month / this year" figures.
    township = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    village = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    period = forms.ChoiceField(
        label=_("时段"),
        choices=[
            ("", _("全部时段")),
            ("new_this_month", _("本月新识别")),
            ("cleared_this_year", _("本年风险消除")),
        ],
        required=False,
    )


class MarkCorrectForm(forms.Form):
    note = forms.CharField(label=_("核实说明"), max_length=1000)


class WhatIfForm(forms.Form):
    """测算: a proposed poverty line, or a proposed monitoring line (income line and/or rigid share)."""

    kind = forms.ChoiceField(
        label=_("测算对象"),
        choices=[("poverty_line", _("扶贫标准")), ("monitoring_line", _("监测标准"))],
        widget=forms.RadioSelect,
        initial="poverty_line",
        error_messages={
            "invalid_choice": _("测算对象应为 poverty_line（扶贫标准）或 monitoring_line（监测标准）。")
        },
    )
    year = forms.IntegerField(
        label=_("年度"),
        min_value=2010,
        max_value=2100,
        error_messages={
            "invalid": _("年度应为整数，如 2016。"),
            "min_value": _("年度应在 2010 至 2100 年之间。"),
            "max_value": _("年度应在 2010 至 2100 年之间。"),
        },
    )
    amount = forms.DecimalField(
        label=_("拟议扶贫标准（元/人·年）"),
        required=False,
        max_digits=10,
        decimal_places=2,
        min_value=Decimal("0.01"),
        error_messages={
            "invalid": _("扶贫标准应为数字（元）。"),
            "min_value": _("扶贫标准必须大于 0 元。"),
            "max_digits": _("扶贫标准金额过大。"),
            "max_decimal_places": _("扶贫标准最多保留两位小数。"),
        },
    )
    income_line = forms.DecimalField(
        label=_("拟议监测收入标准（元/人·年）"),
        required=False,
        max_digits=10,
        decimal_places=2,
        min_value=Decimal("0.01"),
        error_messages={
            "invalid": _("监测收入标准应为数字（元）。"),
            "min_value": _("监测收入标准必须大于 0 元。"),
            "max_digits": _("监测收入标准金额过大。"),
            "max_decimal_places": _("监测收入标准最多保留两位小数。"),
        },
    )
    rigid_expense_share = forms.DecimalField(
        label=_("拟议刚性支出预警比例"),
        required=False,
        max_digits=4,
        decimal_places=2,
        min_value=Decimal("0"),
        max_value=Decimal("10"),
        error_messages={
            "invalid": _("刚性支出预警比例应为数字，如 0.5。"),
            "min_value": _("刚性支出预警比例不能为负数。"),
            "max_value": _("刚性支出预警比例不能超过 10。"),
            "max_digits": _("刚性支出预警比例不能超过 10。"),
            "max_decimal_places": _("刚性支出预警比例最多保留两位小数。"),
        },
    )

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind == "poverty_line" and data.get("amount") is None and "amount" not in self.errors:
            self.add_error("amount", _("请填写拟议扶贫标准。"))
        if (
            kind == "monitoring_line"
            and data.get("income_line") is None
            and data.get("rigid_expense_share") is None
            and not {"income_line", "rigid_expense_share"} & set(self.errors)
        ):
            self.add_error("income_line", _("请填写拟议监测收入标准或刚性支出预警比例。"))
        return data
