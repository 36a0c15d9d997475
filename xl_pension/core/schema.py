"""The roster schema: the single source of truth for the columns of sheet ``花名册``.

The template writer, the reader, the validator, the notice and the summaries all take headers,
types, dropdown sources, widths and help text from here; no header string appears elsewhere.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from enum import StrEnum

ROSTER_SHEET = "花名册"
GUIDE_SHEET = "填表说明"
META_SHEET = "_meta"
LISTS_SHEET = "_lists"
# Hidden sheet written by `split`: each pre-filled person's 身份证号码 and the county list's
# 人员类别 (nothing the roster does not already hold), compared by `category.changed`.
IDENTITY_SHEET = "_identities"
TEMPLATE_VERSION = 1
TEMPLATE_FILE_NAME = "村级花名册模板.xlsx"
TITLE_ROW = 1  # rows of the standardized template (1-based Excel rows)
HEADER_ROW = 2
DATA_START_ROW = 3
TOTALS_LABEL = "合计"  # written in 序号 on the totals line that `compute` adds
# Words that make a hand-typed row a totals line, not a person ("合 计", "本页小计：" too).
TOTALS_WORDS = ("合计", "总计", "小计")


class Kind(StrEnum):
    """Who fills a column."""

    INPUT = "input"  # typed by the village agent
    DERIVED = "derived"  # may be typed; can be derived from the ID number (checked against it)
    PREFILLED = "prefilled"  # filled from the county's list (read-only for the agent)
    COMPUTED = "computed"  # written by `compute`; anything typed there is replaced


class Type(StrEnum):
    """The value type of a column."""

    INT = "int"  # whole number (序号)
    TEXT = "text"
    ID = "id"  # 18-character ID, stored as text
    DATE = "date"
    MONEY = "money"  # whole yuan
    YEARS = "years"  # one or more years, e.g. "2022" or "2021,2022"


class Required(StrEnum):
    """When a cell must be filled."""

    ALWAYS = "always"
    PAID = "paid"  # on a row that records a payment
    NEVER = "never"


@dataclass(frozen=True)
class Column:
    """One roster column."""

    key: str
    header: str
    type: Type
    kind: Kind
    required: Required
    width: float
    help: str
    dropdown: str | None = None  # name of a policy list (see Policy.dropdown)
    aliases: tuple[str, ...] = field(default=())
    example: object = None

    @property
    def number_format(self) -> str:
        """The Excel number format of the column's cells."""
        return {
            Type.ID: "@",
            Type.TEXT: "@",
            Type.YEARS: "@",
            Type.DATE: "yyyy-mm-dd",
            Type.MONEY: "0",
            Type.INT: "0",
        }[self.type]


C = Column
COLUMNS: tuple[Column, ...] = (
    C(
        "seq",
        "序号",
        Type.INT,
        Kind.INPUT,
        Required.NEVER,
        6,
        "本村花名册内的顺序号，从 1 开始。",
        example=1,
    ),
    C(
        "group",
        "村民小组",
        Type.TEXT,
        Kind.INPUT,
        Required.NEVER,
        10,
        "所在村民小组，如“一组”“3组”。",
        aliases=("组别", "小组"),
        example="一组",
    ),
    C(
        "name",
        "姓名",
        Type.TEXT,
        Kind.INPUT,
        Required.ALWAYS,
        10,
        "与身份证一致的姓名，不含空格、数字或字母；少数民族姓名中的“·”可保留。",
        aliases=("参保人姓名", "缴费人姓名"),
        example="王秀英",
    ),
    C(
        "id_number",
        "身份证号码",
        Type.ID,
        Kind.INPUT,
        Required.ALWAYS,
        21,
        "18 位公民身份号码，末位可为 X。本列为文本格式，请勿改为数值，否则后几位会丢失。",
        aliases=("身份证号", "公民身份号码", "证件号码", "身份证"),
        example="371728196805120023",
    ),
    C(
        "gender",
        "性别",
        Type.TEXT,
        Kind.DERIVED,
        Required.NEVER,
        6,
        "可不填，由身份证号码推出；填写时须与身份证号码一致。",
        dropdown="genders",
        example="女",
    ),
    C(
        "birth_date",
        "出生日期",
        Type.DATE,
        Kind.DERIVED,
        Required.NEVER,
        12,
        "可不填，由身份证号码推出；填写时须与身份证号码一致。",
        example="1968-05-12",
    ),
    C(
        "phone",
        "联系电话",
        Type.TEXT,
        Kind.INPUT,
        Required.NEVER,
        14,
        "11 位手机号或带区号的固定电话；仅内部使用，不公示。",
        aliases=("电话", "手机号", "手机号码"),
        example="13905301234",
    ),
    C(
        "enrollment",
        "参保类型",
        Type.TEXT,
        Kind.INPUT,
        Required.NEVER,
        9,
        "续保：上年已参保；新增：今年新参保（须先到乡镇人社所登记）。",
        dropdown="enrollment_types",
        example="续保",
    ),
    C(
        "category",
        "人员类别",
        Type.TEXT,
        Kind.INPUT,
        Required.NEVER,
        14,
        "从下拉列表选择，不填视为列表第一项；重度残疾人、低保对象等按政策由政府代缴。",
        dropdown="categories",
        example="普通",
    ),
    C(
        "last_tier",
        "上年档次",
        Type.MONEY,
        Kind.PREFILLED,
        Required.NEVER,
        9,
        "县里下发名单中的上年缴费档次，仅供参考，请勿修改。",
        aliases=("上年缴费档次",),
    ),
    C(
        "tier",
        "缴费档次",
        Type.MONEY,
        Kind.INPUT,
        Required.PAID,
        9,
        "本年选择的档次（元），从下拉列表选择；最低档仅限政策规定的代缴对象。",
        dropdown="tiers",
        aliases=("档次", "本年档次"),
        example=350,
    ),
    C(
        "method",
        "缴费方式",
        Type.TEXT,
        Kind.INPUT,
        Required.PAID,
        9,
        "线上：本人用手机等缴费；线下：交给村协办员，须填收据号。",
        dropdown="payment_methods",
        example="线下",
    ),
    C(
        "amount",
        "实缴金额",
        Type.MONEY,
        Kind.INPUT,
        Required.PAID,
        9,
        "本人实际缴纳的本年保费（元），不含补缴；代缴对象按填表说明中的政府代缴规则计算。",
        aliases=("缴费金额", "个人缴费"),
        example=350,
    ),
    C(
        "receipt",
        "收据号",
        Type.TEXT,
        Kind.INPUT,
        Required.NEVER,
        14,
        "线下缴费时开具的收据编号，每张收据只填一次。",
        aliases=("收据编号", "票据号"),
        example="DM2024-0001",
    ),
    C(
        "pay_date",
        "缴费日期",
        Type.DATE,
        Kind.INPUT,
        Required.PAID,
        12,
        "实际缴费日期，如 2024-05-06。",
        example="2024-05-06",
    ),
    C(
        "backpay_years",
        "补缴年度",
        Type.YEARS,
        Kind.INPUT,
        Required.NEVER,
        11,
        "补缴以前年度时填写，如 2022 或 2021,2022；须先到乡镇人社所办理。",
        example="",
    ),
    C(
        "backpay_amount",
        "补缴金额",
        Type.MONEY,
        Kind.INPUT,
        Required.NEVER,
        9,
        "补缴以前年度的金额合计（元）；补缴部分没有政府补贴。",
        example="",
    ),
    C(
        "unpaid_reason",
        "未缴原因",
        Type.TEXT,
        Kind.INPUT,
        Required.NEVER,
        14,
        "本年未缴费时从下拉列表选择原因。",
        dropdown="unpaid_reasons",
        example="",
    ),
    C(
        "government_paid",
        "政府代缴",
        Type.MONEY,
        Kind.COMPUTED,
        Required.NEVER,
        9,
        "自动计算：政府为代缴对象缴纳的金额（元）。",
    ),
    C(
        "personal_due",
        "个人应缴",
        Type.MONEY,
        Kind.COMPUTED,
        Required.NEVER,
        9,
        "自动计算：档次减去政府代缴（元），不小于 0。",
    ),
    C(
        "subsidy",
        "政府补贴",
        Type.MONEY,
        Kind.COMPUTED,
        Required.NEVER,
        9,
        "自动计算：按档次给予的政府缴费补贴（元）；补缴部分无补贴。",
    ),
    C(
        "credited",
        "记入个人账户",
        Type.MONEY,
        Kind.COMPUTED,
        Required.NEVER,
        12,
        "自动计算：档次 + 政府补贴 + 补缴金额（元）。",
    ),
    C(
        "remark",
        "备注",
        Type.TEXT,
        Kind.INPUT,
        Required.NEVER,
        16,
        "其他需要说明的情况。",
        example="",
    ),
)
del C

BY_KEY: dict[str, Column] = {c.key: c for c in COLUMNS}
# An optional column a roster may carry (not in the template): 累计缴费年限 as a 人社 export gives
# it. Where it is filled, 临近到龄 counts only people short of the policy's pension.min_years.
PAID_YEARS_COLUMN = Column(
    "paid_years",
    "累计缴费年限",
    Type.INT,
    Kind.PREFILLED,
    Required.NEVER,
    8,
    "人社系统中的累计缴费年限（年），仅供判断临近到龄人员是否缴费年限不足。",
    aliases=("累计缴费年数", "实际缴费年限", "累计缴费年限（年）"),
)
BY_KEY[PAID_YEARS_COLUMN.key] = PAID_YEARS_COLUMN
PAYMENT_KEYS = ("tier", "amount", "pay_date")  # any of these filled means the row is a payment


def header(key: str) -> str:
    """The Chinese header of the column with this key."""
    return BY_KEY[key].header


def normalize_header(text: object) -> str:
    """Header text as compared: NFKC (full-width to half-width), no whitespace, no ``*``, no
    trailing note in brackets such as ``（自动）``."""
    s = unicodedata.normalize("NFKC", str(text or ""))
    s = re.sub(r"\s+", "", s)
    s = s.replace("*", "")
    s = re.sub(r"\((自动|自动计算|必填|选填|元)\)$", "", s)
    return s


_LOOKUP: dict[str, str] = {}
for _c in (*COLUMNS, PAID_YEARS_COLUMN):
    for _h in (_c.header, *_c.aliases):
        _LOOKUP[normalize_header(_h)] = _c.key


def key_for_header(text: object) -> str | None:
    """The column key a header cell means, or ``None`` if it is not a roster header."""
    return _LOOKUP.get(normalize_header(text))


REQUIRED_HEADER_KEYS = ("name", "id_number")


# The county's list of last year's payers (input of `split`): one row a person, as the 人社 /
# e-tax bureau exports it. Columns shared with the roster reuse the roster's Column (and so its
# header and aliases), with the export's own header variants added for the list only.
TOWNSHIP_COLUMN = Column(
    "township",
    "乡镇",
    Type.TEXT,
    Kind.INPUT,
    Required.ALWAYS,
    12,
    "乡镇（街道）名称或 9 位统计代码。",
    aliases=("乡镇（街道）", "乡镇街道", "镇街", "镇街道", "街道（乡镇）", "所属乡镇", "乡镇名称"),
)
VILLAGE_COLUMN = Column(
    "village",
    "村",
    Type.TEXT,
    Kind.INPUT,
    Required.ALWAYS,
    12,
    "村（社区）名称。",
    aliases=(
        "村（社区）",
        "村委会",
        "村（居）委会",
        "村居委会",
        "行政村",
        "村居",
        "村名",
        "社区",
        "村庄",
    ),
)
REGION_COLUMN = Column(
    "region",
    "行政区划",
    Type.TEXT,
    Kind.INPUT,
    Required.NEVER,
    24,
    "乡镇和村合在一列：如“东明县城关街道王庄村委会”，或 12 位统计用区划代码。",
    aliases=("行政区划名称", "行政区划代码", "所属行政区划", "所属区划", "区划代码"),
)
ENROL_STATUS_COLUMN = Column(
    "enrol_status",
    "参保状态",
    Type.TEXT,
    Kind.INPUT,
    Required.NEVER,
    10,
    "人社系统中的参保状态；暂停、终止等不是本年应缴人员（见政策文件）。",
    aliases=("人员参保状态", "人员状态"),
)
PAY_STATUS_COLUMN = Column(
    "pay_status",
    "缴费状态",
    Type.TEXT,
    Kind.INPUT,
    Required.NEVER,
    10,
    "人社系统中的缴费状态；暂停缴费等不是本年应缴人员（见政策文件）。",
    aliases=("人员缴费状态",),
)
PERSON_NO_COLUMN = Column(
    "person_no",
    "个人编号",
    Type.TEXT,
    Kind.INPUT,
    Required.NEVER,
    14,
    "人社系统的个人编号（不写入花名册）。",
    aliases=("个人社保编号", "人员编号"),
)
COUNTY_LIST_COLUMNS: tuple[Column, ...] = (
    TOWNSHIP_COLUMN,
    VILLAGE_COLUMN,
    REGION_COLUMN,
    replace(BY_KEY["group"], aliases=(*BY_KEY["group"].aliases, "村组", "组")),
    BY_KEY["name"],
    replace(
        BY_KEY["id_number"],
        aliases=(
            *BY_KEY["id_number"].aliases,
            "社会保障号码",
            "社会保障号",
            "公民身份证号码",
            "身份证件号码",
        ),
    ),
    # 参保身份 holds the export's own names or codes: mapped to 人员类别 by the policy.
    replace(BY_KEY["category"], aliases=("参保身份", "人员身份", "个人身份", "身份类别")),
    replace(BY_KEY["last_tier"], aliases=(*BY_KEY["last_tier"].aliases, "缴费档次", "档次")),
    replace(BY_KEY["phone"], aliases=(*BY_KEY["phone"].aliases, "联系方式")),
    ENROL_STATUS_COLUMN,
    PAY_STATUS_COLUMN,
    PERSON_NO_COLUMN,
)
LIST_COLUMN: dict[str, Column] = {c.key: c for c in COUNTY_LIST_COLUMNS}
_LIST_LOOKUP = {
    normalize_header(h): c.key for c in COUNTY_LIST_COLUMNS for h in (c.header, *c.aliases)
}


def county_list_key(text: object) -> str | None:
    """The column key a header of the county's list means, or ``None``."""
    return _LIST_LOOKUP.get(normalize_header(text))


# The population list (户籍人口名单) of `summary --population FILE`: everyone registered in the
# township, to find the people of 年满45周岁未参保 (seed 四(一)): on no roster. Headers and
# their variants are the county list's; 乡镇 is optional (the summary is of one township), 行政区划
# may stand for 乡镇 and 村.
POPULATION_COLUMNS: tuple[Column, ...] = tuple(
    LIST_COLUMN[k] for k in ("township", "village", "region", "group", "name", "id_number")
)
POPULATION_REQUIRED_KEYS = ("village", "name", "id_number")
_POPULATION_LOOKUP = {
    normalize_header(h): c.key for c in POPULATION_COLUMNS for h in (c.header, *c.aliases)
}


def population_key(text: object) -> str | None:
    """The column key a header of the population list means, or ``None``."""
    return _POPULATION_LOOKUP.get(normalize_header(text))


@dataclass(frozen=True)
class DeclarationColumn:
    """A column of a declaration list: key, default header and width (the policy's
    ``[declaration]`` may rename and reorder them)."""

    key: str
    header: str
    width: float


D = DeclarationColumn
# The operator's batch list (批量申报清单): one row per offline payment and per 补缴 year.
BATCH_DECLARATION_COLUMNS: tuple[DeclarationColumn, ...] = (
    D("id_type", "证件类型", 12),
    D("id_number", "证件号码", 21),
    D("name", BY_KEY["name"].header, 10),
    D("year", "缴费年度", 9),
    D("kind", "缴费类型", 9),
    D("tier", BY_KEY["tier"].header, 9),
    D("personal", "个人缴费", 9),
    D("receipt", BY_KEY["receipt"].header, 14),
    D("pay_date", BY_KEY["pay_date"].header, 12),
    D("township", TOWNSHIP_COLUMN.header, 12),
    D("village", VILLAGE_COLUMN.header, 12),
)
# The 代缴申报表 that 人社 hands to 财政: one row per person the government pays for.
GOVERNMENT_DECLARATION_COLUMNS: tuple[DeclarationColumn, ...] = (
    D("id_number", "证件号码", 21),
    D("name", BY_KEY["name"].header, 10),
    D("category", BY_KEY["category"].header, 14),
    D("government_paid", "代缴金额", 10),
    D("village", VILLAGE_COLUMN.header, 12),
)
del D

# The columns a public notice (公示) may show, left to right: (key, header). The policy's
# ``[notice] columns`` picks which of them a notice shows (always in this order). 个人缴费 is the
# person's own share of this year's tier, headed as in the tax bureau's list.
NOTICE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("seq", BY_KEY["seq"].header),
    ("group", BY_KEY["group"].header),
    ("name", BY_KEY["name"].header),
    ("id_number", BY_KEY["id_number"].header),
    ("tier", BY_KEY["tier"].header),
    ("personal", next(c.header for c in BATCH_DECLARATION_COLUMNS if c.key == "personal")),
    ("government_paid", BY_KEY["government_paid"].header),
    ("subsidy", BY_KEY["subsidy"].header),
)
NOTICE_MONEY_KEYS = ("tier", "personal", "government_paid", "subsidy")  # right-aligned, numbers
NOTICE_REQUIRED_KEYS = ("seq", "name")  # every notice lists these


# The per-township contacts file of `xl-pension announce` (.xlsx or .csv): one village a row
# with its 征缴工作专员 (seed 四(五)) and phone. 乡镇 is optional (a county-wide file may have it);
# a row whose 村 is the township's own name or one of CONTACT_OFFICE_LABELS holds the township
# office (人社所) and its phone.
CONTACTS_FILE_NAME = "征缴专员名单.xlsx"  # looked for in the working folder by the ribbon button
CONTACT_OFFICE_LABELS = ("乡镇人社所", "人社所", "乡镇人社服务所", "便民服务中心")
SPECIALIST_COLUMN = Column(
    "specialist",
    "专员",
    Type.TEXT,
    Kind.INPUT,
    Required.NEVER,
    10,
    "本村城乡居民养老保险征缴工作专员的姓名。",
    aliases=("征缴工作专员", "征缴专员", "工作专员", "联系人", "经办人"),
)
CONTACT_PHONE_COLUMN = Column(
    "phone",
    "电话",
    Type.TEXT,
    Kind.INPUT,
    Required.NEVER,
    14,
    "专员的手机号或带区号的固定电话。",
    aliases=("联系电话", "手机", "手机号", "手机号码", "电话号码", "咨询电话"),
)
CONTACT_COLUMNS: tuple[Column, ...] = (
    TOWNSHIP_COLUMN,
    VILLAGE_COLUMN,
    SPECIALIST_COLUMN,
    CONTACT_PHONE_COLUMN,
)
CONTACT_REQUIRED_KEYS = ("village", "specialist", "phone")
_CONTACT_LOOKUP = {
    normalize_header(h): c.key for c in CONTACT_COLUMNS for h in (c.header, *c.aliases)
}


def contact_key(text: object) -> str | None:
    """The column key a header of the contacts file means, or ``None``."""
    return _CONTACT_LOOKUP.get(normalize_header(text))


# The village's remittance list (解缴清单) of cash payments, left to right.
REMIT_SHEET = "解缴清单"
REMIT_COLUMNS: tuple[DeclarationColumn, ...] = (
    DeclarationColumn("seq", BY_KEY["seq"].header, 6),
    DeclarationColumn("receipt", BY_KEY["receipt"].header, 16),
    DeclarationColumn("name", BY_KEY["name"].header, 10),
    DeclarationColumn("id_number", BY_KEY["id_number"].header, 22),
    DeclarationColumn("group", BY_KEY["group"].header, 9),
    DeclarationColumn("kind", "缴费类型", 8),
    DeclarationColumn("year", "缴费年度", 8),
    DeclarationColumn("tier", BY_KEY["tier"].header, 9),
    DeclarationColumn("cash", "缴款金额（元）", 12),
)
