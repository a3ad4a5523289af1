"""factory_boy factories: fictional people in fictional places of the real 元谋县 region code.

Households and members are made through households.services (make_household), which validates them as
the pages and API do: Model.save() no longer validates. The model factories below write reference rows
directly and deliberately (places, units, cadres, pairings, rounds): fixtures, not the behaviour under test.
"""

import collections
import datetime
import itertools

import factory

from accounts.models import Role, User
from assignments.models import Cadre, Pairing, WorkUnit
from core.idnumbers import check_char
from households import choices
from households.models import Assessment, Household
from households.services import MemberData, household_create
from villages.models import AdministrativeVillage, County, NaturalVillage, Township

# How many ID numbers were handed out per (region, birth date, sex): GB 11643 leaves 500 sequence numbers
# for each, so a birth date that is full moves on to the next day (or is refused when the test chose it).
_issued: collections.Counter[tuple[str, datetime.date, str]] = collections.Counter()
SEQUENCES_PER_DAY = 500
DEFAULT_BORN = datetime.date(1970, 1, 1)


def make_id_number(*, sex: str = "male", born: datetime.date | None = None, region: str = "532328") -> str:
    """A valid, fictional 18-digit ID number never handed out before in this test run.

    GB 11643: region code, birth date, a 3-digit sequence whose last digit is odd for men and even for
    women, and the check character. Without ``born``, birth dates walk forward from 1970-01-01."""
    day = born or DEFAULT_BORN
    while _issued[region, day, sex] >= SEQUENCES_PER_DAY:
        if born is not None:
            raise ValueError(f"{region} {born:%Y-%m-%d} {sex}: all {SEQUENCES_PER_DAY} ID numbers are taken")
        day += datetime.timedelta(days=1)
    n = _issued[region, day, sex]
    _issued[region, day, sex] += 1
    first17 = f"{region}{day:%Y%m%d}{n * 2 + (1 if sex == 'male' else 0):03d}"
    return first17 + check_char(first17)


class CountyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = County
        django_get_or_create = ("region_code",)

    name = "元谋县"
    region_code = "532328"
    prefecture = "楚雄彝族自治州"


class TownshipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Township

    county = factory.SubFactory(CountyFactory)
    name = factory.Sequence(lambda n: f"测试乡{n}")
    registered_rural_population = 10000


class VillageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AdministrativeVillage

    township = factory.SubFactory(TownshipFactory)
    name = factory.Sequence(lambda n: f"测试村{n}")
    registered_rural_population = 2000


class NaturalVillageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NaturalVillage

    village = factory.SubFactory(VillageFactory)
    name = factory.Sequence(lambda n: f"测试组{n}")


def member_data(
    relation: str = choices.Relation.HEAD, sex: str = "male", name: str = "张三", **kw
) -> MemberData:
    born = kw.pop("born", None)
    return MemberData(
        name=name, id_number=make_id_number(sex=sex, born=born), relation=relation, sex=sex, **kw
    )


_household_numbers = itertools.count(1)


def make_household(
    *, natural_village: NaturalVillage | None = None, members: list[MemberData] | None = None, **kw
) -> Household:
    """A household through the real service, with a head and a spouse unless members are given."""
    return household_create(
        household_number=kw.pop("household_number", f"T{next(_household_numbers):09d}"),
        natural_village=natural_village or NaturalVillageFactory(),
        attribute=kw.pop("attribute", choices.Attribute.GENERAL),
        main_cause=kw.pop("main_cause", choices.Cause.ILLNESS),
        identified_year=kw.pop("identified_year", 2014),
        members=members
        or [
            member_data(name="张三"),
            member_data(choices.Relation.SPOUSE, sex="female", name="李四妹"),
        ],
        **kw,
    )


class AssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assessment

    year = 2016
    wage_income = 8000
    operating_income = 4000
    food_secure = clothing_secure = education_secure = True
    medical_secure = housing_secure = water_secure = True


class WorkUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkUnit

    name = factory.Sequence(lambda n: f"县测试局{n}")


class CadreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cadre

    name = factory.Sequence(lambda n: f"干部{n}")
    unit = factory.SubFactory(WorkUnitFactory)
    phone = "13800000000"


class PairingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pairing

    cadre = factory.SubFactory(CadreFactory)
    started_on = datetime.date(2016, 1, 1)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.COUNTY_ADMIN
    password = factory.PostGenerationMethodCall("set_password", "pass-word-1")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


# -- appended for the access and account tests ----------------------------------------------------------


class RevisitRoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "assignments.RevisitRound"
        django_get_or_create = ("year", "number")

    year = 2016
    number = 1
    name = factory.LazyAttribute(lambda o: f"{o.year}年第{o.number}轮")
    starts_on = datetime.date(2016, 1, 1)
    ends_on = datetime.date(2016, 12, 31)


class RevisitFactory(factory.django.DjangoModelFactory):
    """A revisit by ``cadre`` of ``household`` (both required)."""

    class Meta:
        model = "assignments.Revisit"

    round = factory.SubFactory(RevisitRoundFactory)
    visited_on = datetime.date(2016, 3, 1)
    situation = "生产生活正常"


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "projects.Project"

    name = factory.Sequence(lambda n: f"测试项目{n}")
    category = "road"
    year = 2016


# -- appended for the pairing, round and printable tests ------------------------------------------------


class WorkUnitVillageFactory(factory.django.DjangoModelFactory):
    """单位挂村: ``unit`` and ``village`` required."""

    class Meta:
        model = "assignments.WorkUnitVillage"

    started_on = datetime.date(2016, 1, 1)
