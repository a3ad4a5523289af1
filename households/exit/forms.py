"""Forms of the exit-procedure pages. They only carry input: every rule is checked by
``households.exit.services``, whose ValidationError messages the views show."""

from django import forms
from django.utils.translation import gettext_lazy as _

from households.choices import Decision, ExitState

TEXTAREA = {"class": "form-control", "rows": 3}


def _year_field(**kw) -> forms.IntegerField:
    return forms.IntegerField(
        label=_("脱贫年度"),
        min_value=2014,
        max_value=2100,
        widget=forms.NumberInput(attrs={"class": "form-control", "inputmode": "numeric"}),
        **kw,
    )


class ExitFilterForm(forms.Form):
    STATE_CHOICES = [("", _("全部")), ("open", _("办理中")), *ExitState.choices]

    state = forms.ChoiceField(
        label=_("状态"),
        choices=STATE_CHOICES,
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    year = forms.TypedChoiceField(
        label=_("年度"),
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    mine = forms.BooleanField(
        label=_("只看轮到我办理的"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [
            ("", _("全部年度")),
            *((y, _("{year}年").format(year=y)) for y in years),
        ]


class ExitAdvanceForm(forms.Form):
    decision = forms.ChoiceField(choices=Decision.choices, widget=forms.HiddenInput)
    # The state being decided, always sent: a second submit of the same form decides nothing (issue 11).
    step = forms.CharField(widget=forms.HiddenInput, error_messages={"required": _("请刷新页面后再办理。")})
    comment = forms.CharField(
        label=_("意见"),
        required=False,  # a rejection needs a reason: the service says so, in its own words
        max_length=2000,
        widget=forms.Textarea(
            attrs={**TEXTAREA, "placeholder": _("同意时可填写意见；不同意（退回）时必须填写理由")}
        ),
    )


class ExitCreateForm(forms.Form):
    year = _year_field()
    comment = forms.CharField(
        label=_("申请说明"),
        required=False,
        widget=forms.Textarea(attrs={**TEXTAREA, "placeholder": _("如：户主本人申请，收入已核实")}),
    )


class IdsField(forms.TypedMultipleChoiceField):
    """Record ids ticked on a list. Any id is accepted here: whether that record may be used is the
    service's question, so a household that changed since the list was shown gets the service's reason."""

    def valid_value(self, value) -> bool:
        return str(value).isdigit()


class ExitBatchCreateForm(forms.Form):
    year = _year_field()
    households = IdsField(coerce=int, required=False)

    def clean_households(self):
        chosen = self.cleaned_data["households"]
        if not chosen:
            raise forms.ValidationError(_("请至少勾选一户。"))
        return chosen


class ExitBatchApproveForm(forms.Form):
    township = forms.TypedChoiceField(
        label=_("乡镇"), coerce=int, widget=forms.Select(attrs={"class": "form-select"})
    )
    applications = IdsField(coerce=int, required=False)
    comment = forms.CharField(
        label=_("审批意见"),
        required=False,
        initial=_("经县扶贫开发领导小组审定，同意脱贫"),
        widget=forms.Textarea(attrs={**TEXTAREA, "rows": 2}),
    )

    def __init__(self, *args, townships, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["township"].choices = [("", _("请选择乡镇")), *((t.pk, t.name) for t in townships)]


class ExitObjectionForm(forms.Form):
    raised_by = forms.CharField(
        label=_("反映人"),
        required=False,
        max_length=50,
        widget=forms.TextInput(attrs={"class": "form-control", "placeholder": _("可匿名")}),
    )
    content = forms.CharField(
        label=_("异议内容"), required=False, max_length=2000, widget=forms.Textarea(attrs=TEXTAREA)
    )


class ExitObjectionResolveForm(forms.Form):
    resolution = forms.CharField(
        label=_("处理结果"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={**TEXTAREA, "rows": 2}),
    )


class NoticeForm(forms.Form):
    village = forms.TypedChoiceField(
        label=_("行政村"), coerce=int, widget=forms.Select(attrs={"class": "form-select"})
    )
    year = _year_field()
    contact = forms.CharField(
        label=_("异议受理电话"),
        required=False,
        max_length=60,
        widget=forms.TextInput(attrs={"class": "form-control", "placeholder": _("如：村委会 0878-8xxxxxx")}),
    )

    def __init__(self, *args, villages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].choices = [(v.pk, f"{v.township.name} {v.name}") for v in villages]


class AnnouncementForm(forms.Form):
    year = _year_field()
    township = forms.TypedChoiceField(
        label=_("乡镇"),
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args, townships, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["township"].choices = [("", _("全县")), *((t.pk, t.name) for t in townships)]
