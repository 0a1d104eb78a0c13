"""The care-team report (PDF): a first page a neurologist can read in a minute, then the days that did not fit.

Page 1, top to bottom: the title; blank lines for the person's name, date of birth and NHS / record number
(Backline never asks for them); the key facts (condition, period, severity and its trend, emergency and
same-day signs with their days, the advice given by day, bladder and bowel, what was tried and what helped,
sleep and daily life, pain type and triggers: bot.diary.summarize); the chart (reports/chart.py); the
questions for the visit; the diary day by day (one row per day: two entries of one day are one day, not
two episodes). Rows that do not fit go on to a second page, never cut off and never "see the chat". Each
cell wraps to its column, measured with the font it is drawn in. Dates are days (and the part of the day
when the caregiver said one), never an invented clock time. Sources are the titles of the articles of the
diary's condition and the general guidance. Nothing on the page is an internal id or code.

    render_report(entries, summary, now) -> bytes           # the PDF
    render_report_png(entries, summary, now) -> bytes       # its first page as a PNG (README)
    report_figure(entries, summary, now) -> (Figure, Page)  # the first page, and what all pages say (tests)
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Dict, List, Optional, Tuple

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

from reports.chart import RED_FLAG_COLOUR, SAME_DAY_COLOUR, Drawn, day_words, draw, parse_when, severity_of

A4 = (8.27, 11.69)  # inches
MARGIN = 0.6        # inches, all round
BODY = 8.5          # points: the body text
SMALL = 7.5         # points: the table and the sources
LEADING = 1.32      # line height, as a multiple of the font size
TITLE = "Back pain diary: summary for the care team"
NOT_A_DIAGNOSIS = ("This is information from a caregiver's diary, not a diagnosis. "
                   "It does not replace the judgement of the person's own clinicians.")
PERSON = ("Name", "Date of birth", "NHS / record number")
COLUMNS = ("Day", "0-10", "Pain", "Where", "Set off by", "Helped / tried", "Signs and advice")
WIDTHS = (0.85, 0.42, 1.05, 0.85, 0.95, 1.2, 1.75)  # inches: the table's columns (7.07 in all)
EMERGENCY_TINT, SAME_DAY_TINT = "#FBE3E3", "#ECE6F5"


@dataclass
class Page:
    """What the report says, for tests: every text drawn (all pages), the table's rows, the chart, the pages."""

    texts: List[str] = field(default_factory=list)
    rows: List[Tuple[str, ...]] = field(default_factory=list)
    chart: Drawn = None  # type: ignore[assignment]
    pages: int = 1


class Flow:
    """Text flowing down A4 pages, measured in inches from the top; a new page when the next block won't fit."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.figures: List[Figure] = []
        self.new_page()

    def new_page(self) -> None:
        self.figure = Figure(figsize=A4, dpi=100)
        self.renderer = FigureCanvasAgg(self.figure).get_renderer()
        self.figures.append(self.figure)
        self.y = MARGIN
        self.page.pages = len(self.figures)

    @property
    def bottom(self) -> float:
        return A4[1] - MARGIN - 0.3  # the footer (the not-a-diagnosis line) sits below

    def fits(self, height: float) -> bool:
        return self.y + height <= self.bottom

    def width(self, text: str, size: float, bold: bool = False) -> float:
        prop = FontProperties(size=size, weight="bold" if bold else "normal")
        return self.renderer.get_text_width_height_descent(text, prop, ismath=False)[0] / self.figure.dpi

    def wrap(self, text: str, width: float, size: float, bold: bool = False) -> List[str]:
        """Greedy wrapping by the drawn width: a cell or line never runs past `width` inches."""
        lines: List[str] = []
        for paragraph in str(text).split("\n"):
            line = ""
            for word in paragraph.split():
                trial = f"{line} {word}".strip()
                if line and self.width(trial, size, bold) > width:
                    lines.append(line)
                    line = word
                else:
                    line = trial
                while self.width(line, size, bold) > width and len(line) > 1:  # a word longer than the column
                    cut = next(n for n in range(len(line), 0, -1) if self.width(line[:n] + "-", size, bold) <= width)
                    lines.append(line[:cut] + "-")
                    line = line[cut:]
            lines.append(line)
        return lines

    def text(self, x: float, y: float, text: str, size: float = BODY, **style: Any) -> None:
        """Draws `text` with its top at (x, y) inches from the top left."""
        self.figure.text(x / A4[0], 1 - y / A4[1], text, fontsize=size, va="top", **style)
        self.page.texts.append(text)

    def line(self, size: float) -> float:
        return size * LEADING / 72

    def paragraph(self, text: str, size: float = BODY, x: float = MARGIN, width: Optional[float] = None,
                  **style: Any) -> None:
        width = width or A4[0] - MARGIN - x
        lines = self.wrap(text, width, size, style.get("fontweight") == "bold")
        if not self.fits(self.line(size) * len(lines)):
            self.new_page()
        for part in lines:
            self.figure.text(x / A4[0], 1 - self.y / A4[1], part, fontsize=size, va="top", **style)
            self.y += self.line(size)
        self.page.texts.append(text)

    def heading(self, text: str, space_after: float = 0.04) -> None:
        if not self.fits(0.6):  # a heading never ends a page alone
            self.new_page()
        self.y += 0.08
        self.text(MARGIN, self.y, text, size=10.5, fontweight="bold")
        self.y += self.line(10.5) + space_after

    def rule(self, y: float, x0: float = MARGIN, x1: float = A4[0] - MARGIN, colour: str = "#BBBBBB") -> None:
        self.figure.add_artist(Line2D([x0 / A4[0], x1 / A4[0]], [1 - y / A4[1]] * 2, color=colour, linewidth=0.6,
                                      transform=self.figure.transFigure))


# ---------------------------------------------------------------- the parts of the page

def _person(flow: Flow) -> None:
    """Blank lines to fill in by hand: Backline never asks for a name, a date of birth or a record number."""
    flow.text(MARGIN, flow.y, "Person (fill in):", size=BODY, fontweight="bold")
    flow.y += flow.line(BODY) + 0.12
    x = MARGIN
    for label, width in zip(PERSON, (2.9, 1.8, 2.37), strict=False):
        flow.text(x, flow.y, label + ":", size=BODY, color="#333333")
        start = x + flow.width(label + ": ", BODY) + 0.02
        flow.rule(flow.y + flow.line(BODY) - 0.02, start, x + width - 0.15, colour="#666666")
        x += width
    flow.y += flow.line(BODY) + 0.1


def _facts(summary: Any) -> List[Tuple[str, List[str], Optional[str]]]:
    """The key facts: (label, lines, colour)."""
    none = ["None recorded."]
    return [
        ("Condition", [summary.condition or "Not told in the diary: ____________________"], None),
        ("Period", [summary.period], None),
        ("Severity (0-10)", [summary.trend], None),
        ("Emergency signs", summary.emergencies or none, RED_FLAG_COLOUR if summary.emergencies else None),
        ("Same-day signs", summary.same_day or none, SAME_DAY_COLOUR if summary.same_day else None),
        ("Advice given", summary.triage, None),
        ("Bladder and bowel", [summary.bladder], None),
        ("Tried and helped", summary.helped or ["Nothing recorded as tried or helping."], None),
        ("Sleep and daily life", summary.impact or ["Not described in the diary."], None),
        ("Pain type (entries)", [summary.types or "Not recorded."], None),
        ("Usual triggers", [summary.triggers or "None recorded."], None),
    ]


def _key_facts(flow: Flow, summary: Any) -> None:
    label_width = 1.45
    x = MARGIN + label_width
    width = A4[0] - MARGIN - x
    for label, lines, colour in _facts(summary):
        wrapped = [flow.wrap(line, width, BODY, bool(colour)) for line in lines]
        height = flow.line(BODY) * sum(len(w) for w in wrapped) + 0.05
        if not flow.fits(height):
            flow.new_page()
        flow.text(MARGIN, flow.y, label, size=BODY, fontweight="bold", color="#333333")
        y = flow.y
        for line, parts in zip(lines, wrapped, strict=False):
            style = {"color": colour, "fontweight": "bold"} if colour else {}
            for part in parts:
                flow.figure.text(x / A4[0], 1 - y / A4[1], part, fontsize=BODY, va="top", **style)
                y += flow.line(BODY)
            flow.page.texts.append(line)
        flow.y = y + 0.05
        flow.rule(flow.y - 0.025, colour="#E4E4E4")


def _chart(flow: Flow, entries: List[Dict[str, Any]], now: datetime) -> Drawn:
    height = 2.1
    if not flow.fits(height + 0.75):
        flow.new_page()
    left, legend = MARGIN + 0.75, 1.75  # room for the y label and "no score"; the legend beside
    width = A4[0] - MARGIN - left - legend
    bottom = flow.y + height
    ax = flow.figure.add_axes([left / A4[0], 1 - bottom / A4[1], width / A4[0], height / A4[1]])
    drawn = draw(ax, entries, now, title=False)
    ax.yaxis.label.set_fontsize(8)
    ax.tick_params(axis="y", labelsize=7.5)
    ax.tick_params(axis="x", labelsize=7)
    flow.y = bottom + 0.62  # the day labels under the axis
    return drawn


def day_rows(entries: List[Dict[str, Any]]) -> List[Tuple[Tuple[str, ...], str]]:
    """One row per day (its cells, and "emergency" / "same_day" / ""): two entries of one day are one day."""
    from bot.diary import URGENT, advice_level, pain_type_words, sign_words, triage_words, tried_words

    days: Dict[Any, List[Dict[str, Any]]] = {}
    for entry in sorted((e for e in entries if parse_when(e)), key=parse_when):
        days.setdefault(parse_when(entry).date(), []).append(entry)
    rows = []
    for group in days.values():
        parts = unique(e.get("time") for e in group)
        scores = sorted({severity_of(e) for e in group if severity_of(e) is not None})
        tried = unique(t for e in group for t in _tried_only(e, tried_words))
        helped = unique(h for e in group for h in e.get("helped") or [])
        flags = unique(f for e in group for f in e.get("red_flags") or [])
        warnings = unique(w for e in group for w in e.get("warning_signs") or [])
        signs = [sign_words(f) for f in flags] + [sign_words(w) for w in warnings]
        level = "emergency" if flags else "same_day" if warnings or any(
            e.get("triage") == "contact_care_team_today" for e in group) else ""
        advice = unique("advised: " + triage_words(advice_level(e)) for e in group if advice_level(e) in URGENT)
        if any(e.get("source") == "conversation" for e in group):
            advice.append("told in the conversation")
        cells = (day_words(parse_when(group[0])) + (", " + ", ".join(parts) if parts else ""),
                 "" if not scores else str(scores[0]) if len(scores) == 1 else f"{scores[0]} to {scores[-1]}",
                 ", ".join(unique(pain_type_words(e["pain_type"]) for e in group if e.get("pain_type"))),
                 ", ".join(unique(e.get("location") for e in group)),
                 ", ".join(unique(t for e in group for t in e.get("triggers") or [])),
                 "; ".join(helped + [f"{t} (no help)" for t in tried if t not in helped]),
                 "; ".join(signs + advice))
        rows.append((cells, level))
    return rows


def unique(values) -> List[Any]:
    """The values in order, each once, without the empty ones."""
    return list(dict.fromkeys(v for v in values if v))


def _tried_only(entry: Dict[str, Any], tried_words) -> List[str]:
    tried, no_help = tried_words(entry.get("words"))
    return [t for t in tried if t in no_help or t not in (entry.get("helped") or [])]


def _table(flow: Flow, rows: List[Tuple[Tuple[str, ...], str]]) -> None:
    pad = 0.05
    xs = [MARGIN]
    for width in WIDTHS:
        xs.append(xs[-1] + width)

    def header() -> None:
        flow.figure.add_artist(Rectangle((MARGIN / A4[0], 1 - (flow.y + flow.line(SMALL) + 2 * pad) / A4[1]),
                                         (xs[-1] - MARGIN) / A4[0], (flow.line(SMALL) + 2 * pad) / A4[1],
                                         color="#EEEEEE", transform=flow.figure.transFigure, zorder=0))
        for x, name in zip(xs, COLUMNS, strict=False):
            flow.text(x + pad, flow.y + pad, name, size=SMALL, fontweight="bold")
        flow.y += flow.line(SMALL) + 2 * pad

    header()
    for cells, level in rows:
        wrapped = [flow.wrap(cell, width - 2 * pad, SMALL, level == "emergency" and n == 6)
                   for n, (cell, width) in enumerate(zip(cells, WIDTHS, strict=False))]
        height = flow.line(SMALL) * max(len(w) for w in wrapped) + 2 * pad
        if not flow.fits(height):
            flow.new_page()
            flow.heading("Day by day (continued)")
            header()
        if level:
            tint = EMERGENCY_TINT if level == "emergency" else SAME_DAY_TINT
            flow.figure.add_artist(Rectangle((MARGIN / A4[0], 1 - (flow.y + height) / A4[1]),
                                             (xs[-1] - MARGIN) / A4[0], height / A4[1], color=tint,
                                             transform=flow.figure.transFigure, zorder=0))
        for n, (x, parts) in enumerate(zip(xs, wrapped, strict=False)):
            style = {}
            if n == 6 and level:
                style = {"color": RED_FLAG_COLOUR if level == "emergency" else SAME_DAY_COLOUR,
                         "fontweight": "bold" if level == "emergency" else "normal"}
            for k, part in enumerate(parts):
                flow.figure.text((x + pad) / A4[0], 1 - (flow.y + pad + k * flow.line(SMALL)) / A4[1], part,
                                 fontsize=SMALL, va="top", **style)
        flow.y += height
        flow.rule(flow.y, colour="#D0D0D0")
    flow.page.rows = [cells for cells, _ in rows]


def _footer(flow: Flow, now: datetime) -> None:
    for number, figure in enumerate(flow.figures, 1):
        y = 1 - (A4[1] - MARGIN + 0.05) / A4[1]
        figure.text(MARGIN / A4[0], y, NOT_A_DIAGNOSIS, fontsize=7, fontstyle="italic", color="#444444", va="top")
        figure.text(1 - MARGIN / A4[0], y, f"Page {number} of {len(flow.figures)}", fontsize=7, color="#444444",
                    va="top", ha="right")
    flow.page.texts.append(NOT_A_DIAGNOSIS)


def _build(entries: List[Dict[str, Any]], summary: Any, now: datetime) -> Tuple[List[Figure], Page]:
    page = Page()
    flow = Flow(page)
    flow.text(MARGIN, flow.y, TITLE, size=15, fontweight="bold")
    flow.y += flow.line(15) + 0.02
    flow.paragraph(f"From a caregiver's diary kept with Backline. Prepared {day_words(now)} {now.year}.",
                   size=BODY, color="#444444")
    flow.y += 0.12
    _person(flow)
    flow.y += 0.05
    flow.rule(flow.y, colour="#888888")
    flow.y += 0.08
    if not entries:
        flow.paragraph("The diary has no entries yet.")
        page.chart = Drawn()
        _footer(flow, now)
        return flow.figures, page
    _key_facts(flow, summary)
    flow.heading("Severity day by day", space_after=0.0)
    page.chart = _chart(flow, entries, now)
    if summary.questions:
        flow.heading("Questions for the visit")
        for question in summary.questions:
            flow.paragraph("\u2022 " + question, x=MARGIN + 0.1)
    rows = day_rows(entries)
    if not flow.fits(0.6 + 0.45 * min(3, len(rows))):
        flow.new_page()  # a table of one row at the foot of the page reads as the whole diary
    flow.heading("Day by day")
    _table(flow, rows)
    if summary.sources:
        flow.y += 0.1
        flow.paragraph("Sources of the questions: " + "; ".join(summary.sources) + ".", size=SMALL, color="#444444")
    _footer(flow, now)
    return flow.figures, page


def report_figure(entries: List[Dict[str, Any]], summary: Any, now: datetime) -> Tuple[Figure, Page]:
    figures, page = _build(entries, summary, now)
    return figures[0], page


def render_report(entries: List[Dict[str, Any]], summary: Any, now: datetime) -> bytes:
    """The PDF: the first page, and a second only for the days that did not fit."""
    figures, _ = _build(entries, summary, now)
    out = io.BytesIO()
    with PdfPages(out, metadata={"Title": TITLE, "Creator": "Backline"}) as pdf:
        for figure in figures:
            pdf.savefig(figure)
    return out.getvalue()


def render_report_png(entries: List[Dict[str, Any]], summary: Any, now: datetime, dpi: int = 110) -> bytes:
    figure, _ = report_figure(entries, summary, now)
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=dpi, facecolor="white")
    return out.getvalue()

