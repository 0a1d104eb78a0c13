"""One turn, one home: what one caregiver message means for the conversation.

Everything a turn decides is decided here, framework-free: whether the symptom form steps aside for
the message (so that the rule for its intent answers) or reads it as an answer; escalation and crisis;
which sign to ask "is it new?" about; which question stays pending; which slots change; what is said.
The Rasa layer only adapts: the NLU component calls ``route``, the actions and the action-server safety
net call ``take_turn`` / ``ask_turn`` / ``conclude`` and turn the result into events.

A message is read once per process: the NLU component's reading travels to the action server in the
message's parse data (``READING_KEY``) and is reused there whenever the question being answered does not
change how the text reads (see ``reusable_reading``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from . import replies
from .assessment import assess_case
from .case import (
    as_case,
    case_condition,
    case_red_flags,
    case_warning_signs,
    merge_reading,
    needs_escalation,
    topic_summaries,
)
from .explain import answer_question
from .extract import CONTEXT_TOPICS, Extraction, read_text
from .knowledge_base import TOPICS, knowledge
from .questions import count_ask, next_topic

READING_KEY = "backline_reading"  # the NLU component's reading, in the message's parse data
SEEK_CARE_NOW = "seek_care_now"
_WORD = re.compile(r"[a-z']+")


@dataclass
class Turn:
    """What one message means: the case after it, what to say, which slots change, what is pending."""

    case: Dict[str, Any]
    replies: List[Dict[str, Any]] = field(default_factory=list)
    slots: Dict[str, Any] = field(default_factory=dict)  # slot name -> new value (the case under "case")
    steps_aside: bool = False   # the form lets the rule for this intent answer; the same question stays pending
    ask: Optional[str] = None   # the question topic pending after this turn (the form's requested_slot)


@dataclass
class Route:
    """The NLU component's part: the intent the core insists on (or None), entities, and the reading."""

    intent: Optional[str]
    entities: List[Dict[str, Any]]
    reading: Optional[Dict[str, Any]]


def _intents() -> Dict[str, Any]:
    return knowledge().policy["intents"]


# ---------------------------------------------------------------- the NLU component's reading

def route(text: str, guessed_intent: Optional[str], confidence: float) -> Route:
    """Read one message (no conversation context) and say which intent safety or sense requires.

    The statistical classifier can be wrong; safety must not depend on it: a crisis, a red flag and a
    dose question are decided here, and a same-day sign or a sign to ask about sends the message to the
    symptom form (which reads it in context, also after an assessment). A doubtful guess is overruled
    by what the core can read: a bare "not sure"/"yes"/"no", a question the articles answer, or a terse
    opening about back pain. Wordless input is `nlu_fallback`.
    """
    text = text or ""
    if text.startswith("/"):
        return Route(None, [], None)  # a button payload that names its intent itself
    if not any(ch.isalnum() for ch in text):
        return Route("nlu_fallback", [], None)
    reading = read_text(text)
    policy = _intents()
    entities = ([{"entity": "condition", "value": reading.condition}] if reading.condition else []) + [
        {"entity": "red_flag", "value": flag} for flag in sorted(reading.present_flags)]
    doubtful = guessed_intent in policy["doubtful"] or confidence < float(policy["unsure_confidence"])
    intent = None
    if reading.signals.get("crisis"):
        intent = "crisis"
    elif reading.present_flags:
        intent = "report_red_flag"
    elif reading.signals.get("dose_question"):
        intent = "ask_dose"
    elif reading.signs_to_read() and guessed_intent not in policy["answers"]:
        intent = "describe_pain"
    elif guessed_intent == "report_red_flag":
        intent = "describe_pain"  # no red flag the core can find: the form asks the screen instead
    elif doubtful and reading.answer:
        intent = policy["bare_answers"][reading.answer]
    elif doubtful and guessed_intent != "ask_knowledge" and answer_question(text):
        intent = "ask_knowledge"
    elif doubtful and _terse_opening(text, policy):
        intent = "describe_pain"
    elif doubtful and (reading.features or reading.condition):
        intent = "inform"  # the core read something clinical in it: an answer, never "didn't understand"
    return Route(intent, entities, reading.to_dict(context=None))


def _terse_opening(text: str, policy: Dict[str, Any]) -> bool:
    """"back pain", "help", "my husband's back": a short message about back pain starts the assessment."""
    words = _WORD.findall(text.lower())
    return 0 < len(words) <= int(policy["terse_max_words"]) and bool(set(words) & set(policy["opening_words"]))


def reusable_reading(parse_data: Optional[Dict[str, Any]], asked_topic: Optional[str]) -> Optional[Extraction]:
    """The NLU component's reading of the latest message, if it reads the same in this context."""
    data = (parse_data or {}).get(READING_KEY)
    context = asked_topic if asked_topic in CONTEXT_TOPICS else None
    if not isinstance(data, dict) or data.get("context") != context:
        return None
    try:
        return Extraction.from_dict(data)
    except (KeyError, TypeError, ValueError):
        return None  # an older or foreign shape: read the text again


# ---------------------------------------------------------------- the turn

def take_turn(case: Optional[Dict], text: str, intent: Optional[str], asked_topic: Optional[str] = None, *,
              for_form: bool = False, degraded: bool = False, reading: Optional[Extraction] = None) -> Turn:
    """Everything one message means for this conversation.

    intent: the NLU intent (already routed by ``route``); asked_topic: the form's pending question, if
    any; for_form: the symptom form asks (an interruption then steps aside at once, unread: its own
    action takes the turn); degraded: the action server failed and the Rasa server answers alone (only
    what keeps the caregiver safe, and the form keeps its place); reading: a reading to reuse
    (``reusable_reading``).
    """
    case = as_case(case)
    asked_topic = asked_topic if asked_topic in TOPICS else None
    policy = _intents()
    if intent in policy["interruptions"] and (for_form or intent not in policy["read_first"]):
        return _step_aside(case, asked_topic, degraded)

    context = asked_topic if asked_topic in CONTEXT_TOPICS else None
    reading = reading or read_text(text, context_topic=context)
    updated = merge_reading(case, reading, text, asked_topic)
    last = updated["last"]

    if last["crisis"] or intent == "crisis":
        said = replies.crisis() + (replies.escalation(updated) if last["new_red_flags"] else [])
        return _finish(updated, said, degraded, escalated=bool(last["new_red_flags"]))
    if intent == "report_red_flag" or last["new_red_flags"]:
        return _finish(updated, replies.escalation(updated), degraded, escalated=True)
    if intent in policy["small_talk"] and _small_talk_steps_aside(case, updated, text, asked_topic):
        return _step_aside(case, asked_topic, degraded)
    if degraded:
        # The form keeps its place: this answer is read again when the caregiver sends it once more.
        pending = asked_topic or next_topic(case)
        return Turn(case, replies.trouble(False), {"case": case, "requested_slot": pending}, ask=pending)
    ask = next_topic(updated)
    return Turn(updated, replies.missed_question(updated), {**case_slots(updated), "requested_slot": ask}, ask=ask)


def _step_aside(case: Dict, asked_topic: Optional[str], degraded: bool) -> Turn:
    """The rule for the message's intent answers; the same question is asked again after it."""
    return Turn(case, replies.trouble(False) if degraded else [], {}, steps_aside=True,
                ask=asked_topic or next_topic(case))


def _small_talk_steps_aside(before: Dict, after: Dict, text: str, asked_topic: Optional[str]) -> bool:
    """Small talk ("hi", "thanks") steps aside only when it told the core nothing, is really small talk
    by its words (mid-form, a short reply is read as an answer first), and the pending question has
    not already been put to the caregiver as often as it may be."""
    last = after["last"]
    if last["topics_found"] or last["new_red_flags"] or last["answer"] or last["new_warning_signs"]:
        return False
    if asked_topic is None:
        return True
    limit = int(knowledge().policy["dialogue"]["max_asks"])
    if before["asks"].get(asked_topic, 0) >= limit:
        return False
    words = _WORD.findall((text or "").lower())
    return bool(words) and set(words) <= set(_intents()["small_talk_words"])


def _finish(case: Dict, said: List[Dict[str, Any]], degraded: bool, escalated: bool) -> Turn:
    """A turn that ends the questions: a crisis or an escalation."""
    slots = {**case_slots(case), "requested_slot": None}
    if escalated or needs_escalation(case):
        slots["triage"] = SEEK_CARE_NOW
    if degraded:
        said = said + replies.trouble(escalated)
    return Turn(case, said, slots)


def case_slots(case: Dict) -> Dict[str, Any]:
    """The case as slot values: the record itself, the contract slots and the topic summaries."""
    slots: Dict[str, Any] = {"case": case, "condition": case_condition(case)}
    if case_red_flags(case):
        slots["red_flags"] = case_red_flags(case)
    if case_warning_signs(case) or case.get("checks"):  # a settled check can take a sign back off the list
        slots["warning_signs"] = case_warning_signs(case)
    slots.update(topic_summaries(case))
    return slots


# ---------------------------------------------------------------- asking and concluding

def ask_turn(case: Optional[Dict], topic: str) -> Turn:
    """Put the question on `topic` to the caregiver (worded for this case), and count it."""
    from .questions import ask

    message = ask(topic, case)
    counted = count_ask(case, topic)
    return Turn(counted, [message], {"case": counted}, ask=topic)


def conclude(case: Optional[Dict]) -> Turn:
    """The assessment once nothing more is needed. After an earlier assessment in this conversation it
    is an update: what changed, or that the new details change nothing, never the same text again."""
    case = as_case(case)
    result = assess_case(case)
    now = {"triage": result.triage, "pain_type": result.pain_type,
           "red_flags": list(result.red_flags), "warning_signs": case_warning_signs(case)}
    texts = knowledge().messages["dialogue"]
    previous = case.get("assessed")
    said = replies.messages(result.explanation)
    if previous == now:
        triage_words = knowledge().messages["summary"]["triage_values"][result.triage]
        said = replies.messages([texts["assessment_unchanged"].format(advice=triage_words)])
    elif previous:
        said = replies.messages([texts["assessment_changed"]]) + said
    case["assessed"] = now
    slots = {**case_slots(case), "triage": result.triage, "pain_type": result.pain_type,
             "red_flags": list(result.red_flags), "warning_signs": case_warning_signs(case)}
    return Turn(case, said, slots)
