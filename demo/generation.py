"""Synthetic households at province scale, for benchmarks (`manage.py generate_households`).

Every value is a pure function of the household index i (household number G + 9 digits) and, for a member,
of its global index g = i * 7 + position, so the same rows come out of PostgreSQL's set-based SQL and of
the Python bulk_create path (the SQLite fallback and the benchmark's baseline), and each run continues
after the previous one: the next i follows the highest G number already registered.

Members keep the model invariants although SQL bypasses Model.save: ID numbers are valid per GB 11643,
unique (see _id_parts), agree with the sex column, and each household has exactly one current 户主.
"""

import json
import time
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction

from core.gc_pause import gc_paused
from core.idnumbers import CHECK_CHARS, WEIGHTS
from households.models import Assessment, Household, Member
from households.services import pinyin_initials
from villages.models import AdministrativeVillage, County, NaturalVillage, Township

PREFIX = "G"
NUMBER_DIGITS = 9
MAX_SIZE = 7  # members per household: 1–7, about 4 on average
ASSESSMENT_YEAR = 2016
REFERENCE_YEAR = 2016  # ages are taken in the assessment year

# Yunnan county-level region codes, 元谋县 (532328) left out so generated IDs never meet the demo county's.
REGION_CODES = (
    530102, 530103, 530111, 530112, 530113, 530114, 530115, 530124, 530125, 530126, 530127, 530128,
    530129, 530181, 530302, 530303, 530304, 530322, 530323, 530324, 530325, 530326, 530381, 530402,
    530403, 530423, 530424, 530425, 530426, 530427, 530428, 530481, 530502, 530521, 530523, 530524,
    530581, 530602, 530621, 530622, 530623, 530624, 530625, 530626, 530627, 530628, 530629, 530681,
    530702, 530721, 530722, 530723, 530724, 530802, 530821, 530822, 530823, 530824, 530825, 530826,
    530827, 530828, 530829, 530902, 530921, 530922, 530923, 530924, 530925, 530926, 530927, 532301,
    532302, 532322, 532323, 532324, 532325, 532326, 532327, 532329, 532501, 532502, 532503, 532504,
    532523, 532524, 532525, 532527, 532528, 532529, 532530, 532531, 532532, 532601, 532622, 532623,
    532624, 532625, 532626, 532627, 532628, 532801, 532822, 532823, 532901, 532922, 532923, 532924,
    532925, 532926, 532927, 532928, 532929, 532930, 532931, 532932, 533102, 533103, 533122, 533123,
    533124, 533301, 533323, 533324, 533325, 533401, 533422, 533423,
)  # fmt: skip
SEQUENCE_SLOTS = 500  # the 3-digit sequence: 500 values per sex (last digit odd = male)
# g -> (day of year, region, sequence slot) is one-to-one below this many members (see _id_parts).
MEMBER_CAPACITY = 365 * len(REGION_CODES) * SEQUENCE_SLOTS
HOUSEHOLD_CAPACITY = MEMBER_CAPACITY // MAX_SIZE - 1

# Names from fixed tables with their pinyin initials precomputed, so SQL can build head_initials.
# No polyphonic characters: the initials of a full name are its surname's plus its given name's.
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓彭苏卢蒋蔡丁魏杜普起者鲁施沙毕"
MALE_GIVEN = (
    "建华 国强 志明 永福 文军 德明 正华 海涛 学文 天福 光明 红军 金龙 国华 春林 建国 成林 家富 明亮 俊杰 "
    "云峰 兴旺 永昌 德才 开明 有才 忠林 绍华 光荣 文华 加明 万福 玉林 自强 世明 应龙 树林 顺华 跃进 发明"
).split()
FEMALE_GIVEN = (
    "秀英 桂英 玉兰 丽华 春梅 秀兰 美玲 红梅 金花 玉芬 丽萍 海燕 晓燕 雪梅 小芳 丽娟 翠花 凤英 春燕 秀珍 "
    "玉梅 桂芬 琼芬 兰芬 艳萍 会芬 绍芬 菊芬 美英 金凤 玉珍 文英 春花 月娥 家珍 建芬 明芬 秀芳 丽琼 彩云"
).split()
SURNAME_INITIALS = [pinyin_initials(s) for s in SURNAMES]
MALE_INITIALS = [pinyin_initials(s) for s in MALE_GIVEN]
FEMALE_INITIALS = [pinyin_initials(s) for s in FEMALE_GIVEN]
GIVEN_NAMES = len(MALE_GIVEN)
assert len(FEMALE_GIVEN) == GIVEN_NAMES


def _weighted(*pairs: tuple[str, int]) -> list[str]:
    """A 100-entry table: a draw 0–99 indexes it, so the same weighted choice is one array lookup in SQL."""
    table = [value for value, weight in pairs for _ in range(weight)]
    assert len(table) == 100, len(table)
    return table


SIZE_TABLE = [
    int(s) for s in _weighted(("1", 7), ("2", 13), ("3", 19), ("4", 23), ("5", 18), ("6", 12), ("7", 8))
]
ATTRIBUTE_TABLE = _weighted(("general", 80), ("dibao", 15), ("tekun", 5))
CAUSE_TABLE = _weighted(
    ("illness", 20), ("disability", 8), ("schooling", 8), ("disaster", 4), ("land", 6), ("water", 6),
    ("skills", 14), ("labour", 10), ("capital", 14), ("transport", 4), ("motivation", 4), ("marriage", 1),
    ("other", 1),
)  # fmt: skip
STATUS_TABLE = _weighted(("poor", 88), ("exited", 10), ("returned", 2))
ETHNICITY_TABLE = _weighted(("汉族", 58), ("彝族", 32), ("傈僳族", 5), ("苗族", 3), ("傣族", 2))
IDENTIFIED_YEAR_TABLE = [int(y) for y in _weighted(("2014", 85), ("2015", 10), ("2016", 5))]
HEALTH_TABLE = _weighted(("healthy", 85), ("chronic", 8), ("serious", 4), ("disabled", 3))

# Month-day of the d-th day of a common year: never 29 February, so valid in every year.
_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
MONTH_DAY = [m * 100 + d for m, n in enumerate(_MONTH_DAYS, 1) for d in range(1, n + 1)]
# Partial GB 11643 check sums: region code (weights 1–6) and month-day (weights 11–14), per table entry.
REGION_SUM = [sum(int(c) * w for c, w in zip(str(r), WEIGHTS[:6], strict=True)) for r in REGION_CODES]
MONTH_DAY_SUM = [
    sum(int(c) * w for c, w in zip(f"{md:04d}", WEIGHTS[10:14], strict=True)) for md in MONTH_DAY
]
assert WEIGHTS[6:10] == (2, 1, 6, 3) and WEIGHTS[14:] == (8, 4, 2)  # year and sequence weights used in SQL

_P = 2147483647  # 2**31 - 1


def _hash(x: int) -> int:
    """A cheap integer hash, the same in SQL (bigint arithmetic, no overflow): four draws 0–99 per call."""
    t = x * 48271 % _P
    return t * t % _P


def _hash_sql(x: str) -> str:
    t = f"(({x}) * 48271 % {_P})"
    return f"({t} * {t} % {_P})"


@dataclass(frozen=True)
class GenerationResult:
    households: int
    members: int
    seconds: float
    first_number: str
    last_number: str
    method: str

    @property
    def members_per_second(self) -> float:
        return self.members / self.seconds if self.seconds else 0.0


# --- Python rules (the SQL below mirrors them exactly; tests compare the two) ---------------------------


def household_number(i: int) -> str:
    return f"{PREFIX}{i:0{NUMBER_DIGITS}d}"


def household_values(i: int) -> dict:
    """Household-level draws for household index i."""
    ha, hb, hc = _hash(i * 16), _hash(i * 16 + 1), _hash(i * 16 + 2)
    size = SIZE_TABLE[ha % 100]
    status = STATUS_TABLE[ha // 1000000 % 100]
    head_male = hb % 100 < 88
    surname = hb // 100 % len(SURNAMES)
    given = hb // 10000 % GIVEN_NAMES
    # Households with grandchildren (6–7 members) have an older head.
    head_year = 1941 + hb // 1000000 % (19 if size >= 6 else 48)
    givens, initials = (MALE_GIVEN, MALE_INITIALS) if head_male else (FEMALE_GIVEN, FEMALE_INITIALS)
    return {
        "i": i,
        "household_number": household_number(i),
        "size": size,
        "attribute": ATTRIBUTE_TABLE[ha // 100 % 100],
        "main_cause": CAUSE_TABLE[ha // 10000 % 100],
        "status": status,
        "exit_year": 2015 if status == "exited" else None,
        "head_male": head_male,
        "surname": surname,
        "head_year": head_year,
        "head_name": SURNAMES[surname] + givens[given],
        "head_initials": SURNAME_INITIALS[surname] + initials[given],
        "ethnicity": ETHNICITY_TABLE[hc % 100],
        "phone": f"13{hc % 1000000000:09d}" if hc // 100 % 100 < 70 else "",
        "identified_year": IDENTIFIED_YEAR_TABLE[hc // 10000 % 100],
    }


def assessment_values(i: int, size: int, attribute: str) -> dict:
    hd, he, hf = _hash(i * 16 + 3), _hash(i * 16 + 4), _hash(i * 16 + 5)
    wage = hd % 100 * 120
    operating = 500 + hd // 100 % 100 * 60
    prop = 200 if hd // 10000 % 100 < 10 else 0
    transfer = 300 + hd // 1000000 % 50 * 20 + (1200 if attribute != "general" else 0)
    expense = operating * 3 // 10
    net = Decimal(wage + operating + prop + transfer - expense) / size
    return {
        "wage_income": Decimal(wage),
        "operating_income": Decimal(operating),
        "property_income": Decimal(prop),
        "transfer_income": Decimal(transfer),
        "operating_expense": Decimal(expense),
        "food_secure": he % 100 < 98,
        "clothing_secure": he // 100 % 100 < 98,
        "education_secure": he // 10000 % 100 < 96,
        "medical_secure": he // 1000000 % 100 < 97,
        "housing_secure": hf % 100 < 88,
        "water_secure": hf // 100 % 100 < 94,
        "member_count": size,
        "per_capita_net_income": net.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP),
    }


def _id_parts(g: int, year: int, male: bool) -> str:
    """The ID number of member g (GB 11643), unique for every g below MEMBER_CAPACITY.

    g = a * 365 + r gives the day of year d = g * 137 mod 365 (137 is prime to 365, so d runs through all
    days as r does) and a gives (region, sequence slot). Two members with different g differ in d, hence in
    birth date whatever their years, or share d and differ in a, hence in region or sequence.
    The region is a's slow part (one code per 182,500 members), so a run inserts into a small part of the
    id_number indexes at a time, which stays in cache: cycling the region every 365 members made the member
    insert about twice as slow.
    """
    d = g * 137 % 365
    a = g // 365
    region = a // SEQUENCE_SLOTS
    seq = a % SEQUENCE_SLOTS * 2 + (1 if male else 0)
    first17 = f"{REGION_CODES[region]}{year * 10000 + MONTH_DAY[d]}{seq:03d}"
    return first17 + CHECK_CHARS[sum(int(c) * w for c, w in zip(first17, WEIGHTS, strict=True)) % 11]


def member_values(hh: dict, p: int) -> dict:
    """Member at position p (0 = 户主) of the household hh from household_values."""
    i, hy = hh["i"], hh["head_year"]
    g = i * MAX_SIZE + p
    ma, mb, mc = _hash(g * 16 + 8), _hash(g * 16 + 9), _hash(g * 16 + 10)
    # kind: 0 head, 1 spouse, 2 child, 3 parent (young head), 4 grandchild (old head)
    kind = 0 if p == 0 else 1 if p == 1 else 2 if p <= 3 else 3 if p == 4 and hy >= 1960 else 4
    male = hh["head_male"] if kind == 0 else (not hh["head_male"]) if kind == 1 else ma % 2 == 0
    jitter = ma // 100 % 100
    year = (
        hy,
        hy + jitter % 7 - 3,
        hy + 20 + jitter % min(16, REFERENCE_YEAR - hy - 20),
        hy - 20 - jitter % 10,
        hy + 45 + jitter % 12,
    )[kind]
    age = REFERENCE_YEAR - year
    relation = (
        "head",
        "spouse",
        "son" if male else "daughter",
        "father" if male else "mother",
        "grandson" if male else "granddaughter",
    )[kind]
    surname = ma // 10000 % len(SURNAMES) if kind == 1 or relation == "mother" else hh["surname"]
    given = (MALE_GIVEN if male else FEMALE_GIVEN)[ma // 1000000 % GIVEN_NAMES]
    e, h, lab, mig = mb % 100, mb // 100 % 100, mb // 10000 % 100, mb // 1000000 % 100
    if age < 6:
        education, school = "preschool", ("preschool" if age >= 3 else "none")
    elif age < 12:
        education, school = "primary", "primary"
    elif age < 15:
        education, school = "junior", "junior"
    elif age < 18:
        education, school = (
            ("senior", "senior") if e < 60 else ("vocational", "vocational") if e < 80 else ("junior", "none")
        )
    elif age < 23 and e < 15:
        education, school = "college", "higher"
    elif age >= 60:
        education, school = ("illiterate" if e < 45 else "primary" if e < 85 else "junior"), "none"
    else:
        education = (
            "illiterate"
            if e < 10
            else "primary"
            if e < 45
            else "junior"
            if e < 85
            else "senior"
            if e < 95
            else "vocational"
        )
        school = "none"
    health = HEALTH_TABLE[h]
    if age < 16:
        labour = "none"
    elif health != "healthy":
        labour = "weak" if lab < 50 else "lost"
    elif age > 64:
        labour = "weak" if lab < 60 else "lost"
    else:
        labour = "ordinary" if lab < 80 else "skilled" if lab < 92 else "weak"
    if labour in ("ordinary", "skilled") and 18 <= age <= 55:
        migrant = (
            "in_township" if mig < 15 else "in_county" if mig < 30 else "in_province" if mig < 42 else
            "out_of_province" if mig < 50 else "none"
        )  # fmt: skip
    else:
        migrant = "none"
    return {
        "name": hh["head_name"] if kind == 0 else SURNAMES[surname] + given,
        "id_number": _id_parts(g, year, male),
        "relation": relation,
        "sex": "male" if male else "female",
        "ethnicity": hh["ethnicity"],
        "education": education,
        "school_status": school,
        "health": [health],
        "labour": labour,
        "migrant_work": migrant,
        "health_insurance": mc % 100 < 98,
        "pension": age >= 16 and mc // 100 % 100 < 75,
    }


# --- geography and continuation -------------------------------------------------------------------------

_ADVISORY_LOCK = 0x67656E68  # "genh"
SYNTHETIC_COUNTY_CODE = "539901"  # not a real county, and not 元谋县 (532328)


def ensure_geography(*, townships: int = 20, villages: int = 10, natural_villages: int = 10) -> int:
    """The natural villages to fill; on an empty database, a small synthetic county (基准县) first."""
    count = NaturalVillage.objects.count()
    if count:
        return count
    county, _ = County.objects.get_or_create(
        region_code=SYNTHETIC_COUNTY_CODE, defaults={"name": "基准县", "prefecture": "基准州"}
    )
    Township.objects.bulk_create(
        Township(county=county, name=f"基准乡{t:03d}", code=f"{SYNTHETIC_COUNTY_CODE}{t:03d}")
        for t in range(1, townships + 1)
    )
    towns = Township.objects.filter(county=county).order_by("id")
    AdministrativeVillage.objects.bulk_create(
        AdministrativeVillage(township=t, name=f"基准村{v:03d}", code=f"{t.code}{v:03d}")
        for t in towns
        for v in range(1, villages + 1)
    )
    admin = AdministrativeVillage.objects.filter(township__county=county).order_by("id")
    NaturalVillage.objects.bulk_create(
        NaturalVillage(village=v, name=f"基准组{n:03d}", code=f"{v.code}{n:03d}")
        for v in admin
        for n in range(1, natural_villages + 1)
    )
    return NaturalVillage.objects.count()


def next_index() -> int:
    """The index after the highest generated household number (G + 9 digits) already registered."""
    last = (
        Household.objects.filter(household_number__regex=rf"^{PREFIX}[0-9]{{{NUMBER_DIGITS}}}$")
        .order_by("-household_number")
        .values_list("household_number", flat=True)
        .first()
    )
    return int(last[len(PREFIX) :]) + 1 if last else 1


def _natural_villages() -> list[tuple[int, int, int]]:
    """(natural village, village, township) ids in id order: household i goes to entry i mod n."""
    return list(NaturalVillage.objects.order_by("id").values_list("id", "village_id", "village__township_id"))


# --- entry point ----------------------------------------------------------------------------------------


# The bulk path makes every row's values in Python: the cycle collector waits (core/gc_pause.py).
@gc_paused()
def generate_households(*, count: int, method: str = "auto", batch_size: int = 2000) -> GenerationResult:
    """Add `count` synthetic households with their members and a 2016 assessment, in one transaction.

    method: "sql" (PostgreSQL, set-based), "bulk" (Django bulk_create: SQLite fallback and baseline),
    "auto" (sql on PostgreSQL, bulk elsewhere).
    """
    if count < 1:
        raise ValidationError("户数必须大于 0。")
    if method == "auto":
        method = "sql" if connection.vendor == "postgresql" else "bulk"
    if method == "sql" and connection.vendor != "postgresql":
        raise ValidationError("集合式生成需要 PostgreSQL。")
    started = time.perf_counter()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Two runs at once would both continue after the same number: the second waits for the first.
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ADVISORY_LOCK])
                # Synthetic rows: the hash joins of a million households stay in memory, and the commit
                # need not wait for the disk (a crash loses a run that is simply made again).
                cursor.execute("SET LOCAL work_mem = '256MB'")
                cursor.execute("SET LOCAL synchronous_commit = off")
        ensure_geography()
        start = next_index()
        stop = start + count - 1
        if stop > HOUSEHOLD_CAPACITY:
            raise ValidationError(
                f"生成户数超出身份证号容量（最多 {HOUSEHOLD_CAPACITY:,} 户，已有到 {household_number(start - 1)}）。"
            )
        if method == "sql":
            with _keys_and_indexes_rebuilt_once(count):
                members = _generate_sql(start, stop)
        else:
            members = _generate_bulk(start, stop, batch_size)
    seconds = time.perf_counter() - started
    return GenerationResult(
        households=count,
        members=members,
        seconds=seconds,
        first_number=household_number(start),
        last_number=household_number(stop),
        method=method,
    )


# Below this many new households, or below half the households already there, the registry's foreign keys
# and indexes stay and take each new row as it comes; above, see _keys_and_indexes_rebuilt_once.
REBUILD_MIN = 10_000


@contextmanager
def _keys_and_indexes_rebuilt_once(count: int):
    """Drop the foreign keys and secondary indexes of the tables written, and make them again afterwards.

    PostgreSQL's advice for populating a database ("Remove Indexes", "Remove Foreign Key Constraints"):
    - A deferred foreign key checks each new row at commit by its own query: a million members, households
      and assessments made about 3.5 of 10 seconds. Added back, each key is checked by one join.
    - Each index took every new row by a descent of its tree: the member insert spent about 8 of its 11
      seconds there. Built again, an index is one sort of the table (about 2 seconds for a million members).
    The primary keys stay (other tables' keys point at them). Unique indexes are checked again when they
    are built, in the same transaction, so a duplicate ID number or a row without its parent still fails
    the whole run and leaves everything as it was. The tables are locked for the run (ALTER TABLE): this is
    synthetic data for benchmarks, not an office's working day.
    """
    tables = [m._meta.db_table for m in (Household, Member, Assessment)]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COALESCE(SUM(GREATEST(reltuples, 0)), 0) FROM pg_class WHERE oid = %s::regclass",
            [tables[0]],
        )
        existing = cursor.fetchone()[0]
        if count < REBUILD_MIN or count * 2 < existing:
            yield
            return
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE contype IN ('f', 'u') AND conrelid = ANY(%s::regclass[])"
            " AND (contype = 'f' OR conindid NOT IN (SELECT conindid FROM pg_constraint WHERE contype = 'f'))"
            " ORDER BY contype DESC, conrelid, conname",
            [tables],
        )
        constraints = cursor.fetchall()  # unique constraints first: they are made again before the keys
        cursor.execute(
            "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index i"
            " WHERE indrelid = ANY(%s::regclass[]) AND NOT indisprimary"
            " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)"
            " ORDER BY indexrelid",
            [tables],
        )
        indexes = cursor.fetchall()
        q = connection.ops.quote_name
        # A table with checks still queued (the geography just made) cannot be altered: run them now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table, name, _ in constraints:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {q(name)}")
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {name}")
        yield
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for _, definition in indexes:
            cursor.execute(definition)
        for table, name, definition in constraints:
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {q(name)} {definition}")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _generate_bulk(start: int, stop: int, batch_size: int) -> int:
    villages = _natural_villages()
    members = 0
    for lo in range(start, stop + 1, batch_size):
        values = [household_values(i) for i in range(lo, min(lo + batch_size, stop + 1))]
        households = []
        for v in values:
            nv, village, township = villages[v["i"] % len(villages)]
            households.append(
                Household(
                    household_number=v["household_number"],
                    natural_village_id=nv,
                    village_id=village,
                    township_id=township,
                    attribute=v["attribute"],
                    main_cause=v["main_cause"],
                    other_causes=[],
                    identified_year=v["identified_year"],
                    phone=v["phone"],
                    status=v["status"],
                    exit_year=v["exit_year"],
                    eligibility_reasons=[],
                    head_name=v["head_name"],
                    head_initials=v["head_initials"],
                )
            )
        Household.objects.bulk_create(households)
        rows = [
            Member(household_id=h.pk, **member_values(v, p))
            for h, v in zip(households, values, strict=True)
            for p in range(v["size"])
        ]
        Member.objects.bulk_create(rows)
        members += len(rows)
        Assessment.objects.bulk_create(
            Assessment(
                household_id=h.pk,
                year=ASSESSMENT_YEAR,
                **assessment_values(v["i"], v["size"], v["attribute"]),
            )
            for h, v in zip(households, values, strict=True)
        )
    return members


def _ints(values) -> str:
    return "(ARRAY[" + ",".join(str(int(v)) for v in values) + "]::bigint[])"


def _texts(values) -> str:
    return "(ARRAY[" + ",".join("'" + str(v).replace("'", "''") + "'" for v in values) + "]::text[])"


def _health_case(draw: str) -> str:
    """HEALTH_TABLE as thresholds on the draw, so each outcome is a jsonb constant (no per-row JSON parse)."""
    arms, upto = [], 0
    for value in dict.fromkeys(HEALTH_TABLE):
        upto += HEALTH_TABLE.count(value)
        arms.append(f"WHEN {draw} < {upto} THEN '{json.dumps([value])}'::jsonb")
    return "CASE " + " ".join(arms) + " END"


def _generate_sql(start: int, stop: int) -> int:
    """INSERT ... SELECT FROM generate_series: one statement per table, no per-row round trips."""
    hh, mm, aa = Household._meta.db_table, Member._meta.db_table, Assessment._meta.db_table
    villages = _natural_villages()
    nv_ids, village_ids, township_ids = (_ints(column) for column in zip(*villages, strict=True))
    n_villages, n_surnames = len(villages), len(SURNAMES)
    h = _hash_sql
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [hh])
        sequence = cursor.fetchone()[0]
        cursor.execute("DROP TABLE IF EXISTS gen_household")
        # Household-level draws, materialised once: the household, member and assessment inserts read them.
        # OFFSET 0 keeps each level a separate step, so a draw is computed once, not once per use.
        cursor.execute(
            f"""
            CREATE TEMP TABLE gen_household AS
            SELECT i, id, size, ha, hc, head_male, surname, head_year,
                   {_texts(ATTRIBUTE_TABLE)}[ha / 100 % 100 + 1] AS attribute,
                   {_texts(STATUS_TABLE)}[ha / 1000000 % 100 + 1] AS status,
                   {_texts(SURNAMES)}[surname + 1]
                     || (CASE WHEN head_male THEN {_texts(MALE_GIVEN)} ELSE {_texts(FEMALE_GIVEN)} END)[given + 1]
                     AS head_name,
                   {_texts(SURNAME_INITIALS)}[surname + 1]
                     || (CASE WHEN head_male THEN {_texts(MALE_INITIALS)}
                         ELSE {_texts(FEMALE_INITIALS)} END)[given + 1] AS head_initials,
                   {_texts(ETHNICITY_TABLE)}[hc % 100 + 1] AS ethnicity
            FROM (
                SELECT i, id, ha, hc, size,
                       hb % 100 < 88 AS head_male,
                       hb / 100 % {n_surnames} AS surname,
                       hb / 10000 % {GIVEN_NAMES} AS given,
                       1941 + hb / 1000000 % (CASE WHEN size >= 6 THEN 19 ELSE 48 END) AS head_year
                FROM (
                    SELECT i, id, ha, hb, hc, {_ints(SIZE_TABLE)}[ha % 100 + 1] AS size
                    FROM (
                        SELECT i, nextval('{sequence}'::regclass) AS id,
                               {h("i * 16")} AS ha, {h("i * 16 + 1")} AS hb, {h("i * 16 + 2")} AS hc
                        FROM generate_series({start}::bigint, {stop}::bigint) AS i
                        OFFSET 0
                    ) q0
                    OFFSET 0
                ) q1
                OFFSET 0
            ) q2
            """
        )
        cursor.execute(
            f"""
            INSERT INTO {hh} (id, household_number, natural_village_id, village_id, township_id, attribute,
                              main_cause, other_causes, identified_year, phone, status, exit_year,
                              removed_reason, eligible, eligibility_year, eligibility_reasons, head_name,
                              head_initials, created_at, updated_at)
            SELECT id, '{PREFIX}' || lpad(i::text, {NUMBER_DIGITS}, '0'),
                   {nv_ids}[i % {n_villages} + 1], {village_ids}[i % {n_villages} + 1],
                   {township_ids}[i % {n_villages} + 1],
                   attribute,
                   {_texts(CAUSE_TABLE)}[ha / 10000 % 100 + 1],
                   '[]'::jsonb,
                   {_ints(IDENTIFIED_YEAR_TABLE)}[hc / 10000 % 100 + 1],
                   CASE WHEN hc / 100 % 100 < 70 THEN '13' || lpad((hc % 1000000000)::text, 9, '0') ELSE '' END,
                   status, CASE WHEN status = 'exited' THEN 2015 END,
                   '', NULL, NULL, '[]'::jsonb, head_name, head_initials, now(), now()
            FROM gen_household
            """
        )
        # The rules of member_values(), level by level.
        cursor.execute(
            f"""
            INSERT INTO {mm} (household_id, name, id_number, disability_certificate, relation, sex, ethnicity,
                              education, school_status, health, labour, migrant_work, health_insurance,
                              pension, left_reason, left_on)
            SELECT household_id,
                   CASE WHEN kind = 0 THEN head_name
                        ELSE {_texts(SURNAMES)}[surname + 1]
                             || (CASE WHEN male THEN {_texts(MALE_GIVEN)} ELSE {_texts(FEMALE_GIVEN)} END)
                                [ma / 1000000 % {GIVEN_NAMES} + 1] END,
                   -- GB 11643 check character: precomputed partial sums plus the year and sequence digits
                   first17::text || substr('{CHECK_CHARS}', ((
                       {_ints(REGION_SUM)}[region + 1] + {_ints(MONTH_DAY_SUM)}[day + 1]
                       + 2 * (year / 1000) + year / 100 % 10 + 6 * (year / 10 % 10) + 3 * (year % 10)
                       + 8 * (seq / 100) + 4 * (seq / 10 % 10) + 2 * (seq % 10)
                   ) % 11)::int + 1, 1),
                   '',
                   CASE kind WHEN 0 THEN 'head' WHEN 1 THEN 'spouse'
                        WHEN 2 THEN CASE WHEN male THEN 'son' ELSE 'daughter' END
                        WHEN 3 THEN CASE WHEN male THEN 'father' ELSE 'mother' END
                        ELSE CASE WHEN male THEN 'grandson' ELSE 'granddaughter' END END,
                   CASE WHEN male THEN 'male' ELSE 'female' END,
                   ethnicity, education, school,
                   {_health_case("hd")},
                   labour,
                   CASE WHEN labour IN ('ordinary', 'skilled') AND age BETWEEN 18 AND 55 THEN
                        CASE WHEN mig < 15 THEN 'in_township' WHEN mig < 30 THEN 'in_county'
                             WHEN mig < 42 THEN 'in_province' WHEN mig < 50 THEN 'out_of_province'
                             ELSE 'none' END
                        ELSE 'none' END,
                   mc % 100 < 98,
                   age >= 16 AND mc / 100 % 100 < 75,
                   '', NULL
            FROM (
                SELECT *,
                       {_ints(REGION_CODES)}[region + 1] * 100000000000
                         + (year * 10000 + {_ints(MONTH_DAY)}[day + 1]) * 1000 + seq AS first17,
                       CASE WHEN age < 6 THEN 'preschool' WHEN age < 12 THEN 'primary'
                            WHEN age < 15 THEN 'junior'
                            WHEN age < 18 THEN CASE WHEN e < 60 THEN 'senior' WHEN e < 80 THEN 'vocational'
                                                    ELSE 'junior' END
                            WHEN age < 23 AND e < 15 THEN 'college'
                            WHEN age >= 60 THEN CASE WHEN e < 45 THEN 'illiterate' WHEN e < 85 THEN 'primary'
                                                     ELSE 'junior' END
                            ELSE CASE WHEN e < 10 THEN 'illiterate' WHEN e < 45 THEN 'primary'
                                      WHEN e < 85 THEN 'junior' WHEN e < 95 THEN 'senior'
                                      ELSE 'vocational' END END AS education,
                       CASE WHEN age < 3 THEN 'none' WHEN age < 6 THEN 'preschool'
                            WHEN age < 12 THEN 'primary' WHEN age < 15 THEN 'junior'
                            WHEN age < 18 THEN CASE WHEN e < 60 THEN 'senior' WHEN e < 80 THEN 'vocational'
                                                    ELSE 'none' END
                            WHEN age < 23 AND e < 15 THEN 'higher'
                            ELSE 'none' END AS school,
                       CASE WHEN age < 16 THEN 'none'
                            WHEN hd >= {HEALTH_TABLE.count("healthy")}
                                 THEN CASE WHEN lab < 50 THEN 'weak' ELSE 'lost' END
                            WHEN age > 64 THEN CASE WHEN lab < 60 THEN 'weak' ELSE 'lost' END
                            ELSE CASE WHEN lab < 80 THEN 'ordinary' WHEN lab < 92 THEN 'skilled'
                                      ELSE 'weak' END END AS labour
                FROM (
                    SELECT *,
                           {REFERENCE_YEAR} - year AS age,
                           a / {SEQUENCE_SLOTS} AS region,
                           a % {SEQUENCE_SLOTS} * 2 + CASE WHEN male THEN 1 ELSE 0 END AS seq,
                           CASE WHEN kind = 1 OR (kind = 3 AND NOT male) THEN ma / 10000 % {n_surnames}
                                ELSE hsurname END AS surname
                    FROM (
                        SELECT household_id, head_name, ethnicity, kind, ma, mc, hsurname,
                               CASE kind WHEN 0 THEN head_male WHEN 1 THEN NOT head_male
                                    ELSE ma % 2 = 0 END AS male,
                               CASE kind WHEN 0 THEN hy
                                    WHEN 1 THEN hy + ma / 100 % 100 % 7 - 3
                                    WHEN 2 THEN hy + 20 + ma / 100 % 100 % LEAST(16, {REFERENCE_YEAR} - hy - 20)
                                    WHEN 3 THEN hy - 20 - ma / 100 % 100 % 10
                                    ELSE hy + 45 + ma / 100 % 100 % 12 END AS year,
                               mb % 100 AS e, mb / 100 % 100 AS hd, mb / 10000 % 100 AS lab,
                               mb / 1000000 % 100 AS mig,
                               g * 137 % 365 AS day, g / 365 AS a
                        FROM (
                            SELECT *, {h("g * 16 + 8")} AS ma, {h("g * 16 + 9")} AS mb, {h("g * 16 + 10")} AS mc
                            FROM (
                                SELECT x.id AS household_id, x.head_name, x.head_male, x.surname AS hsurname,
                                       x.head_year AS hy, x.ethnicity, x.i * {MAX_SIZE} + p AS g,
                                       CASE WHEN p = 0 THEN 0 WHEN p = 1 THEN 1 WHEN p <= 3 THEN 2
                                            WHEN p = 4 AND x.head_year >= 1960 THEN 3 ELSE 4 END AS kind
                                FROM gen_household x
                                JOIN (VALUES {", ".join(f"({p})" for p in range(MAX_SIZE))}) AS s (p) ON p < x.size
                                OFFSET 0
                            ) m1
                            OFFSET 0
                        ) m2
                        OFFSET 0
                    ) m3
                    OFFSET 0
                ) m4
                OFFSET 0
            ) m5
            """
        )
        members = cursor.rowcount
        cursor.execute(
            f"""
            INSERT INTO {aa} (household_id, year, wage_income, operating_income, property_income,
                              transfer_income, operating_expense, food_secure, clothing_secure,
                              education_secure, medical_secure, housing_secure, water_secure, member_count,
                              per_capita_net_income, recorded_at)
            SELECT id, {ASSESSMENT_YEAR}, wage, operating, prop, transfer, expense,
                   he % 100 < 98, he / 100 % 100 < 98, he / 10000 % 100 < 96, he / 1000000 % 100 < 97,
                   hf % 100 < 88, hf / 100 % 100 < 94,
                   size, round((wage + operating + prop + transfer - expense)::numeric / size, 2), now()
            FROM (
                SELECT *, operating * 3 / 10 AS expense
                FROM (
                    SELECT id, size, he, hf,
                           hd % 100 * 120 AS wage,
                           500 + hd / 100 % 100 * 60 AS operating,
                           CASE WHEN hd / 10000 % 100 < 10 THEN 200 ELSE 0 END AS prop,
                           300 + hd / 1000000 % 50 * 20 + CASE WHEN attribute <> 'general' THEN 1200 ELSE 0 END
                             AS transfer
                    FROM (
                        SELECT id, size, attribute,
                               {h("i * 16 + 3")} AS hd, {h("i * 16 + 4")} AS he, {h("i * 16 + 5")} AS hf
                        FROM gen_household
                        OFFSET 0
                    ) a0
                    OFFSET 0
                ) a1
            ) a2
            """
        )
        cursor.execute("DROP TABLE gen_household")
        # Fresh statistics, so the first queries over the new rows get sensible plans.
        cursor.execute(f"ANALYZE {hh}, {mm}, {aa}")
    return members
