"""The cycle collector waits during a roster import or export, and runs again after (core/gc_pause.py)."""

import gc
import threading

import pytest

from core.excel.registry import RosterEntry
from core.gc_pause import gc_paused

seen: list[bool] = []


def record_collector(**kwargs):
    """Stands for an importer, exporter or template: notes whether the collector runs while it works."""
    seen.append(gc.isenabled())
    if kwargs.get("fail"):
        raise ValueError("a failing import")
    return kwargs


@pytest.fixture(autouse=True)
def _collector_on():
    was = gc.isenabled()
    gc.enable()
    seen.clear()
    yield
    if was:
        gc.enable()
    else:
        gc.disable()


ENTRY = RosterEntry(
    key="gc-test",
    title="测试",
    importer=f"{__name__}.record_collector",
    template=f"{__name__}.record_collector",
    exporter=f"{__name__}.record_collector",
)


def test_an_import_and_an_export_run_with_the_collector_paused_and_restore_it():
    assert ENTRY.call("importer", source="x") == {"source": "x"}
    assert ENTRY.call("exporter", stream="y") == {"stream": "y"}
    assert seen == [False, False]
    assert gc.isenabled()


def test_a_template_is_not_bulk_work():
    ENTRY.call("template", stream="z")
    assert seen == [True]


def test_a_failing_import_still_turns_the_collector_back_on():
    with pytest.raises(ValueError):
        ENTRY.call("importer", fail=True)
    assert seen == [False]
    assert gc.isenabled()


def test_a_nested_pause_does_not_turn_it_on_early():
    with gc_paused():
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off():
    gc.disable()
    with gc_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()


def test_two_threads_overlapping_leave_it_off_until_both_are_done():
    first_in, second_out, first_may_leave = threading.Event(), threading.Event(), threading.Event()
    after_second: list[bool] = []

    def first():
        with gc_paused():
            first_in.set()
            first_may_leave.wait(5)

    def second():
        first_in.wait(5)
        with gc_paused():
            pass
        after_second.append(gc.isenabled())  # the first is still inside
        second_out.set()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    second_out.wait(5)
    first_may_leave.set()
    for t in threads:
        t.join(5)
    assert after_second == [False]
    assert gc.isenabled()
