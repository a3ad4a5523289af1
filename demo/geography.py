"""The demo county's geography: townships, administrative and natural villages (fixtures/SOURCES.md).

Names the source document gives are kept; the others are generated from a pool of plausible local
place names and are placed by assumption.
"""

import random
from dataclasses import dataclass, field
from decimal import Decimal

COUNTY_NAME = "元谋县"
REGION_CODE = "532328"
PREFECTURE = "楚雄彝族自治州"

# Bounding box of 元谋县 for natural-village coordinates.
LAT_RANGE = (25.4, 26.1)
LON_RANGE = (101.6, 102.1)


@dataclass
class TownshipSpec:
    name: str
    code: str
    centre: tuple[float, float]
    # Administrative villages the document names (with 村), then how many to have in all.
    named: list[str]
    total: int
    # Share of 彝族 and other minorities among members (元谋: mountains more 彝族).
    yi_share: float = 0.3
    is_poor: bool = False
    planned_exit_year: int | None = None


TOWNSHIPS = [
    TownshipSpec("元马镇", "532328100", (25.70, 101.87), [], 8, yi_share=0.15),
    TownshipSpec("黄瓜园镇", "532328101", (25.90, 101.83), ["黄瓜园村"], 7, yi_share=0.15),
    TownshipSpec("羊街镇", "532328102", (25.53, 101.99), ["羊街村", "甘泉村", "花同村", "尹地村"], 7),
    TownshipSpec("老城乡", "532328200", (25.62, 101.80), ["波亨村", "老者格村", "老城村"], 7, yi_share=0.35),
    TownshipSpec("物茂乡", "532328201", (25.76, 101.73), ["花园村", "物茂村"], 8, yi_share=0.3),
    TownshipSpec(
        "江边乡", "532328202", (25.99, 101.95), ["雷弄村", "阿拉益村", "小龙潭村", "江边村"], 8, yi_share=0.4
    ),
    TownshipSpec(
        "新华乡", "532328203", (25.55, 101.68), ["冷水箐村", "小丙间村", "把度村", "新华村"], 9, yi_share=0.45
    ),
    TownshipSpec(
        "平田乡", "532328204", (25.80, 102.03), ["华竹村", "新康村", "怕地村", "新昌村", "平田村"], 5
    ),
    TownshipSpec("凉山乡", "532328205", (25.47, 101.86), ["乐甫村", "公路梁子村", "凉山村"], 7, yi_share=0.5),
    TownshipSpec(
        "姜驿乡",
        "532328206",
        (26.03, 101.78),
        ["贡茶村", "法帕村", "姜驿村"],
        8,
        yi_share=0.4,
        is_poor=True,
        planned_exit_year=2018,
    ),
]

# 12 poor villages: (township, village) -> planned exit year. The first seven are named by the source;
# the last five are an assumption (villages hosting relocation sites), see fixtures/SOURCES.md.
POOR_VILLAGES = {
    ("凉山乡", "乐甫村"): 2016,
    ("江边乡", "雷弄村"): 2016,
    ("新华乡", "冷水箐村"): 2016,
    ("老城乡", "波亨村"): 2017,
    ("老城乡", "老者格村"): 2017,
    ("平田乡", "华竹村"): 2018,
    ("平田乡", "新康村"): 2018,
    ("姜驿乡", "贡茶村"): 2018,
    ("姜驿乡", "法帕村"): 2018,
    ("江边乡", "阿拉益村"): 2017,
    ("凉山乡", "公路梁子村"): 2017,
    ("新华乡", "把度村"): 2017,
}
EXIT_2016 = {("凉山乡", "乐甫村"), ("江边乡", "雷弄村"), ("新华乡", "冷水箐村")}

# Natural villages the source names, with their administrative village (placement is an assumption).
NAMED_NATURAL = {
    ("平田乡", "新昌村"): ["那蚌", "小己保"],
    ("平田乡", "华竹村"): ["龙坪"],
    ("平田乡", "平田村"): ["平地"],
}
# 平田乡: 5 村委会 and 46 村民小组 (村民小组扶贫发展规划46份).
PINGTIAN_NATURAL_COUNTS = {"华竹村": 10, "新康村": 9, "怕地村": 8, "新昌村": 9, "平田村": 10}

# The 11 poor natural villages of the county 整村推进 project: 那蚌, 小己保, 龙坪 and 8 more (assumption).
POOR_NATURAL_EXTRA = [
    ("老城乡", "波亨村", 2),
    ("老城乡", "老者格村", 2),
    ("凉山乡", "乐甫村", 1),
    ("江边乡", "雷弄村", 1),
    ("新华乡", "冷水箐村", 1),
    ("新华乡", "把度村", 1),
]

VILLAGE_NAME_POOL = [
    "能禹",
    "丙华",
    "龙川",
    "大营",
    "乌东",
    "丙月",
    "苴林",
    "小雷宰",
    "挨小",
    "湾保",
    "大竹箐",
    "芝麻",
    "环州",
    "朵苴",
    "麻柳",
    "松林",
    "龙街",
    "马头",
    "沙地",
    "石板",
    "竹箐",
    "大坪",
    "丙弄",
    "以诺",
    "大哨",
    "罗兴",
    "腊资",
    "团山",
    "那化",
    "兴隆",
    "红石岩",
    "大麦地",
    "凤凰",
    "金雷",
    "普登",
    "者纳",
    "卡莫",
    "大水井",
    "中村",
    "大塘子",
    "凹者",
    "洒芷",
    "旧县",
    "白塔",
    "大田",
    "竹园",
    "吴村",
    "虎溪",
    "上村",
    "乌巢",
    "大村",
    "摩诺",
    "尖山",
    "新田",
    "甸头",
    "老鹰",
    "梁子",
    "石门",
    "六纳",
    "赤那",
]

_NV_PREFIX = ["大", "小", "上", "下", "新", "老", "中", "后", "前", "外", "里", ""]
_NV_ROOT = [
    "村",
    "营",
    "坪",
    "箐",
    "地",
    "冲",
    "河",
    "田",
    "庄",
    "坝",
    "房",
    "山",
    "沟",
    "湾",
    "凹",
    "垭口",
    "麦地",
    "松树",
    "竹林",
    "梨园",
    "水井",
    "石头",
    "核桃",
    "石洞",
    "沙坝",
    "平掌",
    "火把",
    "鹰窝",
    "者格",
    "拉么",
    "苴么",
    "咪哩",
    "阿撒",
    "以格",
    "乍甸",
    "鲁么",
    "纳苴",
    "普宰",
    "腊哨",
]


@dataclass
class VillagePlan:
    township: str
    name: str
    code: str
    is_poor: bool = False
    planned_exit_year: int | None = None
    natural: list[dict] = field(default_factory=list)


def _natural_name(rng: random.Random, taken: set[str]) -> str:
    while True:
        root = rng.choice(_NV_ROOT)
        name = rng.choice(_NV_PREFIX) + root
        if len(name) < 2:
            name += rng.choice(["村", "组", "营"])
        if name not in taken:
            taken.add(name)
            return name


def _coordinate(rng: random.Random, centre: tuple[float, float]) -> tuple[Decimal, Decimal]:
    lat = min(max(centre[0] + rng.uniform(-0.07, 0.07), LAT_RANGE[0] + 0.01), LAT_RANGE[1] - 0.01)
    lon = min(max(centre[1] + rng.uniform(-0.07, 0.07), LON_RANGE[0] + 0.01), LON_RANGE[1] - 0.01)
    return Decimal(f"{lat:.6f}"), Decimal(f"{lon:.6f}")


def plan_geography(rng: random.Random) -> list[VillagePlan]:
    """Every administrative village with its natural villages (names, codes, coordinates)."""
    pool = list(VILLAGE_NAME_POOL)
    rng.shuffle(pool)
    reserved = {n.removesuffix("村") for t in TOWNSHIPS for n in t.named}
    pool = [p for p in pool if p not in reserved]
    poor_natural_left = {(t, v): k for t, v, k in POOR_NATURAL_EXTRA}
    plans: list[VillagePlan] = []
    for spec in TOWNSHIPS:
        names = list(spec.named)
        while len(names) < spec.total:
            names.append(pool.pop() + "村")
        for index, name in enumerate(names, start=1):
            plan = VillagePlan(spec.name, name, f"{spec.code}{index:03d}")
            exit_year = POOR_VILLAGES.get((spec.name, name))
            if exit_year:
                plan.is_poor, plan.planned_exit_year = True, exit_year
            named = NAMED_NATURAL.get((spec.name, name), [])
            if spec.name == "平田乡":
                count = PINGTIAN_NATURAL_COUNTS[name]
            else:
                count = rng.randint(5, 11)
            taken = set(named)
            nv_names = named + [_natural_name(rng, taken) for _ in range(count - len(named))]
            poor_left = poor_natural_left.get((spec.name, name), 0)
            for nv_index, nv_name in enumerate(nv_names, start=1):
                lat, lon = _coordinate(rng, spec.centre)
                is_poor = nv_name in ("那蚌", "小己保", "龙坪")
                # the extra poor natural villages are the last ones generated in their village
                if not is_poor and poor_left and nv_index > count - poor_left:
                    is_poor = True
                plan.natural.append(
                    {
                        "name": nv_name,
                        "code": f"{plan.code}{nv_index:02d}",
                        "is_poor": is_poor,
                        "latitude": lat,
                        "longitude": lon,
                    }
                )
            plans.append(plan)
    return plans
