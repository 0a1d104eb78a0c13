"""The diary as CSV, for a spreadsheet or the care team's records.

    to_csv(entries) -> str

One row per entry, oldest first, lists joined with "; ". A cell a spreadsheet would run as a formula
(starting with = + - @, tab or carriage return) gets a leading apostrophe: the caregiver's own words
are data, never code.
"""
from __future__ import annotations

import csv
import io
from typing import Any, Dict, List

from reports.chart import parse_when

COLUMNS = ("when", "logged", "pain_type", "location", "severity", "triggers", "helped", "triage", "red_flags",
           "warning_signs", "words")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        value = "; ".join(str(v) for v in value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def to_csv(entries: List[Dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    dated = sorted(entries, key=lambda e: (parse_when(e) is None, parse_when(e) or 0))
    for entry in dated:
        writer.writerow([cell(entry.get(column)) for column in COLUMNS])
    return out.getvalue()
