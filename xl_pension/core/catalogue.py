"""The findings catalogue: every finding code, its severity, its column and its Chinese message.

Each code is declared once here, as data (in the style of frictionless-py's error types): a rule
raises a finding with ``ID_CHECKSUM.at(sheet, row, value)`` or an error that ends a command with
``raise FOLDER_MISSING.error(root=root)``; it never spells a code or a message itself. A code
with several wordings (say which cell is empty, which limit was crossed) lists them as named
*variants* of one template set. Placeholders are named (``{row}``, ``{tier}``); ``{header}`` is
filled in from the finding's column when the rule does not give it.

Adding a finding code: declare it here with :func:`finding` (or :func:`failure` for an error
that ends a command), then raise it from the one rule that detects it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from .errors import FindingsError, PolicyError, UnusableInputError, XlPensionError
from .findings import Finding, Severity
from .schema import BY_KEY

E, W, U = Severity.ERROR, Severity.WARNING, Severity.UNUSABLE


@dataclass(frozen=True)
class FindingType:
    """One finding code: what it is called, how bad it is, where it points and what it says.

    ``column`` is the schema key of the column the finding names ("" for the whole sheet or
    file; a rule may name another column, e.g. ``required.missing``). ``messages`` maps a variant
    name ("" is the usual one) to a ``str.format`` template with named placeholders. ``label``
    is the short phrase a count of these findings is shown under (the county list's rejections).
    ``raises`` is the exception class of an error that ends a command (its exit code).
    """

    code: str
    severity: Severity
    column: str
    messages: Mapping[str, str]
    label: str = ""
    raises: type[XlPensionError] = field(default=UnusableInputError)

    def message(self, variant: str = "", **fields: object) -> str:
        """The Chinese message of ``variant`` with its placeholders filled from ``fields``."""
        return self.messages[variant].format(**fields)

    def at(
        self,
        sheet: str,
        row: int | None,
        value: str = "",
        *,
        key: str | None = None,
        variant: str = "",
        **fields: object,
    ) -> Finding:
        """A finding of this type on ``row`` of ``sheet``, about the column ``key`` (default:
        the type's column); ``value`` is the cell as shown (already masked where needed)."""
        key = self.column if key is None else key
        header = BY_KEY[key].header if key else ""
        fields.setdefault("header", header)
        return Finding(
            self.code, self.severity, sheet, row, header, value, self.message(variant, **fields)
        )

    def error(self, variant: str = "", **fields: object) -> XlPensionError:
        """The exception (of class ``raises``) that ends a command with this code's message."""
        return self.raises(self.message(variant, **fields), code=self.code)


CATALOGUE: dict[str, FindingType] = {}


def finding(
    code: str,
    severity: Severity,
    column: str,
    message: str | Mapping[str, str],
    *,
    label: str = "",
    raises: type[XlPensionError] = UnusableInputError,
) -> FindingType:
    """Declare a finding code (once: a second declaration of the same code is a bug)."""
    if code in CATALOGUE:
        raise ValueError(f"finding code {code} declared twice")
    messages = {"": message} if isinstance(message, str) else dict(message)
    ftype = FindingType(code, severity, column, messages, label, raises)
    CATALOGUE[code] = ftype
    return ftype


def failure(
    code: str, message: str | Mapping[str, str], raises: type[XlPensionError] = UnusableInputError
) -> FindingType:
    """Declare the code of an error that ends a command (severity unusable, exit code 2 unless
    ``raises`` says otherwise)."""
    return finding(code, U, "", message, raises=raises)


# --- the roster template ---------------------------------------------------------------------
TEMPLATE_NOT_ROSTER = failure(
    "template.not_roster",
    {"": "{file}：{why}", "folder": "文件夹 {root} 中没有可用的花名册。"},
)
TEMPLATE_META_MISSING = finding(
    "template.meta_missing",
    W,
    "",
    "本表缺少标准模板的隐藏信息页（_meta），无法确认乡镇、村和年度；"
    "建议用“新建花名册”生成标准表后把数据复制过去。",
)
TEMPLATE_VERSION = finding(
    "template.version",
    W,
    "",
    "本表由旧版模板（第 {version} 版）制作，当前为第 {current} 版；"
    "建议用“新建花名册”生成新表后把数据复制过去。",
)
ROSTER_TOTALS_LINE = finding(
    "roster.totals_line",
    W,
    "",
    {
        "": "这一行是手工填写的合计行，不算作人员；计算时会清除它，并在最后一人下面重新写合计行。",
        "people_below": "这一行是手工填写的合计行，它下面还有人员；合计行不算作人员，"
        "计算时会清除它，并在最后一人下面重新写合计行。",
    },
)
TEMPLATE_YEAR = finding(
    "template.year",
    W,
    "",
    "本表是 {year} 年度的花名册，当前政策是 {policy_year} 年度；请确认没有放错文件"
    "（往年的表请移出本文件夹）。",
)
TEMPLATE_COLUMN_MISSING = finding(
    "template.column_missing",
    E,
    "",
    "表头中缺少“{header}”列，无法核对缴费信息；请使用标准模板或补上该列。",
)

# --- one roster row ----------------------------------------------------------------------------
REQUIRED_MISSING = finding(
    "required.missing",
    E,
    "",
    {
        "id_number": "{header}为空，请填写 18 位身份证号码。",
        "name": "{header}为空，请填写与身份证一致的姓名。",
        "paid": "已缴费的人员必须填写{header}，请补填。",
        "method": "本人有缴费金额，必须填写缴费方式（线上/线下）。",
    },
)
ID_MISSING = finding(
    "id.missing", E, "id_number", {"list": "身份证号码为空"}, label="身份证号码为空"
)
ID_NUMERIC = finding(
    "id.numeric",
    E,
    "id_number",
    {
        "": "身份证号码被存成了数值，后几位已丢失；请把单元格设为文本格式后按身份证重新输入。",
        "list": "身份证号码被存成了数值，后几位已丢失，请按身份证重新录入（文本格式）",
    },
    label="身份证号码存成了数值",
)
ID_FORMAT = finding(
    "id.format",
    E,
    "id_number",
    {
        "old_15": "这是旧版 15 位身份证号码，请按居民身份证填写 18 位号码。",
        "length": "身份证号码应为 18 位（17 位数字加末位数字或 X），现为 {length} 位，请核对。",
        "list.old_15": "是旧版 15 位身份证号码，请改为 18 位",
        "list.length": "身份证号码应为 18 位（17 位数字加末位数字或 X），现为 {length} 位",
    },
    label="身份证号码位数或格式不对",
)
ID_CHECKSUM = finding(
    "id.checksum",
    E,
    "id_number",
    {
        "": "身份证号码校验位不对，可能有数字输错或顺序颠倒，请对照身份证逐位核对。",
        "list": "身份证号码校验位不对，可能有数字输错",
    },
    label="身份证号码校验位不对",
)
ID_BIRTHDATE = finding(
    "id.birthdate",
    E,
    "id_number",
    {
        "": "身份证号码中的出生日期不是真实日期，请对照身份证核对第 7–14 位。",
        "future": "身份证号码中的出生日期 {date} 在今天之后，请对照身份证核对第 7–14 位。",
        "list": "身份证号码中的出生日期不是真实日期",
        "list.future": "身份证号码中的出生日期 {date} 在今天之后",
    },
    label="身份证号码出生日期不对",
)
ID_REGION = finding(
    "id.region",
    W,
    "id_number",
    "身份证号码前 6 位不是已知的县级地区代码（现行或历史上的），请核对前几位；"
    "外地迁入人员的号码可能正确，只是提醒。",
)
ID_DUPLICATE = finding(
    "id.duplicate",
    E,
    "id_number",
    {
        "": "身份证号码与第 {first_row} 行重复，同一人只能登记一次；请删除重复行或核对号码。",
        "merge": "身份证号码与{where}重复，同一人只能在一个村参保缴费；本行暂不申报，"
        "请两村核实后删除其中一处。",
        "list": "身份证号码与第 {first_row} 行重复（已放入{place}），同一人只保留一行",
    },
    label="身份证号码在名单中重复",
)
NAME_INVALID = finding(
    "name.invalid",
    E,
    "name",
    "姓名应为不超过 {max} 个字的汉字（少数民族姓名可含“·”），不能含数字、字母或符号，请核对。",
)
GENDER_MISMATCH = finding(
    "gender.mismatch",
    E,
    "gender",
    "性别“{gender}”与身份证号码（{sex}）不一致，请核对身份证号码或性别。",
)
BIRTHDATE_MISMATCH = finding(
    "birthdate.mismatch", E, "birth_date", "出生日期与身份证号码（{born}）不一致，请核对。"
)
AGE_UNDER_MIN = finding(
    "age.under_min",
    E,
    "id_number",
    "按身份证号码，此人在 {ref} 未满 {age} 周岁，不能参保缴费，请核对。",
)
AGE_OVER_MAX = finding(
    "age.over_max",
    E,
    "id_number",
    "按身份证号码，此人在 {ref} 已满 {age} 周岁，应领取待遇而不是缴费；"
    "请核对，或在未缴原因中选择“已领取待遇”。",
)
ENROLLMENT_INVALID = finding(
    "enrollment.invalid", E, "enrollment", "参保类型只能是{types}，请从下拉列表选择。"
)
CATEGORY_INVALID = finding(
    "category.invalid",
    E,
    "category",
    "人员类别“{category}”不在政策规定的类别中，请从下拉列表选择。",
)
REASON_INVALID = finding(
    "reason.invalid", E, "unpaid_reason", "未缴原因“{reason}”不在列表中，请从下拉列表选择。"
)
UNPAID_NO_REASON = finding(
    "unpaid.no_reason",
    W,
    "unpaid_reason",
    "此人本年尚未缴费，请选择未缴原因（如外出联系不上、已领取待遇）。",
)
UNPAID_REASON_ON_PAID = finding(
    "unpaid.reason_on_paid",
    W,
    "unpaid_reason",
    "此行已有缴费信息，却填了未缴原因；已缴费的请清空未缴原因。",
)
NOT_WHOLE_YUAN = "{header}应为整数金额（元），如 300，请核对。"
TIER_INVALID = finding(
    "tier.invalid",
    E,
    "tier",
    {
        "": "{tier} 元不是本年度的缴费档次，可选档次：{tiers}。",
        "not_number": NOT_WHOLE_YUAN,
    },
)
TIER_RESTRICTED = finding(
    "tier.restricted",
    E,
    "tier",
    {
        "reserved": "{tier} 元档次仅限{categories}选择，“{category}”人员请选择其他档次。",
        "no_higher": "按政策“{category}”人员不能自选更高档次，请填 {tier} 元档次。",
    },
)
AMOUNT_INVALID = finding("amount.invalid", E, "amount", NOT_WHOLE_YUAN)
AMOUNT_MISMATCH = finding(
    "amount.mismatch",
    E,
    "amount",
    {
        "": "{tier} 元档次本人应缴 {due} 元，实缴金额却是 {amount} 元，请核对。",
        "subsidised": "{tier} 元档次（政府代缴 {government} 元）本人应缴 {due} 元，"
        "实缴金额却是 {amount} 元，请核对。",
        "additive": "{tier} 元档次本人应缴 {due} 元（另由政府代缴 {government} 元），"
        "实缴金额却是 {amount} 元，请核对。",
        "topup": "从第 {base_row} 行的 {base_tier} 元档次差额补到 {tier} 元档次，本人应补缴 "
        "{due} 元，实缴金额却是 {amount} 元，请核对。",
    },
)
TOPUP_INVALID = finding(
    "topup.invalid",
    E,
    "enrollment",
    {
        "lone": "参保类型为“{mark}”，但前面没有此人本年已缴费的行；差额缴费须在同一人原缴费行"
        "之后另起一行登记。",
        "not_higher": "差额缴费应选比第 {base_row} 行原档次 {base_tier} 元更高的档次，"
        "现为 {tier} 元，请核对。",
    },
    label="差额缴费行有误",
)
METHOD_INVALID = finding(
    "method.invalid",
    E,
    "method",
    "缴费方式“{method}”不对，只能填{names}（现金交给协办员的选“线下”）。",
)
RECEIPT_MISSING = finding(
    "receipt.missing", E, "receipt", "{method}缴费必须填写收据号，请按开给缴费人的收据补填。"
)
RECEIPT_DUPLICATE = finding(
    "receipt.duplicate",
    E,
    "receipt",
    "收据号与第 {first_row} 行重复，每张收据只能对应一人，请核对。",
)
DATE_INVALID = finding(
    "date.invalid", E, "pay_date", "缴费日期不是可识别的日期，请填写如 2024-05-06 的日期。"
)
DATE_OUTSIDE_WINDOW = finding(
    "date.outside_window",
    W,
    "pay_date",
    "缴费日期 {date} 不在集中缴费期 {start} 至 {end} 内，请核对。",
)
PHONE_INVALID = finding(
    "phone.invalid",
    W,
    "phone",
    "联系电话应为 11 位手机号或带区号的固定电话（如 0530-7221234），请核对。",
)
BACKPAY_INVALID = finding(
    "backpay.invalid",
    E,
    "backpay_years",
    {
        "unreadable": "补缴年度或补缴金额无法识别，年度请写如 2022 或 2021,2022，金额写整数元。",
        "no_years": "填了补缴金额却没有补缴年度，请补填年度。",
        "year": "补缴年度 {year} 不可补缴：只能补缴 {span} 年度（本年度 {policy_year} "
        "请按正常缴费填写）。",
        "no_amount": "填了补缴年度却没有补缴金额，请补填。",
        "not_tier": "补缴 {years} 个年度共 {amount} 元，每年的金额应为当年的一个缴费档次"
        "（{year} 年度可选：{tiers}），请核对。",
    },
)

# --- identities against the county list (split keeps the list's 人员类别) ----------------------
CATEGORY_CHANGED = finding(
    "category.changed",
    W,
    "category",
    {
        "": "人员类别由县里名单中的“{known}”改为“{category}”：请核实是否有变更依据；"
        "如无依据请改回“{known}”。",
        "to_paid": "人员类别由县里名单中的“{known}”改为“{category}”：改为政府代缴类别须有乡镇"
        "人社所的认定材料，请核实；如无依据请改回“{known}”。",
        "new": "新增人员选择了政府代缴类别“{category}”：代缴须有乡镇人社所的认定材料，"
        "请核实后再计算代缴金额。",
    },
)

# --- one roster per village (summary, merge) ---------------------------------------------------
ROSTER_DUPLICATE_VILLAGE = finding(
    "roster.duplicate_village",
    E,
    "",
    "{file} 与 {others} 都是{place}的花名册（按表内隐藏信息页判断，与文件名无关）；"
    "为免重复统计，这几个文件都未计入。请确认哪一个是正确的，把其余的（如“副本”）移出文件夹后重新运行。",
)

# --- where a roster belongs (merge) ------------------------------------------------------------
PLACE_UNKNOWN = finding(
    "place.unknown",
    E,
    "",
    "无法确定所属村或乡镇：{problem}。本表 {rows} 行全部暂不申报；"
    "请把花名册放进所属乡镇的文件夹，并用标准模板填写村名。",
)
PLACE_MISMATCH = finding("place.mismatch", W, "", "{note}")

# --- rows of the county list that cannot be placed (split) -------------------------------------
TOWNSHIP_EMPTY = finding("township.empty", E, "", "乡镇为空", label="乡镇为空")
TOWNSHIP_UNKNOWN = finding(
    "township.unknown",
    E,
    "",
    {
        "ambiguous": "乡镇“{township}”不明确（可能是{names}），请写全称",
        "": "乡镇“{township}”不是{county}的乡镇（街道），请改为政策文件中的名称或 9 位代码",
        "choose": "“{township}”不是{county}的乡镇（街道）。可选：{names}。",
    },
    label="乡镇无法识别",
)
VILLAGE_EMPTY = finding(
    "village.empty",
    E,
    "",
    {
        "": "村为空",
        "code": "村为空：行政区划“{code}”是代码，不含村名；请导出带名称的行政区划，或加“村”列",
    },
    label="村为空",
)
STATUS_NOT_EXPECTED = finding(
    "status.not_expected",
    W,
    "",
    "状态为“{status}”，不是本年应缴人员，未放入花名册",
    label="不是本年应缴人员（暂停、终止等）",
)
CATEGORY_UNMAPPED = finding(
    "category.unmapped",
    W,
    "category",
    "参保身份“{identity}”在政策文件中没有对应的人员类别；已放入花名册，人员类别留空，"
    "请核实后填写（或在政策文件 [county_list] 中补充）",
    label="参保身份无法对应人员类别（已放入，待核实）",
)
NAME_EMPTY = finding("name.empty", E, "", "姓名为空", label="姓名为空")

# --- errors that end a command -----------------------------------------------------------------
ROSTER_HAS_ERRORS = failure(
    "roster.has_errors",
    {
        "": "{file} 校验未通过，已停止。",
        "ribbon": "花名册有 {errors} 条错误，未{action}；请先点“校验花名册”查看并改正。",
    },
    raises=FindingsError,
)
FILE_MISSING = failure(
    "file.missing",
    {"": "找不到文件 {path}。", "folder": "文件夹 {root} 中没有找到花名册（.xlsx）。"},
)
FILE_UNREADABLE = failure("file.unreadable", "无法读取文件 {file}（{reason}）。")
FOLDER_MISSING = failure("folder.missing", "找不到文件夹 {root}。")
FOLDER_INVALID = failure("folder.invalid", "{root} 不是文件夹；请指定存放各村花名册的文件夹。")
FOLDER_NO_ROSTERS = failure(
    "folder.no_rosters",
    {
        "": "文件夹 {root} 里没有找到花名册（{layout}）。",
        "unreadable": "文件夹 {root} 里没有可用的花名册（{problems} 个文件都无法读取）。",
    },
)
FOLDER_UNKNOWN = failure(
    "folder.unknown",
    "不知道要汇总哪个文件夹：请先在“设置”中填写工作文件夹，或打开该文件夹中已保存的花名册。",
    raises=XlPensionError,
)
OUTPUT_INVALID = failure("output.invalid", "输出位置 {out} 是一个文件，请指定一个文件夹。")
OUTPUT_NOT_EMPTY = failure(
    "output.not_empty",
    "输出文件夹 {out} 不是空的；为免覆盖各村已填写的花名册，请换一个新文件夹，"
    "或加 --force（将被覆盖的文件先备份为 .bak.xlsx）。",
)
OUTPUT_UNWRITABLE = failure(
    "output.unwritable",
    "无法写入 {out}（{reason}）；如果该文件正在 Excel 或 WPS 中打开，请先关闭。",
    raises=XlPensionError,
)
LIST_NOT_COUNTY_LIST = failure("list.not_county_list", "{file}：{why}")
LIST_EMPTY = failure(
    "list.empty", "{file}：工作表“{sheet}”第 {header_row} 行表头下面没有任何人员，无法拆分。"
)
# The township summary without a population list: the 45+ group is not counted from the rosters.
KEY_UNENROLLED_UNCOUNTED = finding(
    "key.unenrolled_uncounted",
    W,
    "",
    "{group}人员无法统计：他们不在任何花名册上，只能从户籍人口名单中查找；"
    "请用 summary --population 户籍人口名单.xlsx 提供名单。",
)
POPULATION_NOT_LIST = failure(
    "population.not_list",
    {
        "": "{file}：各工作表前 {rows} 行都找不到包含“{wanted}”的表头行（缺少“{missing}”），"
        "不是户籍人口名单。",
        "empty": "{file}：工作表“{sheet}”第 {header_row} 行表头下面没有任何人员。",
    },
)
POLICY_MISSING = failure("policy.missing", "找不到政策文件 {file}。", raises=PolicyError)
POLICY_UNREADABLE = failure(
    "policy.unreadable", "无法读取政策文件 {file}：{reason}。", raises=PolicyError
)
POLICY_INVALID = failure(
    "policy.invalid",
    {
        "": "政策文件 {file} 有误：{path} {what}。",
        "toml": "政策文件 {file} 格式错误（TOML）：{reason}。",
    },
    raises=PolicyError,
)
NOTICE_CALENDAR_MISSING = failure(
    "notice.calendar_missing",
    "政策规定按工作日计算公示期，需要安装 chinesecalendar 软件包（pip install chinesecalendar）。",
    raises=XlPensionError,
)
NOTICE_CALENDAR_YEAR = failure(
    "notice.calendar_year",
    "节假日安排中还没有 {year} 年的数据，无法按工作日计算公示期；"
    "请升级 chinesecalendar 软件包，或在政策文件中改为按自然日（calendar）计算。",
    raises=XlPensionError,
)
NOTICE_TEMPLATE_MISSING = failure(
    "notice.template_missing",
    "找不到公示模板 {name}（应在 {folder}），请重新安装 xl-pension。",
    raises=XlPensionError,
)
NOTICE_TEMPLATE_INVALID = failure(
    "notice.template_invalid",
    {
        "syntax": "公示模板 {name} 第 {line} 行有语法错误：{reason}。",
        "undefined": "公示模板 {name} 用了不存在的变量（{reason}），请对照模板开头的说明修改。",
    },
    raises=XlPensionError,
)
REPORT_TEMPLATE_MISSING = failure(
    "report.template_missing",
    "找不到报告模板 {name}（应在 {folder}），请重新安装 xl-pension。",
    raises=XlPensionError,
)
REPORT_TEMPLATE_INVALID = failure(
    "report.template_invalid",
    "报告模板 {name} 有误：{reason}；请对照模板开头的说明修改。",
    raises=XlPensionError,
)

# --- announce: the 缴费通知 poster and the 明白纸 leaflet (#17) -----------------------------------
ANNOUNCE_TEMPLATE_MISSING = failure(
    "announce.template_missing",
    "找不到宣传模板 {name}（应在 {folder}），请重新安装 xl-pension。",
    raises=XlPensionError,
)
ANNOUNCE_TEMPLATE_INVALID = failure(
    "announce.template_invalid",
    {
        "syntax": "宣传模板 {name} 第 {line} 行有语法错误：{reason}。",
        "undefined": "宣传模板 {name} 用了不存在的变量（{reason}），请对照 _base.html.j2 开头的说明修改。",
    },
    raises=XlPensionError,
)
ANNOUNCE_OPTION = failure(
    "announce.option",
    {
        "format": "--format 只能是 {allowed}，不认识：{unknown}。",
        "phone": "电话“{phone}”不是 11 位手机号或带区号的固定电话（如 0530-7221234）。",
    },
    raises=XlPensionError,
)
ANNOUNCE_PLACE_UNKNOWN = failure(
    "announce.place_unknown",
    {
        "township": "不知道是哪个乡镇：请打开本村的花名册，或先在“设置”中填写本乡镇。",
        "folder": "不知道把宣传材料保存到哪里：请先在“设置”中填写工作文件夹，或先保存本工作簿。",
    },
    raises=XlPensionError,
)
BROWSER_FAILED = failure(
    "browser.failed",
    "用浏览器生成 {file} 失败（{reason}）；网页版 {html} 已生成，可以用浏览器打开后打印。",
    raises=XlPensionError,
)
CONTACTS_UNUSABLE = failure(
    "contacts.unusable",
    {
        "missing": "找不到专员名单 {file}。",
        "unreadable": "无法读取专员名单 {file}（{reason}）。",
        "format": "专员名单 {file} 不是 .xlsx 或 .csv 文件，请另存为这两种格式之一。",
        "encoding": "专员名单 {file} 的文字编码无法识别，请在 Excel 中另存为“CSV UTF-8”或 .xlsx。",
        "too_long": "专员名单 {file} 超过 {limit} 行，不像一个乡镇的专员名单。",
        "no_header": "专员名单 {file} 前 {rows} 行中没有找到表头（应有：{headers}）。",
    },
)
CONTACTS_ROW_SKIPPED = finding(
    "contacts.row_skipped",
    W,
    "",
    {
        "township": "“{township}”不是{county}的乡镇，已跳过这一行。",
        "village": "没有填村名，已跳过这一行。",
    },
)
CONTACTS_PHONE = finding(
    "contacts.phone",
    W,
    "",
    "电话“{phone}”不是 11 位手机号或带区号的固定电话，请核对（已照填）。",
)


# --- the web service (uploads, accounts, the store) ---------------------------------------------
UPLOAD_TOO_LARGE = failure(
    "upload.too_large",
    {
        "": "{file}：超过 {limit}，已拒收。",
        "inflated": "{file}：解压后过大（可能是“压缩炸弹”），已拒收。",
        "members": "{file}：文件内部条目过多，不是正常的工作簿，已拒收。",
        "bundle": "{file}：压缩包里的文件超过 {limit} 个，请分批上传。",
        "request": "上传内容超过 {limit}，已拒收；请分批上传。",
    },
)
UPLOAD_XML_ENTITIES = failure(
    "upload.xml_entities", "{file}：文件中含有不允许的 XML 实体定义，已拒收。"
)
UPLOAD_MISSING = failure(
    "upload.missing", "没有收到文件：请选择花名册（.xlsx）或其压缩包（.zip）。"
)
UPLOAD_PLACE_UNKNOWN = failure(
    "upload.place_unknown", "{file}：{problem}；请使用本乡镇下发的标准花名册。"
)
USER_EXISTS = failure("user.exists", "用户名“{name}”已存在，请换一个。")
USER_INVALID = failure(
    "user.invalid",
    {
        "name": "用户名不能为空，且不超过 64 个字符。",
        "role": "角色应为 {roles} 之一。",
        "password": "密码至少 {length} 个字符。",
        "township": "{role}账号必须指定乡镇（--township）。",
        "village": "村协办员账号必须指定村（--village）。",
    },
)
STORE_UNREACHABLE = failure(
    "store.unreachable",
    {
        "": "无法打开数据库（{reason}）；请检查 --data 或 --db。",
        "folder": "无法创建数据文件夹 {folder}（{reason}）；请换一个有写权限的位置（--data）。",
    },
)
STORE_NEWER_FORMAT = failure(
    "store.newer_format",
    "数据库中的这份记录由较新版本的 xl-pension 保存（记录格式 {found}，本版本只能读到 {known}）；"
    "请把服务器上的 xl-pension 升级到新版本后再使用，记录不会丢失。",
)

# --- operating-system faults (io/faults.py) ----------------------------------------------------
FILE_IN_USE = failure(
    "file.in_use",
    {
        "office": "{name} 正在被 Excel/WPS 打开（旁边有锁定文件），请先保存并关闭该文件，再重新运行。",
        "sharing": "{name} 正被其他程序（如 Excel/WPS）占用，请关闭该文件后重新运行。",
        "locked": "{name} 正在被另一个 xl-pension 操作修改，请等它完成后再运行。",
    },
)
FILE_OS_ERROR = failure(
    "file.os_error",
    {
        "folder": "{name} 是一个文件夹，不是文件；请写出要保存的文件名（例如 {name}/结果.xlsx）。",
        "not_folder": "路径 {name} 中有一段不是文件夹；请检查路径是否写错。",
        "missing": "找不到 {name}；请检查文件或文件夹是否存在、路径是否写错。",
        "permission": "没有权限读写 {name}（文件或文件夹是只读的，或被其他程序占用）；"
        "请检查文件属性、关闭占用它的程序，或换一个保存位置。",
        "disk_full": "磁盘空间不足，无法写入 {name}；请清理磁盘或换一个保存位置后重新运行。",
        "too_long": "文件名或路径太长（单个名称不能超过 255 字节，约 80 个汉字）：{name}；"
        "请改短文件名或文件夹名后重新运行。",
        "read_only": "{name} 所在的磁盘是只读的（如光盘或写保护的 U 盘）；请换一个保存位置。",
        "memory": "内存不足，操作未完成，原文件未被修改；请关闭其他程序后重试，或把文件拆小。",
        "": "无法读写 {name}（{reason}）；请检查文件和磁盘后重新运行。",
    },
)

# --- bounded reading (io/guard.py) -------------------------------------------------------------
FILE_TOO_LARGE = failure(
    "file.too_large",
    {
        "disk": "{file} 有 {mb} MB，超过花名册可处理的 {limit} MB；"
        "请删除多余的工作表、图片后另存，或把文件拆小。",
        "members": "{file} 内部有 {members} 个部件，远超正常工作簿，可能已损坏；请另存为新文件后重试。",
        "member": "{file} 内部的 {part} 解压后超过 {mb} MB，远超正常花名册，可能已损坏或被恶意构造，"
        "已拒绝读取；请在 Excel 中“另存为”新文件后重试。",
        "total": "{file} 解压后共有 {mb} MB，超过可处理的 {limit} MB；"
        "请删除多余的工作表、图片后另存，或把文件拆小。",
        "ratio": "{file} 内部的 {part} 压缩比异常（{ratio} 倍），像是“压缩炸弹”，已拒绝读取；"
        "请在 Excel 中“另存为”新文件后重试。",
    },
)
FILE_USED_RANGE = failure(
    "file.used_range",
    {
        "far": "{file} 工作表“{sheet}”的 {ref} 单元格有内容，远在数据区之外（可能是误输入）；"
        "请按 Ctrl+End 找到并删除多余的内容后保存，再重新运行。",
        "": "{file} 工作表“{sheet}”的使用区域有 {rows} 行 × {columns} 列，超过可处理的范围；"
        "请按 Ctrl+End 找到并删除多余的行列后保存，再重新运行。",
    },
)


def find(code: str) -> FindingType:
    """The declaration of ``code`` (``KeyError`` when it is not in the catalogue)."""
    return CATALOGUE[code]
