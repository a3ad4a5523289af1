import datetime
from decimal import Decimal

from households.models import Assessment
from tests.factories import AssessmentFactory


def assess(household, year, income, *, line=None, eligible=None, members=2, **kw):
    """An assessment with its derived figures set as the eligibility job would set them."""
    assessment = AssessmentFactory(household=household, year=year, **kw)
    Assessment.objects.filter(pk=assessment.pk).update(
        per_capita_net_income=Decimal(income),
        poverty_line=None if line is None else Decimal(line),
        eligible=eligible,
        member_count=members,
        decided_at=datetime.datetime(year, 12, 31, tzinfo=datetime.UTC),
    )
    assessment.refresh_from_db()
    return assessment
