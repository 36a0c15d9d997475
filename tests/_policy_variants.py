"""Policy variants as TOML text (each made from the packaged file's text) and roster helpers.

Every variant changes the packaged Dongming 2024 policy by data alone; the tests write the text
to a file and load it with ``load_policy``, exactly as a county would with ``--policy FILE``.
"""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import json
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from xl_pension.core import idnum
from xl_pension.core.policy import DEFAULT_POLICY_PATH, Policy, load_policy
from xl_pension.core.schema import DATA_START_ROW

DEFAULT_TEXT = DEFAULT_POLICY_PATH.read_text(encoding="utf-8")
AREA = "371728"
PAY_DATE = dt.date(2024, 5, 6)


def altered(text: str, old: str, new: str) -> str:
    """``text`` with the single occurrence of ``old`` replaced (fails loudly if absent)."""
    assert text.count(old) == 1, f"expected exactly one {old!r} in the policy text"
    return text.replace(old, new)


def _category(text: str, name: str, key: str, value: str) -> str:
    """Change one key of the ``[[categories]]`` block named ``name``."""
    pattern = re.compile(
        rf'(\[\[categories\]\]\nname = "{re.escape(name)}"\n(?:[^\[]*?\n)?){key} = [^\n]*\n'
    )
    new, n = pattern.subn(rf"\g<1>{key} = {value}\n", text)
    assert n == 1, f"category {name} has no {key}"
    return new


# -- the variants -----------------------------------------------------------------------------

# Categories the packaged policy pays 代缴 for (the 100 tier is restricted to them).
DAIJIAO_CATEGORIES = ("重度残疾人", "低保对象", "特困人员", "脱贫人口", "防止返贫监测对象")
_RESTRICTED = "[" + ", ".join(f'"{n}"' for n in DAIJIAO_CATEGORIES) + "]"


def with_this_year_tiers(text: str, tiers: list[tuple[int, int]], *, restrict_lowest: bool) -> str:
    """``text`` with this year's schedule (the first ``tiers = [...]`` list of the packaged file,
    the one from 2023-10-01) replaced by ``tiers`` (amount, subsidy)."""
    items = []
    for i, (amount, subsidy) in enumerate(tiers):
        extra = f", restricted_to = {_RESTRICTED}" if restrict_lowest and i == 0 else ""
        items.append(f"    {{ amount = {amount}, subsidy = {subsidy}{extra} }},\n")
    new, n = re.subn(
        r"tiers = \[\n.*?\n\]\n", "tiers = [\n" + "".join(items) + "]\n", text, count=1, flags=re.S
    )
    assert n == 1
    return new


# A 10-tier list 300..6000 with its own subsidies; the lowest tier is open to everybody and the
# 代缴 categories keep government_pays = "lowest_tier" (which now means 300).
TEN_TIERS = (
    (300, 40),
    (500, 60),
    (800, 90),
    (1000, 100),
    (1500, 120),
    (2000, 140),
    (3000, 160),
    (4000, 180),
    (5000, 200),
    (6000, 220),
)


def ten_tier_text() -> str:
    """The packaged policy with this year's tiers replaced by :data:`TEN_TIERS`."""
    return with_this_year_tiers(DEFAULT_TEXT, list(TEN_TIERS), restrict_lowest=False)


# 济南 2024: the 8 tiers with 济南's own subsidies (policy-facts.md, 0531yanglao.com/zcfg/202.html).
JINAN_TIERS = (
    (100, 30),
    (350, 40),
    (500, 60),
    (800, 80),
    (1000, 80),
    (3000, 90),
    (5000, 100),
    (8000, 120),
)


def jinan_text(*, topup: bool = True) -> str:
    """A 济南-style policy: 济南's subsidies on the 8 tiers and 二次差额缴费 allowed."""
    text = with_this_year_tiers(DEFAULT_TEXT, list(JINAN_TIERS), restrict_lowest=True)
    return topup_text(text) if topup else text


def topup_text(text: str = DEFAULT_TEXT) -> str:
    """The policy with 差额缴费 (top-up rows) allowed."""
    return altered(text, "allowed = false\nenrollment_type", "allowed = true\nenrollment_type")


def additive_text() -> str:
    """济宁-style 代缴: every 代缴 category on the additive model (the government's 100 on top of
    the person's own tier)."""
    text = DEFAULT_TEXT
    for name in DAIJIAO_CATEGORIES:
        text = _category(text, name, "model", '"additive"')
    return text


def fixed_daijiao_text(amount: int = 200) -> str:
    """低保对象 get a fixed 代缴 of ``amount`` yuan instead of the lowest tier."""
    return _category(DEFAULT_TEXT, "低保对象", "government_pays", str(amount))


def no_subsidy_on_government_part_text() -> str:
    """低保对象 get no subsidy for the part the government pays."""
    return _category(DEFAULT_TEXT, "低保对象", "subsidy_on_government_part", "false")


def no_higher_tier_text() -> str:
    """特困人员 may not choose a tier above their 代缴 (the lowest tier)."""
    return _category(DEFAULT_TEXT, "特困人员", "may_choose_higher", "false")


def notice_everything_text(text: str = DEFAULT_TEXT) -> str:
    """The county shows every notice column per person (政府代缴 and 个人缴费 included) and lists
    the people of the reserved 100 tier one by one."""
    text = altered(
        text,
        'columns = ["seq", "group", "name", "id_number", "tier", "subsidy"]',
        'columns = ["seq", "group", "name", "id_number", "tier", "personal", "government_paid",'
        ' "subsidy"]',
    )
    return altered(text, "list_restricted_tiers = false", "list_restricted_tiers = true")


def backpay_subsidy_text() -> str:
    """补缴 years earn the subsidy of their per-year tier."""
    return altered(
        DEFAULT_TEXT, "# 补缴 of earlier years: no subsidy.\nsubsidy = false", "subsidy = true"
    )


def lowest_open_tier(policy: Policy) -> int:
    """The lowest tier an ordinary person (the default category) may choose this year."""
    return next(t.amount for t in policy.tiers if t.allowed_for(policy.default_category))


# What a clean ordinary row pays under the packaged policy (350 in 2024).
ORDINARY_TIER = lowest_open_tier(load_policy())


def write_policy(tmp_path: Path, name: str, text: str) -> tuple[Path, Policy]:
    """Write a variant's text to ``tmp_path/name`` and load it."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path, load_policy(path)


# -- random valid policies (hypothesis) -------------------------------------------------------

BASE = tomllib.loads(DEFAULT_TEXT)
BASE_THIS_YEAR = BASE["tier_schedules"][0]["from"]  # this year's schedule is listed first


@st.composite
def policy_data(draw) -> dict[str, Any]:
    """A valid policy as parsed TOML: the packaged one with random tiers, subsidies, categories
    (fixed or "lowest_tier" 代缴, random flags), an optional restricted lowest tier and random
    补缴 rules."""
    names = [f"类别{i}" for i in range(draw(st.integers(1, 5)))]
    schedules = []
    earliest = dt.date(BASE["backpay"]["earliest_year"], 1, 1)
    for start in draw(st.sampled_from([[earliest], [BASE_THIS_YEAR, earliest]])):
        amounts = sorted(
            draw(st.lists(st.integers(1, 20_000), min_size=1, max_size=12, unique=True))
        )
        tiers = [{"amount": a, "subsidy": draw(st.integers(0, 1_000))} for a in amounts]
        if len(tiers) > 1 and draw(st.booleans()):
            tiers[0]["restricted_to"] = draw(
                st.lists(st.sampled_from(names), min_size=1, unique=True)
            )
        schedules.append({"from": start, "tiers": tiers})
    top = schedules[0]["tiers"][-1]["amount"]
    categories = [
        {
            "name": n,
            "government_pays": draw(st.one_of(st.just("lowest_tier"), st.integers(0, top))),
            "model": draw(st.sampled_from(["inclusive", "additive"])),
            "subsidy_on_government_part": draw(st.booleans()),
            "may_choose_higher": draw(st.booleans()),
        }
        for n in names
    ]
    data = copy.deepcopy(BASE)
    data.update(tier_schedules=schedules, categories=categories)
    data.pop("category_precedence")  # default: the 代缴 categories in their listed order
    data["backpay"].update(subsidy=draw(st.booleans()), per_year_must_be_tier=draw(st.booleans()))
    return data


def _toml_value(v: object) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | str):
        return json.dumps(v, ensure_ascii=False)  # a JSON string is a TOML basic string
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        items = ", ".join(
            f"{json.dumps(k, ensure_ascii=False)} = {_toml_value(x)}" for k, x in v.items()
        )
        return "{ " + items + " }"
    raise TypeError(type(v))


def _key(k: str) -> str:
    return json.dumps(k, ensure_ascii=False)


def to_toml(data: dict[str, Any]) -> str:
    """Policy data as TOML text (scalars and arrays first, then one ``[table]`` per table)."""
    lines = [f"{_key(k)} = {_toml_value(v)}" for k, v in data.items() if not isinstance(v, dict)]
    for name, table in data.items():
        if isinstance(table, dict):
            lines.append(f"\n[{_key(name)}]")
            lines += [f"{_key(k)} = {_toml_value(v)}" for k, v in table.items()]
    text = "\n".join(lines) + "\n"
    assert tomllib.loads(text) == data
    return text


# -- people and rosters -----------------------------------------------------------------------

_seq = itertools.count(11)


def new_id(age: int = 40, *, area: str = AREA) -> str:
    """A valid ID (unique within the test run) of someone ``age`` on 2024-04-01."""
    born = dt.date(2024 - age, 2, 1)
    return idnum.make(area, born, next(_seq) % 1000)


_names = itertools.cycle(
    [
        "张秀英",
        "李建国",
        "王桂兰",
        "赵志强",
        "刘玉梅",
        "陈国华",
        "杨淑珍",
        "黄海涛",
        "周凤英",
        "吴德明",
    ]
)


def paid(
    tier: int,
    amount: int,
    *,
    category: str | None = None,
    method: str | None = None,
    receipt: str | None = None,
    backpay: tuple[str, int] | None = None,
    name: str | None = None,
    group: str = "一组",
) -> dict[str, object]:
    """A record of a person who paid (method 线上 unless said otherwise when amount > 0)."""
    rec: dict[str, object] = {
        "group": group,
        "name": name or next(_names),
        "id_number": new_id(),
        "enrollment": "续保",
        "tier": tier,
        "amount": amount,
        "pay_date": PAY_DATE,
    }
    if category:
        rec["category"] = category
    if method or amount:
        rec["method"] = method or "线上"
    if receipt:
        rec["receipt"] = receipt
    if backpay:
        rec["backpay_years"], rec["backpay_amount"] = backpay
    return rec


def unpaid(reason: str = "外出联系不上") -> dict[str, object]:
    """A record of a person who has not paid."""
    return {"group": "二组", "name": next(_names), "id_number": new_id(), "unpaid_reason": reason}


def numbered(records: list[Mapping[str, object]]) -> list[dict[str, object]]:
    """The records with 序号 1..n."""
    return [{"seq": i, **r} for i, r in enumerate(records, start=1)]


def row_of(index: int) -> int:
    """Excel row of record ``index`` (0-based) in a roster written by ``write_roster``."""
    return DATA_START_ROW + index


def write(
    path: Path, policy: Policy, records: list[Mapping[str, object]], village: str = "王庄村"
) -> Path:
    """A standardized roster of ``records`` (numbered) for 城关街道 ``village``."""
    from xl_pension.io.roster_writer import write_roster

    return write_roster(path, policy, policy.townships[0], village, numbered(records))
