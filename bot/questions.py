"""What to ask next, and how to word it.

Question policy (numbers in policy.yml `dialogue`):
  1. a red flag (or a "yes" to the red-flag screen) -> no more questions: escalate;
  2. a sign said without saying whether it is new (or hedged) -> one direct question about it, first;
  3. condition first, when unknown and not yet asked;
  4. then the assessment topic that best separates the pain types still in the running, until the
     leading type is clear, the whole picture is known, no topic would help, or the budget is spent;
  5. the red-flag screen, always, before any non-urgent assessment; denying some signs in passing
     leaves it open, and the question then names only the signs not yet denied;
  6. never a topic already answered or asked ("not sure" counts as asked); a reply that does not
     address what was asked leaves that question open for one more try; no question is put to the
     caregiver more than `max_asks` times.
"""
from __future__ import annotations

from itertools import combinations
from typing import Dict, List, Optional

from .case import (
    SCREEN_PARTIAL,
    as_case,
    case_view,
    needs_escalation,
    open_check,
    present_features,
    topics_answered,
)
from .classify import candidate_types, score_types
from .knowledge_base import RED_FLAGS, knowledge

PAIR_CAP = 8.0  # separation (sum of weight differences) at which a pair counts as fully told apart

Message = Dict[str, object]


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


def _closed(case: Dict) -> set:
    """Topics that are answered, asked, or put to the caregiver as often as they may be."""
    limit = int(knowledge().policy["dialogue"]["max_asks"])
    worn_out = {t for t, n in case["asks"].items() if n >= limit}
    return set(topics_answered(case)) | set(case["asked"]) | worn_out


def next_topic(case: Optional[Dict]) -> Optional[str]:
    """The question topic to ask next, or None (ready to assess, or escalation needed)."""
    case = case_view(case)
    if needs_escalation(case):
        return None
    policy = knowledge().policy["dialogue"]
    limit = int(policy["max_asks"])
    screen_asks = case["asks"].get("red_flag_screen", 0)
    sign = open_check(case)
    if sign and case["checks"][sign]["asked"] < limit:
        return "red_flag_screen"
    closed = _closed(case)
    if "condition" not in closed:
        return "condition"

    assessment_topics = policy["assessment_topics"]
    answered = set(topics_answered(case))
    asked_assessment = [t for t in case["asked"] if t in assessment_topics]
    whole_picture = any(all(t in answered for t in group) for group in policy["whole_picture"])
    if not whole_picture and not _picture_is_clear(case) and \
            len(asked_assessment) < int(policy["max_assessment_questions"]):
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

    if case["red_flag_screen"] == SCREEN_PARTIAL and screen_asks < limit:
        return "red_flag_screen"
    if "red_flag_screen" not in closed:
        return "red_flag_screen"
    # No reassurance without evidence: before a self-care answer, ask whether this is a known pattern.
    if "pain_timing" not in closed and _stability_decides(case):
        return "pain_timing"
    return None


# The triage rule (policy.yml) that holds back self-care until the caregiver says the pattern is known.
STABILITY_RULE = "not_a_known_stable_pattern"


def _stability_decides(case: Dict) -> bool:
    """True when the only thing between this case and a self-care answer is not knowing whether the
    pain is a known, stable pattern: that is worth one question (pain_timing asks it)."""
    from .assessment import assess_case
    from .case import stability_unknown

    return stability_unknown(case) and [r["rule"] for r in assess_case(case).triage_reasons] == [STABILITY_RULE]


def ask(topic: str, case: Optional[Dict] = None) -> Message:
    """The question on `topic`, worded for this case: a pending "is it new?" check, or the red-flag
    screen naming only the signs not yet denied."""
    kb = knowledge()
    questions = kb.messages["questions"]
    case = case_view(case)
    if topic == "red_flag_screen":
        sign = open_check(case)
        if sign:
            return _check_question(sign, case["checks"][sign]["kind"])
        rest = remaining_screen_signs(case)
        if len(rest) < len(RED_FLAGS):  # some signs were denied by name: ask only about the others
            wording = "screen_rest" if case["red_flag_screen"] == SCREEN_PARTIAL else "screen_rest_first"
            signs = "; ".join(kb.red_flags[f]["plain"] for f in rest)
            text = kb.messages["dialogue"][wording].format(signs=signs)
            return {"text": text, "buttons": [dict(b) for b in questions["red_flag_screen"].get("buttons") or []]}
    entry = questions[topic]
    text = entry["text"]
    if case.get("simpler") == topic:  # "I don't understand the question": the same question, more simply
        text = kb.messages["simpler_questions"][topic]
    return {"text": text, "buttons": [dict(b) for b in entry.get("buttons") or []]}


def _check_question(sign: str, kind: str) -> Message:
    kb = knowledge()
    entry = kb.red_flags[sign] if kind == "red_flag" else kb.warning_signs[sign]
    buttons = [dict(b) for b in kb.messages["dialogue"]["check_buttons"]]
    return {"text": entry["check_question"], "buttons": buttons}


def count_ask(case: Optional[Dict], topic: str) -> Dict:
    """The case after `topic` was put to the caregiver once more. A pending "is it new?" check is worded
    as the red-flag screen topic but counted on its own, so the screen itself is still asked later."""
    case = as_case(case)
    sign = open_check(case) if topic == "red_flag_screen" else None
    if sign:
        case["checks"][sign]["asked"] += 1
    else:
        case["asks"][topic] = case["asks"].get(topic, 0) + 1
    return case


def why_ask(topic: Optional[str]) -> Optional[str]:
    """What the question on `topic` tells apart (messages.yml why_ask)."""
    return knowledge().messages["why_ask"].get(topic) if topic else None


def remaining_screen_signs(case: Dict) -> List[str]:
    """Red flags not yet denied by name (the partial screen asks about these)."""
    denied = set(case.get("red_flag_mentions") or {})
    return [f for f in RED_FLAGS if f not in denied]
