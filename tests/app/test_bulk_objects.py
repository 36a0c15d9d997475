"""Summaries and merges pause the cyclic garbage collector while they make objects in bulk,
and always give it back: to the caller as it was, and to the worker processes switched on."""

from __future__ import annotations

import gc
import threading
from pathlib import Path

import pytest

import xl_pension.reports.merge as merge_reports
from xl_pension.app import summary as app_summary
from xl_pension.app.bulk_objects import objects_in_bulk
from xl_pension.app.merge import merge_county
from xl_pension.app.parallel import map_files
from xl_pension.app.summary import summarize_folder
from xl_pension.io.roster_writer import write_roster


def collector_on(_: int) -> bool:
    return gc.isenabled()


@pytest.fixture(autouse=True)
def _collector_restored():
    was = gc.isenabled()
    yield
    gc.enable() if was else gc.disable()


def test_the_collector_is_paused_inside_and_given_back_as_it_was():
    gc.enable()
    with objects_in_bulk():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    with objects_in_bulk():
        assert not gc.isenabled()
    assert not gc.isenabled()  # it was off before: it stays off


def test_threads_share_the_pause_until_the_last_one_leaves():
    gc.enable()
    inside, leave = threading.Event(), threading.Event()

    def other() -> None:
        with objects_in_bulk():
            inside.set()
            leave.wait(5)

    t = threading.Thread(target=other)
    with objects_in_bulk():
        t.start()
        assert inside.wait(5)
    assert not gc.isenabled()  # the other thread is still making objects
    leave.set()
    t.join(5)
    assert gc.isenabled()


def test_workers_forked_during_a_pause_collect_as_usual():
    gc.enable()
    with objects_in_bulk():
        assert list(map_files(collector_on, list(range(6)), "x", workers=2)) == [True] * 6


def _spy(monkeypatch, module, name: str) -> list[bool]:
    seen: list[bool] = []
    original = getattr(module, name)

    def spy(*args, **kwargs):
        seen.append(gc.isenabled())
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, spy)
    return seen


def test_a_summary_and_a_merge_run_paused_and_give_the_collector_back(
    tmp_path: Path, policy, monkeypatch
):
    township = policy.townships[0]
    folder = tmp_path / township.name
    folder.mkdir()
    for village in ("王庄村", "李庄村"):
        write_roster(folder / f"{village}.xlsx", policy, township, village)
    gc.enable()
    during_summary = _spy(monkeypatch, app_summary, "collect")
    summarize_folder(folder, policy, output=tmp_path / "乡镇汇总.xlsx")
    during_merge = _spy(monkeypatch, merge_reports, "check_conservation")
    merge_county(tmp_path, policy, output=tmp_path / "全县汇总.xlsx")
    assert during_summary == [False] and during_merge == [False]
    assert gc.isenabled()
