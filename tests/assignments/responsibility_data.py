"""A hand-built county for the pairing, round, API and printable tests (not a test module).

甲乡: 甲村 and 乙村; 乙乡: 丙村. Units 县财政局 (cadres 张一, 李二) and 县水务局 (王三).
Round 2016年第2轮 runs 2016-03-01 to 2016-03-31. Households and what the round makes of them:

  h1  甲村  张一 since 01-01, visited in the round by 张一                 covered, visited
  h2  甲村  张一 since 01-01, no visit                                   covered, overdue
  h3  乙村  李二 since 01-01, a visit with no round dated 03-10          covered, visited
  h4  丙村  王三 since 01-01, no visit                                   covered, overdue
  h5  丙村  王三 since 03-05 (after the round began)                     not covered
  h6  甲村  张一 since 01-01, but 已清退                                  not covered
  h7  乙村  张一 01-01..03-10, then 王三; 张一 visited on 03-05           covered (王三 answers), visited
  h8  甲村  never paired                                                 not covered
  h9  乙村  李二 01-01..02-01, no pairing since (poor)                   not covered
  h10 丙村  李二 01-01..03-01, 王三 from 03-01; a visit of round 1 only   covered (王三), overdue
"""

import datetime

from accounts.models import Role
from households import choices
from tests.factories import (
    CadreFactory,
    CountyFactory,
    NaturalVillageFactory,
    PairingFactory,
    RevisitFactory,
    RevisitRoundFactory,
    TownshipFactory,
    UserFactory,
    VillageFactory,
    WorkUnitFactory,
    WorkUnitVillageFactory,
    make_household,
    member_data,
)

D = datetime.date
CLOSED = D(2016, 4, 10)  # after the round's 截止日期
OPEN = D(2016, 3, 15)  # while it runs


def build() -> dict:
    county = CountyFactory()
    jia = TownshipFactory(county=county, name="甲乡")
    yi = TownshipFactory(county=county, name="乙乡")
    jia_cun = VillageFactory(township=jia, name="甲村")
    yi_cun = VillageFactory(township=jia, name="乙村")
    bing_cun = VillageFactory(township=yi, name="丙村")
    nv = {
        "jia": NaturalVillageFactory(village=jia_cun, name="上组"),
        "yi": NaturalVillageFactory(village=yi_cun, name="中组"),
        "bing": NaturalVillageFactory(village=bing_cun, name="下组"),
    }
    finance = WorkUnitFactory(name="县财政局", leader="赵局长", phone="0878-8211111")
    water = WorkUnitFactory(name="县水务局")
    for unit, village in ((finance, jia_cun), (finance, yi_cun), (water, yi_cun), (water, bing_cun)):
        WorkUnitVillageFactory(unit=unit, village=village)
    zhang = CadreFactory(name="张一", unit=finance, phone="13900000001", post="科员")
    li = CadreFactory(name="李二", unit=finance, phone="13900000002")
    wang = CadreFactory(name="王三", unit=water, phone="13900000003")
    spare = CadreFactory(name="赵四", unit=finance, phone="13900000004")  # not paired yet
    round1 = RevisitRoundFactory(year=2016, number=1, starts_on=D(2016, 1, 10), ends_on=D(2016, 2, 29))
    rnd = RevisitRoundFactory(year=2016, number=2, starts_on=D(2016, 3, 1), ends_on=D(2016, 3, 31))

    def hh(key: str, where: str, **kw):
        return make_household(
            natural_village=nv[where],
            household_number=f"H{key:>03}",
            members=[member_data(name=f"户主{key}", born=D(1960, 1, int(key)))],
            **kw,
        )

    h = {
        1: hh("1", "jia"),
        2: hh("2", "jia"),
        3: hh("3", "yi"),
        4: hh("4", "bing"),
        5: hh("5", "bing"),
        6: hh("6", "jia", status=choices.Status.REMOVED),
        7: hh("7", "yi", status=choices.Status.EXITED, exit_year=2015),
        8: hh("8", "jia"),
        9: hh("9", "yi"),
        10: hh("10", "bing"),
    }
    jan = D(2016, 1, 1)
    PairingFactory(cadre=zhang, household=h[1], started_on=jan)
    PairingFactory(cadre=zhang, household=h[2], started_on=jan)
    PairingFactory(cadre=li, household=h[3], started_on=jan)
    PairingFactory(cadre=wang, household=h[4], started_on=jan)
    PairingFactory(cadre=wang, household=h[5], started_on=D(2016, 3, 5))
    PairingFactory(cadre=zhang, household=h[6], started_on=jan)
    PairingFactory(cadre=zhang, household=h[7], started_on=jan, ended_on=D(2016, 3, 10))
    PairingFactory(cadre=wang, household=h[7], started_on=D(2016, 3, 10))
    PairingFactory(cadre=li, household=h[9], started_on=jan, ended_on=D(2016, 2, 1))
    PairingFactory(cadre=li, household=h[10], started_on=jan, ended_on=D(2016, 3, 1))
    PairingFactory(cadre=wang, household=h[10], started_on=D(2016, 3, 1))
    RevisitFactory(cadre=zhang, household=h[1], round=rnd, visited_on=D(2016, 3, 2))
    RevisitFactory(cadre=li, household=h[3], round=None, visited_on=D(2016, 3, 10))
    RevisitFactory(cadre=zhang, household=h[7], round=rnd, visited_on=D(2016, 3, 5))
    RevisitFactory(cadre=li, household=h[10], round=round1, visited_on=D(2016, 2, 1))
    return {
        "county": county,
        "jia": jia,
        "yi": yi,
        "jia_cun": jia_cun,
        "yi_cun": yi_cun,
        "bing_cun": bing_cun,
        "finance": finance,
        "water": water,
        "zhang": zhang,
        "li": li,
        "wang": wang,
        "spare": spare,
        "round1": round1,
        "round": rnd,
        "h": h,
        "nv": nv,
    }


def user(role: str, **scope):
    # Named by role, without digits: a factory's "user1352" in the page header would read as the masked
    # tail of an ID number to the tests that check none is shown.
    return UserFactory(username=str(role), role=role, **scope)


def users(data: dict) -> dict:
    """One login per role; the township official is 甲乡's, the village official 丙村's, the cadre 张一."""
    return {
        "county_admin": user(Role.COUNTY_ADMIN),
        "inspector": user(Role.INSPECTOR),
        "township_official": user(Role.TOWNSHIP_OFFICIAL, township=data["jia"]),
        "village_official": user(Role.VILLAGE_OFFICIAL, village=data["bing_cun"]),
        "cadre": user(Role.CADRE, cadre=data["zhang"]),
    }
