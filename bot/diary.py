"""The pain diary, framework-free: what a diary entry holds, and what a diary says when read back.

The shapes below are the interface between the core, the store (ops/diary_store.py), the pictures
(reports/) and the actions.

An entry is a plain JSON-able dict:
    {"when": "2026-11-28T21:00:00+00:00",   # when the pain happened (ISO 8601, UTC), from the caregiver's words
     "logged": "2026-11-29T08:00:00+00:00", # when it was written down
     "pain_type": "spasticity" | ... | None, "location": "lower back" | None,
     "severity": 0..10 | None, "triggers": ["heat", ...], "helped": ["rest", ...],
     "triage": "self_care" | ... | None, "red_flags": [...], "warning_signs": [...],
     "words": "the caregiver's own words, at most 500 characters",
     "condition": "als" | "ms" | None}     # the conversation's condition when the entry was written
The store adds "id" when it reads entries back.

Entries come from a caregiver's own words (`entry_from_text`: "log: burning again after the hot bath")
or from an assessment the caregiver agreed to keep (`entry_from_case`). `request_of` says whether a
message asks to add to the diary, show it, make the report or export it. Time is always a parameter.
"""
from __future__ import annotations

import re
import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Dict, List, Optional, Tuple

from .extract import read_text
from .knowledge_base import RED_FLAGS, WARNING_SIGNS, knowledge
from .reading import STATUS_PRESENT, Extraction
from .severity import read_severity
from .when import FOUND, NONE, When, in_words, parse_iso, read_when

Entry = Dict[str, Any]
ADD, SHOW, REPORT, EXPORT = "add", "show", "report", "export"
REQUESTS = (ADD, SHOW, REPORT, EXPORT)
# Relief features that say something helped (the others say nothing did).
_HELPED = ("rest_helps", "some_relief", "support_helps", "repositioning_helps", "stretching_helps")
_HELPED_WORDS = re.compile(
    r"(?:^|[,.;]|\band\b|\bbut\b)\s*((?:a|the|her|his|some)?\s*[a-z][a-z' ]{1,30}?)\s+"
    r"(?:helped|helps|eased it|eased|worked|settled it|made it better|took the edge off)\b"
    r"|\b(?:better|eased|easier|settled)\s+(?:after|with)\s+(?:a |the |her |his |some )?([a-z][a-z' ]{1,30}?)"
    r"(?=$|[,.;!]|\s+and\b|\s+but\b)")
_STOP = {"it", "the", "a", "an", "and", "but", "she", "he", "her", "his", "was", "is", "again", "to", "in", "of",
         "on", "at", "my", "me", "please", "put", "this", "that", "today", "just", "yes", "no", "ok", "okay", "keep",
         "thanks", "nothing", "really", "not", "sure", "much", "yeah", "diary", "log", "entry"}
# Words of a request to keep a diary ("I'd like to start a pain diary for her"): not an entry's content.
_REQUEST_WORDS = {"i", "i'd", "we", "want", "like", "would", "start", "can", "could", "you", "pain", "track",
                  "record", "add", "note", "write", "save", "jot", "down", "for", "him", "them", "us", "begin",
                  "keeping", "a", "an", "of", "our", "new", "do", "let's", "lets", "me", "make"}
TOP = 3  # triggers and helps named in a summary


@dataclass
class DiarySummary:
    """What the diary says, in plain words: for the chat reply, the chart's caption and the report."""

    lines: List[str]                                        # episodes per week, usual triggers, what helped, red flags
    questions: List[str] = field(default_factory=list)      # questions worth asking at the visit
    sources: List[str] = field(default_factory=list)        # "004: <article title>" for every statement used
    first: str = ""                                         # the first and last dates, in caregiver words
    last: str = ""


def _policy() -> Dict[str, Any]:
    return knowledge().policy["diary"]


def _texts() -> Dict[str, Any]:
    return knowledge().messages["diary"]


# ---------------------------------------------------------------- what a message asks of the diary

def request_of(text: str) -> Optional[str]:
    """"log: ...", "show the diary", "send me the report", "export the diary as csv" -> add / show /
    report / export (policy.yml `diary.requests`), or None."""
    low = " ".join(str(text or "").lower().replace("\u2019", "'").split())
    for kind in (ADD + "_prefix", EXPORT, REPORT, SHOW, ADD):
        if any(re.search(pattern, low) for pattern in _policy()["requests"][kind]):
            return kind.replace("_prefix", "")
    return None


def entry_words(text: str) -> str:
    """The caregiver's words without the request to log them ("log:", "put it in the diary")."""
    words = " ".join(str(text or "").replace("\u2019", "'").split())
    for pattern in _policy()["request_words"]:
        words = re.sub(pattern, " ", words, flags=re.IGNORECASE)
    words = re.sub(r"\s+([,.;!?])", r"\1", " ".join(words.split())).strip(" ,.;:-")
    return words[:int(_policy()["max_words"])]


# ---------------------------------------------------------------- entries

def _labels(findings: Dict[str, str], topic: str) -> List[str]:
    kb = knowledge()
    return [kb.features[fid]["label"] for fid in findings if kb.features[fid]["topic"] == topic]


def _short(label: str) -> str:
    for prefix in ("in the middle of the ", "in the ", "on "):
        if label.startswith(prefix):
            label = label[len(prefix):]
    return label.replace(" helps", "").replace(" eases the muscles", "")


def helped_words(text: str) -> List[str]:
    """"a warm bath helped", "better after a rest": what the caregiver says eased it, in their words."""
    found = []
    for match in _HELPED_WORDS.finditer(str(text or "").lower()):
        phrase = " ".join(w for w in (match.group(1) or match.group(2) or "").split() if w not in _STOP)
        if phrase and phrase not in found and not re.search(r"\b(?:nothing|not|never)\b", phrase):
            found.append(phrase)
    return found


def _entry(when: datetime, now: datetime, features: Dict[str, str], severity: Optional[int], triage: Optional[str],
           pain_type: Optional[str], red_flags: List[str], warning_signs: List[str], words: str,
           helped: List[str], condition: Optional[str]) -> Entry:
    locations = [_short(label) for label in _labels(features, "pain_location")]
    reliefs = [fid for fid in features if fid in _HELPED]
    helped_all = [_short(knowledge().features[fid]["label"]) for fid in reliefs] + helped
    helped_said = " ".join(helped)
    # "a warm bath helped" is not a heat trigger: a trigger said inside what helped is dropped
    triggers = [_short(knowledge().features[fid]["label"]) for fid, said in features.items()
                if knowledge().features[fid]["topic"] == "pain_trigger" and fid != "spontaneous"
                and not (said and said.lower() in helped_said)]
    return {"when": when.isoformat(), "logged": now.isoformat(), "pain_type": pain_type,
            "location": ", ".join(locations) or None, "severity": severity, "triggers": triggers,
            "helped": list(dict.fromkeys(helped_all)), "triage": triage,
            "red_flags": [f for f in RED_FLAGS if f in red_flags],
            "warning_signs": [w for w in WARNING_SIGNS if w in warning_signs], "words": words,
            "condition": condition}


def _present(reading: Extraction) -> Dict[str, str]:
    return {f.id: f.said for f in reading.features if f.status == STATUS_PRESENT}


def entry_from_text(text: str, condition: Optional[str], now: datetime,
                    reading: Optional[Extraction] = None) -> Tuple[Optional[Entry], When]:
    """An entry from the caregiver's own words, and when they said it happened.

    Returns (None, when) when there is nothing usable to keep (the diary asks once what to put in it).
    The pain type is classified from the entry's words with the conversation's condition; the triage is
    that of the words alone (a red flag: seek care now; a same-day sign: today)."""
    from .assessment import assess_case
    from .case import merge_reading

    words = entry_words(text)
    reading = reading or read_text(text)
    when = read_when(words, now)
    severity = read_severity(words, entry=True)
    present = _present(reading)
    flags = [f.id for f in reading.red_flags if f.status == STATUS_PRESENT]
    warnings = [w.id for w in reading.warning_signs if w.status == STATUS_PRESENT]
    helped = helped_words(words)
    low = words.lower().replace(when.said, " ") if when.said else words.lower()
    rest = [w for w in re.findall(r"[a-z']+", low) if w not in _STOP and w not in _REQUEST_WORDS]
    told = present or flags or warnings or helped or (severity and severity.score is not None)
    if not told and len(rest) < int(_policy()["min_free_words"]):
        return None, when
    case = merge_reading({"condition": condition}, reading, text)
    result = assess_case(case, single_text=True) if (present or flags or warnings) else None
    score = severity.score if severity else None
    if result is None and score is not None and score >= int(knowledge().policy["severity"]["severe_from"]):
        result = assess_case({**case, "signals": {"severity": [severity.said]}}, single_text=True)
    at = when.at if when.status == FOUND else now
    if result is not None:  # a sign said without whether it is new counts as the careful reading does
        warnings = list(result.warning_signs)
    return _entry(at, now, present, score, result.triage if result else None,
                  result.pain_type if result and present else None, flags, warnings, words, helped,
                  condition), when


def entry_from_case(case: Dict, now: datetime) -> Entry:
    """An entry of the assessment just given (the caregiver agreed to keep a diary)."""
    from .case import present_features

    present = present_features(case)
    assessed = case.get("assessed") or {}
    severity = (case.get("severity") or {}).get("score")
    said = [f["said"] for f in (case.get("features") or {}).values() if f.get("status") == STATUS_PRESENT]
    words = "; ".join(dict.fromkeys(s for s in said if s))[:int(_policy()["max_words"])]
    return _entry(now, now, present, severity, assessed.get("triage"), assessed.get("pain_type"),
                  list(case.get("red_flags") or []), list(assessed.get("warning_signs") or []), words, [],
                  case.get("condition"))


def describe(entry: Entry) -> str:
    """One entry in a few words, for "Saved in the diary: ..."."""
    kb = knowledge()
    parts = []
    if entry.get("severity") is not None:
        parts.append(f"{entry['severity']}/10")
    if entry.get("pain_type") and entry["pain_type"] != "unclear":
        parts.append(kb.pain_types[entry["pain_type"]]["label"].split(" (")[0])
    if entry.get("location"):
        parts.append(entry["location"])
    if entry.get("triggers"):
        parts.append("after " + ", ".join(entry["triggers"]))
    if entry.get("helped"):
        parts.append("helped: " + ", ".join(entry["helped"]))
    signs = [kb.red_flags[f]["plain"] for f in entry.get("red_flags") or []] + [
        kb.warning_signs[w]["plain"] for w in entry.get("warning_signs") or [] if w in kb.warning_signs]
    if signs:
        parts.append("with " + ", ".join(signs))
    return "; ".join(parts)


def saved_text(entry: Entry) -> str:
    when = in_words(parse_iso(entry["when"]))
    what = describe(entry)
    return _texts()["saved"].format(when=when, what=what) if what else _texts()["saved_nothing_read"].format(when=when)


# ---------------------------------------------------------------- reading the diary back

def _days(entries: List[Entry]) -> str:
    days = list(dict.fromkeys(in_words(parse_iso(e["when"])) for e in entries))
    return ", ".join(days)


def _most_common(values: List[str]) -> List[str]:
    return [v for v, _ in Counter(values).most_common(TOP)]


def summarize(entries: List[Entry], now: datetime, condition: Optional[str] = None) -> DiarySummary:
    """The diary read back: how often, how bad, what sets it off, what helps, any red flags or same-day
    warnings, and the questions worth asking at the visit (policy.yml `diary.visit_questions`)."""
    kb = knowledge()
    texts = _texts()
    if not entries:
        return DiarySummary(lines=[texts["empty"]])
    entries = sorted(entries, key=lambda e: parse_iso(e["when"]))
    moments = [parse_iso(e["when"]) for e in entries]
    first, last = in_words(moments[0]), in_words(moments[-1])
    lines = [texts["entries"].format(count=len(entries), first=first, last=last) if len(entries) > 1
             else texts["one_entry"].format(first=first)]
    span = max(now, moments[-1]) - moments[0]
    weeks = max(1.0, (span + timedelta(days=1)) / timedelta(days=7))
    rate = _rate(len(entries) / weeks)
    lines.append(texts["per_week_one"] if rate == "1" else texts["per_week"].format(rate=rate))
    rated = [e for e in entries if e.get("severity") is not None]
    if rated:
        worst = max(rated, key=lambda e: e["severity"])
        typical = statistics.median_low([e["severity"] for e in rated])
        lines.append(texts["severity"].format(typical=typical, highest=worst["severity"],
                                              day=in_words(parse_iso(worst["when"]))))
    types = Counter(e["pain_type"] for e in entries if e.get("pain_type"))
    if types:
        lines.append(texts["types"].format(types=", ".join(
            f"{kb.pain_types[t]['label'].split(' (')[0]} ({n})" for t, n in types.most_common())))
    triggers = _most_common([t for e in entries for t in e.get("triggers") or []])
    if triggers:
        lines.append(texts["triggers"].format(triggers=", ".join(triggers)))
    helped = _most_common([h for e in entries for h in e.get("helped") or []])
    if helped:
        lines.append(texts["helped"].format(helped=", ".join(helped)))
    flagged = [e for e in entries if e.get("red_flags")]
    if flagged:
        signs = sorted({f for e in flagged for f in e["red_flags"]}, key=RED_FLAGS.index)
        lines.append(texts["red_flags"].format(days=_days(flagged),
                                               signs=", ".join(kb.red_flags[f]["plain"] for f in signs)))
    else:
        lines.append(texts["none_red"])
    warned = [e for e in entries if [w for w in e.get("warning_signs") or [] if w in kb.warning_signs]]
    if warned:
        signs = sorted({w for e in warned for w in e["warning_signs"] if w in kb.warning_signs},
                       key=WARNING_SIGNS.index)
        lines.append(texts["warnings"].format(days=_days(warned),
                                              signs=", ".join(kb.warning_signs[w]["plain"] for w in signs)))
    # The file route has no conversation at hand: the condition the entries were written under.
    condition = condition or next((e["condition"] for e in reversed(entries) if e.get("condition")), None)
    questions, source_ids = _visit_questions(entries, condition)
    sources = [f"{s['id'].replace('seed_', '')}: {s['title']}" for s in kb.cite(source_ids)]
    return DiarySummary(lines=lines, questions=questions, sources=sources, first=first, last=last)


def _rate(value: float) -> str:
    return str(int(round(value))) if value >= 1.5 else f"{value:.1f}".rstrip("0").rstrip(".")


def _visit_questions(entries: List[Entry], condition: Optional[str]) -> Tuple[List[str], List[str]]:
    severe_from = int(knowledge().policy["severity"]["severe_from"])
    types = {e.get("pain_type") for e in entries}
    if condition is None and "lhermitte" in types:
        condition = "ms"  # Lhermitte's sign is an MS sign (seed 002)
    facts = {"always", condition} | types
    if any((e.get("severity") or 0) >= severe_from for e in entries):
        facts.add("severe")
    if any(e.get("red_flags") for e in entries):
        facts.add("red_flags")
    if any(e.get("warning_signs") for e in entries):
        facts.add("warnings")
    chosen = [q for q in _policy()["visit_questions"] if q["when"] in facts]
    return [q["text"] for q in chosen], list(dict.fromkeys(s for q in chosen for s in q["sources"]))


def read_back_text(entries: List[Entry], now: datetime, condition: Optional[str] = None) -> str:
    """The summary as one chat message (an empty diary says so and how to add)."""
    summary = summarize(entries, now, condition)
    if not entries:
        return summary.lines[0]
    return "\n".join(summary.lines + [_texts()["chart"]])


def when_is_clear(when: When) -> bool:
    return when.status in (FOUND, NONE)
