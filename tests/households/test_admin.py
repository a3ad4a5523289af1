"""Households and members are read-mostly in the admin site: what may be corrected there goes through
households.services, which validate and keep the audit history."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from accounts.models import Role
from households.models import Member
from tests.factories import UserFactory, make_household

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(role=Role.COUNTY_ADMIN, is_staff=True, is_superuser=True))
    return client


def member_rows(household) -> dict:
    """The read-only member rows as the change page posts them back."""
    members = list(household.members.order_by("id"))
    rows = {"members-TOTAL_FORMS": len(members), "members-INITIAL_FORMS": len(members)}
    for i, member in enumerate(members):
        rows.update({f"members-{i}-id": member.pk, f"members-{i}-household": household.pk})
    return rows


def test_a_household_phone_is_corrected_through_the_service(admin_client):
    household = make_household()
    response = admin_client.post(
        reverse("admin:households_household_change", args=[household.pk]),
        {"phone": "13922223333", **member_rows(household)},
    )
    assert response.status_code == 302
    household.refresh_from_db()
    assert household.phone == "13922223333"
    change = household.history.first()
    assert (change.history_type, change.history_user.role) == ("~", Role.COUNTY_ADMIN)


def test_the_return_review_flag_is_not_changed_in_the_admin(admin_client):
    household = make_household()
    response = admin_client.post(
        reverse("admin:households_household_change", args=[household.pk]),
        {"phone": "", "needs_return_review": "on", **member_rows(household)},
    )
    assert response.status_code == 200
    messages = " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert "该字段不能在此修改。" in messages
    household.refresh_from_db()
    assert household.needs_return_review is False


def test_a_members_name_is_corrected_through_the_service_and_the_head_name_follows(admin_client):
    household = make_household()
    head = household.members.get(relation="head")
    data = {
        "name": "张三丰",
        "disability_certificate": "",
        "ethnicity": "彝族",
        "education": "",
        "school_status": head.school_status,
        "health": '["healthy"]',
        "labour": "",
        "migrant_work": head.migrant_work,
        "health_insurance": "on",
    }
    response = admin_client.post(reverse("admin:households_member_change", args=[head.pk]), data)
    assert response.status_code == 302, get_messages(response.wsgi_request)
    household.refresh_from_db()
    assert household.head_name == "张三丰"  # member_update keeps the household's head name
    assert Member.objects.get(pk=head.pk).ethnicity == "彝族"
