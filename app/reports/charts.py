"""Server-rendered SVG charts for the reports: plain geometry the template draws.

Charts get only what the reader may see (`Shown`): a hidden number has no
value here, so it draws as an empty, dashed slot with its text ("<5" or
"*"), never as a bar whose height would give the number away.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from app.reports.suppress import Shown

WIDTH_PER_BAR = 18
GROUP_GAP = 16
PLOT_HEIGHT = 180
TOP = 24
LEFT = 56
BOTTOM = 46
TICKS = 4
LABEL_CHAR = 6  # about the width of one character of a 10px label


@dataclass
class Chart:
    width: int
    height: int
    plot_top: int
    plot_bottom: int
    left: int
    series: list[tuple[str, str]]  # (css key, label)
    ticks: list[dict] = field(default_factory=list)
    groups: list[dict] = field(default_factory=list)
    bars: list[dict] = field(default_factory=list)
    lines: list[dict] = field(default_factory=list)  # a marker per group (e.g. a limit)

    @property
    def empty(self) -> bool:
        return not self.groups


def nice_max(value: float) -> float:
    """A round upper end for the axis: 1, 2 or 5 times a power of ten, at least `value`."""
    if value <= 0:
        return 1
    power = 1
    while power * 10 <= value:
        power *= 10
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power


def bar_chart(groups: list[tuple[str, list[Shown]]], series: list[tuple[str, str]]) -> Chart:
    """Grouped bars: each group (a month, a category) has one bar per series."""
    per = len(series)
    longest = max((len(str(label)) for label, _v in groups), default=0)
    group_width = max(per * WIDTH_PER_BAR + GROUP_GAP, longest * LABEL_CHAR + GROUP_GAP)
    width = LEFT + max(len(groups), 1) * group_width + 8
    height = TOP + PLOT_HEIGHT + BOTTOM
    top_value = nice_max(max((v.value for _l, values in groups for v in values if v.value is not None), default=0))
    chart = Chart(width=width, height=height, plot_top=TOP, plot_bottom=TOP + PLOT_HEIGHT, left=LEFT, series=series)
    for k in range(TICKS + 1):
        value = top_value * k / TICKS
        chart.ticks.append({"y": round(TOP + PLOT_HEIGHT - PLOT_HEIGHT * k / TICKS, 1),
                            "label": f"{value:g}" if value < 10_000 else f"{value / 1000:g}k"})
    for index, (label, values) in enumerate(groups):
        x0 = LEFT + index * group_width + (group_width - per * WIDTH_PER_BAR) // 2
        chart.groups.append({"x": x0 + per * WIDTH_PER_BAR / 2, "label": label})  # centred under its bars
        for s, (value, (key, series_label)) in enumerate(zip(values, series)):
            x = x0 + s * WIDTH_PER_BAR
            if value.value is None and value.text == "—":
                continue  # nothing to show (nobody compared): an empty slot, not a hidden number
            if value.value is None:
                chart.bars.append({"x": x, "y": TOP + PLOT_HEIGHT - 24, "height": 24, "hidden": True, "key": key,
                                   "text": value.text, "series": series_label, "group": label})
                continue
            h = round(PLOT_HEIGHT * float(value.value) / top_value, 1) if top_value else 0
            chart.bars.append({"x": x, "y": TOP + PLOT_HEIGHT - h, "height": h, "hidden": False, "key": key,
                               "text": value.text, "series": series_label, "group": label})
    return chart
