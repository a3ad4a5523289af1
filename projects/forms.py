"""Forms of the project, relocation and training pages. They only read input: the rules are in services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.access import Access
from households.models import Household
from projects import selectors
from projects.models import Project, Relocation, RelocationSite, Training
from villages.models import AdministrativeVillage, Township

DATE = forms.DateInput(attrs={"type": "date"})


def _styled(form: forms.Form) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")


class ProjectFilterForm(forms.Form):
    q = forms.CharField(label=_("名称"), required=False)
    township = forms.ModelChoiceField(label=_("乡镇"), queryset=Township.objects.none(), required=False)
    village = forms.ModelChoiceField(
        label=_("行政村"), queryset=AdministrativeVillage.objects.none(), required=False
    )
    category = forms.ChoiceField(
        label=_("类别"), choices=[("", _("全部"))] + Project.Category.choices, required=False
    )
    state = forms.ChoiceField(
        label=_("状态"), choices=[("", _("全部"))] + Project.State.choices, required=False
    )
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100, required=False)
    top = forms.BooleanField(label=_("只看主项目（不含子项目）"), required=False)

    def __init__(self, *args, access: Access, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["township"].queryset = selectors.township_options(access=access)
        self.fields["village"].queryset = selectors.village_options(access=access)
        self.fields["village"].label_from_instance = lambda v: f"{v.township.name} {v.name}"
        _styled(self)


class ProjectForm(forms.ModelForm):
    class Meta:
        model = Project
        fields = [
            "name",
            "category",
            "township",
            "village",
            "parent",
            "year",
            "approved_on",
            "started_on",
            "ended_on",
            "planned_investment",
            "state",
            "planned_households",
            "planned_persons",
            "description",
        ]
        widgets = {
            "approved_on": DATE,
            "started_on": DATE,
            "ended_on": DATE,
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, access: Access, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["township"].queryset = selectors.township_options(access=access)
        self.fields["village"].queryset = selectors.village_options(access=access)
        self.fields["village"].label_from_instance = lambda v: f"{v.township.name} {v.name}"
        parents = access.visible(Project.objects.filter(parent__isnull=True)).order_by("-year", "name")
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        self.fields["parent"].queryset = parents
        self.fields["township"].empty_label = _("（县级项目）")
        _styled(self)

    def _post_clean(self):
        # The services validate the model (with the access rule); the form only parses input.
        pass


class ProgressForm(forms.Form):
    recorded_on = forms.DateField(label=_("填报日期"), widget=DATE)
    invested_to_date = forms.DecimalField(label=_("累计完成投资（元）"), max_digits=14, decimal_places=2)
    percent_complete = forms.IntegerField(label=_("形象进度（%）"), required=False)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)
    over_plan_reason = forms.CharField(
        label=_("超计划投资说明"),
        max_length=200,
        required=False,
        help_text=_("累计完成投资超过计划投资时必须填写，作为确认并保存。"),
    )
    photo = forms.FileField(label=_("现场照片"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _styled(self)


class BeneficiaryAddForm(forms.Form):
    household_number = forms.CharField(label=_("户编号"), max_length=30, required=False)
    village = forms.ModelChoiceField(
        label=_("或：整村添加（该行政村的全部贫困户）"),
        queryset=AdministrativeVillage.objects.none(),
        required=False,
    )

    def __init__(self, *args, access: Access, **kwargs):
        super().__init__(*args, **kwargs)
        self.access = access
        self.fields["village"].queryset = selectors.village_options(access=access)
        self.fields["village"].label_from_instance = lambda v: f"{v.township.name} {v.name}"
        _styled(self)

    def clean(self):
        data = super().clean()
        number = (data.get("household_number") or "").strip()
        if not number and not data.get("village"):
            raise forms.ValidationError(_("请填写户编号，或选择一个行政村。"))
        if number:
            household = self.access.visible(Household.objects.filter(household_number=number)).first()
            if household is None:
                self.add_error(
                    "household_number",
                    gettext("户编号 {number} 未登记，或不在您的管辖范围内。").format(number=number),
                )
            data["household"] = household
        return data


class SiteFilterForm(forms.Form):
    township = forms.ModelChoiceField(label=_("乡镇"), queryset=Township.objects.none(), required=False)
    build_state = forms.ChoiceField(
        label=_("建设状态"), choices=[("", _("全部"))] + RelocationSite.BuildState.choices, required=False
    )
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100, required=False)

    def __init__(self, *args, access: Access, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["township"].queryset = selectors.township_options(access=access)
        _styled(self)


class RelocationForm(forms.Form):
    household_number = forms.CharField(label=_("户编号"), max_length=30)
    kind = forms.ChoiceField(label=_("搬迁类型"), choices=Relocation.Kind.choices)
    persons = forms.IntegerField(label=_("搬迁人数"), min_value=1)
    housing_area = forms.DecimalField(label=_("住房面积（㎡）"), max_digits=7, decimal_places=2)
    moved_in_on = forms.DateField(label=_("入住时间"), required=False, widget=DATE)
    old_house_demolished = forms.BooleanField(label=_("旧房已拆除"), required=False)

    def __init__(self, *args, access: Access, **kwargs):
        super().__init__(*args, **kwargs)
        self.access = access
        _styled(self)

    def clean_household_number(self):
        number = self.cleaned_data["household_number"].strip()
        household = self.access.visible(Household.objects.filter(household_number=number)).first()
        if household is None:
            raise forms.ValidationError(
                gettext("户编号 {number} 未登记，或不在您的管辖范围内。").format(number=number)
            )
        self.household = household
        return number


class TrainingParticipantForm(forms.Form):
    id_numbers = forms.CharField(
        label=_("参训人员身份证号"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("每行一个身份证号；须为已登记的现有成员。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _styled(self)

    def clean_id_numbers(self):
        numbers = [
            line.strip().upper() for line in self.cleaned_data["id_numbers"].splitlines() if line.strip()
        ]
        if not numbers:
            raise forms.ValidationError(_("请至少填写一个身份证号。"))
        return numbers


class TrainingForm(forms.ModelForm):
    class Meta:
        model = Training
        fields = [
            "name",
            "kind",
            "year",
            "township",
            "planned_participants",
            "actual_participants",
            "planned_investment",
        ]

    def __init__(self, *args, access: Access, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["township"].queryset = selectors.township_options(access=access)
        self.fields["township"].empty_label = _("（县级培训）")
        _styled(self)

    def _post_clean(self):
        pass
