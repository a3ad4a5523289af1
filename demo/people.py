"""Generated, fictional people: names, families whose relations agree with ages and sexes, ID numbers.

Nobody here is a real person: names are drawn at random from common surnames and given-name characters.
"""

import datetime
import random
from dataclasses import dataclass, field

from core.idnumbers import check_char
from households import choices

R = choices.Relation
# The demo's "today": the source report is of mid-2016 (截至5月底).
REFERENCE_DATE = datetime.date(2016, 5, 31)

# Common surnames in 楚雄 (彝族 families often carry 李, 张, 杨, 罗, 普, 毕, 者, 起, 鲁, 自).
HAN_SURNAMES = (
    "李" * 12
    + "张" * 9
    + "杨" * 9
    + "王" * 6
    + "刘" * 5
    + "陈" * 4
    + "赵" * 4
    + "罗" * 4
    + "周" * 3
    + "吴" * 3
    + "何" * 3
    + "马" * 3
    + "胡" * 2
    + "朱" * 2
    + "黄" * 2
    + "邓" * 2
    + "段" * 2
    + "苏" * 2
    + "施" * 2
    + "许" * 2
    + "丁"
    + "钱"
    + "孙"
    + "郭"
    + "高"
    + "郑"
    + "谢"
    + "唐"
    + "曾"
    + "董"
    + "蒋"
    + "尹"
    + "毛"
    + "熊"
    + "付"
    + "夏"
    + "金"
    + "龙"
    + "方"
    + "彭"
    + "鲍"
    + "沈"
    + "徐"
    + "余"
    + "陶"
)
YI_SURNAMES = (
    "李" * 10
    + "张" * 5
    + "杨" * 6
    + "罗" * 5
    + "普" * 4
    + "毕" * 3
    + "者" * 2
    + "起" * 2
    + "鲁" * 2
    + "自" * 2
    + "苏" * 2
    + "施"
    + "何"
    + "龙"
    + "沙"
    + "鲍"
    + "字"
)
LISU_SURNAMES = "李" * 4 + "余" * 3 + "熊" * 2 + "胡" + "张" + "杨" + "王"
HUI_SURNAMES = "马" * 5 + "纳" * 2 + "白" + "沙" + "丁"

MALE_OLD = "正国明华文学志建军忠成发顺兴福荣德海平永云宏光林春昌贵富有开金朝应绍家"
MALE_MID = "伟勇强斌杰俊涛刚波辉亮峰军平明华龙云东红兵林华剑锋进松"
MALE_YOUNG = "浩宇轩子豪俊杰博文睿涛鑫磊晨阳昊天泽宸明凯一航"
FEMALE_OLD = "秀英芳兰梅琼珍凤桂仙春会玉翠花菊莲粉兰琼芝德明彩"
FEMALE_MID = "丽美红艳萍燕芬娟琴霞敏玲丽云仙会兰春梅"
FEMALE_YOUNG = "欣怡雨涵佳琪梓萱婷雪诗思晓悦馨语彤可妍"


def given_name(rng: random.Random, sex: str, age: int) -> str:
    if sex == choices.Sex.MALE:
        pool = MALE_OLD if age >= 45 else MALE_MID if age >= 20 else MALE_YOUNG
    else:
        pool = FEMALE_OLD if age >= 45 else FEMALE_MID if age >= 20 else FEMALE_YOUNG
    if rng.random() < 0.22:
        return rng.choice(pool)
    return rng.choice(pool) + rng.choice(pool)


ETHNIC_OTHER = [("傈僳族", 0.4), ("苗族", 0.3), ("傣族", 0.15), ("回族", 0.15)]


def pick_ethnicity(rng: random.Random, yi_share: float) -> str:
    x = rng.random()
    if x < yi_share:
        return "彝族"
    if x < yi_share + 0.05:
        y = rng.random()
        for name, share in ETHNIC_OTHER:
            if y < share:
                return name
            y -= share
        return "回族"
    return "汉族"


def surname_for(rng: random.Random, ethnicity: str) -> str:
    pool = {"彝族": YI_SURNAMES, "傈僳族": LISU_SURNAMES, "回族": HUI_SURNAMES}.get(ethnicity, HAN_SURNAMES)
    return rng.choice(pool)


class IdNumbers:
    """Unique, valid GB 11643 numbers for region 532328: sequence parity follows sex (odd = male)."""

    def __init__(self, rng: random.Random, region: str = "532328"):
        self.rng = rng
        self.region = region
        self.used: set[str] = set()

    def make(self, born: datetime.date, sex: str) -> str:
        parity = 1 if sex == choices.Sex.MALE else 0
        while True:
            seq = self.rng.randrange(0, 500) * 2 + parity
            if seq == 0:
                continue
            first17 = f"{self.region}{born:%Y%m%d}{seq:03d}"
            if first17 not in self.used:
                self.used.add(first17)
                return first17 + check_char(first17)


def birth_date(rng: random.Random, age: int) -> datetime.date:
    return REFERENCE_DATE - datetime.timedelta(days=age * 365 + rng.randint(0, 364) + age // 4)


def age_on(born: datetime.date, on: datetime.date = REFERENCE_DATE) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


@dataclass
class Person:
    relation: str
    sex: str
    age: int
    surname: str
    ethnicity: str
    fields: dict = field(default_factory=dict)


def _child_relation(sex: str, base: str) -> str:
    return {
        "child": (R.SON, R.DAUGHTER),
        "grandchild": (R.GRANDSON, R.GRANDDAUGHTER),
    }[base][0 if sex == choices.Sex.MALE else 1]


def _other_sex(sex: str) -> str:
    return choices.Sex.FEMALE if sex == choices.Sex.MALE else choices.Sex.MALE


def _sex(rng: random.Random) -> str:
    return choices.Sex.MALE if rng.random() < 0.52 else choices.Sex.FEMALE


def compose_family(rng: random.Random, size: int, yi_share: float) -> list[Person]:
    """A family of `size` current members: ages and sexes agree with the relations to the head."""
    ethnicity = pick_ethnicity(rng, yi_share)
    head_sex = choices.Sex.MALE if rng.random() < 0.86 else choices.Sex.FEMALE
    family_surname = surname_for(rng, ethnicity)

    def spouse_of(age: int, sex: str) -> Person:
        spouse_ethnicity = ethnicity if rng.random() < 0.9 else pick_ethnicity(rng, yi_share)
        spouse_age = max(18, age + (rng.randint(-6, 2) if sex == choices.Sex.MALE else rng.randint(-2, 6)))
        return Person(
            R.SPOUSE, _other_sex(sex), spouse_age, surname_for(rng, spouse_ethnicity), spouse_ethnicity
        )

    def children(parent_age: int, count: int, base: str, surname: str) -> list[Person]:
        # children are born when the younger parent is 20 to 38
        out = []
        for _ in range(count):
            age = max(0, parent_age - rng.randint(20, 38))
            sex = _sex(rng)
            out.append(Person(_child_relation(sex, base), sex, age, surname, ethnicity))
        return out

    if size == 1:
        head_age = rng.randint(48, 86)
        return [Person(R.HEAD, head_sex, head_age, family_surname, ethnicity)]

    r = rng.random()
    if size >= 4 and r < 0.3:
        # three generations under an older head: son, his wife and grandchildren
        head_age = rng.randint(55, 76)
        people = [Person(R.HEAD, head_sex, head_age, family_surname, ethnicity)]
        has_spouse = size >= 5 or rng.random() < 0.6
        if has_spouse:
            people.append(spouse_of(head_age, head_sex))
        youngest_parent = min(p.age for p in people)
        son_age = max(22, youngest_parent - rng.randint(22, 30))
        son_surname = family_surname if head_sex == choices.Sex.MALE or not has_spouse else people[1].surname
        people.append(Person(R.SON, choices.Sex.MALE, son_age, son_surname, ethnicity))
        dil_age = max(20, son_age + rng.randint(-5, 2))
        dil_ethnicity = ethnicity if rng.random() < 0.85 else pick_ethnicity(rng, yi_share)
        people.append(
            Person(
                R.DAUGHTER_IN_LAW, choices.Sex.FEMALE, dil_age, surname_for(rng, dil_ethnicity), dil_ethnicity
            )
        )
        left = size - len(people)
        grandkids = min(left, 3)
        for _ in range(grandkids):
            sex = _sex(rng)
            age = max(0, min(son_age, dil_age) - rng.randint(20, 30))
            people.append(Person(_child_relation(sex, "grandchild"), sex, age, son_surname, ethnicity))
        for _ in range(size - len(people)):
            # an unmarried younger child of the head
            age = max(16, son_age - rng.randint(1, 8))
            sex = _sex(rng)
            people.append(Person(_child_relation(sex, "child"), sex, age, son_surname, ethnicity))
        return people

    if size >= 4 and r < 0.5:
        # a younger head living with a parent or both
        head_age = rng.randint(26, 46)
        people = [Person(R.HEAD, head_sex, head_age, family_surname, ethnicity)]
        people.append(spouse_of(head_age, head_sex))
        parent_count = 2 if size >= 6 or (size >= 5 and rng.random() < 0.5) else 1
        father_age = head_age + rng.randint(22, 34)
        parents = []
        if parent_count == 2 or rng.random() < 0.4:
            parents.append(Person(R.FATHER, choices.Sex.MALE, father_age, family_surname, ethnicity))
        if len(parents) < parent_count:
            mother_age = max(head_age + 20, father_age + rng.randint(-5, 1))
            parents.append(
                Person(R.MOTHER, choices.Sex.FEMALE, mother_age, surname_for(rng, ethnicity), ethnicity)
            )
        people += parents
        children_surname = family_surname if head_sex == choices.Sex.MALE else people[1].surname
        younger = min(head_age, people[1].age)
        people += children(younger, size - len(people), "child", children_surname)
        return people

    # a couple with children; a lone parent in a few small households
    if size == 2 and rng.random() < 0.25 or rng.random() < 0.06:
        head_age = rng.randint(40, 70)
        people = [Person(R.HEAD, head_sex, head_age, family_surname, ethnicity)]
        return people + children(head_age, size - 1, "child", family_surname)
    head_age = rng.randint(58, 80) if size == 2 else rng.randint(28, 55)
    people = [Person(R.HEAD, head_sex, head_age, family_surname, ethnicity)]
    people.append(spouse_of(head_age, head_sex))
    children_surname = family_surname if head_sex == choices.Sex.MALE else people[1].surname
    younger = min(head_age, people[1].age)
    return people + children(younger, size - 2, "child", children_surname)


def member_attributes(rng: random.Random, person: Person, is_ill: bool, is_disabled: bool) -> dict:
    """Education, schooling, health, labour and work consistent with age; the ill or disabled member of
    an 因病 / 因残 household is flagged by the caller."""
    E, S, L, W, H = (
        choices.Education,
        choices.SchoolStatus,
        choices.Labour,
        choices.MigrantWork,
        choices.Health,
    )
    age = person.age
    school = S.NONE
    if age < 6:
        education = E.PRESCHOOL
        school = S.PRESCHOOL if age >= 3 and rng.random() < 0.6 else S.NONE
    elif age <= 12:
        education, school = E.PRIMARY, S.PRIMARY
    elif age <= 15:
        education, school = E.JUNIOR, S.JUNIOR
    elif age <= 18:
        x = rng.random()
        if x < 0.45:
            education, school = E.SENIOR, S.SENIOR
        elif x < 0.7:
            education, school = E.VOCATIONAL, S.VOCATIONAL
        else:
            education = E.JUNIOR
    elif age <= 22 and rng.random() < 0.12:
        education, school = E.COLLEGE, S.HIGHER
    elif age < 45:
        education = rng.choices(
            [E.PRIMARY, E.JUNIOR, E.SENIOR, E.VOCATIONAL, E.ILLITERATE], [30, 50, 8, 6, 6]
        )[0]
    elif age < 62:
        education = rng.choices([E.ILLITERATE, E.PRIMARY, E.JUNIOR, E.SENIOR], [20, 50, 26, 4])[0]
    else:
        education = rng.choices([E.ILLITERATE, E.PRIMARY, E.JUNIOR], [55, 38, 7])[0]

    health = [H.HEALTHY]
    if is_ill:
        health = [H.SERIOUS] if rng.random() < 0.4 else [H.CHRONIC]
    elif is_disabled:
        health = [H.DISABLED] if rng.random() < 0.8 else [H.DISABLED, H.CHRONIC]
    elif age >= 60 and rng.random() < 0.25:
        health = [H.CHRONIC]

    if age < 16 or school != S.NONE:
        labour = L.NONE
    elif H.SERIOUS in health or H.DISABLED in health:
        labour = L.LOST if rng.random() < 0.6 else L.WEAK
    elif age >= 72:
        labour = L.LOST if rng.random() < 0.5 else L.NONE
    elif age >= 60 or H.CHRONIC in health:
        labour = L.WEAK
    else:
        labour = L.SKILLED if rng.random() < 0.08 else L.ORDINARY

    migrant = W.NONE
    if labour in (L.ORDINARY, L.SKILLED) and age <= 50 and rng.random() < 0.35:
        migrant = rng.choices(
            [W.IN_TOWNSHIP, W.IN_COUNTY, W.IN_PROVINCE, W.OUT_OF_PROVINCE], [25, 30, 30, 15]
        )[0]

    adult_not_in_school = age >= 16 and school == S.NONE
    return {
        "education": education,
        "school_status": school,
        "health": list(health),
        "labour": labour,
        "migrant_work": migrant,
        "health_insurance": rng.random() < 0.97,
        "pension": adult_not_in_school and rng.random() < 0.85,
    }


def phone_number(rng: random.Random) -> str:
    prefix = rng.choice(["133", "139", "138", "150", "151", "158", "187", "188", "135", "136", "153", "180"])
    return prefix + f"{rng.randrange(10**8):08d}"


def split_sizes(rng: random.Random, households: int, persons: int, low: int = 1, high: int = 8) -> list[int]:
    """Household sizes summing exactly to `persons`, drawn around the mean and nudged to the total."""
    if not low * households <= persons <= high * households:
        raise ValueError(f"{households} 户不能有 {persons} 人")
    mean = persons / households
    sizes = [min(high, max(low, round(rng.gauss(mean, 1.1)))) for _ in range(households)]
    diff = persons - sum(sizes)
    while diff:
        i = rng.randrange(households)
        step = 1 if diff > 0 else -1
        if low <= sizes[i] + step <= high:
            sizes[i] += step
            diff -= step
    return sizes
