"""Charts of the reports as PNG: the only module that imports matplotlib.

Drawn on matplotlib's own `Figure` with the Agg renderer (no pyplot, so no global figure list
that could keep figures alive, no display, no network), in the fonts matplotlib ships
(DejaVu Sans), at chat size, in the Okabe–Ito palette, which colour-blind readers can tell
apart. Labels come ready-made from the data (dates already in the reader's zone).
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from handlers.reply import plural
from handlers.report_data import Activity, Points, Suppliers
from handlers.report_pipeline import PipelineReport
from handlers.report_text import short

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


def _figure() -> Figure:
    figure = Figure(figsize=(WIDTH / DPI, HEIGHT / DPI), dpi=DPI)
    FigureCanvasAgg(figure)
    return figure


def _png(figure: Figure) -> bytes:
    """The figure as PNG bytes; the figure is cleared so nothing of it is kept."""
    out = io.BytesIO()
    try:
        figure.savefig(out, format="png", dpi=DPI, pil_kwargs={"compress_level": 1})
    finally:
        figure.clear()
    return out.getvalue()


def _style(axes: Axes, title: str, ylabel: str) -> None:
    axes.set_title(title, loc="left", fontsize=15, fontweight="bold")
    axes.set_ylabel(ylabel, fontsize=12)
    axes.spines[["top", "right"]].set_visible(False)
    axes.grid(axis="y", color="#dddddd", linewidth=0.8)
    axes.set_axisbelow(True)
    axes.yaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))  # few ticks: each costs
    axes.margins(y=0.08)


def _stacked(
    axes: Axes, labels: Sequence[str], series: list[tuple[str, list[int]]], rotate: bool
) -> None:
    """Bars at `labels`, one colour per series, stacked in order, with a legend."""
    bottoms = [0] * len(labels)
    places = range(len(labels))
    for colour, (name, values) in zip(OKABE_ITO, series, strict=False):
        axes.bar(places, values, bottom=bottoms, color=colour, label=name, width=0.75)
        bottoms = [b + v for b, v in zip(bottoms, values, strict=True)]
    axes.set_xticks(list(places), list(labels), rotation=45 if rotate else 0,
                    ha="right" if rotate else "center", fontsize=10)  # fmt: skip
    axes.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=11)


def _kinds(activity: Activity) -> list[str]:
    """The kinds to colour: the commonest seven, the rest folded into "other"."""
    ranked = [kind for kind, _n in activity.by_kind().most_common()]
    return ranked if len(ranked) <= len(OKABE_ITO) else ranked[: len(OKABE_ITO) - 1] + [OTHER]


def activity_chart(activity: Activity, title: str) -> bytes:
    """One person: interactions per bucket, stacked by kind. Several: per person, stacked."""
    figure = _figure()
    axes = figure.add_subplot()
    figure.subplots_adjust(left=0.07, right=0.84, top=0.9, bottom=0.17)
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
    return _png(figure)


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
    figure = _figure()
    over_time, top = figure.subplots(1, 2, gridspec_kw={"width_ratios": (3, 2)})
    figure.subplots_adjust(left=0.06, right=0.97, top=0.88, bottom=0.14, wspace=0.55)
    series = [(tier, points.by_tier[tier]) for tier in points.tiers if any(points.by_tier[tier])]
    _stacked(over_time, points.period.labels(), series, rotate=len(points.period.labels()) > 8)
    over_time.legend(loc="upper left", frameon=False, fontsize=11, title="tier now")
    _style(over_time, title, "points earned")
    names = [short(name) for name, _n in reversed(points.top)]
    top.barh(range(len(names)), [n for _name, n in reversed(points.top)], color=OKABE_ITO[0])
    top.set_yticks(list(range(len(names))), names, fontsize=10)
    top.xaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))
    top.set_title("Top parties", loc="left", fontsize=13, fontweight="bold")
    top.spines[["top", "right"]].set_visible(False)
    return _png(figure)


def suppliers_chart(suppliers: Suppliers, title: str) -> bytes:
    """Each charted supplier's score over time on the standing bands; marked ones dashed."""
    figure = _figure()
    axes = figure.add_subplot()
    figure.subplots_adjust(left=0.07, right=0.74, top=0.9, bottom=0.12)
    labels = suppliers.period.labels()
    for standing, low, high, colour in BANDS:
        axes.axhspan(low, high, color=colour, zorder=0)
        axes.text(1.005, (low + high) / 2, standing, transform=axes.get_yaxis_transform(),
                  va="center", fontsize=10, color="#555555")  # fmt: skip
    for colour, line in zip(OKABE_ITO, suppliers.lines, strict=False):
        values = [math.nan if v is None else v for v in line.series]
        label = short(line.name) + (f" ({', '.join(line.marks)})" if line.marks else "")
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
    return _png(figure)


def _compact(value: float, _position: object = None) -> str:
    """An axis amount: 950, 48k, 1.2M."""
    for size, suffix in ((1_000_000, "M"), (1_000, "k")):
        if abs(value) >= size:
            return f"{value / size:.3g}{suffix}"
    return f"{value:.0f}"


def pipeline_chart(report: PipelineReport, title: str) -> bytes:
    """Open value per stage as bars, the weighted value as a narrower bar inside each; the
    number of deals above."""
    figure = _figure()
    axes = figure.add_subplot()
    figure.subplots_adjust(left=0.08, right=0.8, top=0.9, bottom=0.12)
    stages = report.stages
    places = list(range(len(stages)))
    values = [value for _stage, _n, value, _w in stages]
    axes.bar(places, values, width=0.75, color=OKABE_ITO[4], label="open value")
    weighted = [w for _stage, _n, _value, w in stages]
    axes.bar(places, weighted, width=0.45, color=OKABE_ITO[0], label="weighted value")
    top = max(values, default=0)
    for place, (_stage, count, value, _w) in zip(places, stages, strict=True):
        axes.text(place, value + top * 0.015, plural(count, "deal"), ha="center", va="bottom",
                  fontsize=10, color="#333333")  # fmt: skip
    probability = {s.stage: s.probability for s in report.pipeline.stages}
    labels = [f"{stage} ({round(probability[stage] * 100)}%)" for stage, *_rest in stages]
    axes.set_xticks(places, labels, fontsize=11)
    axes.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=11)
    _style(axes, title, f"value ({report.pipeline.currency})")
    axes.yaxis.set_major_formatter(FuncFormatter(_compact))
    return _png(figure)
