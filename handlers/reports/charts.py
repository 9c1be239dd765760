"""Charts of the reports as PNG: the only module that imports matplotlib.

Drawn on matplotlib's own `Figure` with the Agg renderer (no pyplot, so no global figure list
that could keep figures alive, no display, no network), in the fonts matplotlib ships
(DejaVu Sans), at chat size, in the Okabe–Ito palette, which colour-blind readers can tell
apart. Labels come ready-made from the data (dates already in the reader's zone).
"""

from __future__ import annotations

import io
import math
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import PIL.Image
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from handlers.reply import plural
from handlers.reports.data import Activity, Points, Suppliers
from handlers.reports.pipeline import PipelineReport
from handlers.reports.summaries import short

WIDTH, HEIGHT, DPI = 1200, 700, 100
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
OTHER = "other"
BANDS = (  # standing, from, to, background (light tints of the same palette)
    ("excellent", 80, 100, "#d5ede4"),
    ("good", 50, 80, "#dcecf7"),
    ("watch", 30, 50, "#fbeccc"),
    ("poor", 0, 30, "#f6d9cc"),
)
MOST_PEOPLE = 25


@dataclass(frozen=True)
class Layout:
    """Where a kind of chart puts its axes (side by side, in these width ratios)."""

    left: float
    right: float
    top: float
    bottom: float
    ratios: tuple[int, ...] = (1,)
    wspace: float = 0.2


LAYOUTS = {
    "activity": Layout(0.07, 0.84, 0.9, 0.17),
    "points": Layout(0.06, 0.97, 0.88, 0.14, ratios=(3, 2), wspace=0.55),
    "suppliers": Layout(0.07, 0.74, 0.9, 0.12),
    "pipeline": Layout(0.08, 0.8, 0.9, 0.12),
}
# One figure kept per kind of chart, reused while nobody else draws that kind: its axes and
# their ticks are made once (making ticks was a third of a chart's time). Four figures at
# most (~4 MB each); a second thread drawing the same kind meanwhile gets a figure of its own.
_KEPT: dict[str, Figure] = {}
_KEEPING = {kind: threading.Lock() for kind in LAYOUTS}


def _figure(layout: Layout) -> Figure:
    figure = Figure(figsize=(WIDTH / DPI, HEIGHT / DPI), dpi=DPI)
    FigureCanvasAgg(figure)
    figure.subplots(1, len(layout.ratios), gridspec_kw={"width_ratios": layout.ratios})
    figure.subplots_adjust(left=layout.left, right=layout.right, top=layout.top,
                           bottom=layout.bottom, wspace=layout.wspace)  # fmt: skip
    return figure


def _emptied(axes: Axes) -> Axes:
    """The axes without what the last chart drew on them (ticks, spines and places stay)."""
    for artist in (*axes.collections, *axes.patches, *axes.lines, *axes.texts):
        artist.remove()
    if axes.legend_ is not None:
        axes.legend_.remove()
    return axes


def _drawn(kind: str, draw: Callable[[list[Axes]], None]) -> bytes:
    """PNG bytes of a chart of this kind, drawn by `draw` on the axes of a figure."""
    keeping = _KEEPING[kind]
    if not keeping.acquire(blocking=False):  # someone draws this kind now: a figure of our own
        figure = _figure(LAYOUTS[kind])
        try:
            draw(figure.axes)
            return _png(figure)
        finally:
            figure.clear()
    try:
        figure = _KEPT.get(kind) or _KEPT.setdefault(kind, _figure(LAYOUTS[kind]))
        draw([_emptied(axes) for axes in figure.axes])
        return _png(figure)
    finally:
        keeping.release()


def _png(figure: Figure) -> bytes:
    """The figure as PNG bytes: RGB (a quarter less to compress than RGBA), quickest level."""
    out = io.BytesIO()
    canvas = figure.canvas
    assert isinstance(canvas, FigureCanvasAgg)
    canvas.draw()
    rgba = PIL.Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba())
    rgba.convert("RGB").save(out, format="png", compress_level=1)
    return out.getvalue()


def _style(axes: Axes, title: str, ylabel: str) -> None:
    # a fixed place for the title: finding one clear of the ticks costs ~40 ms of layout
    axes.set_title(title, loc="left", fontsize=15, fontweight="bold", y=1.02)
    axes.set_ylabel(ylabel, fontsize=12)
    axes.spines[["top", "right"]].set_visible(False)
    axes.grid(axis="y", color="#dddddd", linewidth=0.8)
    axes.set_axisbelow(True)
    axes.yaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))  # few ticks: each costs
    axes.margins(y=0.08)


def _bars(
    axes: Axes,
    lows: Sequence[float],
    highs: Sequence[float],
    colour: str,
    label: str,
    width: float = 0.75,
    horizontal: bool = False,
) -> None:
    """One series of bars, from `lows` to `highs` at 0, 1, 2 …, as ONE artist (a collection
    of rectangles): a Rectangle per bar costs ~1 ms each to make and draw."""
    half = width / 2
    boxes = [
        [(place - half, low), (place + half, low), (place + half, high), (place - half, high)]
        for place, (low, high) in enumerate(zip(lows, highs, strict=True))
    ]
    if horizontal:
        boxes = [[(y, x) for x, y in box] for box in boxes]
    axes.add_collection(
        PolyCollection(boxes, facecolors=colour, edgecolors="none", label=label), autolim=False
    )


def _value_axis(axes: Axes, places: int, top: float, horizontal: bool = False) -> None:
    """Limits for bars from 0 up to `top` (a little room above) at `places` places."""
    value_limits, place_limits = (0, max(top, 1) * 1.08), (-0.6, max(places, 1) - 0.4)
    if horizontal:
        axes.set_xlim(*value_limits)
        axes.set_ylim(*place_limits)
    else:
        axes.set_xlim(*place_limits)
        axes.set_ylim(*value_limits)


def _stacked(
    axes: Axes, labels: Sequence[str], series: list[tuple[str, list[int]]], rotate: bool
) -> None:
    """Bars at `labels`, one colour per series, stacked in order, with a legend."""
    bottoms = [0] * len(labels)
    places = range(len(labels))
    for colour, (name, values) in zip(OKABE_ITO, series, strict=False):
        tops = [b + v for b, v in zip(bottoms, values, strict=True)]
        _bars(axes, bottoms, tops, colour, name)
        bottoms = tops
    _value_axis(axes, len(labels), max(bottoms, default=0))
    axes.set_xticks(list(places), list(labels), rotation=45 if rotate else 0,
                    ha="right" if rotate else "center", fontsize=10)  # fmt: skip
    axes.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=11)


def _kinds(activity: Activity) -> list[str]:
    """The kinds to colour: the commonest seven, the rest folded into "other"."""
    ranked = [kind for kind, _n in activity.by_kind().most_common()]
    return ranked if len(ranked) <= len(OKABE_ITO) else ranked[: len(OKABE_ITO) - 1] + [OTHER]


def activity_chart(activity: Activity, title: str) -> bytes:
    """One person: interactions per bucket, stacked by kind. Several: per person, stacked."""
    return _drawn("activity", lambda axes: _activity(axes[0], activity, title))


def _activity(axes: Axes, activity: Activity, title: str) -> None:
    kinds = _kinds(activity)
    named = [k for k in kinds if k != OTHER]
    people = activity.people
    if len(people) == 1:
        labels = activity.period.labels()
        series = [(k, _over_time(activity, k, named)) for k in kinds]
    else:
        people = people[:MOST_PEOPLE]
        labels = [short(name, 14) for name in people]
        series = [(k, [_of_person(activity, name, k, named) for name in people]) for k in kinds]
    _stacked(axes, labels, series, rotate=len(labels) > 8)
    _style(axes, title, f"interactions, {activity.period.name}")


def _folded(activity: Activity, kind: str, named: list[str]) -> list[str]:
    """The kinds one coloured series stands for: itself, or every kind not named."""
    return [kind] if kind != OTHER else [k for k in activity.by_kind() if k not in named]


def _over_time(activity: Activity, kind: str, named: list[str]) -> list[int]:
    series = [activity.per_bucket(k) for k in _folded(activity, kind, named)]
    return [sum(values) for values in zip(*series, strict=True)]


def _of_person(activity: Activity, name: str, kind: str, named: list[str]) -> int:
    per_kind = activity.counts.get(name, {})
    return sum(sum(per_kind.get(k, ())) for k in _folded(activity, kind, named))


def points_chart(points: Points, title: str) -> bytes:
    """Points earned per bucket stacked by tier, beside the parties that earned most."""
    return _drawn("points", lambda axes: _points(axes[0], axes[1], points, title))


def _points(over_time: Axes, top: Axes, points: Points, title: str) -> None:
    series = [(tier, points.by_tier[tier]) for tier in points.tiers if any(points.by_tier[tier])]
    _stacked(over_time, points.period.labels(), series, rotate=len(points.period.labels()) > 8)
    over_time.legend(loc="upper left", frameon=False, fontsize=11, title="tier now")
    _style(over_time, title, "points earned")
    names = [short(name) for name, _n in reversed(points.top)]
    earned = [n for _name, n in reversed(points.top)]
    _bars(top, [0] * len(earned), earned, OKABE_ITO[0], "points", width=0.8, horizontal=True)
    _value_axis(top, len(earned), max(earned, default=0), horizontal=True)
    top.set_yticks(list(range(len(names))), names, fontsize=10)
    top.xaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))
    top.set_title("Top parties", loc="left", fontsize=13, fontweight="bold", y=1.02)
    top.spines[["top", "right"]].set_visible(False)


def suppliers_chart(suppliers: Suppliers, title: str) -> bytes:
    """Each charted supplier's score over time on the standing bands; marked ones dashed."""
    return _drawn("suppliers", lambda axes: _suppliers(axes[0], suppliers, title))


def _suppliers(axes: Axes, suppliers: Suppliers, title: str) -> None:
    labels = suppliers.period.labels()
    for standing, low, high, colour in BANDS:
        axes.axhspan(low, high, color=colour, zorder=0)
        axes.text(1.005, (low + high) / 2, standing, transform=axes.get_yaxis_transform(),
                  va="center", fontsize=10, color="#555555")  # fmt: skip
    for colour, line in zip(OKABE_ITO, suppliers.lines, strict=False):
        values = [math.nan if v is None else v for v in line.series]
        label = "\n  ".join((short(line.name), *line.marks))  # a mark a line: the legend fits
        style = "--" if line.marks else "-"
        axes.plot(range(len(values)), values, color=colour, marker="o", linewidth=2.5,
                  linestyle=style, label=label)  # fmt: skip
    axes.set_ylim(0, 100)
    axes.set_xlim(-0.3, max(len(labels) - 0.7, 0.3))
    axes.set_xticks(list(range(len(labels))), labels, fontsize=10)
    axes.legend(loc="upper left", bbox_to_anchor=(1.07, 1.0), frameon=False, fontsize=11)
    _style(axes, title, "scorecard (0–100)")
    axes.set_yticks([low for _standing, low, _high, _colour in BANDS] + [100])
    axes.grid(False)


def _compact(value: float, _position: object = None) -> str:
    """An axis amount: 950, 48k, 1.2M."""
    for size, suffix in ((1_000_000, "M"), (1_000, "k")):
        if abs(value) >= size:
            return f"{value / size:.3g}{suffix}"
    return f"{value:.0f}"


def pipeline_chart(report: PipelineReport, title: str) -> bytes:
    """Open value per stage as bars, the weighted value as a narrower bar inside each; the
    number of deals above."""
    return _drawn("pipeline", lambda axes: _pipeline(axes[0], report, title))


def _pipeline(axes: Axes, report: PipelineReport, title: str) -> None:
    stages = report.stages
    places = list(range(len(stages)))
    values = [value for _stage, _n, value, _w in stages]
    zeros = [0] * len(stages)
    _bars(axes, zeros, values, OKABE_ITO[4], "open value")
    _bars(axes, zeros, [w for _stage, _n, _value, w in stages], OKABE_ITO[0], "weighted value",
          width=0.45)  # fmt: skip
    top = max(values, default=0)
    _value_axis(axes, len(stages), top * 1.04)  # room for the counts above the bars
    for place, (_stage, count, value, _w) in zip(places, stages, strict=True):
        axes.text(place, value + top * 0.015, plural(count, "deal"), ha="center", va="bottom",
                  fontsize=10, color="#333333")  # fmt: skip
    probability = {s.stage: s.probability for s in report.pipeline.stages}
    labels = [f"{stage} ({round(probability[stage] * 100)}%)" for stage, *_rest in stages]
    axes.set_xticks(places, labels, fontsize=11)
    axes.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=11)
    _style(axes, title, f"value ({report.pipeline.currency})")
    axes.yaxis.set_major_formatter(FuncFormatter(_compact))
