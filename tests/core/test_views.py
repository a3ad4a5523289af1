"""The view helpers every app's pages share: a service's errors on the form, and pagination links that keep
the page's filters."""

from django import forms
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.test import RequestFactory

from core.views import form_add_errors, page_of, query_without, service_errors


class NameForm(forms.Form):
    name = forms.CharField()


def _bound() -> NameForm:
    form = NameForm({"name": "张三"})
    assert form.is_valid()
    return form


def test_a_field_error_of_the_service_stands_beside_its_field():
    form = _bound()
    form_add_errors(form, ValidationError({"name": "姓名已登记。"}))
    assert form.errors == {"name": ["姓名已登记。"]}


def test_an_error_on_a_field_the_form_does_not_show_goes_above_the_form():
    form = _bound()
    form_add_errors(
        form, ValidationError({"phone": "联系电话只能包含数字。", NON_FIELD_ERRORS: "该户已清退。"})
    )
    assert form.non_field_errors() == ["联系电话只能包含数字。", "该户已清退。"]
    assert "name" not in form.errors


def test_an_error_without_a_field_goes_above_the_form():
    form = _bound()
    form_add_errors(form, ValidationError(["一户必须有且只有一名户主。", "户编号重复。"]))
    assert form.non_field_errors() == ["一户必须有且只有一名户主。", "户编号重复。"]


def test_query_without_drops_only_the_named_parameter():
    request = RequestFactory().get("/", {"q": "张", "page": "3", "history_page": "2"})
    assert query_without(request) == "q=%E5%BC%A0&history_page=2"
    assert query_without(request, "history_page") == "q=%E5%BC%A0&page=3"
    assert query_without(None) == ""


def _get(query: dict | None = None):
    request = RequestFactory().get("/households/", query or {})
    request.user = AnonymousUser()  # the navigation context processor reads it
    return request


def _pagination(query: dict, number: int, **include) -> str:
    page = Paginator(range(50), 10).page(number)
    return render_to_string("includes/pagination.html", {"page_obj": page, **include}, request=_get(query))


def test_the_pagination_links_keep_the_filters_and_change_only_the_page():
    html = _pagination({"status": "poor", "q": "赵六", "page": "2"}, 2)
    assert 'href="?status=poor&amp;q=%E8%B5%B5%E5%85%AD&amp;page=1"' in html
    assert 'href="?status=poor&amp;q=%E8%B5%B5%E5%85%AD&amp;page=3"' in html
    assert "第 2 / 5 页" in html


def test_the_pagination_links_without_filters_carry_the_page_alone():
    html = _pagination({}, 1)
    assert 'href="?page=2"' in html and "上一页" in html


def test_a_second_list_on_a_page_pages_with_its_own_parameter_and_anchor():
    html = _pagination({"page": "4"}, 1, param="history_page", anchor="#history")
    assert 'href="?page=4&amp;history_page=2#history"' in html


def test_a_single_page_shows_no_pagination():
    page = Paginator(range(5), 10).page(1)
    html = render_to_string("includes/pagination.html", {"page_obj": page}, request=_get())
    assert "pagination" not in html


def test_a_refusing_service_leaves_the_block_with_its_errors_on_the_form():
    form, done = _bound(), []
    with service_errors(form):
        raise ValidationError({"name": "姓名已登记。"})
        done.append(True)  # not reached: the rest of the block is what the view does on success
    assert form.errors == {"name": ["姓名已登记。"]} and not done


def test_with_the_request_the_refusal_is_also_in_the_pages_messages():
    request, form = _get(), _bound()
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    with service_errors(form, request):
        raise ValidationError("公示期未满，不能办理下一步。")
    assert [str(m) for m in get_messages(request)] == ["公示期未满，不能办理下一步。"]
    assert form.non_field_errors() == ["公示期未满，不能办理下一步。"]


def test_a_block_that_succeeds_is_left_alone():
    form = _bound()
    with service_errors(form):
        pass
    assert form.is_valid() and not form.errors


def test_page_of_reads_its_own_parameter_and_forgives_a_bad_number():
    rows = list(range(45))
    assert page_of(_get({"page": "2"}), rows, 20).object_list == list(range(20, 40))
    assert page_of(_get({"page": "2", "history_page": "3"}), rows, 20, param="history_page").number == 3
    assert page_of(_get({"page": "x"}), rows, 20).number == 1
    assert page_of(_get({"page": "99"}), rows, 20).number == 3
