"""Forms of the officials' pages. They only read input; the rules are in assignments.services."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from assignments.selectors import GROUP_BY_LABELS
from assignments.services import PAIRING_END


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", attrs={"class": "form-control", **kwargs.pop("attrs", {})})


class PairingBatchForm(forms.Form):
    """One form for a village: a date, and per household either a cadre, "end", or no change.

    The per-household choices are read from ``household_<id>`` fields built from the village's rows.
    """

    on = forms.DateField(
        label=_("日期"),
        widget=DateInput(),
        help_text=_("新结对的开始日期，或结束结对的日期。"),
        error_messages={
            "required": _("请填写日期。"),
            "invalid": _("日期格式错误，应为 2016-03-01 这样的日期。"),
        },
    )

    def __init__(self, *args, households=(), cadres=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["on"].initial = timezone.localdate()
        choices = [("", _("— 不变 —")), (PAIRING_END, _("结束结对"))]
        choices += [
            (str(c.pk), gettext("{name}（{unit}）").format(name=c.name, unit=c.unit.name)) for c in cadres
        ]
        self.household_fields = []
        for household in households:
            name = f"household_{household.pk}"
            self.fields[name] = forms.ChoiceField(
                label=household.household_number,
                choices=choices,
                required=False,
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
                error_messages={"invalid_choice": _("所选干部不在可选名单中。")},
            )
            self.household_fields.append((household, self[name]))

    def changes(self) -> dict[int, str]:
        return {
            int(name.removeprefix("household_")): value
            for name, value in self.cleaned_data.items()
            if name.startswith("household_") and value
        }


class RoundForm(forms.Form):
    year = forms.IntegerField(
        label=_("年度"),
        min_value=2013,
        max_value=2100,
        widget=forms.NumberInput(attrs={"class": "form-control"}),
        error_messages={"required": _("请填写年度。"), "invalid": _("年度应为数字。")},
    )
    number = forms.IntegerField(
        label=_("轮次"),
        min_value=1,
        max_value=99,
        widget=forms.NumberInput(attrs={"class": "form-control"}),
        error_messages={"required": _("请填写轮次。"), "invalid": _("轮次应为数字。")},
    )
    name = forms.CharField(
        label=_("名称"),
        max_length=50,
        required=False,
        help_text=_("留空则为“2016年第2轮”这样的名称。"),
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    starts_on = forms.DateField(
        label=_("开始日期"),
        widget=DateInput(),
        error_messages={"required": _("请填写开始日期。"), "invalid": _("日期格式错误。")},
    )
    ends_on = forms.DateField(
        label=_("截止日期"),
        widget=DateInput(),
        error_messages={"required": _("请填写截止日期。"), "invalid": _("日期格式错误。")},
    )


class CompletionForm(forms.Form):
    group_by = forms.ChoiceField(label=_("分组"), choices=list(GROUP_BY_LABELS.items()), required=False)

    def __init__(self, *args, choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        if choices is not None:
            self.fields["group_by"].choices = choices


class CadreFilterForm(forms.Form):
    q = forms.CharField(
        label=_("姓名、电话或单位"),
        required=False,
        max_length=50,
        widget=forms.TextInput(attrs={"class": "form-control", "placeholder": _("姓名、电话或单位")}),
    )
    unit = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


class RevisitFilterForm(forms.Form):
    round = forms.TypedChoiceField(
        label=_("轮次"),
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    village = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    cadre = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, rounds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["round"].choices = [("", _("全部轮次"))] + [(r.pk, r.name) for r in rounds]
