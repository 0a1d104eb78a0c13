"""Pictures and files made from a pain diary: the chart (PNG), the care-team report (PDF), the CSV export.

reports.chart.render_chart(entries, now) -> bytes (PNG), reports.report.render_report(entries, summary, now)
-> bytes (PDF), reports.export.to_csv(entries) -> str; `render(kind, entries, now)` picks one by the link
kinds of ops/report_links.py. matplotlib is loaded only when a file is drawn.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Dict, List, Optional

CONTENT_TYPES = {"chart.png": "image/png", "report.pdf": "application/pdf", "diary.csv": "text/csv; charset=utf-8"}
FILE_NAMES = {"chart.png": "pain-diary-chart.png", "report.pdf": "pain-diary-report.pdf",
              "diary.csv": "pain-diary.csv"}


def render(kind: str, entries: List[Dict[str, Any]], now: datetime, condition: Optional[str] = None) -> bytes:
    """The file of this kind for these entries (condition: the conversation's, for the report's questions;
    without it the entries' own)."""
    if kind == "chart.png":
        from reports.chart import render_chart

        return render_chart(entries, now)
    if kind == "report.pdf":
        from bot.diary import summarize
        from reports.report import render_report

        return render_report(entries, summarize(entries, now, condition), now)
    if kind == "diary.csv":
        from reports.export import to_csv

        return to_csv(entries).encode("utf-8")
    raise ValueError(f"unknown diary file kind {kind!r}")
