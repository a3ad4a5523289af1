"""A hand-built county for the village and township exit tests (not a test module).

甲乡 (poor, pop. 2000): 甲村 (pop. 200, 2 poor: 1 %, every recorded indicator met) and 乙村 (pop. 500,
30 poor: 6 %, every recorded indicator met). 甲乡's incidence: 32 / 2000 = 1.6 %. 丁乡 (poor, pop. 100)
with 丁村 (pop. 100, 10 poor: 10 %) elsewhere in the county.
"""

import datetime
import itertools

from accounts.models import Role
from households import choices
from tests.factories import (
    CountyFactory,
    NaturalVillageFactory,
    TownshipFactory,
    UserFactory,
    VillageFactory,
    make_household,
    member_data,
)
from villages.models import ExitIndicator, VillageIndicatorStatus

_birthdays = (datetime.date(1950, 1, 1) + datetime.timedelta(days=n) for n in itertools.count())


def poor_persons(village, n: int):
    """One poor household of ``n`` current members in ``village``."""
    members = [member_data(name="户主", born=next(_birthdays))]
    members += [member_data(choices.Relation.SON, name=f"子{i}", born=next(_birthdays)) for i in range(n - 1)]
    return make_household(natural_village=NaturalVillageFactory(village=village), members=members)


def recorded_indicators():
    return list(ExitIndicator.objects.filter(level="village", active=True, threshold__isnull=True))


def all_met(village):
    for indicator in recorded_indicators():
        VillageIndicatorStatus.objects.update_or_create(
            village=village, indicator=indicator, defaults={"met": True, "note": ""}
        )


def indicator(code):
    return ExitIndicator.objects.get(level="village", code=code)


def build_place() -> dict:
    county = CountyFactory()
    jia = TownshipFactory(county=county, name="甲乡", is_poor=True, registered_rural_population=2000)
    jia_cun = VillageFactory(township=jia, name="甲村", is_poor=True, registered_rural_population=200)
    yi_cun = VillageFactory(township=jia, name="乙村", is_poor=True, registered_rural_population=500)
    ding = TownshipFactory(county=county, name="丁乡", is_poor=True, registered_rural_population=100)
    ding_cun = VillageFactory(township=ding, name="丁村", is_poor=True, registered_rural_population=100)
    poor_persons(jia_cun, 2)
    for _ in range(6):
        poor_persons(yi_cun, 5)
    for _ in range(2):
        poor_persons(ding_cun, 5)
    all_met(jia_cun)
    all_met(yi_cun)
    return {"jia": jia, "jia_cun": jia_cun, "yi_cun": yi_cun, "ding": ding, "ding_cun": ding_cun}


def build_people(place: dict) -> dict:
    return {
        "township": UserFactory(role=Role.TOWNSHIP_OFFICIAL, township=place["jia"]),
        "village": UserFactory(role=Role.VILLAGE_OFFICIAL, village=place["jia_cun"]),
        "county": UserFactory(role=Role.COUNTY_ADMIN),
        "other_township": UserFactory(role=Role.TOWNSHIP_OFFICIAL, township=place["ding"]),
        "inspector": UserFactory(role=Role.INSPECTOR),
    }
