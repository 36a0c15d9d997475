"""Name, place and mix data for the generated sample county (see :mod:`xl_pension.sample`).

Pure data plus small helpers that draw from a caller's ``random.Random``; no policy amounts here.
"""

from __future__ import annotations

import random

# Common surnames, the most frequent in Shandong (and in 菏泽) first, with rough relative weights.
SURNAMES: tuple[str, ...] = tuple(
    "王李张刘陈杨赵孙周吴徐马朱胡郭何高林郑梁宋韩冯曹田董袁于蒋魏吕丁任姚卢姜崔"
    "孟孔秦邱尹薛闫段侯史贾夏付方白邹石范潘杜程苏葛郝牛翟穆"
)
SURNAME_WEIGHTS: tuple[int, ...] = tuple(
    {0: 9, 1: 8, 2: 8, 3: 7}.get(i, 3 if i < 8 else 1) for i in range(len(SURNAMES))
)

# Given-name characters by sex; the two sets are disjoint so that a name's sex can be told.
MALE_GIVEN: tuple[str, ...] = tuple(
    "国建军伟强磊勇志明海峰涛斌刚辉杰鹏亮超浩宇振林东德福成庆俊龙忠兵学保进胜利新永金山广"
    "长吉全旭凯锋"
)
FEMALE_GIVEN: tuple[str, ...] = tuple(
    "秀英兰芳娟霞玲红梅丽敏静燕萍艳娜凤翠云莲琴桂珍婷雪慧丹洁荣月菊花美爱淑素彩巧颖倩"
)

# Village names: optional position prefix + surname + settlement suffix + 村 (e.g. 前王庄村).
VILLAGE_PREFIXES: tuple[str, ...] = tuple("前后东西南北大小")
VILLAGE_SUFFIXES: tuple[str, ...] = tuple("庄寨楼集屯营店口园堂")
# Area codes on IDs of people born elsewhere (菏泽市牡丹区, 曹县, 单县, 河南兰考县).
OUTSIDE_AREA_CODES: tuple[str, ...] = ("371702", "371721", "371722", "410225")
# The county's older area codes (372930) only appear on IDs of people born before this year.
OLD_CODES_BORN_BEFORE = 2000
# Relative weights of categories by name; the policy's default category weighs 85,
# categories not listed 2.
CATEGORY_WEIGHTS: dict[str, int] = {
    "低保对象": 4,
    "重度残疾人": 3,
    "脱贫人口": 4,
    "特困人员": 1,
    "防止返贫监测对象": 2,
    "计划生育特殊家庭": 1,
}
GROUP_NAMES: tuple[str, ...] = ("一组", "二组", "三组", "四组", "五组", "六组", "七组", "八组")

# Three-digit prefixes of Chinese mobile numbers (all match ^1[3-9]).
MOBILE_PREFIXES: tuple[str, ...] = tuple(
    str(n)
    for n in (*range(130, 140), *range(150, 160), 166, 176, 177, 178, *range(180, 190), 199)
    if n != 154
)


def person_name(rng: random.Random, male: bool) -> str:
    """A plausible 2- or 3-character name whose given-name characters match the sex."""
    surname = rng.choices(SURNAMES, SURNAME_WEIGHTS)[0]
    chars = MALE_GIVEN if male else FEMALE_GIVEN
    given = 1 if rng.random() < 0.3 else 2
    return surname + "".join(rng.choice(chars) for _ in range(given))


def village_name(rng: random.Random) -> str:
    """A plausible village name such as 王庄村 or 前李寨村 (uniqueness is the caller's job)."""
    prefix = rng.choice(VILLAGE_PREFIXES) if rng.random() < 0.2 else ""
    surname = rng.choices(SURNAMES, SURNAME_WEIGHTS)[0]
    return f"{prefix}{surname}{rng.choice(VILLAGE_SUFFIXES)}村"


def mobile(rng: random.Random) -> str:
    """An 11-digit mobile number as text."""
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
