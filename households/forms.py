"""Forms of the household pages. They read input and show messages; the rules are in the services and
the models (a ModelForm runs the model's own validation: ID check digit, sex against the ID, uniqueness)."""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.forms import modelformset_factory
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from core.idnumbers import normalise, validate_id_number
from households import choices
from households.models import Assessment, Household, Member
from villages.models import AdministrativeVillage, NaturalVillage, Township

BLANK = [("", _("全部"))]
YEARS = range(2013, datetime.date.today().year + 2)


def _bootstrap(form: forms.BaseForm) -> None:
    """Bootstrap classes on every widget, and aria-invalid on fields with errors (read by screen readers)."""
    for name, field in form.fields.items():
        widget = field.widget
        if isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect | forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select"
        else:
            css = "form-control"
        widget.attrs.setdefault("class", css)
        if form._errors and name in form._errors:  # only once validated: never validate from __init__
            widget.attrs["aria-invalid"] = "true"


class BootstrapMixin:
    def full_clean(self):
        super().full_clean()
        _bootstrap(self)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _bootstrap(self)


class NaturalVillageChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: NaturalVillage) -> str:
        return f"{obj.village.township.name} {obj.village.name} {obj.name}"


# -- the list ------------------------------------------------------------------------------------------


class HouseholdFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(
        label=_("搜索"),
        required=False,
        max_length=50,
        widget=forms.TextInput(
            attrs={"placeholder": _("户主姓名、身份证号、户编号或拼音首字母（如 zs）"), "type": "search"}
        ),
    )
    township = forms.ModelChoiceField(
        label=_("乡镇"), queryset=Township.objects.none(), required=False, empty_label=_("全部")
    )
    village = forms.ModelChoiceField(
        label=_("行政村"),
        queryset=AdministrativeVillage.objects.none(),
        required=False,
        empty_label=_("全部"),
    )
    natural_village = forms.ModelChoiceField(
        label=_("自然村"), queryset=NaturalVillage.objects.none(), required=False, widget=forms.HiddenInput
    )
    status = forms.ChoiceField(label=_("贫困户状态"), choices=BLANK + choices.Status.choices, required=False)
    attribute = forms.ChoiceField(
        label=_("贫困户属性"), choices=BLANK + choices.Attribute.choices, required=False
    )
    cause = forms.ChoiceField(label=_("主要致贫原因"), choices=BLANK + choices.Cause.choices, required=False)
    eligible = forms.ChoiceField(
        label=_("脱贫条件"),
        choices=BLANK + [("yes", _("符合")), ("no", _("不符合")), ("unknown", _("尚未评估"))],
        required=False,
    )
    year = forms.TypedChoiceField(
        label=_("识别年度"),
        choices=BLANK + [(y, format_lazy(_("{year} 年"), year=y)) for y in YEARS],
        coerce=int,
        required=False,
        empty_value=None,
    )
    exit_year = forms.TypedChoiceField(
        label=_("脱贫年度"),
        choices=BLANK + [(y, format_lazy(_("{year} 年"), year=y)) for y in YEARS],
        coerce=int,
        required=False,
        empty_value=None,
    )
    review = forms.BooleanField(label=_("仅看待返贫核实"), required=False)
    # The dashboards' figures count registered households (not 已清退): so does the list by default.
    removed = forms.ChoiceField(
        label=_("已清退户"),
        choices=[("", _("不含已清退")), ("include", _("含已清退")), ("only", _("仅看已清退"))],
        required=False,
    )
    poor = forms.BooleanField(label=_("仅看未脱贫（含返贫）"), required=False)
    batch = forms.ChoiceField(
        label=_("五个一批"),
        choices=BLANK + [(c, choices.MeasureCategory(c).label) for c in choices.FIVE_BATCHES],
        required=False,
    )
    look = forms.ChoiceField(
        label=_("待核查"),
        choices=BLANK
        + [("unproposed", _("符合脱贫条件但未申请")), ("exited_below", _("已脱贫但收入低于标准"))],
        required=False,
    )

    def __init__(self, *args, access, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["township"].queryset = access.visible(Township.objects.all())
        villages = access.visible(AdministrativeVillage.objects.select_related("township"))
        township = self.data.get("township") if self.is_bound else None
        if township and str(township).isdigit():
            villages = villages.filter(township_id=township)
        self.fields["village"].queryset = villages
        self.fields["natural_village"].queryset = access.visible(NaturalVillage.objects.all())


# -- a household and its members -------------------------------------------------------------------------


class HouseholdForm(BootstrapMixin, forms.ModelForm):
    natural_village = NaturalVillageChoiceField(label=_("自然村"), queryset=NaturalVillage.objects.none())
    other_causes = forms.MultipleChoiceField(
        label=_("其他致贫原因"),
        choices=choices.Cause.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Household
        fields = [
            "household_number",
            "natural_village",
            "attribute",
            "main_cause",
            "other_causes",
            "identified_year",
            "phone",
        ]
        widgets = {
            "phone": forms.TextInput(attrs={"type": "tel", "inputmode": "tel"}),
            "identified_year": forms.NumberInput(attrs={"inputmode": "numeric"}),
        }

    def __init__(self, *args, natural_villages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["natural_village"].queryset = natural_villages.select_related("village__township")
        if self.instance.pk:
            # 户编号 is the national record's key: it is not changed here.
            self.fields["household_number"].disabled = True


class MemberForm(BootstrapMixin, forms.ModelForm):
    health = forms.MultipleChoiceField(
        label=_("健康状况"),
        choices=choices.Health.choices,
        required=False,
        initial=[choices.Health.HEALTHY],
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Member
        fields = Member.DETAIL_FIELDS
        widgets = {
            "id_number": forms.TextInput(
                attrs={"autocomplete": "off", "maxlength": 18, "spellcheck": "false"}
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # 与户主关系 of a current member changes through 户主变更 (head_change), not here.
            self.fields["relation"].disabled = True

    def clean_id_number(self) -> str:
        # Shown next to the field (the model's clean would report it for the whole form).
        value = normalise(self.cleaned_data["id_number"])
        validate_id_number(value)
        return value

    def clean_disability_certificate(self) -> str:
        return normalise(self.cleaned_data.get("disability_certificate", ""))


MemberFormSet = modelformset_factory(Member, form=MemberForm, extra=0, can_delete=False)


# -- yearly assessment --------------------------------------------------------------------------------


def _money(label: str) -> forms.DecimalField:
    # No min_value: a negative amount reaches the service, which answers in Chinese next to the field.
    return forms.DecimalField(
        label=format_lazy(_("{label}（元）"), label=label),
        required=False,
        max_digits=12,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
    )


class AssessmentForm(BootstrapMixin, forms.Form):
    year = forms.IntegerField(
        label=_("年度"),
        min_value=2013,
        max_value=2100,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    wage_income = _money(_("工资性收入"))
    operating_income = _money(_("生产经营性收入"))
    property_income = _money(_("财产性收入"))
    transfer_income = _money(_("转移性收入"))
    operating_expense = _money(_("生产经营性支出"))
    food_secure = forms.BooleanField(label=_("不愁吃"), required=False)
    clothing_secure = forms.BooleanField(label=_("不愁穿"), required=False)
    education_secure = forms.BooleanField(label=_("义务教育有保障"), required=False)
    medical_secure = forms.BooleanField(label=_("基本医疗有保障"), required=False)
    housing_secure = forms.BooleanField(label=_("住房安全有保障"), required=False)
    water_secure = forms.BooleanField(label=_("饮水安全有保障"), required=False)

    INCOME_FIELDS = Assessment.INCOME_FIELDS
    SECURITY_FIELDS = Assessment.SECURITY_FIELDS


# -- member leaving, 户主, 分户, 合户 ------------------------------------------------------------------


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Member) -> str:
        return f"{obj.name}（{obj.get_relation_display()}）"


class MemberMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Member) -> str:
        return f"{obj.name}（{obj.get_relation_display()}）"


class MemberLeaveForm(BootstrapMixin, forms.Form):
    reason = forms.ChoiceField(
        label=_("减少原因"), choices=choices.LeaveReason.choices, widget=forms.RadioSelect
    )
    on = forms.DateField(label=_("减少日期"), widget=forms.DateInput(attrs={"type": "date"}))
    new_head = MemberChoiceField(
        label=_("新户主"), queryset=Member.objects.none(), required=False, empty_label=_("（户主减少时必选）")
    )

    def __init__(self, *args, others, **kwargs):
        kwargs.setdefault("initial", {"on": datetime.date.today()})
        super().__init__(*args, **kwargs)
        self.fields["new_head"].queryset = others


class HeadChangeForm(BootstrapMixin, forms.Form):
    new_head = MemberChoiceField(label=_("新户主"), queryset=Member.objects.none(), empty_label=None)
    old_head_relation = forms.ChoiceField(
        label=_("原户主改为"),
        choices=[c for c in choices.Relation.choices if c[0] != choices.Relation.HEAD],
        initial=choices.Relation.SPOUSE,
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_head"].queryset = candidates


class SplitForm(BootstrapMixin, forms.Form):
    members = MemberMultipleChoiceField(
        label=_("分出的成员"), queryset=Member.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    new_head = MemberChoiceField(
        label=_("新户户主"), queryset=Member.objects.none(), widget=forms.RadioSelect, empty_label=None
    )
    household_number = forms.CharField(label=_("新户户编号"), max_length=30)

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = candidates
        self.fields["new_head"].queryset = candidates


class MergeForm(BootstrapMixin, forms.Form):
    source_number = forms.CharField(label=_("并入户的户编号"), max_length=30)
    relation = forms.ChoiceField(
        label=_("并入户户主与本户户主的关系"),
        choices=[c for c in choices.Relation.choices if c[0] != choices.Relation.HEAD],
        initial=choices.Relation.OTHER,
    )
    confirm = forms.BooleanField(label=_("我已核实：并入户的在册成员全部转入本户，并入户标记为已清退。"))

    def __init__(self, *args, households, **kwargs):
        super().__init__(*args, **kwargs)
        self._households = households

    def clean_source_number(self) -> Household:
        number = self.cleaned_data["source_number"].strip()
        source = self._households.filter(household_number=number).first()
        if source is None:
            raise ValidationError(
                _("未找到户编号为 {number} 的贫困户，或不在您的管辖范围内。").format(number=number)
            )
        return source


# -- 一户一策 and assistance measures ---------------------------------------------------------------------


def _bootstrap(form: forms.Form) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")


class HelpPlanForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2013, max_value=2100)
    cause_analysis = forms.CharField(
        label=_("致贫原因分析"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    plan = forms.CharField(label=_("脱贫计划"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _bootstrap(self)


class MeasureForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2013, max_value=2100)
    category = forms.ChoiceField(label=_("帮扶类别"), choices=choices.MeasureCategory.choices)
    description = forms.CharField(label=_("措施"), max_length=200)
    kind = forms.CharField(label=_("品种或项目"), max_length=50, required=False, help_text=_("如 肉牛、桃树"))
    quantity = forms.DecimalField(label=_("数量"), max_digits=10, decimal_places=2, required=False)
    unit = forms.CharField(label=_("单位"), max_length=10, required=False, help_text=_("如 头、亩、只"))
    amount = forms.DecimalField(label=_("金额（元）"), max_digits=12, decimal_places=2, required=False)
    project = forms.ModelChoiceField(label=_("资金来源项目"), queryset=None, required=False)

    def __init__(self, *args, access, household, **kwargs):
        from django.db.models import Q

        from households.models import AssistanceMeasure

        super().__init__(*args, **kwargs)
        # The project model is a higher layer's: reached through the measure's foreign key, not imported.
        projects = AssistanceMeasure._meta.get_field("project").related_model.objects.filter(
            Q(township_id=household.township_id) | Q(township__isnull=True)
        )
        self.fields["project"].queryset = access.visible(projects).order_by("-year", "name")
        _bootstrap(self)
