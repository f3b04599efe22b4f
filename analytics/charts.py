"""Geometry of the dashboard's SVG charts, computed on the server: templates only draw what is here.

No chart library and no script: the figures are few and static, and an SVG drawn by the template works under a
strict Content-Security-Policy (no inline script or style) without anything vendored or fetched. Axis ticks
are round numbers (1, 2, 2,5 or 5 × 10ⁿ) and every bar has its label.
"""

import math
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    title: str
    label_x: float
    show_label: bool = True


@dataclass(frozen=True)
class Tick:
    y: float
    text: str


@dataclass
class ColumnChart:
    width: int
    height: int
    plot_left: int
    plot_right: int
    plot_top: int
    plot_bottom: int
    bars: list[Bar] = field(default_factory=list)
    ticks: list[Tick] = field(default_factory=list)

    @property
    def label_y(self) -> int:
        return self.plot_bottom + 16


@dataclass
class BarRow:
    y: float
    width: float
    label: str
    value_text: str
    title: str
    text_y: float
    value_x: float


@dataclass
class HorizontalChart:
    width: int
    height: int
    label_width: int
    bar_height: int
    rows: list[BarRow] = field(default_factory=list)


def _as_number(value) -> float:
    return float(Decimal(str(value or 0)))


def nice_ticks(top: float, count: int = 4) -> list[Decimal]:
    """Round axis ticks from 0 to at least `top`: steps of 1, 2, 2.5 or 5 × 10ⁿ, about `count` of them."""
    if top <= 0:
        return [Decimal(0), Decimal(1)]
    raw = top / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    step = Decimal(str(step))
    steps = math.ceil(Decimal(str(top)) / step)
    return [step * n for n in range(steps + 1)]


# The narrowest a day's column may be and still carry its own label.
MIN_SLOT = 24


def column_chart(
    points: list[tuple[str, object, str]],
    *,
    tick_format=str,
    width: int = 760,
    height: int = 240,
) -> ColumnChart:
    """Vertical bars for a series such as revenue by day: `points` are (axis label, value, tooltip).

    The chart grows wider rather than drop labels: every bar keeps its own (the page scrolls it sideways
    inside its frame on a narrow screen).
    """
    width = max(width, 84 + MIN_SLOT * len(points))
    chart = ColumnChart(
        width=width, height=height, plot_left=76, plot_right=width - 8, plot_top=10, plot_bottom=height - 28
    )
    if not points:
        return chart
    ticks = nice_ticks(max(_as_number(value) for _, value, _ in points))
    top = float(ticks[-1])
    plot_height = chart.plot_bottom - chart.plot_top
    slot = (chart.plot_right - chart.plot_left) / len(points)
    for index, (label, value, title) in enumerate(points):
        bar_height = plot_height * _as_number(value) / top
        x = chart.plot_left + index * slot + slot * 0.15
        chart.bars.append(
            Bar(
                x=round(x, 2),
                y=round(chart.plot_bottom - bar_height, 2),
                width=round(max(slot * 0.7, 1), 2),
                height=round(bar_height, 2),
                label=label,
                title=title,
                label_x=round(chart.plot_left + index * slot + slot / 2, 2),
            )
        )
    for tick in ticks:
        chart.ticks.append(
            Tick(y=round(chart.plot_bottom - plot_height * float(tick) / top, 2), text=tick_format(tick))
        )
    return chart


def horizontal_chart(
    rows: list[tuple[str, object, str]],
    *,
    value_format=str,
    width: int = 560,
    label_width: int = 200,
    bar_height: int = 18,
) -> HorizontalChart:
    """Horizontal bars for a ranking such as orders by status: `rows` are (label, value, tooltip)."""
    row_height = bar_height + 10
    chart = HorizontalChart(
        width=width, height=max(row_height * len(rows), row_height), label_width=label_width, bar_height=bar_height
    )
    top = max((_as_number(value) for _, value, _ in rows), default=0) or 1.0
    room = width - label_width - 110
    for index, (label, value, title) in enumerate(rows):
        y = index * row_height + 4
        chart.rows.append(
            BarRow(
                y=y,
                width=round(room * _as_number(value) / top, 2),
                label=label,
                value_text=value_format(value),
                title=title,
                text_y=y + bar_height - 4,
                value_x=round(label_width + room * _as_number(value) / top + 6, 2),
            )
        )
    return chart
