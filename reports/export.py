"""The diary as CSV, for a spreadsheet or the care team's records.

    to_csv(entries) -> str

One row per entry, oldest first, in plain words a person reads (no ids or codes): the day (ISO date, which
a spreadsheet sorts; the part of the day only when the caregiver said one, never an invented clock time),
the rating, the pain type, the signs in the guidance's words, the advice, and the caregiver's own words.
Lists are joined with "; ". A cell a spreadsheet would run as a formula (starting with = + - @, tab or
carriage return) gets a leading apostrophe: the caregiver's own words are data, never code.
"""
from __future__ import annotations

import csv
import io
from typing import Any, Dict, List

from reports.chart import parse_when, severity_of

COLUMNS = ("Date", "Part of day", "Severity (0-10)", "Pain type", "Where", "Set off by", "Helped",
           "Emergency signs", "Same-day signs", "Advice", "Told in", "Caregiver's words", "Written down on")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        value = "; ".join(str(v) for v in value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def row(entry: Dict[str, Any]) -> List[Any]:
    from bot.diary import FROM_CONVERSATION, pain_type_words, sign_words, triage_words

    when = parse_when(entry)
    logged = parse_when({"when": entry.get("logged")})
    severity = severity_of(entry)
    return [when.date().isoformat() if when else "", entry.get("time"),
            "" if severity is None else severity,
            pain_type_words(entry["pain_type"]) if entry.get("pain_type") else "",
            entry.get("location"), entry.get("triggers"), entry.get("helped"),
            [sign_words(f) for f in entry.get("red_flags") or []],
            [sign_words(w) for w in entry.get("warning_signs") or []], triage_words(entry.get("triage")),
            "the conversation" if entry.get("source") == FROM_CONVERSATION else "the diary",
            entry.get("words"), logged.date().isoformat() if logged else ""]


def to_csv(entries: List[Dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    dated = sorted(entries, key=lambda e: (parse_when(e) is None, parse_when(e) or 0))
    for entry in dated:
        writer.writerow([cell(value) for value in row(entry)])
    return out.getvalue()
