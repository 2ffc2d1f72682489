"""The digest's chart: incidents per day, stacked by event type, as a PNG drawn by matplotlib's Agg
renderer on a figure of its own (no pyplot state, so threads and flows can draw at once)."""

from __future__ import annotations

import io
from collections.abc import Sequence

from alerts.digest import DayCount
from alerts.period import Period
from alerts.render import event_label
from extractors.events.model import EVENT_TYPES

WIDTH_PX = 660  # the email's content column
HEIGHT_PX = 260
DPI = 200  # drawn at twice the shown size, so it stays sharp on dense screens
# One fixed colour per event type, so a type looks the same in every week's chart.
COLOURS = dict(
    zip(
        EVENT_TYPES,
        (
            "#4e79a7",
            "#f28e2b",
            "#e15759",
            "#76b7b2",
            "#59a14f",
            "#edc948",
            "#b07aa1",
            "#ff9da7",
            "#9c755f",
            "#bab0ac",
            "#1f3b5c",
        ),
        strict=True,
    )
)


def chart_png(period: Period, counts: Sequence[DayCount]) -> bytes:
    """A stacked bar per day of `period`; an empty period gets empty bars and says so."""
    # Imported here: matplotlib takes a third of a second to import, and every delivery pass and
    # command would pay it, though only digests draw.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    figure = Figure(figsize=(WIDTH_PX * 2 / DPI, HEIGHT_PX * 2 / DPI), dpi=DPI)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    days = period.days
    positions = range(len(days))
    bottoms = [0] * len(days)
    for event_type in EVENT_TYPES:
        heights = [0] * len(days)
        for count in counts:
            if count.event_type == event_type and count.day in days:
                heights[days.index(count.day)] += count.count
        if any(heights):
            axes.bar(
                positions,
                heights,
                bottom=bottoms,
                color=COLOURS[event_type],
                label=event_label(event_type),
                width=0.7,
            )
            bottoms = [b + h for b, h in zip(bottoms, heights, strict=True)]
    axes.set_xticks(
        list(positions), [f"{d.strftime('%a')}\n{d.day} {d.strftime('%b')}" for d in days]
    )
    axes.tick_params(labelsize=7)
    axes.set_ylabel("incidents", fontsize=8)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.spines[["top", "right"]].set_visible(False)
    if any(bottoms):
        axes.legend(fontsize=6, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    else:
        axes.set_ylim(0, 1)
        axes.text(0.5, 0.5, "no incidents", transform=axes.transAxes, ha="center", fontsize=9)
    axes.set_title("Incidents per day, by event type", fontsize=9, loc="left")
    figure.tight_layout()
    out = io.BytesIO()
    # No creation time or software version in the file: the same data draws the same bytes.
    figure.savefig(out, format="png", metadata={"Software": None})
    return out.getvalue()
