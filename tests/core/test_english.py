"""English is complete (issue 10): the roster and audit pages, and the roster reader's and parsers' messages,
speak English when English is chosen."""

import io

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from accounts.models import Role
from core.excel.columns import CellError
from core.excel.limits import Limits
from core.excel.parsers import Text
from core.excel.reader import WorkbookRejected, check_file
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _chinese_again_afterwards():
    """A request in English leaves English active in this thread: put the primary language back."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.mark.django_db
def test_the_roster_page_in_english(client):
    client.force_login(UserFactory(role=Role.COUNTY_ADMIN))
    client.cookies["django_language"] = "en"
    html = client.get(reverse("rosters:index")).content.decode()
    for text in ("Rosters", "Download template", "All imports", "Upload"):
        assert text in html
    assert "花名册导入导出" not in html and "下载模板" not in html


@pytest.mark.django_db
def test_the_audit_page_in_english(client):
    client.force_login(UserFactory(role=Role.COUNTY_ADMIN))
    client.cookies["django_language"] = "en"
    html = client.get(reverse("audit")).content.decode()
    assert "Audit log" in html and "Change history" in html
    assert "审计记录" not in html


def test_a_rejected_workbook_says_why_in_english():
    with translation.override("en"), pytest.raises(WorkbookRejected) as caught:
        check_file(io.BytesIO(b""), Limits.from_settings())
    assert caught.value.message == "The file is empty (0 bytes); please choose the file again."


def test_a_cell_error_in_english_and_in_chinese():
    with translation.override("en"), pytest.raises(CellError) as caught:
        Text(3).parse("abcdef")
    assert str(caught.value) == "At most 3 characters (found 6)"
    with translation.override("zh-hans"), pytest.raises(CellError) as caught:
        Text(3).parse("abcdef")
    assert str(caught.value) == "不能超过 3 个字符（实为 6 个）"


def test_a_roster_enumeration_keeps_its_chinese_labels_when_built_in_english():
    from core.excel.parsers import Enum
    from villages.models import ExitIndicator

    with translation.override("en"):
        parser = Enum(ExitIndicator.Level)
        assert parser.parse("贫困乡") == "township"
        assert parser.to_cell("village") == "贫困村"
