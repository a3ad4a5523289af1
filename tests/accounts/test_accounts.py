"""Accounts (DESIGN.md §8): create_account and demo_accounts, each role and each refusal."""

import datetime
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from accounts.models import Role, User
from accounts.services import account_create
from tests.factories import (
    CadreFactory,
    NaturalVillageFactory,
    PairingFactory,
    TownshipFactory,
    UserFactory,
    VillageFactory,
    make_household,
)

pytestmark = pytest.mark.django_db


PASSWORD = "long-enough-1"


@pytest.fixture
def places():
    jiangyi, laocheng = TownshipFactory(name="姜驿乡"), TownshipFactory(name="老城乡")
    return {
        "jiangyi": jiangyi,
        "laocheng": laocheng,
        "boheng": VillageFactory(township=laocheng, name="波亨村"),
    }


def create_account(*args: str) -> str:
    out = StringIO()
    call_command("create_account", *args, stdout=out)
    return out.getvalue()


# -- each role --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.COUNTY_ADMIN, Role.INSPECTOR])
def test_county_wide_roles_need_no_scope(role):
    out = create_account("zhang", "--password", PASSWORD, "--role", role)
    user = User.objects.get(username="zhang")
    assert user.role == role and user.township is None and user.village is None
    assert user.check_password(PASSWORD)
    assert "已创建账户 zhang" in out and "全县" in out


def test_a_county_admin_may_use_the_admin_site_and_an_inspector_may_not():
    assert account_create(username="a", password=PASSWORD, role=Role.COUNTY_ADMIN).is_staff
    assert not account_create(username="b", password=PASSWORD, role=Role.INSPECTOR).is_staff


@pytest.mark.parametrize("by", ["name", "id"])
def test_a_township_official_is_scoped_to_a_township_by_name_or_id(places, by):
    township = places["jiangyi"]
    create_account(
        "li",
        "--password",
        PASSWORD,
        "--role",
        "township_official",
        "--township",
        township.name if by == "name" else str(township.pk),
    )
    user = User.objects.get(username="li")
    assert (user.role, user.township, user.village) == (Role.TOWNSHIP_OFFICIAL, township, None)


@pytest.mark.parametrize("by", ["name", "id"])
def test_a_village_official_is_scoped_to_a_village_by_name_or_id(places, by):
    village = places["boheng"]
    out = create_account(
        "wang",
        "--password",
        PASSWORD,
        "--role",
        "village_official",
        "--village",
        village.name if by == "name" else str(village.pk),
    )
    user = User.objects.get(username="wang")
    assert (user.role, user.township, user.village) == (Role.VILLAGE_OFFICIAL, None, village)
    assert "老城乡波亨村" in out


def test_a_cadre_account_is_tied_to_its_cadre_record():
    cadre = CadreFactory()
    create_account("zhao", "--password", PASSWORD, "--role", "cadre", "--cadre", str(cadre.pk))
    assert User.objects.get(username="zhao").cadre == cadre


# -- each refusal ------------------------------------------------------------------------------------------


def refused(*args: str) -> str:
    with pytest.raises(CommandError) as exc:
        create_account(*args)
    assert not User.objects.filter(username=args[0]).exists() or args[0] == "taken"
    return str(exc.value)


def test_an_unknown_role_is_refused_with_the_known_ones():
    message = refused("x", "--password", PASSWORD, "--role", "mayor")
    assert "--role: 未知角色“mayor”" in message and "county_admin（县扶贫办管理员）" in message


def test_a_missing_role_is_refused():
    assert "必须指定角色" in refused("x", "--password", PASSWORD)


@pytest.mark.parametrize(
    ("role", "option", "expected"),
    [
        ("township_official", None, "--township: 乡镇干部账户必须指定乡镇。"),
        ("village_official", None, "--village: 村委会工作人员账户必须指定行政村。"),
        ("cadre", None, "--cadre: 挂包帮干部账户必须指定干部。"),
        ("county_admin", "--township", "--township: 县扶贫办管理员的范围是全县，不能指定乡镇。"),
        ("inspector", "--village", "--village: 督查人员的范围是全县，不能指定行政村。"),
        ("township_official", "--village", "--village: 乡镇干部只能指定乡镇，不能指定行政村。"),
    ],
)
def test_a_missing_or_extra_scope_is_refused(places, role, option, expected):
    args = ["x", "--password", PASSWORD, "--role", role]
    if option:
        args += [option, "老城乡" if option == "--township" else "波亨村"]
    assert expected in refused(*args)


def test_unknown_places_and_cadres_are_refused(places):
    assert "未找到乡镇“大理乡”" in refused(
        "x", "--password", PASSWORD, "--role", "township_official", "--township", "大理乡"
    )
    assert "未找到行政村“9999999”" in refused(
        "x", "--password", PASSWORD, "--role", "village_official", "--village", "9999999"
    )
    assert "未找到干部记录“12345”" in refused(
        "x", "--password", PASSWORD, "--role", "cadre", "--cadre", "12345"
    )


def test_a_village_name_in_two_townships_asks_for_the_id(places):
    other = VillageFactory(township=places["jiangyi"], name="波亨村")
    message = refused("x", "--password", PASSWORD, "--role", "village_official", "--village", "波亨村")
    assert "在多个乡镇都有" in message and "请改用行政村 ID" in message
    assert f"老城乡波亨村 的 ID 为 {places['boheng'].pk}" in message and f"ID 为 {other.pk}" in message


def test_a_cadre_with_an_account_gets_no_second_one():
    cadre = CadreFactory()
    UserFactory(username="first", role=Role.CADRE, cadre=cadre)
    assert "已有登录账户“first”" in refused(
        "x", "--password", PASSWORD, "--role", "cadre", "--cadre", str(cadre.pk)
    )


@pytest.mark.parametrize("username", ["taken", "TAKEN"])
def test_a_duplicate_username_is_refused(username):
    UserFactory(username="taken", role=Role.INSPECTOR)
    assert "已存在" in refused(username, "--password", PASSWORD, "--role", "inspector")
    assert User.objects.filter(username__iexact="taken").count() == 1


@pytest.mark.parametrize(
    ("password", "expected"), [("short1", "密码太短，至少需要 8 个字符"), ("", "密码不能为空")]
)
def test_a_weak_or_missing_password_is_refused(password, expected):
    message = refused("x", "--password", password, "--role", "inspector")
    assert message.startswith("--password: ") and expected in message


def test_the_service_raises_field_errors_in_chinese(places):
    with pytest.raises(ValidationError) as exc:
        account_create(username="x", password=PASSWORD, role=Role.TOWNSHIP_OFFICIAL)
    assert exc.value.message_dict == {"township": ["乡镇干部账户必须指定乡镇。"]}


# -- demo accounts -----------------------------------------------------------------------------------------


@pytest.fixture
def demo(places):
    """The places demo_accounts needs, and cadres in 波亨村: one whose pairing ended, two still paired."""
    boheng = NaturalVillageFactory(village=places["boheng"])
    elsewhere = NaturalVillageFactory(village=VillageFactory(township=places["laocheng"]))
    PairingFactory(household=make_household(natural_village=elsewhere))  # active, but not in 波亨村
    ended = PairingFactory(
        household=make_household(natural_village=boheng), ended_on=datetime.date(2016, 6, 1)
    )
    first, second = CadreFactory(), CadreFactory()
    PairingFactory(cadre=second, household=make_household(natural_village=boheng))
    PairingFactory(cadre=first, household=make_household(natural_village=boheng))
    return {**places, "ended_cadre": ended.cadre, "cadre": first}


def demo_accounts() -> str:
    out = StringIO()
    call_command("demo_accounts", stdout=out)
    return out.getvalue()


def test_demo_accounts_makes_one_login_per_role(demo):
    out = demo_accounts()
    users = {u.username: u for u in User.objects.all()}
    assert set(users) == {"admin", "jiangyi", "laocheng", "boheng", "cadre", "inspector"}
    assert users["admin"].role == Role.COUNTY_ADMIN
    assert users["jiangyi"].township == demo["jiangyi"]
    assert users["laocheng"].township == demo["boheng"].township  # verifies 波亨村's exits
    assert users["boheng"].village == demo["boheng"]
    assert users["cadre"].cadre == demo["cadre"]  # the first by id among those still paired in 波亨村
    assert users["inspector"].role == Role.INSPECTOR
    assert all(u.check_password("demo12345") for u in users.values())
    assert "用户名" in out and "密码" in out and "角色" in out and "范围" in out
    for line in ("jiangyi", "乡镇干部", "姜驿乡", "老城乡波亨村", "demo12345"):
        assert line in out


def test_demo_accounts_is_idempotent_and_resets_passwords(demo):
    demo_accounts()
    admin = User.objects.get(username="admin")
    admin.set_password("changed-password")
    admin.save()
    demo_accounts()
    assert User.objects.count() == 6
    admin.refresh_from_db()
    assert admin.check_password("demo12345")


def test_demo_accounts_without_the_demo_county_says_so_and_fails():
    with pytest.raises(CommandError, match="load_demo"):
        demo_accounts()
    assert not User.objects.exists()


def test_the_signed_in_user_comes_with_their_township_and_village(clerk, django_assert_num_queries):
    """Every page names the user's scope in the navbar: the session backend reads it with the user."""
    from accounts.authentication import ScopedModelBackend
    from core.access import Access

    with django_assert_num_queries(1):
        user = ScopedModelBackend().get_user(clerk.pk)
        label = Access(user).scope_label
    assert label == f"{clerk.village.township.name}{clerk.village.name}"
    User.objects.filter(pk=clerk.pk).update(is_active=False)
    assert ScopedModelBackend().get_user(clerk.pk) is None


def test_pages_read_the_signed_in_user_through_the_scoped_backend(client, clerk):
    client.force_login(clerk)
    user = client.get("/").wsgi_request.user
    assert user.pk == clerk.pk and "village" in user._state.fields_cache


def test_a_token_reads_the_user_with_their_township_and_village(clerk, django_assert_num_queries):
    """The API's token sign-in reads the user's scope as the session backend does; its refusals stay DRF's."""
    from rest_framework import exceptions
    from rest_framework.authtoken.models import Token

    from accounts.authentication import ExpiringTokenAuthentication
    from core.access import Access

    token = Token.objects.create(user=clerk)
    with django_assert_num_queries(1):
        user, _ = ExpiringTokenAuthentication().authenticate_credentials(token.key)
        label = Access(user).scope_label
    assert label == f"{clerk.village.township.name}{clerk.village.name}"
    with pytest.raises(exceptions.AuthenticationFailed, match="认证令牌无效"):
        ExpiringTokenAuthentication().authenticate_credentials("0" * 40)
    User.objects.filter(pk=clerk.pk).update(is_active=False)
    with pytest.raises(exceptions.AuthenticationFailed, match="用户未激活"):
        ExpiringTokenAuthentication().authenticate_credentials(token.key)
