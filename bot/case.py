"""The case record: everything a conversation has told the core so far, and its contract views.

A *case* is a plain JSON-serialisable dict kept in one Rasa slot. ``merge_reading`` folds one
message's reading (bot.extract.Extraction) into it; nothing here mutates the dict it is given.

Signs (red flags and same-day warning signs) have three ways in:
  * reported present and new -> ``red_flags`` / ``warning_signs`` (never removed);
  * denied, long-standing or expected progression -> ``red_flag_mentions`` / ``warning_sign_mentions``;
  * hedged ("I think she might have...") or not saying whether it is new ("because of her MS",
    "as usual") -> an open *check*: the dialogue asks one direct question about that sign
    ("Is the wetting new?"); yes -> the sign counts, no -> a mention, still unsure -> a red flag
    becomes the warning sign ``possible_red_flag`` (careful, never reassuring), a warning sign counts.
"""
from __future__ import annotations

import copy
import dataclasses
import re
from typing import Dict, List, Optional

from .extract import read_text
from .knowledge_base import FEATURE_TOPICS, RED_FLAGS, TOPICS, WARNING_SIGNS, knowledge
from .reading import (
    STATUS_BASELINE,
    STATUS_LONG_STANDING,
    STATUS_NEGATED,
    STATUS_ONSET_UNKNOWN,
    STATUS_PRESENT,
    STATUS_RESOLVED,
    STATUS_UNCERTAIN,
    Extraction,
)
from .severity import is_severe, read_severity

CASE_VERSION = 3
UNKNOWN = "unknown"
SCREEN_CLEAR, SCREEN_UNSURE, SCREEN_PRESENT, SCREEN_PARTIAL = "clear", "unsure", "present", "partial"
# An open check's states: asked about (or about to be), answered new / old, or still unsure.
CHECK_OPEN, CHECK_NEW, CHECK_OLD, CHECK_UNSURE = "open", "new", "old", "unsure"
POSSIBLE_RED_FLAG = "possible_red_flag"
SAID_CHARS = 80  # a caregiver's words kept for an answer the core could not read (summaries stay short)


def new_case() -> Dict:
    return {
        "version": CASE_VERSION,
        "condition": None,
        "condition_said": None,
        "features": {},            # feature id -> {"status", "said", "topic"}
        "red_flags": [],           # contract ids reported present (new/sudden), never removed
        "red_flag_evidence": {},   # flag id -> the caregiver's words
        "warning_signs": [],       # same-day signs reported (contract ids), never removed
        "warning_sign_evidence": {},
        "red_flag_mentions": {},   # flag id -> {"status", "said"}: denied / long-standing / expected progression
        "warning_sign_mentions": {},  # the same for same-day warning signs
        "checks": {},              # sign id -> {"kind", "said", "state", "asked"}: "is it new?" questions
        "red_flag_screen": None,   # None | clear | partial | unsure | present
        "asked": [],               # topics the bot has asked an answer to
        "asks": {},                # topic -> how many times it was put to the caregiver
        "deferred": [],            # topics whose reply told other things instead: asked once more, then closed
        "answers": {},             # topic -> "answered" | "unknown" (for bare / unmatched answers)
        "unread": {},              # topic -> the caregiver's words for an answer the core could not read
        "signals": {},             # severity, prescription_review, neuro_change -> [words]
        "assessed": None,          # the last assessment given: {"triage", "pain_type", "red_flags", "warning_signs"}
        "severity": None,          # {"score": 0..10, "said"}: the latest rating told (bot/severity.py)
        "pending": None,           # the question after the assessment awaiting a reply: severity | diary_offer |
                                   # summary_offer | when (of pending_entry) | content (of a diary entry)
        "pending_entry": None,     # a diary entry waiting for its date
        "told_new": [],            # same-day signs told with a new cue ("since today"): new pain, whatever came before
        "simpler": None,           # the topic to put more simply next ("I don't understand the question")
        "follow_ups": {},          # severity / diary_offer -> how many times it was put to the caregiver
        "diary_consent": False,    # the caregiver asked for (or agreed to) a diary
        "signs_told": [],          # [{"day": ISO date, "red_flags", "warning_signs"}]: the day each sign was told
        "messages": 0,
        "last": {},                # what the latest message needs reacting to (see merge_reading)
    }


def as_case(case: Optional[Dict]) -> Dict:
    """A private copy of ``case`` in the current shape (an older or partial record keeps what fits)."""
    if isinstance(case, dict) and case.get("version") == CASE_VERSION:
        return copied(case)
    base = new_case()
    if isinstance(case, dict):
        for key, value in case.items():
            if key in base and key != "version" and (
                    isinstance(value, type(base[key])) or (base[key] is None and isinstance(value, (str, dict)))):
                base[key] = copied(value)
    return base


def case_view(case: Optional[Dict]) -> Dict:
    """``case`` in the current shape, for reading only: the record itself when it already is (no copy),
    else the same copy as ``as_case``. For the views that only read (what is answered, what to ask, the
    summaries); a caller that changes the case takes ``as_case``. A copy per view cost the action server
    three to four deep copies per call (tests/bot/test_case_copies.py holds the views to reading only)."""
    if isinstance(case, dict) and case.get("version") == CASE_VERSION:
        return case
    return as_case(case)


_ATOMS = (str, int, float, bool, type(None))


def copied(value):
    """A deep copy of JSON-shaped data (plain dicts and lists of strings, numbers, booleans and None), which
    is what a case is: it reaches the core from a slot, through JSON. Three times faster than
    ``copy.deepcopy``, which also keeps shared references and copies any type; anything else met on the
    way is handed to it."""
    kind = type(value)
    if kind is dict:
        return {key: copied(item) for key, item in value.items()}
    if kind is list:
        return [copied(item) for item in value]
    if kind in _ATOMS:
        return value
    return copy.deepcopy(value)


def read_message(case: Optional[Dict], text: str, asked_topic: Optional[str] = None) -> Dict:
    """The NEW case with everything ``text`` says merged in (reads the text; see merge_reading)."""
    topic = asked_topic if asked_topic in TOPICS else None
    return merge_reading(case, read_text(text, context_topic=topic), text, topic)


def topics_told(reading: Extraction) -> set:
    """The question topics a message tells something of: the condition, and each pain feature's topic."""
    return ({"condition"} if reading.condition else set()) | {f.topic for f in reading.features}


def merge_reading(case: Optional[Dict], reading: Extraction, text: str = "",
                  asked_topic: Optional[str] = None) -> Dict:
    """Return a NEW case with one message's reading merged in.

    asked_topic: the question topic being answered (the form's requested_slot), so bare answers
    ("yes", "not sure", button words) are read in context. The returned case["last"] describes this
    message: crisis, dose_question, is_question, new_red_flags, new_warning_signs, answer, topics_found,
    reask (the question left open for one more try), understood, check (the sign check it answered).
    """
    case = as_case(case)
    asked_topic = asked_topic if asked_topic in TOPICS else None
    case["messages"] += 1
    case["simpler"] = None
    topics_found = topics_told(reading)

    if reading.condition:
        case["condition"], case["condition_said"] = reading.condition, reading.condition_said
    for finding in reading.features:
        told = case["features"].get(finding.id)
        if finding.status == STATUS_BASELINE and told and told["status"] == STATUS_PRESENT:
            continue  # r13: words of age told of a sign ("her bowels haven't changed") keep the pain's own age
        case["features"][finding.id] = {"status": finding.status, "said": finding.said, "topic": finding.topic}

    before = (list(case["red_flags"]), list(case["warning_signs"]))
    pending = open_check(case)
    answering_check = asked_topic == "red_flag_screen" and pending and case["checks"][pending]["asked"]
    check_answered = _answer_open_check(case, reading, asked_topic)
    for finding in _said_yes_to(reading, asked_topic):
        _merge_sign(case, finding, "red_flag")
    for finding in _with_new_pain(reading):
        _merge_sign(case, finding, "warning_sign")
    for finding in _with_cancer_history(case, reading):
        _merge_sign(case, finding, "red_flag")
    if any(c["state"] == CHECK_UNSURE and c["kind"] == "red_flag" for c in case["checks"].values()):
        _add_sign(case, "warning_sign", POSSIBLE_RED_FLAG, "")
    case["red_flags"] = [r for r in RED_FLAGS if r in case["red_flags"]]
    case["warning_signs"] = [w for w in WARNING_SIGNS if w in case["warning_signs"]]
    new_flags = [f for f in case["red_flags"] if f not in before[0]]
    new_warnings = [w for w in case["warning_signs"] if w not in before[1]]

    rating = read_severity(text, asked=case.get("pending") == "severity")
    if rating and rating.score is not None:
        case["severity"] = {"score": rating.score, "said": rating.said}
        if is_severe(rating.score) and rating.said not in case["signals"].get("severity", []):
            case["signals"].setdefault("severity", []).append(rating.said)  # severe pain: seed 003's reason
    for name in ("severity", "prescription_review"):
        if reading.signals.get(name):
            case["signals"].setdefault(name, []).extend(reading.signals[name])
    if reading.neuro_change:
        case["signals"].setdefault("neuro_change", []).extend(reading.neuro_change)

    flag_statuses = {f.id: f.status for f in reading.red_flags}
    read_anything = bool(topics_found or reading.answer or flag_statuses or reading.warning_signs)
    # A reply that does not address what was asked (it told other things, or nothing we could read):
    # that question stays open for one more try, then closes as "unknown".
    reask = None
    if answering_check:
        asked_topic = None  # a reply to the "is it new?" question, not to the screen; its retry is counted there
    if (asked_topic and asked_topic not in topics_found and reading.answer is None and not flag_statuses
            and not (asked_topic == "red_flag_screen" and (reading.signals.get("no_later") or
                                                          reading.signals.get("whole_no") or
                                                          reading.signals.get("uncertain")))
            and not check_answered and asked_topic not in case["deferred"]
            and not _takes_as_answer(reading, asked_topic, topics_found)
            and case["asks"].get(asked_topic, 0) < int(knowledge().policy["dialogue"]["max_asks"])):
        case["deferred"].append(asked_topic)
        reask, asked_topic = asked_topic, None

    _update_screen(case, reading, text, asked_topic, new_flags, flag_statuses)

    if asked_topic:
        if asked_topic not in case["asked"]:
            case["asked"].append(asked_topic)
        if asked_topic in topics_found:
            case["answers"][asked_topic] = "answered"
        elif asked_topic != "red_flag_screen":
            relief = reading.answer if reading.answer in ("yes", "no") else (reading.signals.get("relief") or [None])[0]
            if asked_topic == "pain_relief" and relief:
                fid = "some_relief" if relief == "yes" else "nothing_helps"
                case["features"][fid] = {"status": STATUS_PRESENT, "said": _said(text), "topic": "pain_relief"}
            else:
                case["answers"][asked_topic] = UNKNOWN
                if reading.answer != "uncertain" and _said(text):
                    case["unread"][asked_topic] = _said(text)

    case["last"] = {
        "crisis": bool(reading.signals.get("crisis")),
        "crisis_said": reading.signals.get("crisis", []),
        "dose_question": bool(reading.signals.get("dose_question")),
        "is_question": reading.is_question,
        "new_red_flags": new_flags,
        "new_warning_signs": new_warnings,
        "answer": reading.answer,
        "topics_found": [t for t in TOPICS if t in topics_found],
        "reask": reask,
        "understood": read_anything,
        "check": check_answered,
        "severity": rating.score if rating else None,
        "severity_out_of_range": bool(rating and rating.out_of_range),
    }
    return case


def _takes_as_answer(reading: Extraction, asked_topic: str, topics_found: set) -> bool:
    """A plain reply to a question about the pain (not the screen, which must be answered for what it asks)
    that tells nothing the rules file under another topic: taken as the answer, in the caregiver's words, not
    asked again. A reply about something else ("a deep ache" to "what makes it worse?") is noted, and the
    question put once more."""
    others = set(topics_found) - {asked_topic}
    if not (asked_topic in FEATURE_TOPICS and reading.plain):
        return False
    if asked_topic == "pain_relief" and reading.signals.get("relief"):
        return True  # r10: "baclofen helps the spasms, not the ache": what eases it, whatever else it names
    # where, when, what sets it off, what eases it and how they get about run into each other in everyday
    # answers ("in bed nearly all the time", "since the new carers started the transfers"); only a feeling,
    # or the condition, told instead of what was asked is "something else"
    return not others or (asked_topic != "pain_feel" and not others <= {"pain_feel", "condition"})


def _tells_change(reading: Extraction) -> bool:
    """The message tells of the pain as new or worsening (a changing feature read as present), or of a span of recent
    weeks ("the last few weeks", "over 3/52")."""
    return reading.tells_recent or any(f.id in CHANGING_FEATURES and f.status == STATUS_PRESENT
                                       for f in reading.features)


def _with_new_pain(reading: Extraction) -> List:
    """The message's same-day signs, where one that needs new or worse pain (a cancer history, steroids) and whose
    own age the message leaves open comes with the pain told as new or worse in the same message ("breast cancer
    2016, brand new ache low in her back for 3 weeks"): that is what its "is the back pain new?" question would
    ask, so it is answered, not asked."""
    kb = knowledge()
    told_new = _tells_change(reading)
    return [dataclasses.replace(f, status=STATUS_PRESENT, acute=True)
            if told_new and f.status in (STATUS_ONSET_UNKNOWN, STATUS_UNCERTAIN)
            and kb.warning_signs.get(f.id, {}).get("needs_new_pain") else f for f in reading.warning_signs]


def _with_cancer_history(case: Dict, reading: Extraction) -> List:
    """NICE NG234: with a history of cancer, new or worsening leg weakness, walking difficulty, numbness or
    bladder or bowel change is an emergency, gradual or not. The rules read a gradual change of these as
    expected progression or as long-standing; with a cancer history told (now or earlier) and a word that it
    is getting worse, it is the red flag."""
    told = "cancer_history" in case["warning_signs"] or "cancer_history" in case["warning_sign_mentions"] or any(
        f.id == "cancer_history" and f.status != STATUS_NEGATED for f in reading.warning_signs)
    if not told:
        return []
    flags = set(knowledge().policy["cancer_red_flags"])
    # a sign whose age the message leaves open, in a message that tells of a change ("over the last month he's got
    # slower and slower on his feet, he's shuffling now"): gradual or not, it is the change NG234 means
    changing = _tells_change(reading)
    # told as worse but played down ("his walking's got a bit worse the last few weeks, probably nothing?"): with a
    # cancer history the careful reading is the change itself
    return [dataclasses.replace(f, status=STATUS_PRESENT) for f in reading.red_flags
            if f.id in flags and f.status in (STATUS_BASELINE, STATUS_LONG_STANDING, STATUS_ONSET_UNKNOWN,
                                              STATUS_UNCERTAIN)
            and (f.worsening or f.acute or (f.status == STATUS_BASELINE and reading.neuro_change)
                 or (f.status == STATUS_ONSET_UNKNOWN and changing))
            and not (f.status == STATUS_UNCERTAIN and not f.worsening)]


def _said(text: str) -> str:
    return " ".join(str(text or "").split())[:SAID_CHARS]


def _add_sign(case: Dict, kind: str, sign: str, said: str) -> None:
    listed, evidence = ("red_flags", "red_flag_evidence") if kind == "red_flag" else (
        "warning_signs", "warning_sign_evidence")
    if sign not in case[listed]:
        case[listed].append(sign)
        case[evidence][sign] = said


def _mentions(case: Dict, kind: str) -> Dict:
    return case["red_flag_mentions"] if kind == "red_flag" else case["warning_sign_mentions"]


def _merge_sign(case: Dict, finding, kind: str) -> None:
    """One red flag or warning sign the message mentions, by how it was said."""
    listed = case["red_flags"] if kind == "red_flag" else case["warning_signs"]
    check = case["checks"].get(finding.id)
    if finding.status == STATUS_PRESENT:
        _add_sign(case, kind, finding.id, finding.said)
        if finding.acute and kind == "warning_sign" and finding.id not in case["told_new"]:
            case["told_new"].append(finding.id)
        if check and check["state"] == CHECK_OPEN:
            check["state"] = CHECK_NEW
        return
    if finding.id in listed:
        return
    if finding.status in (STATUS_UNCERTAIN, STATUS_ONSET_UNKNOWN):
        if check is None:
            case["checks"][finding.id] = {"kind": kind, "said": finding.said, "state": CHECK_OPEN, "asked": 0}
        return
    _mentions(case, kind)[finding.id] = {"status": finding.status, "said": finding.said}
    if check and check["state"] == CHECK_OPEN and finding.status in (STATUS_NEGATED, STATUS_LONG_STANDING):
        check["state"] = CHECK_OLD


def open_check(case: Dict) -> Optional[str]:
    """The sign whose "is it new?" question is pending (the first one still open), or None."""
    for sign, check in (case.get("checks") or {}).items():
        if check["state"] == CHECK_OPEN:
            return sign
    return None


def _answer_open_check(case: Dict, reading: Extraction, asked_topic: Optional[str]) -> Optional[str]:
    """Read a reply to the pending "is it new?" question. Returns the sign it settled, or None."""
    sign = open_check(case)
    if asked_topic != "red_flag_screen" or sign is None or not case["checks"][sign]["asked"]:
        return None
    check = case["checks"][sign]
    said_again = [f for f in reading.red_flags + reading.warning_signs if f.id == sign]
    features = {f.id for f in reading.features if f.status == STATUS_PRESENT}
    if any(f.status == STATUS_PRESENT for f in said_again) or reading.answer == "yes" or (
            features & {"new_onset", "worsening"} and not _only_the_pain_new(reading, said_again)):
        check["state"] = CHECK_NEW
        _add_sign(case, check["kind"], sign, check["said"])
    elif reading.answer == "no" or "long_standing" in features or any(
            f.status in (STATUS_NEGATED, STATUS_LONG_STANDING) for f in said_again):
        check["state"] = CHECK_OLD
        _mentions(case, check["kind"])[sign] = {"status": STATUS_LONG_STANDING, "said": check["said"]}
    elif reading.answer == "uncertain" or check["asked"] >= 2:
        check["state"] = CHECK_UNSURE
        if check["kind"] == "warning_sign":  # a same-day sign nobody can rule out is treated as present
            _add_sign(case, "warning_sign", sign, check["said"])
    else:
        return None  # not an answer: the question is put once more
    return sign


def _only_the_pain_new(reading: Extraction, said_again: List) -> bool:
    """r13: "no, the legs have been like that for years, it's the back that's new": the reply tells the sign as old
    and only the back pain as new, so the newness is the pain's, not the sign's."""
    told_old = any(f.id == "long_standing" and f.status == STATUS_PRESENT for f in reading.features) or any(
        f.status in (STATUS_NEGATED, STATUS_LONG_STANDING) for f in said_again)
    new = [f for f in reading.features if f.id in ("new_onset", "worsening") and f.status == STATUS_PRESENT]
    return told_old and all(f.about_back for f in new)


def _said_yes_to(reading: Extraction, asked_topic: Optional[str]) -> List:
    """The message's red flags, where a "yes" to the emergency-sign question told only in an idiom of a change
    (red_flags.yml `vague_phrases`: "yes, her legs went funny this morning") makes them present: the yes answers
    whether it is new."""
    if asked_topic == "red_flag_screen" and reading.answer == "yes" and reading.red_flags and all(
            f.status == STATUS_UNCERTAIN and f.vague for f in reading.red_flags):
        return [dataclasses.replace(f, status=STATUS_PRESENT, acute=True) for f in reading.red_flags]
    return reading.red_flags


def _says_none(text: str) -> bool:
    """Words that deny every sign at once ("none of them", "nothing like that", "no to all")."""
    words = set(re.findall(r"[a-z]+", str(text or "").lower()))
    return bool(words & set(knowledge().policy["dialogue"]["screen_none_words"]))


def _denials_listed(reading: Extraction) -> int:
    """How many places the message denies or tells as old a red flag ("no fever, no falls, legs same" -> 3); one
    mention read as two signs ("legs same": weakness, both legs) is one place."""
    spans = sorted((f.start, f.start + len(f.said.split())) for f in reading.red_flags
                   if f.status in (STATUS_NEGATED, STATUS_LONG_STANDING))
    places, reach = 0, -1
    for start, end in spans:  # overlapping words ("her legs" / "legs") are one place
        if start >= reach:
            places += 1
        reach = max(reach, end)
    return places


def _says_no_to_all(reading: Extraction, flag_statuses: Dict[str, str], text: str) -> bool:
    """A reply to the screen that says no to the whole question (the contract)."""
    if reading.answer == "no" and (not flag_statuses or _says_none(text) or reading.signals.get("no_first")):
        return True
    if reading.answer == "yes" or STATUS_PRESENT in flag_statuses.values():
        return False
    # r10: a "no" said after other words, a list of denials ("no fever no fall, legs same, wee same"), or whole-list
    # words ("she's herself"): an answer that says no to the question, not an opening naming a sign
    return bool(reading.signals.get("no_later")) or _denials_listed(reading) >= 2 or (
        bool(reading.signals.get("whole_no")) and not reading.signals.get("uncertain"))


def _update_screen(case: Dict, reading: Extraction, text: str, asked_topic: Optional[str],
                   new_flags: List[str], flag_statuses: Dict[str, str]) -> None:
    """The red-flag screen: answered only by a reply to it; denials in passing never close it."""
    if new_flags or any(s == STATUS_PRESENT for s in flag_statuses.values()):
        case["red_flag_screen"] = SCREEN_PRESENT
        return
    if asked_topic != "red_flag_screen" or open_check(case):
        return
    denied = set(case["red_flag_mentions"])
    # "no fever, no falls" starts with "no" but answers only for the signs it names
    # ... but "no, his chest is fine" and "no. breathing fine" say no to the question first (contract)
    denies_all = _says_no_to_all(reading, flag_statuses, text)
    # (r13: doubt anywhere in the reply, not only a first "not sure": "bladder is fine, not sure about the rest", "no
    # fever. the others I dont know", "she says no but she was half asleep, not sure I trust it")
    if any(s in (STATUS_UNCERTAIN, STATUS_ONSET_UNKNOWN) for s in flag_statuses.values()) or \
            reading.answer == "uncertain" or (reading.signals.get("uncertain") and reading.answer != "yes"):
        case["red_flag_screen"] = SCREEN_UNSURE
    elif denies_all:
        case["red_flag_screen"] = SCREEN_CLEAR
    elif reading.answer == "yes" and not (flag_statuses and all(
            s in (STATUS_NEGATED, STATUS_LONG_STANDING, STATUS_RESOLVED) for s in flag_statuses.values())):
        # "yes" with no specific flag: escalate anyway; "yes to the bladder one, but that's been years" names
        # only old, denied or passed signs, and is read below like any answer naming signs
        case["red_flag_screen"] = SCREEN_PRESENT
    elif flag_statuses:
        # Some signs denied by name ("no fever, no falls"): the rest are asked about once more. A sign
        # explained away as old ("the bladder thing, but that's been for years") answers for all of them.
        rest = [f for f in RED_FLAGS if f not in denied]
        if not rest or STATUS_NEGATED not in flag_statuses.values():
            case["red_flag_screen"] = SCREEN_CLEAR
        elif case["asks"].get("red_flag_screen", 0) >= 2:
            case["red_flag_screen"] = SCREEN_UNSURE
        else:
            case["red_flag_screen"] = SCREEN_PARTIAL
    else:
        case["red_flag_screen"] = SCREEN_UNSURE    # an answer we can't read is not a "no"
    if case["red_flag_screen"] == SCREEN_UNSURE:
        _add_sign(case, "warning_sign", POSSIBLE_RED_FLAG, "")


# ---------------------------------------------------------------- what the case says so far

def present_features(case: Dict) -> Dict[str, str]:
    """Feature id -> caregiver's words, for features reported (or tentatively reported)."""
    return {fid: f["said"] for fid, f in (case.get("features") or {}).items()
            if f["status"] in (STATUS_PRESENT, STATUS_UNCERTAIN)}


def topics_answered(case: Dict) -> List[str]:
    """Question topics already answered (contract topic names)."""
    case = case_view(case)
    done = set(case["answers"])
    if case["condition"]:
        done.add("condition")
    if case["red_flag_screen"] and case["red_flag_screen"] != SCREEN_PARTIAL:
        done.add("red_flag_screen")
    for f in case["features"].values():
        if f["status"] in (STATUS_PRESENT, STATUS_UNCERTAIN, STATUS_NEGATED):
            done.add(f["topic"])
    return [t for t in TOPICS if t in done]


def needs_escalation(case: Optional[Dict]) -> bool:
    """True when the case has a red flag or a "yes" to the red-flag screen: seek care now."""
    case = case or {}
    return bool(case.get("red_flags")) or case.get("red_flag_screen") == SCREEN_PRESENT


def case_condition(case: Optional[Dict]) -> Optional[str]:
    return (case or {}).get("condition")


def case_red_flags(case: Optional[Dict]) -> List[str]:
    return list((case or {}).get("red_flags") or [])


# pain_timing features that say the pain is the caregiver's familiar, unchanged pattern, and those that say it is not
STABLE_FEATURES = ("long_standing",)
CHANGING_FEATURES = ("new_onset", "worsening")


def stable_pattern(case: Dict) -> bool:
    """The caregiver described the pain as familiar and unchanged ("for years", "her usual"), and
    nothing in the case says it is new, worsening or bringing new nerve symptoms."""
    told = {fid for fid, f in (case.get("features") or {}).items() if f.get("status") == STATUS_PRESENT}
    changing = told & set(CHANGING_FEATURES) or (case.get("signals") or {}).get("neuro_change")
    return bool(told & set(STABLE_FEATURES)) and not changing


def stability_unknown(case: Optional[Dict]) -> bool:
    """Nothing told yet on whether the pain is familiar and unchanged or new/worsening: the question
    the dialogue asks (pain_timing) before self-care can be advised."""
    case = case or {}
    told = {fid for fid, f in (case.get("features") or {}).items() if f.get("status") == STATUS_PRESENT}
    return not told & set(STABLE_FEATURES + CHANGING_FEATURES) and not (case.get("signals") or {}).get("neuro_change")


def unsettled_signs(case: Optional[Dict], kind: str = "red_flag") -> List[str]:
    """Signs of `kind` said without saying whether they are new (or with doubt): their "is it new?"
    check is still open or was answered "not sure", and they were not reported as present since."""
    case = case or {}
    reported = set(case.get("red_flags") or []) | set(case.get("warning_signs") or [])
    return [sign for sign, check in (case.get("checks") or {}).items()
            if check["kind"] == kind and check["state"] in (CHECK_OPEN, CHECK_UNSURE) and sign not in reported]


def case_warning_signs(case: Optional[Dict]) -> List[str]:
    """The contract's same-day signs, in contract order: those reported, and for every sign still
    unsettled the careful reading (a red flag -> possible_red_flag, a warning sign -> that sign), as for
    an unsure answer to the red-flag screen. So a single text (the CLI) and a half-finished check are
    never read as reassuring."""
    case = case or {}
    signs = set(case.get("warning_signs") or []) | set(unsettled_signs(case, "warning_sign"))
    kb = knowledge()
    if stable_pattern(case):  # cancer history, steroids: a sign with new or worsening pain only
        signs = {w for w in signs
                 if not kb.warning_signs.get(w, {}).get("needs_new_pain") or w in case.get("told_new", [])}
    condition = case.get("condition")
    if condition:  # a sign of one condition only (breathing_change: ALS/MND) is not read for the other
        signs = {w for w in signs if condition in (kb.warning_signs.get(w, {}).get("conditions") or [condition])}
    if unsettled_signs(case, "red_flag") or case.get("red_flag_screen") == SCREEN_UNSURE:
        signs.add(POSSIBLE_RED_FLAG)
    return [w for w in WARNING_SIGNS if w in signs]


def topic_summaries(case: Optional[Dict]) -> Dict[str, str]:
    """Each answered or asked topic -> a short summary in plain words ("not sure" included).

    These fill the form's topic slots, so a topic with a summary is never asked again.
    """
    case = case_view(case)
    kb = knowledge()
    summaries: Dict[str, str] = {}
    present = present_features(case)
    for topic in FEATURE_TOPICS:
        labels = [kb.features[fid]["label"] for fid in present if kb.features[fid]["topic"] == topic]
        negated = [kb.features[fid]["label"] for fid, f in case["features"].items()
                   if f["topic"] == topic and f["status"] == STATUS_NEGATED]
        if labels:
            summaries[topic] = ", ".join(labels)
        elif negated:
            summaries[topic] = "not " + ", not ".join(negated)
        elif case["answers"].get(topic) == UNKNOWN or topic in case["asked"]:
            unread = case["unread"].get(topic)
            summaries[topic] = f"not sure (said: {unread})" if unread else "not sure"
    if case.get("red_flag_screen") and case["red_flag_screen"] != SCREEN_PARTIAL:
        summaries["red_flag_screen"] = case["red_flag_screen"]
    return summaries
