"""Forms of the village and township exit pages. They only carry input: every rule is checked by
``households.units.services``, whose ValidationError messages the views show."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from households.choices import Decision
from households.units.models import UnitExitState, UnitLevel
from households.units.services import NOTE_MAX, IndicatorInput

TEXTAREA = {"class": "form-control", "rows": 3}


class UnitExitFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("状态"),
        choices=[("", _("全部")), ("open", _("办理中")), *UnitExitState.choices],
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    level = forms.ChoiceField(
        label=pgettext_lazy("unit exit", "类别"),
        choices=[("", _("全部")), *UnitLevel.choices],
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )


class UnitExitApplyForm(forms.Form):
    year = forms.IntegerField(
        label=_("出列年度"),
        min_value=2014,
        max_value=2100,
        widget=forms.NumberInput(attrs={"class": "form-control", "inputmode": "numeric"}),
    )
    comment = forms.CharField(
        label=_("申请说明"),
        required=False,
        widget=forms.Textarea(attrs={**TEXTAREA, "placeholder": _("如：经乡镇审核，各项指标均已达标")}),
    )


class UnitExitAdvanceForm(forms.Form):
    # The state being decided, as the page showed it: a double submit or a decision someone else took
    # first is then refused instead of taking the next step.
    step = forms.ChoiceField(choices=UnitExitState.choices, widget=forms.HiddenInput)
    decision = forms.ChoiceField(choices=Decision.choices, widget=forms.HiddenInput)
    comment = forms.CharField(
        label=_("意见"),
        required=False,  # a rejection needs a reason: the service says so, in its own words
        widget=forms.Textarea(
            attrs={**TEXTAREA, "placeholder": _("同意时可填写意见；不同意（退回）时必须填写理由")}
        ),
    )


MET_CHOICES = [("", _("未填报")), ("1", _("达标")), ("0", _("未达标"))]


class IndicatorSheetForm(forms.Form):
    """One village's recorded indicators: 达标 / 未达标 and a note each. An indicator left 未填报 is not
    recorded (a form cannot take back a status once recorded, only change it)."""

    def __init__(self, *args, sheet, **kwargs):
        kwargs.setdefault("prefix", f"v{sheet.village.pk}")
        super().__init__(*args, **kwargs)
        self.sheet = sheet
        self.rows = []
        for indicator, status in sheet.rows:
            met = forms.ChoiceField(
                label=indicator.name,
                choices=MET_CHOICES,
                required=False,
                initial="" if status is None else ("1" if status.met else "0"),
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
            )
            note = forms.CharField(
                label=_("说明"),
                required=False,
                max_length=NOTE_MAX,
                initial=status.note if status else "",
                widget=forms.TextInput(
                    attrs={"class": "form-control form-control-sm", "placeholder": _("说明（可选）")}
                ),
            )
            self.fields[f"met_{indicator.pk}"] = met
            self.fields[f"note_{indicator.pk}"] = note
            self.rows.append((indicator, status, self[f"met_{indicator.pk}"], self[f"note_{indicator.pk}"]))

    def statuses(self) -> dict[int, IndicatorInput]:
        return {
            indicator.pk: IndicatorInput(
                met=self.cleaned_data[f"met_{indicator.pk}"] == "1",
                note=self.cleaned_data[f"note_{indicator.pk}"],
            )
            for indicator, _status in self.sheet.rows
            if self.cleaned_data.get(f"met_{indicator.pk}")
        }
