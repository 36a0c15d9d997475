"""The progress picture for the work chat: a PNG about 1080 px wide, readable on a phone.

Top: the ranking (completion rate per village or township, best first, with 已缴/应缴).
Bottom: paid people day by day (bars) and the running total (line). Drawn with matplotlib's
Agg backend in a CJK font from fonts-noto-cjk; without one, the picture is still drawn and
:data:`font_warning` says why the Chinese text may show as boxes.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import threading
from dataclasses import dataclass
from functools import lru_cache

WIDTH_PX = 1080
DPI = 120
_CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei")
_LOCK = threading.Lock()  # pyplot state is global; one picture at a time
log = logging.getLogger("xl_pension.picture")


@dataclass(frozen=True)
class Bar:
    """One ranked place: its name, completion rate (0..1, ``None``: nobody expected), counts."""

    label: str
    rate: float | None
    paid: int
    expected: int


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """The file of an installed CJK font, or ``None`` (then a warning is logged once)."""
    from matplotlib import font_manager

    for family in _CJK_FAMILIES:
        try:
            path = font_manager.findfont(
                font_manager.FontProperties(family=family), fallback_to_default=False
            )
        except ValueError:
            continue
        if path:
            return path
    log.warning(
        "no CJK font found (install fonts-noto-cjk): Chinese text in pictures may show as boxes"
    )
    return None


def font_warning() -> str:
    """'' when a CJK font is installed, else the Chinese sentence saying what to install."""
    return (
        ""
        if cjk_font()
        else "未找到中文字体（请安装 fonts-noto-cjk），图片中的中文可能显示为方框。"
    )


def render_progress(
    title: str, subtitle: str, bars: list[Bar], days: list[tuple[dt.date, int]]
) -> bytes:
    """The PNG of a ranking and a day-by-day line; ``days`` is (day, paid that day)."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib import font_manager
    from matplotlib.figure import Figure

    font = cjk_font()
    props = font_manager.FontProperties(fname=font) if font else font_manager.FontProperties()
    shown = bars[:40]
    rank_height = max(2.5, 0.42 * len(shown) + 1.2)
    width_in = WIDTH_PX / DPI
    fig = Figure(figsize=(width_in, rank_height + 4.6), dpi=DPI)
    grid = fig.add_gridspec(2, 1, height_ratios=[rank_height, 3.6], hspace=0.35)
    fig.suptitle(title, fontproperties=props, fontsize=20, y=0.995, va="top")
    fig.text(
        0.5,
        0.995 - 0.55 / (rank_height + 4.6),
        subtitle,
        ha="center",
        va="top",
        fontproperties=props,
        fontsize=13,
        color="#444",
    )
    ax = fig.add_subplot(grid[0])
    labels = [b.label for b in reversed(shown)]
    values = [100 * (b.rate or 0) for b in reversed(shown)]
    colors = ["#c0392b" if (b.rate or 0) < 0.6 else "#2e86c1" for b in reversed(shown)]
    ax.barh(range(len(shown)), values, color=colors, height=0.7)
    ax.set_yticks(range(len(shown)), labels, fontproperties=props, fontsize=13)
    ax.set_xlim(0, 118)
    ax.set_ylim(-0.5, max(len(shown), 4) - 0.5)
    ax.set_xlabel("完成率（%）", fontproperties=props, fontsize=12)
    for i, b in enumerate(reversed(shown)):
        rate = "—" if b.rate is None else f"{100 * b.rate:.1f}%"
        ax.text(
            values[i] + 1,
            i,
            f"{rate}  {b.paid}/{b.expected}",
            va="center",
            fontproperties=props,
            fontsize=11,
        )
    ax.spines[["top", "right"]].set_visible(False)
    if len(bars) > len(shown):
        ax.set_title(
            f"（仅显示前 {len(shown)} 名，共 {len(bars)} 个）", fontproperties=props, fontsize=11
        )
    line = fig.add_subplot(grid[1])
    if days:
        xs = [d for d, _ in days]
        daily = [n for _, n in days]
        running, total = [], 0
        for n in daily:
            total += n
            running.append(total)
        per_day = line.twinx()
        per_day.bar(xs, daily, color="#aed6f1", label="当日缴费人数（右轴）")
        per_day.set_ylim(0, max(daily) * 3)
        per_day.spines[["top"]].set_visible(False)
        line.set_zorder(per_day.get_zorder() + 1)
        line.patch.set_visible(False)
        line.plot(xs, running, color="#1b4f72", marker="o", linewidth=2.5, label="累计缴费人数")
        handles = line.get_legend_handles_labels()[0] + per_day.get_legend_handles_labels()[0]
        line.legend(handles=handles, prop=props, loc="upper left")
        line.tick_params(axis="x", labelrotation=30)
    else:
        line.text(
            0.5,
            0.5,
            "收缴期内还没有缴费记录",
            ha="center",
            va="center",
            fontproperties=props,
            fontsize=14,
            transform=line.transAxes,
        )
    line.set_title("每日缴费进度", fontproperties=props, fontsize=14)
    line.spines[["top", "right"]].set_visible(False)
    buffer = io.BytesIO()
    with _LOCK:
        fig.savefig(buffer, format="png", dpi=DPI, bbox_inches=None)
    return buffer.getvalue()
