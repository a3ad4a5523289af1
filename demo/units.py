"""The 102 work units (挂联单位) of the demo county, with the township each one is paired in.

The source gives the count (全县102个单位3437名干部) and 19 units liaising with 老城乡; the names and
their placement are generated (fixtures/SOURCES.md).
"""

PREFECTURE = [
    "州扶贫办",
    "州财政局",
    "州发改委",
    "州民政局",
    "州交通运输局",
    "州水务局",
    "州农业局",
    "州林业局",
    "州教育局",
    "州卫生计生委",
    "州人社局",
    "州住建局",
    "州国土资源局",
    "州委组织部",
]
OTHER = [
    "县农村信用合作联社",
    "农业银行元谋支行",
    "元谋供电局",
    "电信元谋分公司",
    "移动元谋分公司",
    "县烟草专卖局",
]
COUNTY = [
    "县委办",
    "县政府办",
    "县人大办",
    "县政协办",
    "县纪委",
    "县委组织部",
    "县委宣传部",
    "县委统战部",
    "县委政法委",
    "县编办",
    "县委党校",
    "县总工会",
    "团县委",
    "县妇联",
    "县科协",
    "县工商联",
    "县残联",
    "县扶贫办",
    "县发改局",
    "县财政局",
    "县教育局",
    "县科技局",
    "县工信局",
    "县公安局",
    "县民政局",
    "县司法局",
    "县人社局",
    "县国土资源局",
    "县环保局",
    "县住建局",
    "县交通运输局",
    "县水务局",
    "县农业局",
    "县林业局",
    "县畜牧局",
    "县商务局",
    "县文体广电旅游局",
    "县卫生计生局",
    "县审计局",
    "县统计局",
    "县安监局",
    "县食药监局",
    "县工商局",
    "县质监局",
    "县地税局",
    "县国税局",
    "县气象局",
    "县档案局",
    "县地震局",
    "县民宗局",
    "县供销社",
    "县农机局",
    "县粮食局",
    "县移民局",
    "县城管局",
    "县法院",
    "县检察院",
    "县人民医院",
    "县中医医院",
    "县疾控中心",
    "县第一中学",
    "县职业高级中学",
    "县委老干部局",
    "县委政策研究室",
    "县信访局",
    "县物价局",
    "县旅游发展委员会",
    "县住房公积金管理部",
    "县水利水电勘察设计队",
    "县农业技术推广中心",
    "县妇幼保健院",
    "县第二中学",
]
# Units per township (老城乡: 19, the source's 19 liaison officers); sums to 102 with the 10 governments.
UNITS_PER_TOWNSHIP = {
    "元马镇": 4,
    "黄瓜园镇": 4,
    "羊街镇": 10,
    "老城乡": 19,
    "物茂乡": 8,
    "江边乡": 10,
    "新华乡": 10,
    "平田乡": 7,
    "凉山乡": 10,
    "姜驿乡": 20,
}
# Prefecture units pair in the townships where the source mentions 州 cadres.
PREFECTURE_TOWNSHIPS = {"姜驿乡": 6, "新华乡": 4, "老城乡": 4}


def township_units() -> dict[str, list[tuple[str, str]]]:
    """township -> [(unit name, level)]; every unit in exactly one township."""
    county = list(COUNTY) + list(OTHER)
    prefecture = list(PREFECTURE)
    out: dict[str, list[tuple[str, str]]] = {}
    for township, total in UNITS_PER_TOWNSHIP.items():
        units = [(f"{township}人民政府", "township")]
        for _ in range(PREFECTURE_TOWNSHIPS.get(township, 0)):
            units.append((prefecture.pop(0), "prefecture"))
        while len(units) < total:
            name = county.pop(0)
            units.append((name, "other" if name in OTHER else "county"))
        out[township] = units
    assert not county and not prefecture, "单位名单与分配数不符"
    return out
