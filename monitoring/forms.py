from django import forms
from django.utils.translation import gettext_lazy as _

from monitoring.choices import Kind, State


class AdvanceForm(forms.Form):
    decision = forms.ChoiceField(label="决定", choices=[("approve", "同意"), ("reject", "不同意")])
    comment = forms.CharField(
        label="意见（不同意时必填）", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    help_measures = forms.CharField(
        label="帮扶措施（县级确认时必填）", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    expected_state = forms.ChoiceField(choices=State.choices, widget=forms.HiddenInput)


class ObjectionForm(forms.Form):
    raised_by = forms.CharField(label="反映人", max_length=50, required=False)
    content = forms.CharField(label="异议内容", widget=forms.Textarea(attrs={"rows": 2}))


class ResolveForm(forms.Form):
    resolution = forms.CharField(label="处理结果", widget=forms.Textarea(attrs={"rows": 2}))


class StableSinceForm(forms.Form):
    stable_since = forms.DateField(label="收入稳定起始日期", widget=forms.DateInput(attrs={"type": "date"}))


class ListFilterForm(forms.Form):
    kind = forms.ChoiceField(label="类别", choices=[("", "全部类别"), *Kind.choices], required=False)
    state = forms.ChoiceField(label="状态", choices=[("", "全部状态"), *State.choices], required=False)
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
    note = forms.CharField(label="核实说明", max_length=1000)
