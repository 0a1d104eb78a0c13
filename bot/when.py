"""When the pain happened, from the caregiver's own date words, relative to an injected `now`.

"last night", "this morning", "yesterday morning", "on Tuesday", "3 days ago", "on 20 November": read
to a moment (UTC; the parts of the day are policy.yml `diary.day_parts`). No date words: the entry is
for now. Words that name no day ("the other day", "last week", "recently", "3/11" which reads two ways,
a day in the future): unclear, and the diary asks once.

And the other way round: a moment in the caregiver's words ("Tuesday 3 November") for summaries.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Optional

from .knowledge_base import knowledge

FOUND, NONE, UNCLEAR = "found", "none", "unclear"
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december")
_COUNTS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
           "couple of": 2, "a couple of": 2, "few": 3, "a few": 3}
_PART = r"(?:\s+(morning|afternoon|evening|night|lunchtime))?"
# Whole day names only: "she sat down", "in the sun" are not days.
_DAY = r"(" + "|".join(WEEKDAYS) + r")"
_MONTH = r"(" + "|".join(m[:3] + r"(?:" + m[3:] + r")?" for m in MONTHS) + r")\.?"
_ORD = r"(\d{1,2})(?:st|nd|rd|th)?"
_RELATIVE = re.compile(r"\b(\d{1,2}|a couple of|couple of|a few|few|an?|one|two|three|four|five|six|seven)\s+"
                       r"(day|night|week)s?\s+ago\b")
_WEEKDAY = re.compile(r"\b(?:(last|this|on|past)\s+)?" + _DAY + _PART + r"\b")
_DAY_MONTH = re.compile(r"\b(?:on\s+)?(?:the\s+)?" + _ORD + r"\s+(?:of\s+)?" + _MONTH + r"(?:\s+(\d{4}))?")
_MONTH_DAY = re.compile(r"\b(?:on\s+)?" + _MONTH + r"\s+(?:the\s+)?" + _ORD + r"(?:,?\s+(\d{4}))?\b")
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


@dataclass
class When:
    status: str                      # found | none | unclear
    at: Optional[datetime] = None    # when status is found
    said: str = ""


def _parts() -> dict:
    return knowledge().policy["diary"]["day_parts"]


def _at(day: datetime, part: Optional[str], now: datetime, default: str = "day") -> datetime:
    hour = int(_parts()[part or default])
    moment = day.replace(hour=hour, minute=0, second=0, microsecond=0)
    return min(moment, now)


def _month(token: str) -> int:
    return next(i + 1 for i, m in enumerate(MONTHS) if m.startswith(token[:3]))


def _on_date(now: datetime, day: int, month: int, year: Optional[str], said: str) -> When:
    try:
        moment = now.replace(year=int(year) if year else now.year, month=month, day=day, hour=int(_parts()["day"]),
                             minute=0, second=0, microsecond=0)
    except ValueError:
        return When(UNCLEAR, said=said)        # "31 November"
    if moment.date() > now.date():
        if year:
            return When(UNCLEAR, said=said)    # a day still to come
        moment = moment.replace(year=moment.year - 1)  # "20 December" said in January: last year's
    return When(FOUND, min(moment, now), said)


def read_when(text: str, now: datetime) -> When:
    """When the caregiver's words say it happened (see the module note)."""
    now = now if now.tzinfo else now.replace(tzinfo=timezone.utc)
    low = " ".join(str(text or "").lower().replace("\u2019", "'").split())
    today = now
    match = re.search(r"\b(?:the\s+)?day before yesterday\b", low)
    if match:
        return When(FOUND, _at(today - timedelta(days=2), None, now), match.group(0))
    match = re.search(r"\byesterday" + _PART + r"\b", low) or re.search(
        r"\b(morning|afternoon|evening|night|lunchtime)\s+yesterday\b", low)
    if match:
        return When(FOUND, _at(today - timedelta(days=1), match.group(1), now), match.group(0))
    match = re.search(r"\blast\s+(night|evening)\b|\bovernight\b|\bin the night\b|\bduring the night\b", low)
    if match:
        # said in the small hours, "last night" is the night just gone, which began the evening before
        return When(FOUND, _at(today - timedelta(days=1), "night", now), match.group(0))
    match = re.search(r"\bthis\s+(morning|afternoon|evening)\b|\b(tonight)\b", low)
    if match:
        return When(FOUND, _at(today, match.group(1) or "evening", now), match.group(0))
    match = _RELATIVE.search(low)
    if match:
        count = int(match.group(1)) if match.group(1).isdigit() else _COUNTS[match.group(1)]
        days = count * (7 if match.group(2) == "week" else 1)
        return When(FOUND, now - timedelta(days=days), match.group(0))
    match = _ISO.search(low)
    if match:
        year, month, day = (int(g) for g in match.groups())
        return _on_date(now, day, month, str(year), match.group(0))
    match = _DAY_MONTH.search(low)
    if match:
        return _on_date(now, int(match.group(1)), _month(match.group(2)), match.group(3), match.group(0))
    match = _MONTH_DAY.search(low)
    if match and not re.match(r"may\b", match.group(0).replace("on ", "")):
        return _on_date(now, int(match.group(2)), _month(match.group(1)), match.group(3), match.group(0))
    match = _WEEKDAY.search(low)
    if match:
        back = (now.weekday() - WEEKDAYS.index(_weekday(match.group(2)))) % 7
        if back == 0 and match.group(1) != "this":
            back = 7  # "on Tuesday" said on a Tuesday means last week's (today would be "today")
        return When(FOUND, _at(today - timedelta(days=back), match.group(3), now), match.group(0))
    match = re.search(r"\b(earlier today|today|just now|right now|at the moment|now)\b", low)
    if match:
        return When(FOUND, now, match.group(0))
    match = re.search("|".join(knowledge().policy["diary"]["unclear_when"]), low)
    if match or re.search(r"\b\d{1,2}/\d{1,2}(?:/\d{2,4})?\b", low):
        return When(UNCLEAR, said=match.group(0) if match else "")
    return When(NONE)


def _weekday(token: str) -> str:
    return next(d for d in WEEKDAYS if d.startswith(token[:3]))


def in_words(moment: datetime) -> str:
    """"Tuesday 3 November": how a caregiver names a day."""
    return f"{WEEKDAYS[moment.weekday()].capitalize()} {moment.day} {MONTHS[moment.month - 1].capitalize()}"


def parse_iso(value: str) -> datetime:
    moment = datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
