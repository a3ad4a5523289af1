"""What-if (测算) of a proposed poverty or monitoring line: right on a small county, and writes nothing."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.urls import reverse

from core.jobs import BROKER_DOWN
from core.models import Job
from households import choices as hh
from households.models import Assessment, Household
from monitoring.choices import FoundBy
from monitoring.models import MonitoringLine
from monitoring.services import candidate_raise
from monitoring.whatif import what_if_tables
from tests.clients import client_for
from tests.factories import AssessmentFactory, NaturalVillageFactory, make_household

pytestmark = pytest.mark.django_db

LINE_2016 = Decimal("2952")  # the national line in force (seeded)


def household(place, per_capita: int, *, status=hh.Status.POOR, year=2016):
    """A two-person household whose latest assessment gives ``per_capita`` yuan a head, all six met."""
    h = make_household(natural_village=place)
    if status != hh.Status.POOR:
        Household.objects.filter(pk=h.pk).update(status=status, exit_year=2015)
        h.refresh_from_db()
    AssessmentFactory(household=h, year=year, wage_income=per_capita * 2, operating_income=0)
    return h


@pytest.fixture
def county(place):
    """Village ``place.village`` (100 people): one household just under the 2016 line, one just over.
    Another township's village: one household far above the line."""
    place.village.registered_rural_population = 100
    place.village.save()
    other = NaturalVillageFactory()
    return {
        "under": household(place, 2940),
        "over": household(place, 2960),
        "rich": household(other, 6000),
        "village": place.village,
        "other": other.village,
    }


def run(client, user, **data):
    client.force_login(user)
    answer = client.post(reverse("monitoring:what-if"), data)
    assert answer.status_code == 302, answer.content.decode()
    return Job.objects.get(pk=answer.url.rstrip("/").rsplit("/", 1)[1])


def post(client, user, django_capture_on_commit_callbacks, **data):
    with django_capture_on_commit_callbacks(execute=True):
        job = run(client, user, **data)
    job.refresh_from_db()
    assert job.state == Job.State.DONE, job.error
    return job


def test_a_lower_line_makes_the_household_just_under_it_eligible(
    client, people, county, django_capture_on_commit_callbacks
):
    job = post(
        client,
        people["county"],
        django_capture_on_commit_callbacks,
        kind="poverty_line",
        year=2016,
        amount="2930",
    )
    result = job.result
    assert result["in_force"]["amount"] == ["2952.00"] and result["proposed"]["amount"] == "2930.00"
    assert result["totals"]["became"] == 1 and result["totals"]["lost"] == 0
    assert [(v["name"], v["became"], v["lost"]) for v in result["villages"]] == [
        (county["village"].name, 1, 0)
    ]
    assert [t["name"] for t in result["townships"]] == [county["village"].township.name]
    # 2 poor persons left under the line in force (2 %), none under the proposal: no threshold crossed
    village = result["villages"][0]
    assert (village["poor_now"], village["poor_then"], village["crossing"]) == (2, 0, None)


def test_a_higher_line_takes_eligibility_from_the_household_just_over_it_and_the_village_crosses_3_percent(
    client, people, county, django_capture_on_commit_callbacks
):
    result = post(
        client,
        people["county"],
        django_capture_on_commit_callbacks,
        kind="poverty_line",
        year=2016,
        amount="2970",
    ).result
    assert (result["totals"]["became"], result["totals"]["lost"]) == (0, 1)
    (village,) = result["villages"]
    assert village["id"] == county["village"].pk
    assert (village["incidence_now"], village["incidence_then"], village["crossing"]) == (0.02, 0.04, "above")
    crossing = dict((name, rows) for name, _headers, rows in what_if_tables(result))["跨越发生率阈值的村"]
    assert crossing == [
        [county["village"].township.name, county["village"].name, 100, 2.0, 4.0, "升至阈值以上"]
    ]


def test_an_exited_household_losing_eligibility_is_counted_apart(
    client, people, place, django_capture_on_commit_callbacks
):
    household(place, 2960, status=hh.Status.EXITED)
    result = post(
        client,
        people["county"],
        django_capture_on_commit_callbacks,
        kind="poverty_line",
        year=2016,
        amount="3000",
    ).result
    assert (result["totals"]["lost"], result["totals"]["lost_exited"]) == (1, 1)


def test_only_the_latest_assessment_counts(client, people, place, django_capture_on_commit_callbacks):
    h = household(place, 2940)  # 2016 just under the line
    AssessmentFactory(household=h, year=2017, wage_income=20000, operating_income=0)
    result = post(
        client,
        people["county"],
        django_capture_on_commit_callbacks,
        kind="poverty_line",
        year=2016,
        amount="2930",
    ).result
    assert result["totals"]["assessed"] == 0 and result["totals"]["became"] == 0


def test_a_monitoring_line_raises_exited_households_under_it(
    client, people, place, django_capture_on_commit_callbacks
):
    MonitoringLine.objects.create(province_code="530000", year=2016, income_line=Decimal("5000"))
    household(place, 4800, status=hh.Status.EXITED)  # already under the line in force
    entering = household(place, 5200, status=hh.Status.EXITED)
    monitored = household(place, 5400, status=hh.Status.EXITED)  # under the proposal, already monitored
    candidate_raise(household=monitored, risk_types=["因病"], found_by=FoundBy.VISIT, reason="户主住院")
    household(place, 5200)  # poor, not exited: not screened against the monitoring line
    result = post(
        client,
        people["county"],
        django_capture_on_commit_callbacks,
        kind="monitoring_line",
        year=2016,
        income_line="5500",
        rigid_expense_share="0.4",
    ).result
    assert result["in_force"] == {"income_line": ["5000.00"], "rigid_expense_share": ["0.50"]}
    assert result["totals"] == {"exited": 3, "entering": 1, "leaving": 0, "under_then": 2, "already": 1}
    assert result["villages"][0]["entering"] == 1 and entering.village_id == result["villages"][0]["id"]
    job = Job.objects.get(kind="what_if")
    page = client.get(reverse("monitoring:what-if-result", args=[job.pk])).content.decode()
    assert "将纳入监测 1 户" in page and "无法按户测算" in page  # no rigid expenditure is recorded
    book = openpyxl.load_workbook(
        io.BytesIO(client.get(reverse("monitoring:what-if-xlsx", args=[job.pk])).content)
    )
    assert list(book["按行政村"].values)[1][:3] == (place.village.township.name, place.village.name, 1)


def _checksums() -> dict[str, str]:
    tables = [
        "households_household", "households_member", "households_assessment", "households_povertyline",
        "households_eligibilitychange", "households_eligibilityrun", "monitoring_monitoringline",
        "monitoring_monitoringobject", "monitoring_qualityissue", "villages_administrativevillage",
    ]  # fmt: skip
    sums = {}
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(
                f"SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t.id), '')) FROM {table} t"
            )
            sums[table] = cursor.fetchone()
    return sums


def test_a_run_writes_nothing_but_its_job(client, people, county, django_capture_on_commit_callbacks):
    MonitoringLine.objects.create(province_code="530000", year=2016, income_line=Decimal("5000"))
    before, jobs = _checksums(), Job.objects.count()
    post(
        client,
        people["county"],
        django_capture_on_commit_callbacks,
        kind="poverty_line",
        year=2016,
        amount="2970",
    )
    post(
        client,
        people["county"],
        django_capture_on_commit_callbacks,
        kind="monitoring_line",
        year=2016,
        income_line="9000",
    )
    assert _checksums() == before
    assert Job.objects.count() == jobs + 2
    assert not Assessment.objects.filter(poverty_line__isnull=False).exists()  # no decision stored either


@pytest.mark.parametrize("role", ["township", "village", "inspector", "cadre"])
def test_other_roles_are_refused(client, people, county, role):
    job = Job.objects.create(
        kind="what_if", state=Job.State.DONE, result={}, params={}, created_by=people["county"]
    )
    client.force_login(people[role])
    assert client.get(reverse("monitoring:what-if")).status_code == 403
    assert (
        client.post(
            reverse("monitoring:what-if"), {"kind": "poverty_line", "year": 2016, "amount": "1"}
        ).status_code
        == 403
    )
    assert client.get(reverse("monitoring:what-if-result", args=[job.pk])).status_code == 403
    assert client.get(reverse("monitoring:what-if-xlsx", args=[job.pk])).status_code == 403
    assert not Job.objects.exclude(pk=job.pk).exists()


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"kind": "poverty_line", "year": 2016, "amount": "-3000"}, "amount", "扶贫标准必须大于 0 元。"),
        ({"kind": "poverty_line", "year": 2016, "amount": "三千"}, "amount", "扶贫标准应为数字（元）。"),
        ({"kind": "poverty_line", "year": 2016, "amount": ""}, "amount", "请填写拟议扶贫标准。"),
        ({"kind": "poverty_line", "year": 1899, "amount": "3000"}, "year", "年度应在 2010 至 2100 年之间。"),
        ({"kind": "poverty_line", "year": "明年", "amount": "3000"}, "year", "年度应为整数，如 2016。"),
        (
            {"kind": "monitoring_line", "year": 2016},
            "income_line",
            "请填写拟议监测收入标准或刚性支出预警比例。",
        ),
        (
            {"kind": "monitoring_line", "year": 2016, "rigid_expense_share": "-0.1"},
            "rigid_expense_share",
            "刚性支出预警比例不能为负数。",
        ),
    ],
)
def test_bad_input_is_answered_with_the_field_error_in_chinese(client, people, data, field, message):
    client.force_login(people["county"])
    answer = client.post(reverse("monitoring:what-if"), data)
    assert answer.status_code == 400
    assert answer.context["form"].errors[field] == [message]
    assert message in answer.content.decode()
    assert not Job.objects.exists()


def test_a_dead_broker_fails_the_run_with_the_reason(
    client, people, county, django_capture_on_commit_callbacks
):
    from poverty_tracker.celery import app as celery_app
    from tests.hardening.test_dead_broker import _forget_connections

    saved = celery_app.conf.broker_url, celery_app.conf.task_always_eager
    celery_app.conf.broker_url, celery_app.conf.task_always_eager = "redis://127.0.0.1:1/0", False
    _forget_connections()
    try:
        with django_capture_on_commit_callbacks(execute=True):
            job = run(client, people["county"], kind="poverty_line", year=2016, amount="2970")
    finally:
        celery_app.conf.broker_url, celery_app.conf.task_always_eager = saved
        _forget_connections()
    job.refresh_from_db()
    assert (job.state, job.error) == (Job.State.FAILED, BROKER_DOWN)
    page = client.get(reverse("monitoring:what-if-result", args=[job.pk])).content.decode()
    assert "后台服务不可用" in page


def test_a_running_job_shows_its_progress(client, people):
    job = Job.objects.create(kind="what_if", state=Job.State.RUNNING, progress=40, params={"kind": "poverty_line", "year": 2016, "amount": "3000"}, created_by=people["county"])  # fmt: skip
    client.force_login(people["county"])
    page = client.get(reverse("monitoring:what-if-result", args=[job.pk])).content.decode()
    assert 'id="job-progress"' in page and "40%" in page
    assert client.get(reverse("monitoring:what-if-status", args=[job.pk])).status_code == 200
    Job.objects.filter(pk=job.pk).update(state=Job.State.DONE, result={})
    assert client.get(reverse("monitoring:what-if-status", args=[job.pk])).headers["HX-Refresh"] == "true"


def _page_tables(html: str) -> list[list[list[str]]]:
    """The cells of each result table of the page, as text."""
    import re

    tables = []
    for section in re.findall(r'<section class="card shadow-sm mb-3" data-table=.*?</section>', html, re.S):
        rows = []
        for row in re.findall(r"<tr>(.*?)</tr>", section, re.S):
            rows.append(
                [re.sub(r"<.*?>", "", c).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
            )
        tables.append(rows)
    return tables


def test_the_workbook_opens_and_holds_what_the_page_shows(
    client, people, county, django_capture_on_commit_callbacks
):
    job = post(
        client,
        people["county"],
        django_capture_on_commit_callbacks,
        kind="poverty_line",
        year=2016,
        amount="2970",
    )
    page = client.get(reverse("monitoring:what-if-result", args=[job.pk])).content.decode()
    download = client.get(reverse("monitoring:what-if-xlsx", args=[job.pk]))
    assert download.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(download.content), read_only=True)
    tables = what_if_tables(job.result)
    assert (
        book.sheetnames[: len(tables)]
        == [name for name, _h, _r in tables]
        == ["按乡镇", "按行政村", "跨越发生率阈值的村"]
    )

    def text(value):  # 2.0 on the page is the number 2 in the workbook
        if value is None:
            return ""
        try:
            return f"{float(value):g}"
        except ValueError:
            return str(value)

    for (name, headers, rows), shown in zip(tables, _page_tables(page), strict=True):
        in_book = [[text(c) for c in row] for row in book[name].iter_rows(values_only=True)]
        assert in_book[0] == headers == shown[0]
        assert (
            in_book[1:]
            == [[text(c) for c in row] for row in rows]
            == [[text(c) for c in row] for row in shown[1:]]
        )
        assert rows  # each table has a row here: the comparison means something


def test_the_result_page_takes_a_fixed_number_of_queries(
    client, people, county, place, django_capture_on_commit_callbacks, django_assert_num_queries
):
    for _ in range(5):  # more households and villages: the result is one row, the page reads only it
        household(NaturalVillageFactory(), 2960)
    job = post(
        client,
        people["county"],
        django_capture_on_commit_callbacks,
        kind="poverty_line",
        year=2016,
        amount="2970",
    )
    assert len(job.result["villages"]) == 6
    client.force_login(people["county"])
    with django_assert_num_queries(4):  # session, user, the navigation's one read, the job
        client.get(reverse("monitoring:what-if-result", args=[job.pk]))


# -- the API ---------------------------------------------------------------------------------------------


def test_the_api_starts_a_run_and_answers_the_job_with_its_result(
    people, county, django_capture_on_commit_callbacks
):
    api = client_for(people["county"])
    with django_capture_on_commit_callbacks(execute=True):
        answer = api.post(
            "/api/v1/what-if/", {"kind": "poverty_line", "year": 2016, "amount": "2930"}, format="json"
        )
    assert answer.status_code == 202, answer.content
    job = api.get(f"/api/v1/jobs/{answer.json()['id']}/").json()
    assert job["state"] == "done" and job["result"]["totals"]["became"] == 1
    assert [j["id"] for j in api.get("/api/v1/what-if/").json()["results"]] == [job["id"]]


@pytest.mark.parametrize(
    "body, field",
    [
        ({"kind": "poverty_line", "year": 2016, "amount": -1}, "amount"),
        ({"kind": "poverty_line", "year": 2016, "amount": "abc"}, "amount"),
        ({"kind": "poverty_line", "year": 99999, "amount": 3000}, "year"),
        ({"kind": "other", "year": 2016}, "kind"),
        ({"kind": "monitoring_line", "year": 2016}, "income_line"),
    ],
)
def test_the_api_answers_bad_input_with_field_errors(people, body, field):
    answer = client_for(people["county"]).post("/api/v1/what-if/", body, format="json")
    assert answer.status_code == 400 and field in answer.json()
    assert not Job.objects.exists()


@pytest.mark.parametrize("role", ["township", "village", "inspector", "cadre"])
def test_the_api_refuses_other_roles(people, role):
    api = client_for(people[role])
    assert (
        api.post("/api/v1/what-if/", {"kind": "poverty_line", "year": 2016, "amount": 3000}).status_code
        == 403
    )
    assert api.get("/api/v1/what-if/").status_code == 403
    assert not Job.objects.exists()


def test_the_api_is_in_the_schema(people):
    paths = client_for(people["county"]).get("/api/schema/?format=json").json()["paths"]
    assert "post" in paths["/api/v1/what-if/"]


def test_the_monitoring_list_links_the_what_if_for_the_county_admin_only(client, people):
    url = reverse("monitoring:what-if")
    client.force_login(people["county"])
    assert url in client.get(reverse("monitoring:list")).content.decode()
    client.force_login(people["township"])
    assert url not in client.get(reverse("monitoring:list")).content.decode()


def test_the_form_page_lists_recent_runs(client, people, county, django_capture_on_commit_callbacks):
    job = post(
        client,
        people["county"],
        django_capture_on_commit_callbacks,
        kind="poverty_line",
        year=2016,
        amount="2970",
    )
    page = client.get(reverse("monitoring:what-if")).content.decode()
    assert reverse("monitoring:what-if-result", args=[job.pk]) in page and "2970" in page


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_run_reads_in_a_transaction_that_refuses_writes():
    from django.db import InternalError

    from monitoring.whatif import _reading_only

    with pytest.raises(InternalError, match="read-only"), _reading_only(), connection.cursor() as cursor:
        cursor.execute("UPDATE households_household SET phone = phone")


def test_a_year_with_no_line_in_force_makes_every_secure_household_above_the_proposal_eligible(
    client, people, place, django_capture_on_commit_callbacks
):
    household(place, 2940, year=2030)
    result = post(
        client,
        people["county"],
        django_capture_on_commit_callbacks,
        kind="poverty_line",
        year=2030,
        amount="2000",
    ).result
    assert result["in_force"]["amount"] == [] and result["totals"]["became"] == 1
