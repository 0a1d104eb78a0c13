"""The chart, the care-team report and the CSV export, checked for what they show."""
from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timedelta, timezone

import pytest
from matplotlib import colors
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import date2num, num2date

from bot.diary import DiarySummary, summarize
from reports import CONTENT_TYPES, render
from reports.chart import (
    MAX_JOIN,
    RED_FLAG_COLOUR,
    SAME_DAY_COLOUR,
    SEVERITY_LINE,
    STYLE,
    chart_figure,
    parse_when,
    render_chart,
)
from reports.export import to_csv
from reports.report import NOT_A_DIAGNOSIS, _build, day_rows, render_report, report_figure
from reports.sample import NOW, sample_entries

PNG = b"\x89PNG\r\n\x1a\n"
SUMMARY = DiarySummary(lines=["13 entries."], questions=["Could the spasm treatment be reviewed?"],
                       sources=["MS-Related Back Pain"], first="Tue 3 Nov", last="Sun 29 Nov")


def at(day: int, hour: int = 21) -> str:
    return datetime(2026, 11, day, hour, tzinfo=timezone.utc).isoformat()


def test_each_entry_is_a_point_at_its_date_and_severity_marked_by_pain_type():
    entries = [{"when": at(2), "pain_type": "spasticity", "severity": 6},
               {"when": at(4), "pain_type": "neuropathic", "severity": 3},
               {"when": at(9), "pain_type": "spasticity", "severity": 8},
               {"when": at(10), "pain_type": None, "severity": None}]
    _, drawn = chart_figure(entries, NOW)
    assert [(p.when.day, p.severity, p.pain_type) for p in drawn.points] == [
        (2, 6, "spasticity"), (4, 3, "neuropathic"), (9, 8, "spasticity"), (10, None, None)]
    assert drawn.points[3].y < 0 and drawn.unscored == 1  # the "no score" row, under the scale
    assert drawn.legend == ["spasms and stiffness", "nerve pain", "type not recorded"]
    assert drawn.red_flags == [] and drawn.same_day == []
    assert all(label[:3] in {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"} for label in drawn.x_labels)


def test_red_flags_and_same_day_warnings_are_ringed_and_labelled():
    entries = [{"when": at(3), "pain_type": "spasticity", "severity": 5},
               {"when": at(5, 7), "pain_type": "unclear", "severity": 9, "red_flags": ["bladder_bowel"],
                "triage": "seek_care_now"},
               {"when": at(6, 10), "pain_type": "musculoskeletal", "severity": 7, "warning_signs": ["minor_fall"],
                "triage": "contact_care_team_today"}]
    _, drawn = chart_figure(entries, NOW)
    assert [(when.day, label) for when, label in drawn.red_flags] == [(5, "emergency: bladder or bowel")]
    assert [(when.day, label) for when, label in drawn.same_day] == [(6, "same day: minor fall")]
    assert "emergency sign (ringed)" in drawn.legend and "same-day sign (dashed box)" in drawn.legend


def test_bad_values_are_not_drawn_as_scores_and_undated_entries_are_left_out():
    entries = [{"when": at(2), "severity": 14}, {"when": at(3), "severity": True}, {"when": "last Tuesday"},
               {"logged": at(4), "severity": 2}]
    _, drawn = chart_figure(entries, NOW)
    assert [(p.when.day, p.severity) for p in drawn.points] == [(2, None), (3, None), (4, 2)]


def test_the_chart_is_a_png_even_for_an_empty_diary():
    assert render_chart(sample_entries(), NOW).startswith(PNG)
    assert render_chart([], NOW).startswith(PNG)


def test_the_report_page_shows_person_facts_chart_questions_days_and_sources():
    entries = sample_entries()
    _, page = report_figure(entries, summarize(entries, NOW, "ms"), NOW)
    text = "\n".join(page.texts)
    for label in ("Name:", "Date of birth:", "NHS / record number:"):
        assert label in page.texts  # blank lines to fill in by hand
    assert "MS (multiple sclerosis)" in text and "Tue 3 Nov to Sun 29 Nov 2026 (27 days)" in text
    assert "Thu 26 Nov: new loss of bladder or bowel control" in text and "Mon 23 Nov: a minor fall" in text
    assert "(told in the conversation)" in text and "Trend:" in text and "Tried, did not help: paracetamol" in text
    assert "Sleep disturbed on" in text and "New problem reported on Thu 26 Nov" in text
    assert NOT_A_DIAGNOSIS in page.texts and "Where is MS back pain located?" in text
    assert "Back pain due to ALS" not in text and "Does ALS Cause Back Pain?" not in text  # that condition's only
    assert "more in the chat" not in text and "care team soon" not in text and "…" not in text
    assert not re.search(r"\b\d{1,2}:\d{2}\b", text)  # no clock time, invented or not
    assert not re.search(r"\b\d{3}:|[a-z]_[a-z]", text)  # no internal ids ("004:", "bladder_bowel")


def test_two_entries_of_one_day_are_one_row_and_no_row_is_cut_off():
    entries = sample_entries()
    rows = day_rows(entries)
    days = {parse_when(e).date() for e in entries}
    assert len(rows) == len(days) < len(entries)
    (row, _), = [r for r in rows if r[0][0].startswith("Sat 7 Nov")]
    assert row[2] == "nerve pain, spasticity" and row[0] == "Sat 7 Nov, evening, night"
    figures, _ = _build(entries, summarize(entries, NOW, "ms"), NOW)
    for figure in figures:
        renderer = FigureCanvasAgg(figure).get_renderer()
        page = figure.bbox
        for text in figure.texts:
            box = text.get_window_extent(renderer)
            assert page.x0 <= box.x0 and box.x1 <= page.x1 and page.y0 <= box.y0 and box.y1 <= page.y1, text
    drawn = " ".join(t.get_text() for f in figures for t in f.texts)
    for cells, _ in rows:
        for cell in cells:  # every word of every cell is on the page (wrapped, never shortened)
            assert all(word.rstrip("-") in drawn for word in cell.split()), cell


def test_the_first_page_is_full_and_days_that_do_not_fit_go_on_a_second():
    entries = sample_entries()
    figure, page = report_figure(entries, summarize(entries, NOW, "ms"), NOW)
    lowest = min(t.get_position()[1] for t in figure.texts if t.get_text() != NOT_A_DIAGNOSIS
                 and not t.get_text().startswith("Page "))
    assert lowest < 0.25  # no quarter page left blank above the footer
    assert page.pages == 2 and b"/Count 2" in render_report(entries, summarize(entries, NOW, "ms"), NOW)


def test_the_report_is_an_a4_pdf():
    data = render_report(sample_entries(), SUMMARY, NOW)
    assert data.startswith(b"%PDF") and b"595" in data and b"841" in data  # A4 in points


def test_the_csv_has_one_row_per_entry_oldest_first_in_plain_words_and_no_formulas():
    entries = [{"when": at(9), "severity": 8, "triggers": ["heat", "bath"], "words": "=HYPERLINK(\"x\")",
                "red_flags": ["bladder_bowel"], "triage": "seek_care_now", "pain_type": "musculoskeletal"},
               {"when": at(2), "severity": 3, "words": "bad night, spasms", "warning_signs": ["minor_fall"],
                "source": "conversation", "time": "night"}]
    text = to_csv(entries)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["Severity (0-10)"] for r in rows] == ["3", "8"]
    assert rows[0]["Date"] == "2026-11-02" and rows[0]["Part of day"] == "night"
    assert rows[1]["Set off by"] == "heat; bath" and rows[1]["Pain type"] == "muscle and joint strain"
    assert rows[1]["Emergency signs"].startswith("new loss of bladder") and rows[0]["Told in"] == "the conversation"
    assert rows[1]["Advice"].startswith("emergency: call") and rows[0]["Same-day signs"].startswith("a minor fall")
    assert rows[1]["Caregiver's words"].startswith("'=") and rows[0]["Caregiver's words"] == "bad night, spasms"
    assert "_" not in text and "21:00" not in text  # no ids, no clock time


@pytest.mark.parametrize("kind, start", [("chart.png", PNG), ("report.pdf", b"%PDF"), ("diary.csv", b"Date,")])
def test_render_picks_the_file_by_kind(kind, start):
    assert render(kind, sample_entries(), NOW).startswith(start) and kind in CONTENT_TYPES


# ---------------------------------------------------------------- the chart, by its artists

def chart_axes(entries, now=NOW):
    figure, drawn = chart_figure(entries, now)
    return figure, figure.axes[0], drawn


def test_points_far_apart_are_not_joined():
    """Issue 24: the chart joined points 13 days apart with a line."""
    entries = [{"when": at(1), "severity": 5}, {"when": at(3), "severity": 6}, {"when": at(16), "severity": 4},
               {"when": at(18), "severity": 7}]
    _, ax, _ = chart_axes(entries)
    runs = [num2date(line.get_xdata(orig=False)) for line in ax.get_lines() if line.get_gid() == SEVERITY_LINE]
    assert len(runs) == 2
    for xs in runs:
        assert all(b - a <= MAX_JOIN for a, b in zip(xs, xs[1:], strict=False))


def offsets(ax):
    return [tuple(point) for c in ax.collections for point in c.get_offsets() if len(c.get_offsets())]


def test_markers_of_one_day_are_never_drawn_on_top_of_each_other():
    entries = [{"when": at(5, 8), "severity": 6, "pain_type": "spasticity"},
               {"when": at(5, 8), "severity": 6, "pain_type": "neuropathic", "warning_signs": ["minor_fall"]},
               {"when": at(5, 20), "severity": None}, {"when": at(5, 21), "severity": None, "red_flags": ["fever"]}]
    _, ax, drawn = chart_axes(entries)
    centres = {(p.x, p.y) for p in drawn.points}
    assert len(centres) == 4
    assert len({x for x, _ in centres}) == 4  # side by side, at the same day
    assert all(p.x.date() == p.when.date() for p in drawn.points)
    for entries in ([{"when": at(5), "severity": 6}, {"when": at(5), "severity": 6}],
                    sample_entries() + [{"when": at(20), "severity": 5}]):
        figure, ax, drawn = chart_axes(entries)
        FigureCanvasAgg(figure).draw()
        centres = [ax.transData.transform((date2num(p.x), p.y)) for p in drawn.points]
        width = (60 ** 0.5) * figure.dpi / 72  # a marker of size 60 points squared, in pixels
        for i, a in enumerate(centres):
            for b in centres[i + 1:]:
                assert ((a - b) ** 2).sum() ** 0.5 > width  # no marker covers another


def test_the_emergency_ring_and_the_same_day_box_differ_clearly_in_colour():
    entries = [{"when": at(3), "severity": 9, "red_flags": ["bladder_bowel"]},
               {"when": at(6), "severity": 7, "warning_signs": ["minor_fall"]}]
    _, ax, _ = chart_axes(entries)
    drawn = {colors.to_hex(c.get_edgecolor()[0]) for c in ax.collections
             if len(c.get_offsets()) and not c.get_facecolor()[:, 3].any()}
    assert drawn == {RED_FLAG_COLOUR.lower(), SAME_DAY_COLOUR.lower()}
    red, purple = colors.to_rgb(RED_FLAG_COLOUR), colors.to_rgb(SAME_DAY_COLOUR)
    assert sum((a - b) ** 2 for a, b in zip(red, purple, strict=False)) ** 0.5 > 0.5
    for _, colour in STYLE.values():  # and neither looks like a pain type's marker
        assert sum((a - b) ** 2 for a, b in zip(colors.to_rgb(colour), red, strict=False)) ** 0.5 > 0.25


def inside(figure, artist):
    canvas = FigureCanvasAgg(figure)
    canvas.draw()  # the labels take their places when drawn
    renderer = canvas.get_renderer()
    box, page = artist.get_window_extent(renderer), figure.bbox
    return page.x0 <= box.x0 and box.x1 <= page.x1 and page.y0 <= box.y0 and box.y1 <= page.y1


def test_the_y_label_and_every_label_are_inside_the_picture():
    figure, ax, _ = chart_axes(sample_entries())
    assert inside(figure, ax.yaxis.label)
    FigureCanvasAgg(figure).draw()
    for label in ax.get_yticklabels() + ax.get_xticklabels() + ax.texts:
        assert inside(figure, label), label.get_text()
    report, _ = report_figure(sample_entries(), SUMMARY, NOW)
    assert inside(report, report.axes[0].yaxis.label)


def test_the_days_never_run_into_the_future():
    """Issue 24: the chart ran a week into the future."""
    for entries in ([{"when": at(29), "severity": 5}], sample_entries(), []):
        _, ax, _ = chart_axes(entries)
        start, end = (num2date(x) for x in ax.get_xlim())
        assert end <= NOW.replace(hour=0, minute=0) + timedelta(days=1) and end - start >= timedelta(days=7)
        assert date2num(NOW) - 30 <= ax.get_xlim()[0]
