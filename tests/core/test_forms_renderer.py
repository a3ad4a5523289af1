"""The project's form renderer writes <select> in Python: the same HTML as Django's templates."""

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.test.html import parse_html

from core.forms_renderer import FormRenderer
from villages.models import Township

CHOICES = [
    ("", "全部"),
    ("a&b", '甲 <b>"乙"</b>'),
    ("水果", [("apple", "苹果"), ("pear", "梨")]),
    (3, "三"),
]


class Form(forms.Form):
    plain = forms.ChoiceField(choices=CHOICES, required=False)
    many = forms.MultipleChoiceField(choices=CHOICES, required=False)
    yes_no = forms.NullBooleanField(required=False)
    typed = forms.TypedChoiceField(choices=[(2015, "2015 年"), (2016, "2016 年")], coerce=int)
    attrs = forms.ChoiceField(
        choices=CHOICES,
        widget=forms.Select(
            attrs={"class": "form-select", "disabled": True, "hidden": False, "data-x": 'q"<'}
        ),
    )
    township = forms.ModelChoiceField(queryset=Township.objects.all(), empty_label="全部", required=False)


def both(form_data, field):
    stock = Form(form_data, renderer=DjangoTemplates())[field].as_widget()
    ours = Form(form_data, renderer=FormRenderer())[field].as_widget()
    return stock, ours


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["plain", "many", "yes_no", "typed", "attrs", "township"])
@pytest.mark.parametrize(
    "data",
    [None, {"plain": "a&b", "many": ["pear", "3"], "yes_no": "true", "typed": "2016", "attrs": "pear"}],
)
def test_selects_are_written_as_djangos_templates_write_them(field, data):
    from tests.factories import TownshipFactory

    chosen = TownshipFactory(name="老城乡")
    TownshipFactory(name="物茂乡 <&>")
    if data is not None:
        data = {**data, "township": str(chosen.pk)}

    stock, ours = both(data, field)

    assert parse_html(ours) == parse_html(stock)
    assert ours.count("<option") == stock.count("<option") > 1
    assert ("selected" in ours) == ("selected" in stock)


def test_a_widget_with_its_own_option_template_keeps_it():
    class Starred(forms.Select):
        option_template_name = "django/forms/widgets/input_option.html"

    class One(forms.Form):
        x = forms.ChoiceField(choices=[("1", "一")], widget=Starred)

    html = One(renderer=FormRenderer())["x"].as_widget()
    assert "<option" not in html and 'value="1"' in html
