"""The pain diary, framework-free: what a diary entry holds, and what a diary says when read back.

SKELETON (issue 14, being built): the shapes below are the interface between the core, the store
(ops/diary_store.py), the pictures (reports/) and the actions. Bodies are filled in by the diary work.

An entry is a plain JSON-able dict:
    {"when": "2026-11-28T21:00:00+00:00",   # when the pain happened (ISO 8601, UTC), from the caregiver's words
     "logged": "2026-11-29T08:00:00+00:00", # when it was written down
     "pain_type": "spasticity" | ... | None, "location": "lower back" | None,
     "severity": 0..10 | None, "triggers": ["heat", ...], "helped": ["rest", ...],
     "triage": "self_care" | ... | None, "red_flags": [...], "warning_signs": [...],
     "words": "the caregiver's own words, at most 500 characters"}
The store adds "id" when it reads entries back.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Dict, List

Entry = Dict[str, Any]


@dataclass
class DiarySummary:
    """What the diary says, in plain words: for the chat reply, the chart's caption and the report."""

    lines: List[str]                                        # episodes per week, usual triggers, what helped, red flags
    questions: List[str] = field(default_factory=list)      # questions worth asking at the visit
    sources: List[str] = field(default_factory=list)        # "004: <article title>" for every statement used
    first: str = ""                                         # the first and last dates, in caregiver words
    last: str = ""


def summarize(entries: List[Entry], now: datetime) -> DiarySummary:
    """The diary read back (SKELETON: the diary work replaces this)."""
    return DiarySummary(lines=[f"{len(entries)} entries."])
