"""The demo's monitoring data and the demo alert roster in fixtures/."""

from pathlib import Path

import pytest

from core.access import Access
from demo.monitoring import PER_KIND, load_monitoring
from households import choices as hh
from households.models import Household
from households.selectors import scope_figures
from monitoring.models import MonitoringLine, MonitoringObject, QualityIssue
from monitoring.roster_io import alert_roster_import
from tests.factories import NaturalVillageFactory, UserFactory, make_household

pytestmark = pytest.mark.django_db
FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "monitoring_alerts_demo.xlsx"


def test_demo_monitoring_and_its_alert_roster():
    place = NaturalVillageFactory()
    for i in range(6):
        household = make_household(natural_village=place, phone="")
        if i % 2:
            Household.objects.filter(pk=household.pk).update(status=hh.Status.EXITED, exit_year=2019)
    admin = UserFactory(role="county_admin")
    before = scope_figures(access=Access.for_user(admin))
    load_monitoring("532328", lambda text: None)
    assert scope_figures(access=Access.for_user(admin)) == before
    assert MonitoringLine.objects.filter(year=2021).exists()
    kinds = set(MonitoringObject.objects.values_list("kind", flat=True))
    assert kinds == {"unstable", "sudden", "marginal"}
    assert MonitoringObject.objects.filter(kind="marginal").count() == PER_KIND
    assert len(set(MonitoringObject.objects.values_list("state", flat=True))) == 6
    assert QualityIssue.objects.filter(rule="shared_phone").count() == 3

    with FIXTURE.open("rb") as source:
        outcome = alert_roster_import(user=admin, source=source, dry_run=True)
    rows = sorted(e["row"] for e in outcome.errors.as_list())
    assert rows == [6, 7]
    assert not outcome.written
