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
     "condition": "als" | "ms" | None,     # the conversation's condition when the entry was written
     "time": "night" | "morning" | ... | None,  # the part of the day said; None: the day only (never a clock time)
     "not_new": {"bladder_bowel": "negated", ...},  # emergency signs said to be absent, old or passed
     "source": "conversation"}             # only on a sign told in the conversation (`told_in_conversation`)
The store adds "id" when it reads entries back. Older entries may lack the last three keys.

Entries come from a caregiver's own words (`entry_from_text`: "log: burning again after the hot bath"),
from an assessment the caregiver agreed to keep (`entry_from_case`), or from the escalations and same-day
signs of the conversation (`told_in_conversation`, recorded when the diary is next used). `request_of` says whether a
message asks to add to the diary, show it, make the report or export it. Time is always a parameter.
"""
from __future__ import annotations

import re
import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Dict, List, Optional, Tuple

from .extract import read_text
from .knowledge_base import RED_FLAGS, WARNING_SIGNS, knowledge
from .reading import STATUS_PRESENT, STATUS_UNCERTAIN, Extraction
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
FROM_CONVERSATION = "conversation"
_DAY_PART = re.compile(r"\b(morning|lunchtime|afternoon|evening|night|tonight|overnight)\b")


@dataclass
class DiarySummary:
    """What the diary says, in plain words: for the chat reply, the chart's caption and the report."""

    lines: List[str]                                        # days with pain, severity, triggers, what helped, signs
    questions: List[str] = field(default_factory=list)      # questions worth asking at the visit
    sources: List[str] = field(default_factory=list)        # the title of every article a question rests on
    first: str = ""                                         # the first and last dates, in caregiver words
    last: str = ""
    # The report's first page (reports/report.py), each a finished line or list of lines:
    condition: str = ""                                     # "MS (multiple sclerosis)", or "" when never told
    period: str = ""                                        # "3 Nov to 29 Nov 2026 (27 days); pain logged on 12 days"
    trend: str = ""                                         # the severity over the period
    emergencies: List[str] = field(default_factory=list)   # "Thu 26 Nov: new loss of bladder ..."
    same_day: List[str] = field(default_factory=list)
    helped: List[str] = field(default_factory=list)        # what helped, and what was tried without clear help
    impact: List[str] = field(default_factory=list)        # sleep and daily life, where told
    bladder: str = ""                                       # the bladder and bowel status line
    triage: List[str] = field(default_factory=list)        # the advice given, by day
    types: str = ""                                         # "spasticity (7), nerve pain (3)"
    triggers: str = ""                                      # "lying still, heat, cold"


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
    entry = _entry(at, now, present, score, result.triage if result else None,
                   result.pain_type if result and present else None, flags, warnings, words, helped, condition)
    part = _DAY_PART.search(when.said.lower()) if when.status == FOUND else None
    entry["time"] = {"tonight": "evening", "overnight": "night"}.get(part.group(1), part.group(1)) if part else None
    entry["not_new"] = {f.id: f.status for f in reading.red_flags
                        if f.status not in (STATUS_PRESENT, STATUS_UNCERTAIN) and f.id not in flags}
    return entry, when


def entry_from_case(case: Dict, now: datetime) -> Entry:
    """An entry of the assessment just given (the caregiver agreed to keep a diary)."""
    from .case import SCREEN_CLEAR, present_features

    present = present_features(case)
    assessed = case.get("assessed") or {}
    severity = (case.get("severity") or {}).get("score")
    said = [f["said"] for f in (case.get("features") or {}).values() if f.get("status") == STATUS_PRESENT]
    words = "; ".join(dict.fromkeys(s for s in said if s))[:int(_policy()["max_words"])]
    entry = _entry(now, now, present, severity, assessed.get("triage"), assessed.get("pain_type"),
                   list(case.get("red_flags") or []), list(assessed.get("warning_signs") or []), words, [],
                   case.get("condition"))
    flags = entry["red_flags"]
    not_new = {f: m.get("status") for f, m in (case.get("red_flag_mentions") or {}).items()
               if f not in flags and m.get("status") not in (STATUS_PRESENT, STATUS_UNCERTAIN, None)}
    if case.get("red_flag_screen") == SCREEN_CLEAR:  # "no, none of those" to the emergency-sign question
        not_new = {**{f: "negated" for f in RED_FLAGS if f not in flags}, **not_new}
    entry["time"], entry["not_new"] = None, not_new
    return entry


def told_in_conversation(told: List[Dict[str, Any]], entries: List[Entry], condition: Optional[str]) -> List[Entry]:
    """The conversation's escalations and same-day signs that the diary does not hold yet, one entry per
    message, dated the day they were told (day only). told: the case's `signs_told` ({"day", "red_flags",
    "warning_signs"}, bot/turn.py). A sign the diary already has from that day (an entry about it, or
    one written down that day: "log: 3 days ago a new pressure sore") is not recorded twice."""
    have = {(parse_iso(e[key]).date(), s) for e in entries for key in ("when", "logged") if e.get(key)
            for s in list(e.get("red_flags") or []) + list(e.get("warning_signs") or [])}
    found: List[Entry] = []
    for record in told:
        try:
            moment = parse_iso(str(record["day"]) + "T12:00:00+00:00")  # the day only: noon, as a day is drawn
        except (KeyError, TypeError, ValueError):
            continue
        flags = [f for f in RED_FLAGS if f in (record.get("red_flags") or []) and (moment.date(), f) not in have]
        warnings = [w for w in WARNING_SIGNS if w in (record.get("warning_signs") or [])
                    and (moment.date(), w) not in have]
        if not flags and not warnings:
            continue
        have.update((moment.date(), s) for s in flags + warnings)
        entry = _entry(moment, moment, {}, None, "seek_care_now" if flags else "contact_care_team_today", None,
                       flags, warnings, _texts()["from_conversation"], [], condition)
        entry.update(time=None, not_new={}, source=FROM_CONVERSATION)
        found.append(entry)
    return found


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

URGENT = ("seek_care_now", "contact_care_team_today")  # the advice a triage history lists, by day


def short_day(moment: datetime) -> str:
    """"Thu 26 Nov": a day in a report's line or table."""
    return f"{moment:%a} {moment.day} {moment:%b}"


def _days(entries: List[Entry]) -> str:
    days = list(dict.fromkeys(in_words(parse_iso(e["when"])) for e in entries))
    return ", ".join(days)


def _short_days(entries: List[Entry]) -> str:
    return ", ".join(dict.fromkeys(short_day(parse_iso(e["when"])) for e in entries))


def _most_common(values: List[str]) -> List[str]:
    return [v for v, _ in Counter(values).most_common(TOP)]


def triage_words(triage: Optional[str]) -> str:
    """The advice of a triage level in plain words ("" for none)."""
    return _texts()["triage_words"].get(triage, "") if triage else ""


def pain_type_words(pain_type: Optional[str]) -> str:
    """A pain type in a few plain words ("spasticity", "type not clear")."""
    if pain_type == "unclear" or pain_type not in knowledge().pain_types:
        return _texts()["type_unclear"]
    return knowledge().pain_types[pain_type]["label"].split(" (")[0]


def sign_words(sign: str) -> str:
    """An emergency or same-day sign in the guidance's plain words (never its id)."""
    kb = knowledge()
    found = kb.red_flags.get(sign) or kb.warning_signs.get(sign)
    return found["plain"] if found else _texts()["sign_words"].get(sign, sign.replace("_", " "))


def tried_words(text: str) -> Tuple[List[str], List[str]]:
    """What the caregiver says was tried ("took paracetamol", "tried a heat pad"), and which of those they
    say did not help ("paracetamol didn't help"): ([tried], [no help])."""
    low = str(text or "").lower().replace("\u2019", "'")
    tried, no_help = [], []
    for match in re.finditer(_policy()["tried"], low):
        phrase = " ".join(w for w in match.group(1).split() if w not in _STOP)
        if not phrase or phrase in tried:
            continue
        tried.append(phrase)
        clause = re.split(r"[.;!]|\bbut\b", low[match.end():], maxsplit=1)[0]
        if re.search(_policy()["no_help"], clause[:60]):
            no_help.append(phrase)
    return tried, no_help


def impact_words(text: str) -> Dict[str, List[str]]:
    """What the pain did to sleep and daily life, in the caregiver's words (policy.yml `diary.impact`)."""
    found: Dict[str, List[str]] = {}
    for clause in re.split(r"[,.;!]", str(text or "").replace("\u2019", "'")):
        clause = " ".join(clause.split())
        for kind, patterns in _policy()["impact"].items():
            if any(re.search(p, clause.lower()) for p in patterns):
                found.setdefault(kind, []).append(clause[:60])  # the caregiver's words: the whole clause
    return found


def summarize(entries: List[Entry], now: datetime, condition: Optional[str] = None) -> DiarySummary:
    """The diary read back: on how many days, how bad, what sets it off, what helps, any emergency or
    same-day signs, and the questions worth asking at the visit (policy.yml `diary.visit_questions`);
    and the report's first page (`_report_facts`). Two entries of one day are one day with pain."""
    kb = knowledge()
    texts = _texts()
    if not entries:
        return DiarySummary(lines=[texts["empty"]])
    entries = sorted(entries, key=lambda e: parse_iso(e["when"]))
    moments = [parse_iso(e["when"]) for e in entries]
    first, last = in_words(moments[0]), in_words(moments[-1])
    lines = [texts["entries"].format(count=len(entries), first=first, last=last) if len(entries) > 1
             else texts["one_entry"].format(first=first)]
    days = sorted({m.date() for m in moments})
    if len(days) > 1:
        lines.append(texts["days_logged"].format(days=len(days), span=(days[-1] - days[0]).days + 1))
    rated = [e for e in entries if e.get("severity") is not None]
    if rated:
        worst = max(rated, key=lambda e: e["severity"])
        typical = statistics.median_low([e["severity"] for e in rated])
        lines.append(texts["severity"].format(typical=typical, highest=worst["severity"],
                                              day=in_words(parse_iso(worst["when"]))))
    types = Counter(e["pain_type"] for e in entries if e.get("pain_type"))
    type_words = ", ".join(f"{pain_type_words(t)} ({n})" for t, n in types.most_common())
    if types:
        lines.append(texts["types"].format(types=type_words))
    triggers = _most_common([t for e in entries for t in e.get("triggers") or []])
    if triggers:
        lines.append(texts["triggers"].format(triggers=", ".join(triggers)))
    helped = _most_common([h for e in entries for h in e.get("helped") or []])
    if helped:
        lines.append(texts["helped"].format(helped=", ".join(helped)))
    flagged = [e for e in entries if e.get("red_flags")]
    if flagged:
        signs = sorted({f for e in flagged for f in e["red_flags"]}, key=RED_FLAGS.index)
        lines.append(texts["red_flags"].format(days=_days(flagged), signs=", ".join(sign_words(f) for f in signs)))
    else:
        lines.append(texts["none_red"])
    warned = [e for e in entries if e.get("warning_signs")]
    if warned:
        signs = sorted({w for e in warned for w in e["warning_signs"]}, key=WARNING_SIGNS.index)
        lines.append(texts["warnings"].format(days=_days(warned), signs=", ".join(sign_words(w) for w in signs)))
    # The file route has no conversation at hand: the condition the entries were written under.
    condition = condition or next((e["condition"] for e in reversed(entries) if e.get("condition")), None)
    questions, source_ids = _visit_questions(entries, condition)
    # The articles of this condition only (and the general guidance), by title.
    sources = [s["title"] for s in kb.cite(source_ids)
               if condition is None or kb.sources[s["id"]].get("condition") in (None, condition)]
    summary = DiarySummary(lines=lines, questions=questions, sources=sources, first=first, last=last,
                           types=type_words, triggers=", ".join(triggers))
    _report_facts(summary, entries, condition, days)
    return summary


def _signs_by_day(entries: List[Entry], key: str) -> List[str]:
    """"Thu 26 Nov: <signs>" for each day with signs of this kind, noting those told in the conversation."""
    order = RED_FLAGS if key == "red_flags" else WARNING_SIGNS
    by_day: Dict[str, Dict[str, Any]] = {}
    for entry in entries:
        if entry.get(key):
            day = by_day.setdefault(short_day(parse_iso(entry["when"])), {"signs": set(), "chat": False})
            day["signs"].update(entry[key])
            day["chat"] |= entry.get("source") == FROM_CONVERSATION
    return [f"{day}: " + "; ".join(sign_words(s) for s in sorted(d["signs"], key=order.index))
            + (_texts()["report_page"]["in_conversation"] if d["chat"] else "") for day, d in by_day.items()]


def _trend(entries: List[Entry]) -> str:
    """Severity over the period: the worst of each day, the first half of the rated days against the second."""
    texts = _texts()["report_page"]
    worst: Dict[Any, Tuple[int, datetime]] = {}
    for entry in entries:
        if entry.get("severity") is not None:
            moment = parse_iso(entry["when"])
            if entry["severity"] >= worst.get(moment.date(), (-1, moment))[0]:
                worst[moment.date()] = (entry["severity"], moment)
    if not worst:
        return texts["no_ratings"]
    scores = [score for score, _ in worst.values()]
    top, top_day = max(worst.values(), key=lambda pair: pair[0])
    line = texts["severity"].format(typical=statistics.median_low(scores), highest=top, day=short_day(top_day),
                                    days=_n_days(len(scores)))
    if len(scores) >= 4:
        half = len(scores) // 2
        early, late = statistics.median(scores[:half]), statistics.median(scores[-half:])
        direction = "rising" if late - early >= 1 else "falling" if early - late >= 1 else "steady"
        line += " " + texts["trend"].format(direction=texts[direction], early=f"{early:g}", late=f"{late:g}")
    return line


def _report_facts(summary: DiarySummary, entries: List[Entry], condition: Optional[str], days: List[Any]) -> None:
    """The report's first page: condition, period, severity trend, signs by day, what was tried and what
    helped, sleep and daily life, the bladder and bowel line, and the urgent advice given by day."""
    kb = knowledge()
    texts = _texts()["report_page"]
    summary.condition = kb.conditions[condition]["long_name"] if condition in kb.conditions else ""
    first, last = parse_iso(entries[0]["when"]), parse_iso(entries[-1]["when"])
    summary.period = texts["period"].format(first=short_day(first), last=short_day(last), year=last.year,
                                            span=_n_days((days[-1] - days[0]).days + 1), days=_n_days(len(days)))
    summary.trend = _trend(entries)
    summary.emergencies = _signs_by_day(entries, "red_flags")
    summary.same_day = _signs_by_day(entries, "warning_signs")
    helped = Counter(h for e in entries for h in dict.fromkeys(e.get("helped") or []))
    failed: Counter = Counter()
    also: Counter = Counter()
    for entry in entries:
        tried, no_help = tried_words(entry.get("words"))
        failed.update(no_help)
        also.update(t for t in tried if t not in no_help and t not in (entry.get("helped") or []))
    summary.helped = [texts[key].format(what=_counted(counter)) for key, counter in
                      (("helped", helped), ("no_help", failed), ("tried", also)) if counter]
    for kind in ("sleep", "function"):
        told = [(e, impact_words(e.get("words")).get(kind)) for e in entries]
        told = [(e, said) for e, said in told if said]
        if told:
            quotes = list(dict.fromkeys(q for _, said in told for q in said))[:3]
            summary.impact.append(texts[kind].format(
                count=_n_days(len({parse_iso(e["when"]).date() for e, _ in told})),
                days=_short_days([e for e, _ in told]),
                quotes=", ".join(f"\u201c{q}\u201d" for q in quotes)))
    summary.bladder = _bladder_line(entries)
    urgent: Dict[str, str] = {}
    for entry in entries:
        level = advice_level(entry)
        if level in URGENT:
            day = short_day(parse_iso(entry["when"]))
            urgent[day] = min(urgent.get(day, level), level, key=URGENT.index)
    summary.triage = [f"{day}: {texts['advice'][level]}" for day, level in urgent.items()]
    if urgent:
        others = len(days) - len(urgent)
        if others:
            summary.triage.append(texts["no_urgent_other"].format(count=_n_days(others)))
    else:
        summary.triage.append(texts["no_urgent"])


def advice_level(entry: Entry) -> Optional[str]:
    """The advice an entry calls for: an emergency sign is an emergency and a same-day sign same-day,
    whatever an older entry's triage says."""
    if entry.get("red_flags"):
        return URGENT[0]
    if entry.get("warning_signs") and entry.get("triage") not in URGENT:
        return URGENT[1]
    return entry.get("triage")


def _n_days(count: int) -> str:
    return f"{count} day" if count == 1 else f"{count} days"


def _counted(counter: Counter) -> str:
    """"stretching (5 days), warm pack (1 day)": the most frequent first."""
    return ", ".join(f"{what} ({_n_days(n)})" for what, n in counter.most_common(5))


def _bladder_line(entries: List[Entry]) -> str:
    """Bladder and bowel: a new problem (an emergency sign) by day, or what was said about them, or that
    the diary does not say (never "normal" from silence)."""
    texts = _texts()["report_page"]["bladder"]
    new = [e for e in entries if "bladder_bowel" in (e.get("red_flags") or [])]
    if new:
        return texts["new"].format(days=_short_days(new))
    said = [e for e in entries if (e.get("not_new") or {}).get("bladder_bowel")]
    if not said:
        return texts["not_told"]
    latest = said[-1]["not_new"]["bladder_bowel"]
    return texts["old" if latest in ("long_standing", "baseline") else "none_new"].format(days=_short_days(said))


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
