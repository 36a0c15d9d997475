"""The one township/village name matcher: every spelling split accepts, merge and summary accept."""

from __future__ import annotations

import dataclasses
from pathlib import PurePosixPath

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xl_pension.app.merge import group_of
from xl_pension.app.summary import township_of
from xl_pension.core.errors import XlPensionError
from xl_pension.core.places import (
    TownshipMatcher,
    VillageMatcher,
    split_place,
    township_named,
    township_stem,
    village_key,
)
from xl_pension.core.policy import Policy, Township, load_policy
from xl_pension.reports.county_list import ListRow, place_rows
from xl_pension.reports.merge import resolve_place

POLICY = load_policy()
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def test_township_matching(policy: Policy) -> None:
    m = TownshipMatcher(policy)
    name = policy.township_by_name
    assert m.match("城关") is name["城关街道"]
    assert m.match("大屯") is name["大屯镇"]
    assert m.match(" 刘楼 ") is name["刘楼镇"]
    assert m.match("焦园乡") is name["焦园乡"]
    assert m.match("371728205") is name["焦园乡"]
    assert m.match(371728205.0) is name["焦园乡"]
    assert m.match("371728205000") is name["焦园乡"]
    assert m.match("３７１７２８２０５") is name["焦园乡"]
    assert m.match("东明县城关街道") is name["城关街道"]
    assert m.match("城关街道办事处") is name["城关街道"]
    assert m.match("火星镇") is None and m.match("") is None and m.township("火星镇") is None
    twins = dataclasses.replace(
        policy, townships=(Township("371728901", "张庄镇"), Township("371728902", "张庄乡"))
    )
    assert isinstance(TownshipMatcher(twins).match("张庄"), list)
    assert TownshipMatcher(twins).township("张庄") is None
    assert TownshipMatcher(twins).township("张庄乡").code == "371728902"


def spellings(t: Township) -> list[str]:
    """Every way a township is written that the county list (split) accepts."""
    out = [
        t.name,
        t.code,
        f"{t.code}000",
        f"{POLICY.county_name}{t.name}",
        t.code.translate(FULL_WIDTH),
    ]
    if sum(township_stem(u.name) == township_stem(t.name) for u in POLICY.townships) == 1:
        out.append(township_stem(t.name))
    if t.name.endswith("街道"):
        out.append(f"{t.name}办事处")
    return out


CASES = [(t, s) for t in POLICY.townships for s in spellings(t)]


@st.composite
def spelled(draw: st.DrawFn) -> tuple[Township, str]:
    """A township and one spelling of it, with spaces (ASCII or full-width) slipped in."""
    township, text = draw(st.sampled_from(CASES))
    chars = list(text)
    for _ in range(draw(st.integers(0, 2))):
        chars.insert(draw(st.integers(0, len(chars))), draw(st.sampled_from([" ", "\u3000"])))
    return township, "".join(chars)


@settings(max_examples=150, deadline=None)
@given(spelled())
def test_every_spelling_split_accepts_summary_and_merge_accept(case: tuple[Township, str]):
    township, text = case
    rows = [ListRow(3, {"township": text, "village": "王庄村", "name": "张三", "id_number": None})]
    rejected = place_rows(rows, POLICY).rejected
    assert [r.code for r in rejected] == ["id.missing"]  # the township itself was accepted
    folder = text.strip()  # a folder name cannot start or end with spaces on Windows
    file = PurePosixPath(folder, "王庄村.xlsx").as_posix()
    place = resolve_place(file, {"village": "王庄村"}, POLICY)
    assert place.known and place.township is township
    assert group_of(file, POLICY) == township.code
    assert township_of({}, file, POLICY) == (township.name, township.code)
    assert township_of({"township_name": text}, "王庄村.xlsx", POLICY)[1] == township.code
    assert township_named(POLICY, text) is township


def test_a_township_the_policy_does_not_have_is_refused_everywhere():
    assert resolve_place("火星镇/王庄村.xlsx", {"village": "王庄村"}, POLICY).township is None
    assert group_of("火星镇/王庄村.xlsx", POLICY) == "~"
    with pytest.raises(XlPensionError, match="可选：城关街道"):
        township_named(POLICY, "火星镇")


@pytest.mark.parametrize(
    ("path", "township", "village"),
    [
        ("东明县城关街道王庄村委会", "城关街道", "王庄村委会"),
        ("城关街道办事处王庄村", "城关街道", "王庄村"),
        ("城关王庄村", "城关街道", "王庄村"),
        ("东明县 大屯镇 李楼村民委员会", "大屯镇", "李楼村民委员会"),
        ("371728106 李楼", "大屯镇", "李楼"),
        ("东明集镇东明集村", "东明集镇", "东明集村"),
    ],
)
def test_a_combined_path_is_split_into_township_and_village(path, township, village):
    found, rest = split_place(POLICY, path)
    assert isinstance(found, Township) and found.name == township
    assert rest == village


def test_a_path_without_a_township_keeps_its_text():
    assert split_place(POLICY, "火星镇王庄村") == (None, "火星镇王庄村")


@pytest.mark.parametrize(
    "spelling", ["王庄村委会", "王庄村民委员会", "王庄村", "王庄", " 王庄村 ", "王庄村\u3000委会"]
)
def test_village_spellings_are_one_village(spelling):
    assert village_key(spelling) == village_key("王庄村") == "王庄"
    assert VillageMatcher(("王庄村", "李楼村")).match(spelling) == "王庄村"


def test_village_matcher_refuses_what_is_unknown_or_ambiguous():
    assert village_key("城关社区居委会") == village_key("城关社区") == "城关"
    assert VillageMatcher(("王庄村", "李楼村")).match("张寨") is None
    assert VillageMatcher(("王庄村", "王庄社区")).match("王庄") is None
    assert VillageMatcher(("王庄村",)).match("") is None
