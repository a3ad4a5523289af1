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


class MarkCorrectForm(forms.Form):
    note = forms.CharField(label=_("核实说明"), max_length=1000)
