"""The department alert roster: matched by ID number, all or nothing, out of scope never revealed."""

import io

import openpyxl
import pytest

from core.excel.writers import write_error_workbook
from households import choices as hh
from households.models import Household
from monitoring.models import MonitoringObject
from monitoring.roster_io import alert_roster_import, alert_roster_template
from monitoring.rosters import ALERTS
from tests.core.excel.roster_helpers import sheet_workbook
from tests.factories import NaturalVillageFactory, UserFactory, make_household, make_id_number

pytestmark = pytest.mark.django_db


def exited(place):
    household = make_household(natural_village=place)
    Household.objects.filter(pk=household.pk).update(status=hh.Status.EXITED, exit_year=2019)
    household.refresh_from_db()
    return household


def row(household, **kw):
    return {
        "身份证号": household.members.get(relation=hh.Relation.HEAD).id_number,
        "预警部门": "医保",
        "预警内容": "住院医疗费用自付 3.2 万元",
        **kw,
    }


@pytest.fixture
def official(place):
    return UserFactory(role="township_official", township=place.village.township)


def test_matched_rows_become_candidates(place, official):
    household = exited(place)
    general = make_household(natural_village=place, household_number="YB77", status=hh.Status.GENERAL)
    source = sheet_workbook(ALERTS, [row(household), row(general, 预警部门="应急", 预警内容="房屋受灾")])
    outcome = alert_roster_import(user=official, source=source, dry_run=False)
    assert not outcome.errors and outcome.written
    objects = {o.household_id: o for o in MonitoringObject.objects.all()}
    assert objects[household.pk].risk_types == ["因病"]
    assert objects[household.pk].found_by == "alert"
    assert objects[general.pk].kind == "marginal" and objects[general.pk].risk_types == ["因灾"]
    assert "应急预警" in objects[general.pk].reason


def test_bad_unmatched_and_out_of_scope_rows_write_nothing_and_come_back(place, official):
    household = exited(place)
    elsewhere = exited(NaturalVillageFactory())  # another township
    unknown = make_id_number(region="532328")
    bad = "532328197001010000"
    source = sheet_workbook(
        ALERTS,
        [
            row(household),
            row(elsewhere),
            {**row(household), "身份证号": unknown},
            {**row(household), "身份证号": bad},
        ],
    )
    outcome = alert_roster_import(user=official, source=source, dry_run=False)
    assert not outcome.written
    assert MonitoringObject.objects.count() == 0
    messages = [e["message"] for e in outcome.errors.as_list()]
    assert len(messages) == 3
    out_of_scope = [m for m in messages if elsewhere.members.get(relation="head").id_number in m]
    assert out_of_scope == [
        f"身份证号 {elsewhere.members.get(relation='head').id_number} 不是在册人口，或不在您的管辖范围内"
    ]
    assert f"身份证号 {unknown} 不是在册人口，或不在您的管辖范围内" in messages
    source.seek(0)
    stream = io.BytesIO()
    assert write_error_workbook(source, outcome.errors, stream)
    stream.seek(0)
    assert openpyxl.load_workbook(stream)


def test_the_template_and_the_demo_file(official, place):
    stream = io.BytesIO()
    alert_roster_template(user=official, stream=stream)
    stream.seek(0)
    assert ALERTS.name in openpyxl.load_workbook(stream).sheetnames
