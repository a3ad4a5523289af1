"""A revisit that reports a risk raises a monitoring candidate (发现, found by 干部走访排查), once per client
UUID; old phones that send no risk keep working; a wrong risk is a 400 naming the field, storing nothing."""

import datetime
import uuid

import pytest
from django.core.exceptions import ValidationError

from assignments.models import Revisit
from assignments.services import revisit_record
from households import choices as hh
from households.models import Household
from monitoring.choices import FoundBy, Kind, State
from monitoring.models import MonitoringObject
from monitoring.services import monitoring_object_advance
from tests.clients import client_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

API = "/api/v1/revisits/"


def body(household, **kw) -> dict:
    return {
        "household": household.pk,
        "visited_on": "2016-03-01",
        "kind": "home",
        "situation": "户主近期住院",
        "client_uuid": str(kw.pop("client_uuid", uuid.uuid4())),
        **kw,
    }


def exit_(household) -> Household:
    Household.objects.filter(pk=household.pk).update(status=hh.Status.EXITED, exit_year=2016)
    household.refresh_from_db()
    return household


def test_a_revisit_with_a_risk_raises_one_candidate_found_by_the_visit(paired):
    household = exit_(paired["household"])
    sent = body(household, risk_types=["因病"], risk_note="户主住院手术，医疗支出较大")

    answer = client_for(paired["user"]).post(API, sent, format="json")

    assert answer.status_code == 201, answer.content
    assert answer.json()["risk_types"] == ["因病"]
    assert answer.json()["risk_note"] == "户主住院手术，医疗支出较大"
    candidate = MonitoringObject.objects.get(household=household)
    assert (candidate.state, candidate.found_by, candidate.kind) == (
        State.FOUND,
        FoundBy.VISIT,
        Kind.UNSTABLE,
    )
    assert candidate.risk_types == ["因病"]
    assert candidate.identified_on == datetime.date(2016, 3, 1)
    assert candidate.reason == "2016-03-01 走访发现：户主住院手术，医疗支出较大"


def test_a_resent_revisit_raises_no_second_candidate_even_after_the_first_was_turned_down(paired):
    household = exit_(paired["household"])
    village_official = UserFactory(role="village_official", village=household.village)
    sent = body(household, risk_types=["因灾", "因病"])
    client = client_for(paired["user"])

    assert client.post(API, sent, format="json").status_code == 201
    candidate = MonitoringObject.objects.get(household=household)
    assert candidate.risk_types == ["因病", "因灾"]  # in the declared order, each once
    monitoring_object_advance(obj=candidate, user=village_official, decision="reject", comment="已恢复")
    again = client.post(API, sent, format="json")

    assert again.status_code == 200
    assert MonitoringObject.objects.filter(household=household).count() == 1
    assert Revisit.objects.filter(household=household).count() == 1


def test_multipart_from_the_phone_outbox_carries_several_risk_types(paired):
    household = exit_(paired["household"])
    sent = body(household, risk_types=["因病", "因务工就业不稳"], risk_note="务工返乡")

    answer = client_for(paired["user"]).post(API, sent, format="multipart")

    assert answer.status_code == 201, answer.content
    assert MonitoringObject.objects.get(household=household).risk_types == ["因病", "因务工就业不稳"]


def test_an_old_phone_that_sends_no_risk_records_the_revisit_and_raises_nothing(paired):
    answer = client_for(paired["user"]).post(API, body(exit_(paired["household"])), format="multipart")

    assert answer.status_code == 201, answer.content
    assert answer.json()["risk_types"] == [] and answer.json()["risk_note"] == ""
    assert not MonitoringObject.objects.exists()


@pytest.mark.parametrize(
    "risk, field, words",
    [
        ({"risk_types": ["因懒"]}, "risk_types", "风险类型“因懒”不在可选范围内"),
        ({"risk_note": "家中有人生病"}, "risk_types", "请同时选择风险类型"),
        ({"risk_types": ["因病"], "risk_note": "长" * 201}, "risk_note", "风险说明不能超过 200 字"),
        ({"risk_types": "因病"}, "risk_types", ""),
    ],
)
def test_a_wrong_risk_is_refused_with_the_field_and_nothing_is_stored(paired, risk, field, words):
    answer = client_for(paired["user"]).post(API, body(paired["household"], **risk), format="json")

    assert answer.status_code == 400
    assert field in answer.json()
    assert words in "".join(answer.json()[field])
    assert not Revisit.objects.exists() and not MonitoringObject.objects.exists()


def test_a_household_still_poor_becomes_a_sudden_hardship_candidate(paired):
    assert paired["household"].status == hh.Status.POOR
    revisit_record(
        user=paired["user"],
        household_id=paired["household"].pk,
        client_uuid=uuid.uuid4(),
        visited_on=datetime.date(2016, 3, 1),
        risk_types=["因灾"],
        risk_note="房屋被洪水冲毁",
    )
    assert MonitoringObject.objects.get().kind == Kind.SUDDEN


def test_a_risk_on_a_household_already_monitored_adds_to_it(paired):
    household = exit_(paired["household"])
    for risk, day in (("因病", "2016-03-01"), ("因学", "2016-03-02")):
        revisit_record(
            user=paired["user"],
            household_id=household.pk,
            client_uuid=uuid.uuid4(),
            visited_on=day,
            risk_types=[risk],
        )
    candidate = MonitoringObject.objects.get()
    assert candidate.risk_types == ["因病", "因学"]
    assert "2016-03-02 走访发现：因学" in candidate.reason


def test_a_failing_candidate_leaves_no_revisit(paired, monkeypatch):
    """The candidate is raised inside the revisit's transaction: if it fails, the revisit is not stored."""
    import monitoring.services

    def refuse(**kw):
        raise ValidationError({"kind": "不能纳入"})

    monkeypatch.setattr(monitoring.services, "candidate_raise", refuse)
    with pytest.raises(ValidationError):
        revisit_record(
            user=paired["user"],
            household_id=exit_(paired["household"]).pk,
            client_uuid=uuid.uuid4(),
            visited_on=datetime.date(2016, 3, 1),
            risk_types=["因病"],
        )
    assert not Revisit.objects.exists()


def test_the_phone_form_offers_the_risk_types(client, paired):
    client.force_login(paired["user"])
    html = client.get("/assignments/m/revisit/").content.decode()
    for risk in ("因病", "因残", "因学", "因灾", "因意外事故", "因务工就业不稳", "因产业项目失败"):
        assert f'name="risk_types" value="{risk}"' in html
    assert 'name="risk_note"' in html


def test_the_revisit_page_shows_the_risk_it_reported(client, paired):
    result = revisit_record(
        user=paired["user"],
        household_id=exit_(paired["household"]).pk,
        client_uuid=uuid.uuid4(),
        visited_on=datetime.date(2016, 3, 1),
        risk_types=["因病", "因学"],
        risk_note="子女上大学，户主住院",
    )
    client.force_login(paired["user"])
    html = client.get(f"/assignments/m/revisits/{result.revisit.pk}/").content.decode()
    assert "<p data-risk>因病、因学 · 子女上大学，户主住院</p>" in html
