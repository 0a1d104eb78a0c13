"""The care-team report: one A4 page (PDF) to hand over at the visit.

Top to bottom: the title and the dates the diary covers, the chart (reports/chart.py), the episodes
table (the newest MAX_ROWS entries), the patterns and the questions worth asking (bot.diary.summarize),
the "information, not a diagnosis" line and the sources.

    render_report(entries, summary, now) -> bytes       # the PDF
    render_report_png(entries, summary, now) -> bytes   # the same page as a PNG (README)
    report_figure(entries, summary, now) -> (Figure, Page)  # what is on the page, for tests
"""
from __future__ import annotations

import io
import textwrap
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Dict, List, Tuple

from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from reports.chart import PAIN_WORDS, Drawn, day_words, draw, parse_when, severity_of, words

A4 = (8.27, 11.69)
MAX_ROWS = 12
TITLE = "Back pain diary: summary for the care team"
NOT_A_DIAGNOSIS = ("This is information from a caregiver's diary, not a diagnosis. "
                   "It does not replace the judgement of the person's own clinicians.")
COLUMNS = ("Date", "Pain", "Where", "0-10", "Set off by", "Helped", "Flags")
TRIAGE_WORDS = {"seek_care_now": "urgent care", "contact_care_team_today": "care team today",
                "contact_care_team": "care team soon", "self_care": ""}


@dataclass
class Page:
    """What the page says, for tests: every text drawn, the table's rows and the chart's content."""

    texts: List[str] = field(default_factory=list)
    rows: List[Tuple[str, ...]] = field(default_factory=list)
    chart: Drawn = None  # type: ignore[assignment]


def _cell(text: str, width: int) -> str:
    return textwrap.shorten(text, width=width, placeholder="…") if text else ""


def episode_row(entry: Dict[str, Any]) -> Tuple[str, ...]:
    when = parse_when(entry)
    severity = severity_of(entry)
    flags = [words(entry.get("red_flags")) and "RED FLAG: " + words(entry.get("red_flags")),
             words(entry.get("warning_signs")), TRIAGE_WORDS.get(entry.get("triage"), "")]
    return (f"{day_words(when)} {when:%H:%M}" if when else "?",
            _cell(PAIN_WORDS.get(entry.get("pain_type"), PAIN_WORDS[None]), 22),
            _cell(str(entry.get("location") or ""), 14),
            "" if severity is None else str(severity),
            _cell(words(entry.get("triggers")), 18), _cell(words(entry.get("helped")), 18),
            _cell("; ".join(f for f in flags if f), 36))


LINE = 0.0135     # one line of 8.5-point text, as a fraction of the A4 page's height
TEXT_FLOOR = 0.085  # the disclaimer and the sources sit below this: text never runs into them


def _paragraphs(page: Page, figure: Figure, y: float, heading: str, lines: List[str], width: int = 105) -> float:
    """Bulleted lines under a heading, from `y` down; a line that would not fit above TEXT_FLOOR is left
    out whole (one page is the promise) and the page says so."""
    if not lines:
        return y
    figure.text(0.07, y, heading, fontsize=10.5, fontweight="bold")
    page.texts.append(heading)
    y -= 0.02
    for index, line in enumerate(lines):
        wrapped = textwrap.wrap(line, width=width) or [""]
        if y - LINE * len(wrapped) < TEXT_FLOOR:
            more = f"  (and {len(lines) - index} more in the chat)"
            figure.text(0.08, y, more, fontsize=8.5, fontstyle="italic")
            page.texts.append(more.strip())
            return y - LINE - 0.008
        for n, part in enumerate(wrapped):
            text = ("• " if n == 0 else "  ") + part
            figure.text(0.08, y, text, fontsize=8.5)
            y -= LINE
        page.texts.append(line)
    return y - 0.008


def report_figure(entries: List[Dict[str, Any]], summary, now: datetime) -> Tuple[Figure, Page]:
    page = Page()
    figure = Figure(figsize=A4, dpi=100)
    span = f"{summary.first} to {summary.last}" if summary.first and summary.last else ""
    header = [TITLE, f"{len(entries)} diary entries{' from ' + span if span else ''}; prepared {day_words(now)} "
                     f"{now:%Y}."]
    figure.text(0.07, 0.955, header[0], fontsize=15, fontweight="bold")
    figure.text(0.07, 0.935, header[1], fontsize=9, color="#444444")
    page.texts += header
    chart_ax = figure.add_axes([0.12, 0.71, 0.52, 0.18])
    page.chart = draw(chart_ax, entries, now)
    dated = sorted((e for e in entries if parse_when(e)), key=parse_when)
    shown = dated[-MAX_ROWS:]
    page.rows = [episode_row(e) for e in shown]
    table_ax = figure.add_axes([0.05, 0.37, 0.9, 0.25])
    table_ax.axis("off")
    heading = "Episodes" + (f" (the newest {len(shown)} of {len(dated)})" if len(shown) < len(dated) else "")
    table_ax.set_title(heading, loc="left", fontsize=10.5, fontweight="bold")
    page.texts.append(heading)
    if page.rows:
        table = table_ax.table(cellText=[list(r) for r in page.rows], colLabels=list(COLUMNS), loc="upper center",
                               cellLoc="left", colWidths=[0.14, 0.18, 0.1, 0.05, 0.13, 0.14, 0.26])
        table.auto_set_font_size(False)
        table.set_fontsize(7)
        table.scale(1, 1.25)
        for (row, col), cell in table.get_celld().items():
            cell.set_edgecolor("#CCCCCC")
            if row == 0:
                cell.set_text_props(fontweight="bold")
            elif col == 6 and "RED FLAG" in page.rows[row - 1][6]:
                cell.set_text_props(color="#B03A00", fontweight="bold")
    y = _paragraphs(page, figure, 0.34, "What the diary shows", list(summary.lines))
    y = _paragraphs(page, figure, y, "Questions worth asking at the visit", list(summary.questions))
    figure.text(0.07, min(y, TEXT_FLOOR - 0.012), NOT_A_DIAGNOSIS, fontsize=8.5, fontstyle="italic", wrap=True)
    page.texts.append(NOT_A_DIAGNOSIS)
    sources = "Sources: " + ("; ".join(summary.sources) if summary.sources else "the caregiver's own diary entries.")
    figure.text(0.07, 0.035, "\n".join(textwrap.wrap(sources, 140)[:3]), fontsize=7, color="#444444")
    page.texts.append(sources)
    return figure, page


def render_report(entries: List[Dict[str, Any]], summary, now: datetime) -> bytes:
    """The one-page PDF."""
    figure, _ = report_figure(entries, summary, now)
    out = io.BytesIO()
    with PdfPages(out, metadata={"Title": TITLE, "Creator": "Backline"}) as pdf:
        pdf.savefig(figure)
    return out.getvalue()


def render_report_png(entries: List[Dict[str, Any]], summary, now: datetime, dpi: int = 110) -> bytes:
    figure, _ = report_figure(entries, summary, now)
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=dpi, facecolor="white")
    return out.getvalue()
