"""Issue 11, findings 3 and 14: ID numbers and phones shown whole only to officials in scope."""

import pytest
from rest_framework.test import APIClient

from accounts.models import Role
from core.access import Access
from households.selectors import household_history
from tests.factories import CadreFactory, NaturalVillageFactory, PairingFactory, UserFactory, make_household

pytestmark = pytest.mark.django_db

PHONE = "13912340000"
NEW_ID = "532328198001011236"


@pytest.fixture
def world():
    place = NaturalVillageFactory()
    household = make_household(natural_village=place, phone="13800001111")
    member = household.members.order_by("id").first()
    old_id = member.id_number
    member.id_number = NEW_ID
    member._change_reason = "更正身份证号"
    member.save()
    household.phone = PHONE
    household.save()
    cadre = CadreFactory()
    PairingFactory(cadre=cadre, household=household)
    return {
        "household": household,
        "old_id": old_id,
        "cadre": UserFactory(role=Role.CADRE, cadre=cadre),
        "inspector": UserFactory(role=Role.INSPECTOR),
        "official": UserFactory(role=Role.TOWNSHIP_OFFICIAL, township=place.village.township),
    }


def test_access_masks_phones_like_id_numbers(world):
    assert Access.for_user(world["cadre"]).phone(PHONE) == "139****0000"
    assert Access.for_user(world["inspector"]).phone(PHONE) == "139****0000"
    assert Access.for_user(world["official"]).phone(PHONE) == PHONE
    assert Access.for_user(world["cadre"]).phone("") == ""


def _history_text(user, household) -> str:
    entries = household_history(access=Access.for_user(user), household=household)
    return " ".join(f"{c.old} {c.new}" for e in entries for c in e.changes)


@pytest.mark.parametrize("role", ["cadre", "inspector"])
def test_history_masks_id_numbers_and_phones(world, role):
    text = _history_text(world[role], world["household"])
    assert NEW_ID not in text and world["old_id"] not in text and PHONE not in text
    assert "532328********1236" in text and "139****0000" in text


def test_history_shows_them_whole_to_an_official_in_scope(world):
    text = _history_text(world["official"], world["household"])
    assert NEW_ID in text and PHONE in text


@pytest.mark.parametrize("role", ["cadre", "inspector"])
def test_the_household_page_and_api_mask_the_phone(world, client, role):
    household = world["household"]
    client.force_login(world[role])
    page = client.get(f"/households/{household.pk}/").content.decode()
    assert PHONE not in page and "139****0000" in page
    api = APIClient()
    api.force_authenticate(world[role])
    body = api.get(f"/api/v1/households/{household.pk}/").json()
    assert body["phone"] == "139****0000"


def test_the_official_sees_the_phone_whole(world, client):
    household = world["household"]
    client.force_login(world["official"])
    assert PHONE in client.get(f"/households/{household.pk}/").content.decode()


@pytest.mark.parametrize(("role", "shown"), [("inspector", "139****0000"), ("official", PHONE)])
def test_the_household_export_masks_the_phone_as_the_id_numbers(world, role, shown):
    from households.models import Household
    from households.roster_io import households_export
    from tests.core.excel.roster_helpers import export_stream, rows_of

    stream, _ = export_stream(households_export, world[role], Household.objects.all())
    text = " ".join(str(cell) for row in rows_of(stream, "成员") for cell in row)
    assert shown in text and (shown == PHONE or PHONE not in text)


CADRE_PHONE = "13700002222"


@pytest.fixture
def cadre_with_phone(world):
    cadre = world["cadre"].cadre
    cadre.phone = CADRE_PHONE
    cadre.save(update_fields=["phone"])
    return cadre


def test_cadre_phones_are_masked_for_an_inspector_in_pages_and_api(world, client, cadre_with_phone):
    client.force_login(world["inspector"])
    for path in ("/assignments/cadres/", f"/assignments/cadres/{cadre_with_phone.pk}/"):
        page = client.get(path).content.decode()
        assert CADRE_PHONE not in page and "137****2222" in page, path
    api = APIClient()
    api.force_authenticate(world["inspector"])
    body = api.get(f"/api/v1/cadres/{cadre_with_phone.pk}/").json()
    assert body["phone"] == "137****2222"


def test_a_county_admin_sees_cadre_phones_whole(client, cadre_with_phone):
    admin = UserFactory(role=Role.COUNTY_ADMIN)
    client.force_login(admin)
    page = client.get(f"/assignments/cadres/{cadre_with_phone.pk}/").content.decode()
    assert f'href="tel:{CADRE_PHONE}"' in page
    api = APIClient()
    api.force_authenticate(admin)
    assert api.get(f"/api/v1/cadres/{cadre_with_phone.pk}/").json()["phone"] == CADRE_PHONE


def test_the_exit_page_masks_the_household_phone_for_an_inspector(world, client):
    from households.models import ExitApplication

    application = ExitApplication.objects.create(household=world["household"], year=2016)
    client.force_login(world["inspector"])
    page = client.get(f"/households/exit/{application.pk}/").content.decode()
    assert PHONE not in page and "139****0000" in page
