"""Household exit eligibility (DESIGN.md §3), explained in words.

For year Y a household may exit when its per-capita net income of Y is above the poverty line of Y and
all six guarantees of Y are met (两不愁三保障 and safe water). Every decision that is not "eligible"
carries its reasons in Chinese.

The rule is written twice on purpose, and tests hold the two to the same answers:
- ``evaluate`` in Python, for one household (forms, the county approval check, SQLite);
- ``_CALC_SQL`` and ``_WRITE_STEPS`` for the whole registry on PostgreSQL: one set-based statement per
  step (the decisions of every assessment; then each household's latest decision, the change rows and
  the assessments written), no loop per row. The decision fields are excluded from the audit history,
  so the change rows are the record of a recompute.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from households.choices import Status
from households.models import Assessment, EligibilityChange, EligibilityRun, Household, PovertyLine

RULE_VERSION = "2016.1"

# 两不愁三保障 and safe water: exit requires all six. Field → the reason when it is not met.
GUARANTEES = (
    ("food_secure", "不愁吃未实现"),
    ("clothing_secure", "不愁穿未实现"),
    ("education_secure", "义务教育无保障"),
    ("medical_secure", "基本医疗无保障"),
    ("housing_secure", "住房安全无保障"),
    ("water_secure", "饮水安全无保障"),
)
NO_MEMBERS = "无在册家庭成员，无法计算人均纯收入"
CENT = Decimal("0.01")


def money(amount: Decimal) -> str:
    """2700 -> '2,700'; 2700.5 -> '2,700.50' (as the reasons print it)."""
    text = f"{Decimal(amount).quantize(CENT, ROUND_HALF_UP):,.2f}"
    return text.removesuffix(".00")


def no_line_reason(year: int) -> str:
    return f"{year} 年未设定扶贫标准"


def income_reason(income: Decimal, line: Decimal, year: int) -> str:
    word = "低于" if income < line else "未高于"
    return f"人均纯收入 {money(income)} 元 {word} {year} 年标准 {money(line)} 元"


def net_income_per_capita(assessment: Assessment, members: int) -> Decimal | None:
    if members <= 0:
        return None
    total = (
        assessment.wage_income
        + assessment.operating_income
        + assessment.property_income
        + assessment.transfer_income
        - assessment.operating_expense
    )
    return (Decimal(total) / members).quantize(CENT, ROUND_HALF_UP)


@dataclass(frozen=True)
class Decision:
    eligible: bool
    reasons: list[str]
    per_capita_net_income: Decimal | None
    poverty_line: Decimal | None
    member_count: int


def evaluate(assessment: Assessment, *, members: int, line: Decimal | None) -> Decision:
    """The rule for one household and year."""
    income = net_income_per_capita(assessment, members)
    reasons = []
    if income is None:
        reasons.append(NO_MEMBERS)
    if line is None:
        reasons.append(no_line_reason(assessment.year))
    if income is not None and line is not None and income <= line:
        reasons.append(income_reason(income, line, assessment.year))
    reasons += [reason for field, reason in GUARANTEES if not getattr(assessment, field)]
    return Decision(not reasons, reasons, income, line, members)


def poverty_line_for(*, year: int, region_code: str) -> Decimal | None:
    """The county's own line, else its province's, else the national line."""
    codes = [region_code, region_code[:2] + "0000", ""]
    lines = {p.region_code: p.amount for p in PovertyLine.objects.filter(year=year, region_code__in=codes)}
    return next((lines[c] for c in codes if c in lines), None)


def household_decision(household: Household, year: int) -> Decision | None:
    """Evaluate one household now (for the county approval check): None when the year has no assessment."""
    assessment = household.assessments.filter(year=year).first()
    if assessment is None:
        return None
    members = household.members.filter(left_reason="").count()
    line = poverty_line_for(year=year, region_code=household.township.county.region_code)
    return evaluate(assessment, members=members, line=line)


# -- the whole registry ------------------------------------------------------------------------------

# 2700 -> '2,700', 2700.5 -> '2,700.50' (as ``money``; the amounts are already rounded to cents): a
# numeric test picks the format, rather than a regular expression on the text, since this runs for every
# assessment below the line.
_FMT = (
    "CASE WHEN {0} = trunc({0}) THEN to_char({0}, 'FM999,999,999,990')"
    " ELSE to_char({0}, 'FM999,999,999,990.00') END"
)
_GUARANTEE_SQL = ",\n".join(f"CASE WHEN NOT a.{field} THEN '{reason}' END" for field, reason in GUARANTEES)

# Four set-based statements do the whole registry, in one transaction:
# 1. ``_CALC_SQL``, read-only, into a temporary table (a read-only statement may run in parallel
#    workers; one that writes may not, and this is the costly part). One row per assessment of every
#    household not removed, and one row for each household with no assessment (or removed) whose shown
#    decision must be cleared:
#    - ``base``: every assessment's inputs (member count from one aggregate over the current members,
#      the year's line: the county's, else its province's, else the national one) beside its stored
#      decision and the household's shown decision;
#    - ``judged``: the decision as numbers and a flag;
#    - ``same``: a cheap test that the stored decision already is this one. The reasons are a function
#      of (income, line, year, the six guarantees): when the stored numbers, the rule version, the count
#      of reasons, which guarantee reasons are present, and the year inside the first year-dependent
#      reason (no line, or the income one: at index 0, or 1 after the no-members one) all agree, the
#      stored reasons are the ones the rule would write. Only the other rows have their reasons built as
#      text, so a rerun that changes nothing builds none (that text is a large part of a first run).
#    The household's shown decision is read here, in the same pass as its status, rather than by a
#    second join of the households in the write, and so is whether the row is the household's latest
#    year (``is_latest``, from one aggregate of the assessments' unique index).
#    Only the rows with work to do go into the table: a decision that differs, or a household's latest
#    row whose shown decision moves. A rerun that changes nothing writes no row there (writing a
#    million unchanged rows, analysing and sorting them was three of a rerun's eight seconds); the
#    comparison uses the stored reasons, which are the rule's whenever ``same`` holds.
# 2. ``_WRITE_STEPS``, each reading the table of step 1 (all three read the same decisions, so they need
#    no shared snapshot; run as one statement of data-modifying CTEs they took a second or two longer):
#    - the households whose shown decision moves are written;
#    - a change row for each of them, in household order (their BRIN index relies on it);
#    - the assessments whose decision differs are written.
_REASON_COUNT_SQL = " + ".join(
    [
        "(j.income IS NULL)::int",
        "(j.line IS NULL)::int",
        "COALESCE(j.income <= j.line, FALSE)::int",
        *(f"(NOT j.{field})::int" for field, _ in GUARANTEES),
    ]
)
_SAME_GUARANTEES_SQL = " AND ".join(
    f"(j.old_reasons ? '{reason}') = (NOT j.{field})" for field, reason in GUARANTEES
)


def _shown_moves_sql(reasons: str, row: str = "") -> str:
    """The household's shown decision is not this row's (``reasons``: the row's column of reasons; ``row``:
    the table's alias and a dot, where the statement names another table too)."""
    return (
        f"{row}shown_eligible IS DISTINCT FROM {row}eligible OR {row}shown_reasons IS DISTINCT FROM {row}{reasons}"
        f" OR {row}shown_year IS DISTINCT FROM {row}year OR {row}shown_review <> {row}review"
    )


_CALC_SQL = f"""
CREATE TEMPORARY TABLE _eligibility_calc ON COMMIT DROP AS
WITH members AS (
    SELECT household_id, COUNT(*)::int AS n FROM households_member WHERE left_reason = '' GROUP BY household_id
),
base AS (
    SELECT a.id AS assessment_id, h.id AS household_id, a.year, COALESCE(m.n, 0) AS member_count,
           CASE WHEN COALESCE(m.n, 0) > 0 THEN round(
               (a.wage_income + a.operating_income + a.property_income + a.transfer_income
                - a.operating_expense) / m.n, 2) END AS income,
           COALESCE(lc.amount, lp.amount, ln.amount) AS line,
           a.food_secure, a.clothing_secure, a.education_secure, a.medical_secure, a.housing_secure,
           a.water_secure,
           a.eligible AS old_eligible, a.eligibility_reasons AS old_reasons,
           a.per_capita_net_income AS old_income, a.poverty_line AS old_line,
           a.member_count AS old_count, a.rule_version AS old_rule,
           h.status = '{Status.EXITED}' AND a.year > h.exit_year AS exited_before,
           h.eligible AS shown_eligible, h.eligibility_reasons AS shown_reasons,
           h.eligibility_year AS shown_year, h.needs_return_review AS shown_review,
           a.id IS NULL OR a.year = y.last_year AS is_latest
    FROM households_household h
    LEFT JOIN households_assessment a ON a.household_id = h.id AND h.status <> '{Status.REMOVED}'
    LEFT JOIN (SELECT household_id, max(year) AS last_year FROM households_assessment GROUP BY household_id) y
        ON y.household_id = a.household_id
    JOIN villages_township t ON t.id = h.township_id
    JOIN villages_county c ON c.id = t.county_id
    LEFT JOIN members m ON m.household_id = a.household_id
    LEFT JOIN households_povertyline lc ON lc.year = a.year AND lc.region_code = c.region_code
    LEFT JOIN households_povertyline lp ON lp.year = a.year AND lp.region_code = substr(c.region_code, 1, 2) || '0000'
    LEFT JOIN households_povertyline ln ON ln.year = a.year AND ln.region_code = ''
    WHERE a.id IS NOT NULL OR h.eligible IS NOT NULL OR h.eligibility_year IS NOT NULL OR h.needs_return_review
),
judged AS (
    SELECT b.*,
           CASE WHEN b.assessment_id IS NOT NULL THEN
               COALESCE(b.income > b.line, FALSE) AND b.food_secure AND b.clothing_secure
               AND b.education_secure AND b.medical_secure AND b.housing_secure AND b.water_secure
           END AS eligible
    FROM base b
),
calc AS (
    SELECT j.assessment_id, j.household_id, j.year, j.member_count, j.income, j.line, j.eligible, s.same,
           CASE WHEN j.assessment_id IS NULL THEN '[]'::jsonb
                WHEN s.same THEN j.old_reasons ELSE to_jsonb(array_remove(ARRAY[
               CASE WHEN j.income IS NULL THEN '{NO_MEMBERS}' END,
               CASE WHEN j.line IS NULL THEN j.year || ' 年未设定扶贫标准' END,
               CASE WHEN j.income IS NOT NULL AND j.line IS NOT NULL AND j.income <= j.line THEN
                   '人均纯收入 ' || {_FMT.format("j.income")} || ' 元 '
                   || CASE WHEN j.income < j.line THEN '低于' ELSE '未高于' END
                   || ' ' || j.year || ' 年标准 ' || {_FMT.format("j.line")} || ' 元' END,
               {_GUARANTEE_SQL.replace("a.", "j.")}
           ]::text[], NULL)) END AS reasons,
           COALESCE(j.exited_before AND j.eligible IS FALSE, FALSE) AS review,
           j.shown_eligible, j.shown_reasons, j.shown_year, j.shown_review, j.is_latest, j.old_reasons
    FROM judged j
    CROSS JOIN LATERAL (
        SELECT COALESCE(
            j.old_rule = %(rule)s AND j.old_eligible = j.eligible
            AND j.old_income IS NOT DISTINCT FROM j.income AND j.old_line IS NOT DISTINCT FROM j.line
            AND j.old_count = j.member_count
            AND jsonb_array_length(j.old_reasons) = {_REASON_COUNT_SQL}
            AND {_SAME_GUARANTEES_SQL}
            AND (NOT (j.line IS NULL OR COALESCE(j.income <= j.line, FALSE))
                 OR strpos(j.old_reasons ->> (j.income IS NULL)::int, j.year || ' 年') > 0),
            FALSE) AS same
    ) s
)
SELECT assessment_id, household_id, year, member_count, income, line, eligible, same, reasons, review,
       shown_eligible, shown_reasons, shown_year, shown_review, is_latest
FROM calc
WHERE NOT same OR (is_latest AND ({_shown_moves_sql("old_reasons")}))
"""

# The writes, one set-based statement each, in the recompute's transaction (``_WRITE_STEPS``, in order).
_WRITE_ASSESSMENTS_SQL = """
UPDATE households_assessment a
SET member_count = c.member_count, per_capita_net_income = c.income, poverty_line = c.line,
    eligible = c.eligible, eligibility_reasons = c.reasons, rule_version = %(rule)s, decided_at = %(now)s
FROM _eligibility_calc c
WHERE a.id = c.assessment_id AND NOT c.same
  AND (a.eligible IS DISTINCT FROM c.eligible OR a.eligibility_reasons IS DISTINCT FROM c.reasons
       OR a.per_capita_net_income IS DISTINCT FROM c.income OR a.member_count <> c.member_count
       OR a.poverty_line IS DISTINCT FROM c.line OR a.rule_version <> %(rule)s)
"""

_WRITE_CHANGES_SQL = """
INSERT INTO households_eligibilitychange
    (run_id, household_id, year, eligible_before, eligible_after, reasons_before, reasons_after)
SELECT %(run)s, household_id, year, shown_eligible, eligible, shown_reasons, reasons
FROM _eligibility_calc
WHERE is_latest AND (shown_eligible IS DISTINCT FROM eligible OR shown_reasons IS DISTINCT FROM reasons)
ORDER BY household_id
"""

_WRITE_HOUSEHOLDS_SQL = f"""
UPDATE households_household h
SET eligible = c.eligible, eligibility_reasons = c.reasons, eligibility_year = c.year,
    needs_return_review = c.review
FROM _eligibility_calc c
WHERE h.id = c.household_id AND c.is_latest AND ({_shown_moves_sql("reasons", row="c.")})
"""

# Households first: their UPDATE rewrites every index of the table (non-HOT: ``eligible`` is in a partial
# index's predicate). On a million, in four alternating pairs, the run took 3.0-4.5 s less in three of
# them (the households' UPDATE itself 2-4 s less) and 1.7 s more in the fourth: first, it does not find
# the shared buffers full of the assessments' and change rows' dirty pages, to write out itself.
_WRITE_STEPS = (
    ("户的当前结论", _WRITE_HOUSEHOLDS_SQL),
    ("变化记录", _WRITE_CHANGES_SQL),
    ("评估结论写入", _WRITE_ASSESSMENTS_SQL),
)

# The households checked are counted from the assessments, as the table no longer holds them all.
_CHECKED_SQL = f"""
SELECT (SELECT COUNT(DISTINCT household_id) FROM households_assessment)
       - (SELECT COUNT(*) FROM households_household h
          WHERE h.status = '{Status.REMOVED}'
            AND EXISTS (SELECT 1 FROM households_assessment a WHERE a.household_id = h.id))
"""


def session_settings(cursor) -> None:
    """The transaction's settings for the two statements (also those its benchmark's EXPLAIN runs under)."""
    # The member counts, the joins and the latest-year sort of a million households fit in memory:
    # without this they spill to disk in batches (EXPLAIN shows "Disk Usage").
    cursor.execute("SET LOCAL work_mem = '256MB'")
    # JIT compiling this statement took about a second of a ten-second rerun, and won it no time back.
    cursor.execute("SET LOCAL jit = off")
    # Every process of a parallel plan counts the members and hashes the counts for itself (an aggregate
    # cannot be shared): more workers than the cores left beside the leader only queue for them.
    cursor.execute(
        "SELECT set_config('max_parallel_workers_per_gather', %s, true)",
        [str(settings.ELIGIBILITY_PARALLEL_WORKERS)],
    )


def _recompute_postgresql(run: EligibilityRun, now) -> None:
    with connection.cursor() as cursor:
        # One recompute at a time; a second waits rather than interleaving.
        cursor.execute("SELECT pg_advisory_xact_lock(20160714)")
        session_settings(cursor)
        cursor.execute("DROP TABLE IF EXISTS _eligibility_calc")
        cursor.execute(_CALC_SQL, {"rule": RULE_VERSION})
        cursor.execute("ANALYZE _eligibility_calc")
        params = {"rule": RULE_VERSION, "now": now, "run": run.pk}
        for _label, statement in _WRITE_STEPS:
            cursor.execute(statement, params)
            if statement is _WRITE_ASSESSMENTS_SQL:
                run.assessments_updated = cursor.rowcount
        cursor.execute(_CHECKED_SQL)
        (run.households_checked,) = cursor.fetchone()


def _recompute_python(run: EligibilityRun, now) -> None:
    """The same rule through ``evaluate``, in chunks: for SQLite (the first-run default), small registries."""
    lines: dict[tuple[int, str], Decimal | None] = {}
    assessments = (
        Assessment.objects.exclude(household__status=Status.REMOVED)
        .select_related("household__township__county")
        .annotate(current=Count("household__members", filter=Q(household__members__left_reason="")))
        .order_by("household_id", "year")
    )
    changed_assessments, latest = [], {}
    for a in assessments.iterator(chunk_size=2000):
        region = a.household.township.county.region_code
        if (a.year, region) not in lines:
            lines[(a.year, region)] = poverty_line_for(year=a.year, region_code=region)
        d = evaluate(a, members=a.current, line=lines[(a.year, region)])
        if (
            a.eligible,
            a.eligibility_reasons,
            a.per_capita_net_income,
            a.member_count,
            a.poverty_line,
            a.rule_version,
        ) != (d.eligible, d.reasons, d.per_capita_net_income, d.member_count, d.poverty_line, RULE_VERSION):
            a.eligible, a.eligibility_reasons, a.per_capita_net_income = (
                d.eligible,
                d.reasons,
                d.per_capita_net_income,
            )
            a.member_count, a.poverty_line, a.rule_version, a.decided_at = (
                d.member_count,
                d.poverty_line,
                RULE_VERSION,
                now,
            )
            changed_assessments.append(a)
        latest[a.household_id] = (a.year, d)  # ordered by year: the last one wins
    Assessment.objects.bulk_update(
        changed_assessments,
        [
            "eligible",
            "eligibility_reasons",
            "per_capita_net_income",
            "member_count",
            "poverty_line",
            "rule_version",
            "decided_at",
        ],
        batch_size=1000,
    )
    run.assessments_updated = len(changed_assessments)
    run.households_checked = len(latest)

    stale = Household.objects.filter(Q(eligible__isnull=False) | Q(needs_return_review=True)).exclude(
        id__in=latest
    )
    households = list(Household.objects.filter(id__in=latest)) + list(stale)
    changes, changed_households = [], []
    for h in households:
        year, d = latest.get(h.pk, (None, None))
        eligible, reasons = (d.eligible, d.reasons) if d else (None, [])
        review = bool(
            d and h.status == Status.EXITED and h.exit_year and year > h.exit_year and not d.eligible
        )
        if (h.eligible, h.eligibility_reasons) != (eligible, reasons):
            changes.append(
                EligibilityChange(
                    run=run,
                    household=h,
                    year=year,
                    eligible_before=h.eligible,
                    eligible_after=eligible,
                    reasons_before=h.eligibility_reasons,
                    reasons_after=reasons,
                )
            )
        if (h.eligible, h.eligibility_reasons, h.eligibility_year, h.needs_return_review) != (
            eligible,
            reasons,
            year,
            review,
        ):
            h.eligible, h.eligibility_reasons, h.eligibility_year, h.needs_return_review = (
                eligible,
                reasons,
                year,
                review,
            )
            changed_households.append(h)
    EligibilityChange.objects.bulk_create(changes, batch_size=1000)
    Household.objects.bulk_update(
        changed_households,
        ["eligible", "eligibility_reasons", "eligibility_year", "needs_return_review"],
        batch_size=1000,
    )


@transaction.atomic
def eligibility_recompute(*, trigger: str = EligibilityRun.Trigger.MANUAL, job=None) -> EligibilityRun:
    """Recompute every household's decisions in one transaction: a killed run leaves the registry as it was.

    Idempotent: a second run over unchanged data writes no decision and records no change.
    """
    now = timezone.now()
    run = EligibilityRun.objects.create(trigger=trigger, rule_version=RULE_VERSION, job=job)
    if connection.vendor == "postgresql":
        _recompute_postgresql(run, now)
    else:
        _recompute_python(run, now)
    counts = run.changes.aggregate(
        total=Count("id"),
        became=Count("id", filter=Q(eligible_after=True)),
        lost=Count("id", filter=Q(eligible_before=True) & ~Q(eligible_after=True)),
    )
    run.decisions_changed, run.became_eligible, run.became_ineligible = (
        counts["total"],
        counts["became"],
        counts["lost"],
    )
    run.finished_at = timezone.now()
    run.save()
    return run
