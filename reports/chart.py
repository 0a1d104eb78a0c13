"""The diary chart: pain severity (0-10) over the weeks, as a PNG.

One point per entry, at its day (the entries of one day side by side, none hidden); the marker and colour
say the pain type (legend). Points more than MAX_JOIN apart are not joined. An entry with an emergency
sign gets a deep-red ring and an "emergency" label, one with a same-day sign (a warning sign, or triage
"contact the care team today") a dashed purple square and a "same day" label. Entries without a severity
score sit on a "no score" row under the scale, so nothing the caregiver logged disappears. The days run
from the first entry to the last, never past today.

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
import matplotlib.ticker as mticker  # noqa: E402
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
# The rings: a red flag in deep red, a same-day sign in purple and dashed, so neither is taken for the other
# (nor for the orange and vermilion of the pain-type markers) even in grey print.
RED_FLAG_COLOUR = "#C00000"
SAME_DAY_COLOUR = "#5E3C99"
NO_SCORE_Y = -1.5
SAME_DAY_TRIAGE = "contact_care_team_today"
# Points further apart than this are not joined: a line across a gap would draw days nobody logged.
MAX_JOIN = timedelta(days=3)
SEVERITY_LINE = "severity"  # the gid of the lines joining the points (tests find them by it)
# The points of one day stand side by side, this share of the days shown apart (at least SPREAD_MIN days):
# about twice a marker's width on the phone picture and on the report, so that none hides another.
SPREAD, SPREAD_MIN = 1 / 30, 0.28
# Short words for a chart label (the knowledge base's plain words are sentences); never an id.
SIGN_WORDS = {
    "bladder_bowel": "bladder or bowel", "leg_weakness": "leg weakness", "leg_numbness": "leg numbness",
    "saddle_numbness": "saddle numbness", "injury": "fall or injury", "fever": "high temperature",
    "breathing": "breathing", "chest_pain": "chest pain", "both_legs": "both legs",
    "sexual_function": "sexual function", "confusion": "confusion", "infection": "infection",
    "pressure_ulcer": "pressure sore", "cancer_history": "cancer history", "weight_loss": "weight loss",
    "night_pain": "night pain", "back_lump": "lump in the back", "immunosuppression": "low immunity",
    "minor_fall": "minor fall", "thoracic_pain": "upper back pain", "straining_pain": "pain on straining",
    "fracture_risk": "fracture risk", "spinal_device": "spinal device", "breathing_change": "breathing weaker",
    "possible_red_flag": "possible emergency sign",
}


@dataclass
class Point:
    when: datetime
    severity: Optional[int]
    pain_type: Optional[str]
    y: float
    x: Optional[datetime] = None  # where it is drawn: its day, spread beside the others of that day


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
    segments: List[List[Tuple[datetime, int]]] = field(default_factory=list)  # the joined runs of points


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
    """Signs in a chart's or table's short words ("bladder or bowel, fall or injury"), never their ids."""
    return ", ".join(SIGN_WORDS.get(str(i), str(i).replace("_", " ")) for i in (ids or []))


def day_words(when: datetime) -> str:
    """A date as a caregiver says it: "Tue 24 Nov"."""
    return f"{when:%a} {when.day} {when:%b}"


def is_same_day(entry: Dict[str, Any]) -> bool:
    return bool(entry.get("warning_signs")) or entry.get("triage") == SAME_DAY_TRIAGE


def _noon(when: datetime) -> datetime:
    return when.replace(hour=12, minute=0, second=0, microsecond=0)


def placed(dated: List[Tuple[datetime, Dict[str, Any]]], now: datetime) -> List[datetime]:
    """Where each entry is drawn: at its day (the diary keeps days, not clock times), the entries of one
    day spread side by side, so that no marker hides another."""
    per_day: Dict[Any, int] = {}
    for when, _ in dated:
        per_day[when.date()] = per_day.get(when.date(), 0) + 1
    start, end = _limits(dated, now)
    spread = max(SPREAD_MIN, (end - start) / timedelta(days=1) * SPREAD)
    seen: Dict[Any, int] = {}
    xs = []
    for when, _ in dated:
        index = seen[when.date()] = seen.get(when.date(), -1) + 1
        xs.append(_noon(when) + timedelta(days=(index - (per_day[when.date()] - 1) / 2) * spread))
    return xs


def segments(points: List[Tuple[datetime, int]]) -> List[List[Tuple[datetime, int]]]:
    """The runs of scored points to join: a new run wherever two points are more than MAX_JOIN apart."""
    runs: List[List[Tuple[datetime, int]]] = []
    for point in points:
        if runs and point[0] - runs[-1][-1][0] <= MAX_JOIN:
            runs[-1].append(point)
        else:
            runs.append([point])
    return runs


def draw(ax, entries: List[Dict[str, Any]], now: datetime, legend_below: bool = False, title: bool = True) -> Drawn:
    """Draws the chart on `ax` (the legend beside it, or below it for a phone-width picture); what it drew."""
    drawn = Drawn(title="Back pain over the weeks (0 = no pain, 10 = worst imaginable)")
    dated = sorted(((parse_when(e), e) for e in entries if parse_when(e) is not None), key=lambda pair: pair[0])
    xs = placed(dated, now)
    scored = [(x, severity_of(e)) for x, (_, e) in zip(xs, dated, strict=False) if severity_of(e) is not None]
    drawn.segments = segments(scored)
    for run in drawn.segments:
        if len(run) > 1:
            ax.plot([w for w, _ in run], [s for _, s in run], color="#AAAAAA", linewidth=1, zorder=1,
                    gid=SEVERITY_LINE)
    seen_types: List[Any] = []
    for x, (when, entry) in zip(xs, dated, strict=False):
        severity = severity_of(entry)
        pain_type = entry.get("pain_type") if entry.get("pain_type") in PAIN_WORDS else None
        y = float(severity) if severity is not None else NO_SCORE_Y
        marker, colour = STYLE[pain_type]
        label = PAIN_WORDS[pain_type] if pain_type not in seen_types else None
        if label:
            seen_types.append(pain_type)
        ax.scatter([x], [y], marker=marker, color=colour, s=60, zorder=3, label=label,
                   edgecolors="white" if severity is not None else colour, linewidths=0.8)
        drawn.points.append(Point(when, severity, pain_type, y, x))
        drawn.unscored += severity is None
        if entry.get("red_flags"):
            text = "emergency: " + words(entry["red_flags"])
            ax.scatter([x], [y], s=330, facecolors="none", edgecolors=RED_FLAG_COLOUR, linewidths=2.2, zorder=4)
            ax.annotate(text, (x, y), xytext=(0, 13), textcoords="offset points", color=RED_FLAG_COLOUR,
                        fontsize=7.5, fontweight="bold", ha=_align(x, dated, now), zorder=5)
            drawn.red_flags.append((when, text))
        elif is_same_day(entry):
            text = "same day: " + (words(entry.get("warning_signs")) or "care team today")
            ax.scatter([x], [y], s=300, marker="s", facecolors="none", edgecolors=SAME_DAY_COLOUR, linewidths=1.8,
                       linestyle="--", zorder=4)
            below = y >= 2  # on the "no score" row the label goes above, clear of the day labels
            ax.annotate(text, (x, y), xytext=(0, -20 if below else 12), textcoords="offset points",
                        color=SAME_DAY_COLOUR, fontsize=7.5, ha=_align(x, dated, now), zorder=5)
            drawn.same_day.append((when, text))
    # The legend says what the rings mean too, so a printed black-and-white page still reads.
    if drawn.red_flags:
        ax.scatter([], [], s=110, facecolors="none", edgecolors=RED_FLAG_COLOUR, linewidths=2,
                   label="emergency sign (ringed)")
    if drawn.same_day:
        ax.scatter([], [], s=100, marker="s", facecolors="none", edgecolors=SAME_DAY_COLOUR, linewidths=1.8,
                   linestyle="--", label="same-day sign (dashed box)")
    _axes(ax, dated, now, drawn, legend_below, title)
    return drawn


def _align(x: datetime, dated, now: datetime) -> str:
    """A label near either end of the days is aligned inwards, so that it stays inside the chart."""
    start, end = _limits(dated, now)
    share = (x - start) / (end - start)
    return "right" if share > 0.75 else "left" if share < 0.2 else "center"


def _limits(dated, now: datetime) -> Tuple[datetime, datetime]:
    """Days from the first entry to the last, never past today; a week at least (going back, not forward)."""
    today_end = _noon(now) + timedelta(days=0.5)
    if dated:
        start = _noon(dated[0][0]) - timedelta(days=0.75)
        end = min(_noon(dated[-1][0]) + timedelta(days=0.75), today_end)
    else:
        start, end = today_end - timedelta(days=28), today_end
    return min(start, end - timedelta(days=7)), end


def _axes(ax, dated, now: datetime, drawn: Drawn, legend_below: bool, title: bool) -> None:
    start, end = _limits(dated, now)
    ax.set_xlim(start, end)
    ax.set_ylim(NO_SCORE_Y - 1, 11.8)
    ax.set_yticks([NO_SCORE_Y, 0, 2, 4, 6, 8, 10])
    ax.set_yticklabels(["no score", "0", "2", "4", "6", "8", "10"])
    ax.axhline(-0.6, color="#DDDDDD", linewidth=0.8)
    ax.set_ylabel("how bad (0-10)")
    span = (end - start).days
    # Ticks at noon, where the points of their day stand (a midnight tick reads as the next day's).
    ax.xaxis.set_major_locator(mdates.RRuleLocator(
        mdates.rrulewrapper(mdates.DAILY, byhour=12, byminute=0) if span <= 10
        else mdates.rrulewrapper(mdates.WEEKLY, byweekday=mdates.MO, byhour=12, byminute=0)))
    ax.xaxis.set_major_formatter(mticker.FuncFormatter(lambda value, _: day_words(mdates.num2date(value))))
    ax.tick_params(axis="x", labelsize=8, rotation=30)
    for label in ax.get_xticklabels():
        label.set_horizontalalignment("right")
    ax.grid(axis="y", color="#EEEEEE")
    if title:
        ax.set_title(drawn.title, fontsize=11, loc="left")
    ax.spines[["top", "right"]].set_visible(False)
    handles, labels = ax.get_legend_handles_labels()
    if labels and legend_below:
        ax.legend(handles, labels, fontsize=9, loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=3,
                  frameon=False)
    elif labels:
        ax.legend(handles, labels, fontsize=7.5, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    drawn.legend = labels
    drawn.x_labels = [day_words(mdates.num2date(tick)) for tick in ax.get_xticks()]


def chart_figure(entries: List[Dict[str, Any]], now: datetime) -> Tuple[Figure, Drawn]:
    # Phone-friendly: the widget and Telegram show it a few hundred pixels wide, so the legend goes below.
    figure = Figure(figsize=(8, 5.6), dpi=110)
    ax = figure.add_axes([0.14, 0.33, 0.83, 0.6])
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
