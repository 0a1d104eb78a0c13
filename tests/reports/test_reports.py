"""The chart, the care-team report and the CSV export, checked for what they show."""
from __future__ import annotations

import csv
import io
from datetime import datetime, timezone

import pytest

from bot.diary import DiarySummary
from reports import CONTENT_TYPES, render
from reports.chart import chart_figure, render_chart
from reports.export import to_csv
from reports.report import MAX_ROWS, NOT_A_DIAGNOSIS, render_report, report_figure
from reports.sample import NOW, sample_entries

PNG = b"\x89PNG\r\n\x1a\n"
SUMMARY = DiarySummary(lines=["13 episodes in 4 weeks, about 3 a week.", "Usual trigger: lying still."],
                       questions=["Could the spasm treatment be reviewed?"],
                       sources=["004: Spasticity in MS"], first="Tue 3 Nov", last="Sun 29 Nov")


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
    assert [(when.day, label) for when, label in drawn.red_flags] == [(5, "red flag: bladder bowel")]
    assert [(when.day, label) for when, label in drawn.same_day] == [(6, "same day: minor fall")]
    assert "red flag (urgent)" in drawn.legend and "same-day warning" in drawn.legend


def test_bad_values_are_not_drawn_as_scores_and_undated_entries_are_left_out():
    entries = [{"when": at(2), "severity": 14}, {"when": at(3), "severity": True}, {"when": "last Tuesday"},
               {"logged": at(4), "severity": 2}]
    _, drawn = chart_figure(entries, NOW)
    assert [(p.when.day, p.severity) for p in drawn.points] == [(2, None), (3, None), (4, 2)]


def test_the_chart_is_a_png_even_for_an_empty_diary():
    assert render_chart(sample_entries(), NOW).startswith(PNG)
    assert render_chart([], NOW).startswith(PNG)


def test_the_report_page_shows_title_chart_episodes_patterns_questions_and_sources():
    _, page = report_figure(sample_entries(), SUMMARY, NOW)
    text = "\n".join(page.texts)
    assert "Back pain diary" in text and "13 diary entries from Tue 3 Nov to Sun 29 Nov" in text
    for line in SUMMARY.lines + SUMMARY.questions:
        assert line in page.texts
    assert NOT_A_DIAGNOSIS in page.texts and "Sources: 004: Spasticity in MS" in page.texts
    assert len(page.rows) == MAX_ROWS and "the newest 12 of 13" in text
    assert page.rows[-1][0] == "Sun 29 Nov 21:00" and page.rows[-1][3] == "4"
    flagged = [row for row in page.rows if "RED FLAG" in row[6]]
    assert len(flagged) == 1 and flagged[0][0].startswith("Thu 26 Nov") and "bladder bowel" in flagged[0][6]
    assert any("minor fall" in row[6] and "care team today" in row[6] for row in page.rows)
    assert len(page.chart.points) == 13 and len(page.chart.red_flags) == 1


def test_the_report_is_a_one_page_a4_pdf():
    data = render_report(sample_entries(), SUMMARY, NOW)
    assert data.startswith(b"%PDF")
    assert data.count(b"/Type /Page\n") + data.count(b"/Type /Page ") + data.count(b"/Type/Page") >= 1
    assert b"/Count 1" in data
    assert b"595" in data and b"841" in data  # A4 in points


def test_the_csv_has_one_row_per_entry_oldest_first_and_no_formulas():
    entries = [{"when": at(9), "severity": 8, "triggers": ["heat", "bath"], "words": "=HYPERLINK(\"x\")"},
               {"when": at(2), "severity": 3, "words": "bad night, spasms"}]
    rows = list(csv.DictReader(io.StringIO(to_csv(entries))))
    assert [r["severity"] for r in rows] == ["3", "8"]
    assert rows[1]["triggers"] == "heat; bath"
    assert rows[1]["words"].startswith("'=") and rows[0]["words"] == "bad night, spasms"


@pytest.mark.parametrize("kind, start", [("chart.png", PNG), ("report.pdf", b"%PDF"), ("diary.csv", b"when,")])
def test_render_picks_the_file_by_kind(kind, start):
    assert render(kind, sample_entries(), NOW).startswith(start) and kind in CONTENT_TYPES
