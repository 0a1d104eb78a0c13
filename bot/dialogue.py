"""The case record and the next-question policy.

A *case* is a plain JSON-serialisable dict that accumulates what every message said. The
Rasa layer keeps it in a slot and calls these pure functions on it; nothing here mutates the
dict it is given.

Question policy (numbers in policy.yml `dialogue`):
  1. a red flag (or a "yes" to the red-flag screen) -> no more questions: escalate;
  2. condition first, when unknown and not yet asked;
  3. then the assessment topic that best separates the pain types still in the running,
     until the leading type is clear, the whole picture is known, no topic would help, or
     the question budget is spent;
  4. the red-flag screen, always, before any non-urgent assessment, unless already answered;
  5. never a topic already answered or already asked ("not sure" counts as asked); a reply that
     does not address what was asked (it told other things, or nothing readable) leaves that
     question open for one more try, then it closes as "unknown".
"""
from __future__ import annotations

import copy
from itertools import combinations
from typing import Dict, List, Optional

from .classify import candidate_types, classify, score_types
from .extract import (STATUS_LONG_STANDING, STATUS_MINOR, STATUS_NEGATED, STATUS_PRESENT, STATUS_RESOLVED,
                      STATUS_UNCERTAIN, Extraction, read_text)
from .knowledge_base import RED_FLAGS, TOPICS, WARNING_SIGNS, knowledge

CASE_VERSION = 1
PAIR_CAP = 8.0  # separation (sum of weight differences) at which a pair counts as fully told apart
UNKNOWN = "unknown"
SCREEN_CLEAR, SCREEN_UNSURE, SCREEN_PRESENT = "clear", "unsure", "present"


def new_case() -> Dict:
    return {
        "version": CASE_VERSION,
        "condition": None,
        "condition_said": None,
        "features": {},            # feature id -> {"status", "said", "topic"}
        "red_flags": [],           # contract ids reported present (new/sudden), never removed
        "red_flag_evidence": {},   # flag id -> the caregiver's words
        "red_flag_mentions": {},   # flag id -> {"status", "said"} for denied / long-standing / unsure mentions
        "red_flag_screen": None,   # None | clear | unsure | present
        "asked": [],               # topics the bot has asked
        "deferred": [],            # topics whose reply told other things instead: asked once more, then closed
        "answers": {},             # topic -> "answered" | "unknown" (for bare / unmatched answers)
        "signals": {},             # severity, prescription_review, neuro_change -> [words]
        "messages": 0,
        "last": {},                # what the latest message needs reacting to (see read_message)
    }


def _ensure_case(case: Optional[Dict]) -> Dict:
    if not isinstance(case, dict) or case.get("version") != CASE_VERSION:
        base = new_case()
        if isinstance(case, dict):  # tolerate a partial / older record: keep what fits
            for key, value in case.items():
                if key in base and (isinstance(value, type(base[key])) or (base[key] is None and isinstance(value, str))):
                    base[key] = copy.deepcopy(value)
        return base
    return copy.deepcopy(case)


def read_message(case: Optional[Dict], text: str, asked_topic: Optional[str] = None) -> Dict:
    """Return a NEW case with everything `text` says merged in.

    asked_topic: the question topic being answered (the form's requested_slot), so bare
    answers ("yes", "no", "not sure", button words) are read in context.
    The returned case["last"] describes this message: crisis, dose_question, is_question,
    new_red_flags, answer (yes/no/uncertain), topics_found.
    """
    case = _ensure_case(case)
    kb = knowledge()
    if asked_topic not in TOPICS:
        asked_topic = None
    ext: Extraction = read_text(text, context_topic=asked_topic)
    case["messages"] += 1
    topics_found = set()

    if ext.condition:
        case["condition"], case["condition_said"] = ext.condition, ext.condition_said
        topics_found.add("condition")

    for f in ext.features:
        case["features"][f.id] = {"status": f.status, "said": f.said, "topic": f.topic}
        topics_found.add(f.topic)

    new_flags = []
    for f in ext.red_flags:
        if f.status == STATUS_PRESENT:
            if f.id not in case["red_flags"]:
                new_flags.append(f.id)
                case["red_flags"].append(f.id)
                case["red_flag_evidence"][f.id] = f.said
        elif f.id not in case["red_flags"]:
            case["red_flag_mentions"][f.id] = {"status": f.status, "said": f.said}
    case["red_flags"] = [r for r in RED_FLAGS if r in case["red_flags"]]

    # (merge note: warning signs) same-day warning signs merge like red flags: present ones are kept
    # (never removed), other mentions keep their latest status. Unresolved red-flag mentions
    # (uncertain / onset_unknown) stay in red_flag_mentions, where bot.triage reads them.
    new_warnings = []
    for w in ext.warning_signs:
        if w.status == STATUS_PRESENT:
            if w.id not in case.setdefault("warning_signs", []):
                new_warnings.append(w.id)
                case["warning_signs"].append(w.id)
                case.setdefault("warning_sign_evidence", {})[w.id] = w.said
        elif w.id not in case.get("warning_signs", []):
            case.setdefault("warning_sign_mentions", {})[w.id] = {"status": w.status, "said": w.said}
    case["warning_signs"] = [w for w in WARNING_SIGNS if w in case.get("warning_signs", [])]

    for name in ("severity", "prescription_review"):
        if ext.signals.get(name):
            case["signals"].setdefault(name, []).extend(ext.signals[name])
    if ext.neuro_change:
        case["signals"].setdefault("neuro_change", []).extend(ext.neuro_change)

    # -- a reply that does not address what was asked (it told other things, or nothing we could
    #    read): that question stays open for one more try, then closes as "unknown"
    flag_statuses = {f.id: f.status for f in ext.red_flags}
    reask = None
    if (asked_topic and asked_topic not in topics_found and ext.answer is None
            and not flag_statuses and asked_topic not in case["deferred"]):
        case["deferred"].append(asked_topic)
        reask, asked_topic = asked_topic, None

    # -- the red-flag screen
    if new_flags or any(s == STATUS_PRESENT for s in flag_statuses.values()):
        case["red_flag_screen"] = SCREEN_PRESENT
    elif asked_topic == "red_flag_screen":
        if any(s == STATUS_UNCERTAIN for s in flag_statuses.values()) or ext.answer == "uncertain":
            case["red_flag_screen"] = SCREEN_UNSURE
        elif ext.answer == "no" or (flag_statuses and all(s in (STATUS_NEGATED, STATUS_LONG_STANDING, "baseline",
                                                                 STATUS_RESOLVED, STATUS_MINOR)  # (merge note: warning signs)
                                                        for s in flag_statuses.values())):
            case["red_flag_screen"] = SCREEN_CLEAR
        elif ext.answer == "yes":
            case["red_flag_screen"] = SCREEN_PRESENT   # "yes" with no specific flag: escalate anyway
        else:
            case["red_flag_screen"] = SCREEN_UNSURE    # an answer we can't read is not a "no"
    elif case["red_flag_screen"] is None:
        denied = {fid for fid, m in case["red_flag_mentions"].items() if m["status"] == STATUS_NEGATED}
        if len(denied) >= int(kb.policy["dialogue"]["screen_clear_if_denied"]):
            case["red_flag_screen"] = SCREEN_CLEAR

    # -- a bare answer to the question being asked
    if asked_topic:
        if asked_topic not in case["asked"]:
            case["asked"].append(asked_topic)
        if asked_topic not in topics_found and asked_topic != "red_flag_screen":
            if asked_topic == "pain_relief" and ext.answer in ("yes", "no"):
                fid = "some_relief" if ext.answer == "yes" else "nothing_helps"
                case["features"][fid] = {"status": STATUS_PRESENT, "said": str(text).strip()[:80], "topic": "pain_relief"}
            else:
                case["answers"][asked_topic] = UNKNOWN
        elif asked_topic in topics_found:
            case["answers"][asked_topic] = "answered"

    case["last"] = {
        "crisis": bool(ext.signals.get("crisis")),
        "crisis_said": ext.signals.get("crisis", []),
        "dose_question": bool(ext.signals.get("dose_question")),
        "is_question": ext.is_question,
        "new_red_flags": new_flags,
        "new_warning_signs": new_warnings,  # (merge note: warning signs)
        "answer": ext.answer,
        "topics_found": [t for t in TOPICS if t in topics_found],
        "reask": reask,  # the question left open by this reply, to be asked once more
        "understood": bool(topics_found or ext.answer or flag_statuses),
    }
    return case


def present_features(case: Dict) -> Dict[str, str]:
    """Feature id -> caregiver's words, for features reported (or tentatively reported)."""
    return {fid: f["said"] for fid, f in case.get("features", {}).items() if f["status"] in (STATUS_PRESENT, STATUS_UNCERTAIN)}


def topics_answered(case: Dict) -> List[str]:
    case = _ensure_case(case)
    done = set(case["answers"])
    if case["condition"]:
        done.add("condition")
    if case["red_flag_screen"]:
        done.add("red_flag_screen")
    for f in case["features"].values():
        if f["status"] in (STATUS_PRESENT, STATUS_UNCERTAIN, STATUS_NEGATED):
            done.add(f["topic"])
    return [t for t in TOPICS if t in done]


def needs_escalation(case: Dict) -> bool:
    """True when the case has a red flag or a "yes" to the red-flag screen: seek care now."""
    case = case or {}
    return bool(case.get("red_flags")) or case.get("red_flag_screen") == SCREEN_PRESENT


def topic_value(topic: str, condition: Optional[str], present: Dict[str, str]) -> float:
    """How well answering `topic` would separate the pain types still in the running.

    Candidates are weighted by how well they fit so far; for each pair, the topic is worth the
    summed difference in how its features point to the two (capped, 0-1 scale).
    """
    kb = knowledge()
    scores, _ = score_types(present, condition, kb)
    candidates = candidate_types(condition, kb)
    mass = {t: scores.get(t, 0.0) + 1.0 for t in candidates}
    total = sum(mass.values())
    prob = {t: m / total for t, m in mass.items()}
    topic_features = [fid for fid, f in kb.features.items() if f["topic"] == topic and fid not in present]
    value = 0.0
    for a, b in combinations(candidates, 2):
        wa, wb = kb.pain_types[a]["weights"], kb.pain_types[b]["weights"]
        # total separation over the topic's features, capped: one topic can at best tell a pair apart
        diff = min(sum(abs(float(wa.get(f, 0)) - float(wb.get(f, 0))) for f in topic_features), PAIR_CAP)
        value += prob[a] * prob[b] * diff / PAIR_CAP
    return round(value, 4)


def _picture_is_clear(case: Dict) -> bool:
    policy = knowledge().policy["dialogue"]
    scores, _ = score_types(present_features(case), case["condition"])
    typed = sorted((s for t, s in scores.items() if t != "unclear"), reverse=True) or [0.0]
    leader, runner_up = typed[0], (typed[1] if len(typed) > 1 else 0.0)
    return leader >= float(policy["clear_min_score"]) and leader >= float(policy["clear_ratio"]) * runner_up


def next_topic(case: Optional[Dict]) -> Optional[str]:
    """The question topic to ask next, or None (ready to assess, or escalation needed)."""
    case = _ensure_case(case)
    if needs_escalation(case):
        return None
    policy = knowledge().policy["dialogue"]
    answered = set(topics_answered(case))
    closed = answered | set(case["asked"])

    if "condition" not in closed:
        return "condition"

    assessment_topics = policy["assessment_topics"]
    asked_assessment = [t for t in case["asked"] if t in assessment_topics]
    whole_picture = any(all(t in answered for t in group) for group in policy["whole_picture"])
    if not whole_picture and not _picture_is_clear(case) and len(asked_assessment) < int(policy["max_assessment_questions"]):
        present = present_features(case)
        best, best_value = None, float(policy["min_topic_value"])
        for topic in assessment_topics:
            if topic in closed:
                continue
            value = topic_value(topic, case["condition"], present)
            if value > best_value:
                best, best_value = topic, value
        if best:
            return best

    if "red_flag_screen" not in closed:
        return "red_flag_screen"
    return None


def why_ask(topic: str) -> Optional[str]:
    """What the question on `topic` tells apart (messages.yml why_ask)."""
    return knowledge().messages["why_ask"].get(topic)
