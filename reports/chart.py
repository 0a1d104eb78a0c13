"""The diary chart: pain severity (0-10) over the weeks, as a PNG.

One point per entry, at its date; the marker and colour say the pain type (legend). An entry with a red
flag gets a red ring and a "red flag" label, one with a same-day warning (a warning sign, or triage
"contact the care team today") an orange square and a "same day" label. Entries without a severity
score sit on a "no score" row under the scale, so nothing the caregiver logged disappears.

    render_chart(entries, now) -> bytes           # the PNG
    chart_figure(entries, now) -> (Figure, Drawn) # the figure and what was drawn, for the report and tests
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Dict, List, Optional, Tuple

import matplotlib

matplotlib.use("Agg")  # no display: servers and tests

import matplotlib.dates as mdates  # noqa: E402 - after choosing the backend
from matplotlib.figure import Figure  # noqa: E402

# Plain words for the legend; the knowledge base's labels are sentences, too long for a chart.
PAIN_WORDS = {
    "neuropathic": "nerve pain",
    "lhermitte": "electric-shock feeling (Lhermitte's)",
    "spasticity": "spasms and stiffness",
    "musculoskeletal": "muscle and joint strain",
    "immobility": "from sitting or lying still",
    "unclear": "type not clear",
    None: "type not recorded",
}
STYLE = {  # marker, colour: colour-blind friendly (Okabe-Ito), and the marker alone tells them apart
    "neuropathic": ("o", "#0072B2"),
    "lhermitte": ("^", "#CC79A7"),
    "spasticity": ("s", "#009E73"),
    "musculoskeletal": ("D", "#E69F00"),
    "immobility": ("v", "#56B4E9"),
    "unclear": ("P", "#666666"),
    None: ("X", "#999999"),
}
RED = "#D55E00"
ORANGE = "#E69F00"
NO_SCORE_Y = -1.5
SAME_DAY_TRIAGE = "contact_care_team_today"


@dataclass
class Point:
    when: datetime
    severity: Optional[int]
    pain_type: Optional[str]
    y: float


@dataclass
class Drawn:
    """What the chart shows, for tests and the report: not pixels, the things a reader sees."""

    points: List[Point] = field(default_factory=list)
    red_flags: List[Tuple[datetime, str]] = field(default_factory=list)   # (date, label) per ringed point
    same_day: List[Tuple[datetime, str]] = field(default_factory=list)
    legend: List[str] = field(default_factory=list)
    x_labels: List[str] = field(default_factory=list)
    title: str = ""
    unscored: int = 0


def parse_when(entry: Dict[str, Any]) -> Optional[datetime]:
    for key in ("when", "logged"):
        text = entry.get(key)
        if not isinstance(text, str):
            continue
        try:
            value = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            continue
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    return None


def severity_of(entry: Dict[str, Any]) -> Optional[int]:
    value = entry.get("severity")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 10:
        return None
    return int(round(value))


def words(ids: Any) -> str:
    return ", ".join(str(i).replace("_", " ") for i in (ids or []))


def day_words(when: datetime) -> str:
    """A date as a caregiver says it: "Tue 24 Nov"."""
    return f"{when:%a} {when.day} {when:%b}"


def is_same_day(entry: Dict[str, Any]) -> bool:
    return bool(entry.get("warning_signs")) or entry.get("triage") == SAME_DAY_TRIAGE


def draw(ax, entries: List[Dict[str, Any]], now: datetime, legend_below: bool = False) -> Drawn:
    """Draws the chart on `ax` (the legend beside it, or below it for a phone-width picture); what it drew."""
    drawn = Drawn(title="Back pain over the weeks (0 = no pain, 10 = worst imaginable)")
    dated = sorted(((parse_when(e), e) for e in entries if parse_when(e) is not None), key=lambda pair: pair[0])
    scored = [(when, severity_of(e)) for when, e in dated if severity_of(e) is not None]
    if len(scored) > 1:
        ax.plot([w for w, _ in scored], [s for _, s in scored], color="#BBBBBB", linewidth=1, zorder=1)
    seen_types: List[Any] = []
    for when, entry in dated:
        severity = severity_of(entry)
        pain_type = entry.get("pain_type") if entry.get("pain_type") in PAIN_WORDS else None
        y = float(severity) if severity is not None else NO_SCORE_Y
        marker, colour = STYLE[pain_type]
        label = PAIN_WORDS[pain_type] if pain_type not in seen_types else None
        if label:
            seen_types.append(pain_type)
        ax.scatter([when], [y], marker=marker, color=colour, s=70, zorder=3, label=label,
                   edgecolors="white" if severity is not None else colour, linewidths=0.8)
        drawn.points.append(Point(when, severity, pain_type, y))
        drawn.unscored += severity is None
        if entry.get("red_flags"):
            text = "red flag: " + words(entry["red_flags"])
            ax.scatter([when], [y], s=360, facecolors="none", edgecolors=RED, linewidths=2.2, zorder=4)
            ax.annotate(text, (when, y), xytext=(0, 15), textcoords="offset points", color=RED, fontsize=8,
                        fontweight="bold", ha="center", zorder=5)
            drawn.red_flags.append((when, text))
        elif is_same_day(entry):
            text = "same day: " + (words(entry.get("warning_signs")) or "call the care team today")
            ax.scatter([when], [y], s=300, marker="s", facecolors="none", edgecolors=ORANGE, linewidths=2,
                       zorder=4)
            ax.annotate(text, (when, y), xytext=(0, -24), textcoords="offset points", color="#A05A00",
                        fontsize=8, ha="center", zorder=5)
            drawn.same_day.append((when, text))
    # The legend says what the rings mean too, so a printed black-and-white page still reads.
    if drawn.red_flags:
        ax.scatter([], [], s=120, facecolors="none", edgecolors=RED, linewidths=2, label="red flag (urgent)")
    if drawn.same_day:
        ax.scatter([], [], s=100, marker="s", facecolors="none", edgecolors=ORANGE, linewidths=2,
                   label="same-day warning")
    _axes(ax, dated, now, drawn, legend_below)
    return drawn


def _axes(ax, dated, now: datetime, drawn: Drawn, legend_below: bool) -> None:
    start = dated[0][0] if dated else now - timedelta(days=28)
    end = max(dated[-1][0] if dated else now, start + timedelta(days=6))
    ax.set_xlim(start - timedelta(days=1), end + timedelta(days=1.5))
    ax.set_ylim(NO_SCORE_Y - 1, 11.6)
    ax.set_yticks([NO_SCORE_Y, 0, 2, 4, 6, 8, 10])
    ax.set_yticklabels(["no score", "0", "2", "4", "6", "8", "10"])
    ax.axhline(-0.6, color="#DDDDDD", linewidth=0.8)
    ax.set_ylabel("how bad (0-10)")
    span = (end - start).days
    ax.xaxis.set_major_locator(mdates.DayLocator(interval=1) if span <= 10
                               else mdates.WeekdayLocator(byweekday=mdates.MO))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%a %d %b"))
    ax.tick_params(axis="x", labelsize=8, rotation=30)
    ax.grid(axis="y", color="#EEEEEE")
    ax.set_title(drawn.title, fontsize=11, loc="left")
    ax.spines[["top", "right"]].set_visible(False)
    handles, labels = ax.get_legend_handles_labels()
    if labels and legend_below:
        ax.legend(handles, labels, fontsize=9, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=3,
                  frameon=False)
    elif labels:
        ax.legend(handles, labels, fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    drawn.legend = labels
    drawn.x_labels = [mdates.num2date(tick).strftime("%a %d %b") for tick in ax.get_xticks()]


def chart_figure(entries: List[Dict[str, Any]], now: datetime) -> Tuple[Figure, Drawn]:
    # Phone-friendly: the widget and Telegram show it a few hundred pixels wide, so the legend goes below.
    figure = Figure(figsize=(8, 5.6), dpi=110)
    ax = figure.add_axes([0.11, 0.33, 0.86, 0.6])
    drawn = draw(ax, entries, now, legend_below=True)
    if not drawn.points:
        ax.text(0.5, 0.5, "No diary entries yet", transform=ax.transAxes, ha="center", fontsize=12)
    return figure, drawn


def render_chart(entries: List[Dict[str, Any]], now: datetime) -> bytes:
    """The chart as PNG bytes."""
    figure, _ = chart_figure(entries, now)
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()
