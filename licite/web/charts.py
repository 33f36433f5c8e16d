"""Charts drawn on the server as SVG: no script, no resource from outside the server (issue 22).

Pure functions of labels and counts that return SVG markup. Every label is escaped here, so the
markup is safe to put in a page as it is. Each chart carries a <title> and a <desc> for screen
readers (role="img"), and each bar its value twice: in `data-value` (what tests read) and in its
own <title> (what a pointer shows). Colours come from CSS classes (licite.css), never from a
style attribute: the Content-Security-Policy allows no inline style.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from itertools import accumulate

WIDTH = 400  # the viewBox's width: the chart scales to its box, down to a 375 px phone
LABEL_HEIGHT = 18
BAR_HEIGHT = 14
ROW_GAP = 8
COLUMN_AREA = 120  # the columns' height in a monthly chart
TONES = frozenset({"", "good", "warn", "bad", "muted"})


@dataclass(frozen=True)
class Bar:
    """One value of a chart: `key` is stable across languages (tests and CSS read it)."""

    key: str
    label: str
    value: int
    tone: str = ""
    detail: str = ""  # a longer label for the bar's <title> ("January 2027" for "Jan")

    @property
    def name(self) -> str:
        return self.detail or self.label

    def __post_init__(self) -> None:
        if self.tone not in TONES:
            raise ValueError(f"unknown tone {self.tone!r}")


def bar_chart(chart_id: str, title: str, bars: Sequence[Bar], desc: str = "") -> str:
    """Horizontal bars, each with its label above it and its value at its end."""
    return _horizontal(chart_id, title, bars, desc, scale=max((bar.value for bar in bars), default=0))


def funnel(chart_id: str, title: str, steps: Sequence[Bar], desc: str = "") -> str:
    """A funnel: each step's bar in proportion to the first step (all that entered it)."""
    return _horizontal(chart_id, title, steps, desc, scale=steps[0].value if steps else 0, funnel=True)


def stacked_bar(chart_id: str, title: str, parts: Sequence[Bar], desc: str = "") -> str:
    """One bar cut into parts of a whole, with a legend line per part below it (which carries the
    part's value, drawn or not)."""
    total = sum(part.value for part in parts)
    starts = [0, *accumulate(part.value for part in parts)]
    body = [
        _rect(part, x=_length(start, total), y=0, width=_length(part.value, total), height=BAR_HEIGHT * 2)
        for part, start in zip(parts, starts, strict=False)
        if part.value
    ]
    for index, part in enumerate(parts):
        y = BAR_HEIGHT * 2 + ROW_GAP + index * LABEL_HEIGHT
        body.append(
            f'<g class="legend tone-{part.tone or "plain"}" data-key="{escape(part.key)}" '
            f'data-value="{part.value}"><rect x="0" y="{y + 3}" width="12" height="12"/>'
            f'<text x="18" y="{y + 13}">{escape(part.label)}: {part.value}</text></g>'
        )
    height = BAR_HEIGHT * 2 + ROW_GAP + len(parts) * LABEL_HEIGHT
    return _svg(chart_id, title, desc or _summary(parts), height, body, "stacked")


def monthly_columns(chart_id: str, title: str, months: Sequence[Bar], desc: str = "") -> str:
    """Vertical columns, one a month, its value above it and the month's short name below."""
    scale = max((month.value for month in months), default=0)
    step = WIDTH / max(len(months), 1)
    body = []
    for index, month in enumerate(months):
        height = _length(month.value, scale, COLUMN_AREA)
        x, top = index * step, LABEL_HEIGHT + COLUMN_AREA - height
        middle = x + step / 2
        body.append(
            f'<g class="bar tone-{month.tone or "plain"}" data-key="{escape(month.key)}" '
            f'data-value="{month.value}"><title>{escape(month.name)}: {month.value}</title>'
            f'<rect x="{x + 3:.1f}" y="{top:.1f}" width="{step - 6:.1f}" height="{height:.1f}"/>'
            f'<text class="value" x="{middle:.1f}" y="{top - 4:.1f}" '
            f'text-anchor="middle">{month.value}</text>'
            f'<text x="{middle:.1f}" y="{LABEL_HEIGHT + COLUMN_AREA + 14}" '
            f'text-anchor="middle">{escape(month.label)}</text></g>'
        )
    height = LABEL_HEIGHT + COLUMN_AREA + LABEL_HEIGHT + 2
    return _svg(chart_id, title, desc or _summary(months), height, body, "columns")


def _horizontal(
    chart_id: str, title: str, bars: Sequence[Bar], desc: str, scale: int, funnel: bool = False
) -> str:
    row = LABEL_HEIGHT + BAR_HEIGHT + ROW_GAP
    body = []
    for index, bar in enumerate(bars):
        y = index * row
        width = _length(bar.value, scale, WIDTH - 60)
        share = f" ({round(100 * bar.value / scale)} %)" if funnel and scale and index else ""
        body.append(
            f'<g class="bar tone-{bar.tone or "plain"}" data-key="{escape(bar.key)}" '
            f'data-value="{bar.value}"><title>{escape(bar.name)}: {bar.value}</title>'
            f'<text x="0" y="{y + 13}">{escape(bar.label)}</text>'
            f'<rect x="0" y="{y + LABEL_HEIGHT}" width="{width:.1f}" height="{BAR_HEIGHT}"/>'
            f'<text class="value" x="{width + 6:.1f}" y="{y + LABEL_HEIGHT + 12}">'
            f"{bar.value}{share}</text></g>"
        )
    return _svg(chart_id, title, desc or _summary(bars), max(len(bars), 1) * row, body, "bars")


def _rect(part: Bar, x: float, y: int, width: float, height: int) -> str:
    return (
        f'<g class="part tone-{part.tone or "plain"}"><title>{escape(part.name)}: {part.value}</title>'
        f'<rect x="{x:.1f}" y="{y}" width="{width:.1f}" height="{height}"/></g>'
    )


def _svg(chart_id: str, title: str, desc: str, height: int, body: list[str], kind: str) -> str:
    ident = escape(chart_id)
    return (
        f'<svg class="chart chart-{kind}" id="{ident}" role="img" viewBox="0 0 {WIDTH} {height}" '
        f'aria-labelledby="{ident}-title {ident}-desc" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{ident}-title">{escape(title)}</title><desc id="{ident}-desc">{escape(desc)}</desc>'
        f"{''.join(body)}</svg>"
    )


def _summary(bars: Sequence[Bar]) -> str:
    return "; ".join(f"{bar.name}: {bar.value}" for bar in bars)


def _length(value: int, scale: int, full: float = WIDTH) -> float:
    """The length of a value on a scale; a non-zero value stays visible (at least 2 units)."""
    if not scale or not value:
        return 0.0
    return max(full * value / scale, 2.0)
