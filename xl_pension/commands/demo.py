"""``xl-pension demo``: the whole year on a generated sample county.

county list -> split -> (village agents fill in, with realistic mistakes) -> validate ->
compute -> remittance lists -> notices -> township summaries -> county merge, and the posters
and leaflets every village puts up at the start of the year (HTML only, to stay fast).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ..app.progress import tracked
from ..core.findings import count_by_severity
from .common import policy_from, say
from .console import ConsoleProgress

PLANTED_FILE = "planted.json"
COUNTY_LIST = "上年缴费名单.xlsx"
POPULATION_LIST = "户籍人口名单.xlsx"
ROSTERS = "村级花名册"
NOTICES = "公示"
REPORTS = "汇总"
ANNOUNCE = "宣传材料"
NOTICE_START = "2024-07-01"  # the day after the collection window of the default policy


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Options of the command."""
    p.add_argument("-o", "--output", metavar="DIR", default="demo-2024", help="输出文件夹")
    p.add_argument("--seed", type=int, default=2024, help="随机种子（相同种子生成相同数据）")


def _write_county_list(path: Path, county, planted_rows: set[tuple[str, int]]) -> int:
    """Last year's payers as the tax bureau hands them out: the 续保 people of every village."""
    import xlsxwriter

    from ..core.schema import COUNTY_LIST_COLUMNS
    from ..io.atomic import atomic_path
    from ..sample import excel_row

    renewal = county.villages[0].records[0].get("enrollment") if county.villages else None
    n = 0
    with atomic_path(path) as tmp:
        wb = xlsxwriter.Workbook(str(tmp))
        ws = wb.add_worksheet("名单")
        ws.write_row(0, 0, [c.header for c in COUNTY_LIST_COLUMNS])
        for v in county.villages:
            for i, rec in enumerate(v.records):
                if (v.file, excel_row(i)) in planted_rows or rec.get("enrollment") != renewal:
                    continue
                values = {"township": v.township.name, "village": v.village, **rec}
                n += 1
                for c, col in enumerate(COUNTY_LIST_COLUMNS):
                    value = values.get(col.key)
                    if isinstance(value, int):
                        ws.write_number(n, c, value)
                    elif value is not None:
                        ws.write_string(n, c, str(value))
        wb.close()
    return n


def _write_population(path: Path, rows: list[dict[str, object]]) -> int:
    """The population list (户籍人口名单) as a county office would export it: one sheet, the
    schema's headers (乡镇, 村, 村民小组, 姓名, 身份证号码), IDs as text."""
    import xlsxwriter

    from ..core.schema import POPULATION_COLUMNS
    from ..io.atomic import atomic_path

    columns = [c for c in POPULATION_COLUMNS if c.key != "region"]
    with atomic_path(path) as tmp:
        wb = xlsxwriter.Workbook(str(tmp))
        ws = wb.add_worksheet("户籍人口")
        ws.write_row(0, 0, [c.header for c in columns])
        for r, row in enumerate(rows, start=1):
            for c, col in enumerate(columns):
                if row.get(col.key) is not None:
                    ws.write_string(r, c, str(row[col.key]))
        wb.close()
    return len(rows)


def run(args: argparse.Namespace) -> int:
    """Run the year and say where every output is."""
    from ..app.check import usable_roster
    from ..app.compute import write_computed
    from ..app.remit import remit_path, write_remit
    from ..cli import main
    from ..core.money import Totals
    from ..io.atomic import atomic_path
    from ..io.roster_writer import write_roster
    from ..sample import generate_county

    policy = policy_from(args)
    out = Path(args.output)
    rosters, reports = out / ROSTERS, out / REPORTS
    policy_args = ["--policy", args.policy] if args.policy else []
    county = generate_county(policy, seed=args.seed)
    planted_rows = {(m.file, m.row) for m in county.planted}

    say(f"== 1. 县里下发上年缴费名单：示例县 {len(county.villages)} 个村，{county.people} 人")
    listed = _write_county_list(out / COUNTY_LIST, county, planted_rows)
    say(f"   {out / COUNTY_LIST}：续保 {listed} 人")

    say("== 2. 按村拆分为预填的花名册（xl-pension split）")
    main(["split", str(out / COUNTY_LIST), "-o", str(rosters), "--force", *policy_args])

    say("== 3. 村协办员填表：录入缴费、新增参保和补缴（示例数据含少量常见错误）")
    for v in tracked(county.villages, len(county.villages), "填写花名册", ConsoleProgress()):
        write_roster(rosters / v.file, policy, v.township, v.village, v.records)
    with atomic_path(out / PLANTED_FILE) as tmp:
        planted = {
            "seed": args.seed,
            "root": ROSTERS,
            "planted": [m.to_dict() for m in county.planted],
        }
        tmp.write_text(json.dumps(planted, ensure_ascii=False, indent=1), encoding="utf-8")
    say(f"   预置的 {len(county.planted)} 处错误记录在 {out / PLANTED_FILE}")

    say("== 4. 校验、计算补贴（跳过有错误的行）、生成解缴清单")
    say(f"   {'乡镇':<6}{'村':<6}{'人数':>5}{'错误':>5}{'警告':>5}{'缴费':>5}"
        f"{'个人缴费':>9}{'政府代缴':>8}{'政府补贴':>8}{'记入账户':>9}{'线下现金':>9}")  # fmt: skip
    county_totals = Totals()
    cash = 0
    for v in tracked(county.villages, len(county.villages), "校验计算", ConsoleProgress()):
        path = rosters / v.file
        usable = usable_roster(path, policy, skip_invalid=True)
        counts = count_by_severity(usable.checked.findings)
        totals = write_computed(path, path, usable)
        rl = write_remit(remit_path(path), usable, policy)
        county_totals.merge(totals)
        cash += rl.total
        say(f"   {v.township.name:<6}{v.village:<6}{len(v.records):>5}{counts['error']:>5}"
            f"{counts['warning']:>5}{totals.people:>5}{totals.personal_due:>9}"
            f"{totals.government_paid:>8}{totals.subsidy:>8}{totals.credited:>9}{rl.total:>9}")  # fmt: skip
    t = county_totals
    say(f"   全县合计：缴费 {t.people} 人，个人缴费 {t.personal_due} 元，政府代缴 "
        f"{t.government_paid} 元，政府补贴 {t.subsidy} 元，补缴 {t.backpay} 元，"
        f"记入个人账户 {t.credited} 元；线下现金 {cash} 元。")  # fmt: skip

    say(f"== 5. 生成 {policy.notice_days} 天公示（xl-pension notice）")
    main(["notice", str(rosters), "--start", NOTICE_START, "-o", str(out / NOTICES),
          "--skip-invalid", "--phone", "0530-7221234", *policy_args])  # fmt: skip

    say("== 6. 各乡镇汇总（xl-pension summary，含户籍人口名单中的未参保人员）")
    from ..sample.population import sample_population

    population = out / POPULATION_LIST
    residents = _write_population(population, sample_population(county.villages, policy, args.seed))
    say(f"   {population}：户籍人口 {residents} 人")
    reports.mkdir(parents=True, exist_ok=True)
    townships = sorted({v.township for v in county.villages}, key=lambda t: t.code)
    for township in townships:
        main(["summary", str(rosters / township.name), "-o",
              str(reports / f"{township.name}乡镇汇总.xlsx"), "--date", NOTICE_START,
              "--population", str(population), *policy_args])  # fmt: skip

    say("== 7. 全县合并上报（xl-pension merge）")
    main(["merge", str(rosters), "-o", str(reports / "全县汇总.xlsx"), "--date", NOTICE_START,
          *policy_args])  # fmt: skip

    say("== 8. 各村缴费通知和明白纸（xl-pension announce，只生成网页；PDF、PNG 见 README）")
    from ..core.schema import CONTACTS_FILE_NAME
    from ..io.contacts import write_contacts
    from ..sample.contacts import sample_contacts

    contacts = write_contacts(out / CONTACTS_FILE_NAME, sample_contacts(county.villages, args.seed))
    main(["announce", "--contacts", str(contacts), "-o", str(out / ANNOUNCE), "--format", "html",
          *policy_args])  # fmt: skip

    say("== 完成。输出位置：")
    say(f"   县里下发的名单      {out / COUNTY_LIST}")
    say(f"   户籍人口名单        {population}")
    say(f"   各村花名册          {rosters}/<乡镇>/<村>.xlsx（已填计算列；*_解缴清单.xlsx 在旁边）")
    say(
        f"   公示（表格和网页）  {out / NOTICES}/<乡镇>/<村>_公示.*，合订本 {out / NOTICES}/公示汇总.html"
    )
    say(f"   乡镇汇总、全县汇总  {reports}/")
    say(f"   缴费通知、明白纸    {out / ANNOUNCE}/<乡镇>/<村>_缴费通知.html、<村>_明白纸.html")
    say(f"   预置错误清单        {out / PLANTED_FILE}")
    return 0
