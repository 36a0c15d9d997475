"""The progress pictures of a township summary and of the county merge (PNG bytes)."""

from __future__ import annotations

import datetime as dt

from ..core.policy import Policy
from ..io.picture import Bar, render_progress
from ..reports.merge import CountyResult
from ..reports.summary import TownshipSummary, by_rate, chinese_day, day_table, rate_text


def _rate(t) -> float | None:
    return float(t.rate) if t.rate is not None else None


def township_picture(summary: TownshipSummary) -> bytes:
    """Villages ranked by completion rate and the township's paid people per day."""
    villages = by_rate(summary.villages, lambda v: v.tally.rate)
    bars = [Bar(v.label, _rate(v.tally), v.tally.paid, v.tally.expected) for v in villages]
    t = summary.total
    title = f"{summary.place}{summary.year}年度城乡居民养老保险征缴进度"
    subtitle = f"截至{chinese_day(summary.report_date)}：应缴 {t.expected} 人，已缴 {t.paid} 人，完成率 {rate_text(t.rate)}"
    days = list(zip(summary.days.days, summary.days.daily_totals, strict=True))
    return render_progress(title, subtitle, bars, days)


def county_picture(result: CountyResult, policy: Policy, date: dt.date) -> bytes:
    """Townships ranked by completion rate and the county's paid people per day."""
    bars = [
        Bar(t.township.name, _rate(t.tally), t.tally.paid, t.tally.expected)
        for _, t in result.ranking()
        if t.reported
    ]
    total = result.total
    table = day_table([t.tally for t in result.townships], policy)
    title = f"{policy.county_name}{policy.year}年度城乡居民养老保险征缴进度"
    subtitle = f"截至{chinese_day(date)}：应缴 {total.expected} 人，已缴 {total.paid} 人，完成率 {rate_text(total.rate)}"
    return render_progress(
        title, subtitle, bars, list(zip(table.days, table.daily_totals, strict=True))
    )
