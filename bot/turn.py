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
from datetime import datetime
from typing import Any, Dict, Iterable, List, Optional, Tuple

from . import diary, explain, replies
from .assessment import assess_case
from .case import (
    as_case,
    case_condition,
    case_red_flags,
    case_view,
    case_warning_signs,
    merge_reading,
    needs_escalation,
    topic_summaries,
    topics_told,
)
from .explain import answer_question
from .extract import read_text
from .knowledge_base import TOPICS, knowledge
from .questions import count_ask, next_topic
from .reading import CONTEXT_TOPICS, Extraction
from .severity import only_severity, read_severity
from .when import FOUND, read_when

READING_KEY = "backline_reading"  # the NLU component's reading, in the message's parse data
FOLLOW_UP_SLOT = "follow_up"  # true while a question after the assessment awaits its reply (domain.yml rules)
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
    # What the diary must do after the replies: {"add": entry} | {"show": True} | {"report": True} | {"export": True}
    diary: Optional[Dict[str, Any]] = None
    # The questions end here: the escalation's and the crisis's actions stop the symptom form themselves (an
    # ActiveLoop(None) event, data/rules/safety.yml), so Rasa needs no second prediction for action_deactivate_loop
    ends_form: bool = False


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
    asked_to_wipe = reading.signals.get("asks_to") or []
    if reading.failed:
        intent = "describe_pain"  # the form answers it, failing closed (take_turn)
    elif guessed_intent in ("start_over", "delete_conversation") and guessed_intent not in asked_to_wipe:
        intent = "inform"  # "I don't understand the question" is not "start over": nothing said is wiped
    elif "start_over" in asked_to_wipe and not (reading.present_flags or reading.signals.get("crisis")) \
            and len(_WORD.findall(text.lower())) <= 8:
        intent = "start_over"
    elif reading.signals.get("crisis"):
        intent = "crisis"
    elif reading.present_flags:
        intent = "report_red_flag"
    elif reading.signals.get("dose_question"):
        intent = "ask_dose"
    elif reading.signals.get("not_understood") or reading.signals.get("follow_up"):
        intent = "inform"  # the core answers it in context: the question put more simply, or the assessment
    elif diary.request_of(text):
        intent = policy["diary_requests"][diary.request_of(text)]
    elif only_severity(text):
        intent = "rate_severity"
    elif guessed_intent == "rate_severity" and (reading.features or reading.condition):
        intent = "inform"  # a rating with more in it: the form (or the diary's question) reads all of it
    elif guessed_intent == "rate_severity" and read_severity(text, asked=True) is None:
        intent = "out_of_scope"  # the classifier's guess, with no rating in the words
    elif reading.signs_to_read() and guessed_intent not in policy["answers"]:
        intent = "describe_pain"
    elif guessed_intent == "report_red_flag":
        intent = "describe_pain"  # no red flag the core can find: the form asks the screen instead
    elif guessed_intent in policy["bare_answers"].values() and _tells_more(reading):
        intent = "inform"  # "no fever, hasn't fallen, sore back": it tells things, so the form reads it
    elif doubtful and reading.answer and not _tells_more(reading):
        intent = policy["bare_answers"][reading.answer]
    elif doubtful and guessed_intent != "ask_knowledge" and (reading.asks_in_words or not (
            reading.features or reading.condition or reading.signals.get("relief"))) and answer_question(text):
        # (r10: "when we turn him it's better for a while" tells what eases it: an answer, not a question; r12: nor is
        # a "?" that doubts the carer's own answer, with no question word: "er, low? she says low", "MS? i think")
        # a question that, as a reply to the emergency-sign question, also reports a sign ("he breath very hard
        # and fast ... Is the back pain cause this?") goes to the form, which reads it in that context
        intent = "ask_knowledge" if reading.context_free or not _sign_in_screen_reply(text) else "describe_pain"
    elif doubtful and _terse_opening(text, policy):
        intent = "describe_pain"
    elif doubtful and (reading.features or reading.condition):
        intent = "inform"  # the core read something clinical in it: an answer, never "didn't understand"
    return Route(intent, entities, reading.to_dict(context=None))


def _sign_in_screen_reply(text: str) -> bool:
    """Whether the message, read as a reply to the emergency-sign question, reports a red flag."""
    return bool(read_text(text, "red_flag_screen").present_flags)


def _tells_more(reading: Extraction) -> bool:
    """Whether a message says more than yes / no / not sure: a feature, a condition, or any sign."""
    return bool(reading.features or reading.condition or reading.red_flags or reading.warning_signs)


def _terse_opening(text: str, policy: Dict[str, Any]) -> bool:
    """"back pain", "help", "my husband's back": a short message about back pain starts the assessment."""
    words = _WORD.findall(text.lower())
    return 0 < len(words) <= int(policy["terse_max_words"]) and bool(set(words) & set(policy["opening_words"]))


def reusable_reading(parse_data: Optional[Dict[str, Any]], asked_topic: Optional[str]) -> Optional[Extraction]:
    """The NLU component's reading of the latest message, if it reads the same in this context: it was
    read for this context, or its text holds none of the words a context changes (``context_free``)."""
    data = (parse_data or {}).get(READING_KEY)
    context = asked_topic if asked_topic in CONTEXT_TOPICS else None
    if not isinstance(data, dict) or (data.get("context") != context and data.get("context_free") is not True):
        return None
    try:
        return Extraction.from_dict(data)
    except (KeyError, TypeError, ValueError):
        return None  # an older or foreign shape: read the text again


# ---------------------------------------------------------------- the turn

def take_turn(case: Optional[Dict], text: str, intent: Optional[str], asked_topic: Optional[str] = None, *,
              for_form: bool = False, degraded: bool = False, reading: Optional[Extraction] = None,
              now: Optional[datetime] = None) -> Turn:
    """Everything one message means for this conversation (`_take_turn`); the emergency and same-day signs
    it brings are dated in the case (`signs_told`), for the diary (bot.diary.told_in_conversation)."""
    turn = _take_turn(case, text, intent, asked_topic, for_form=for_form, degraded=degraded, reading=reading,
                      now=now)
    if now is not None and "case" in turn.slots:
        before = case_view(case)
        flags = [f for f in case_red_flags(turn.case) if f not in case_red_flags(before)]
        warnings = [w for w in case_warning_signs(turn.case) if w not in case_warning_signs(before)]
        if flags or warnings:
            turn.case["signs_told"] = list(turn.case.get("signs_told") or []) + [
                {"day": now.date().isoformat(), "red_flags": flags, "warning_signs": warnings}]  # the day only
            turn.slots["case"] = turn.case
    return turn


def _take_turn(case: Optional[Dict], text: str, intent: Optional[str], asked_topic: Optional[str] = None, *,
               for_form: bool = False, degraded: bool = False, reading: Optional[Extraction] = None,
               now: Optional[datetime] = None) -> Turn:
    """Everything one message means for this conversation.

    intent: the NLU intent (already routed by ``route``); asked_topic: the form's pending question, if
    any; for_form: the symptom form asks (an interruption then steps aside at once, unread: its own
    action takes the turn); degraded: the action server failed and the Rasa server answers alone (only
    what keeps the caregiver safe, and the form keeps its place); reading: a reading to reuse
    (``reusable_reading``); now: the time (the diary's entries are dated from it; the actions pass the clock).
    """
    case = as_case(case)
    asked_topic = asked_topic if asked_topic in TOPICS else None
    policy = _intents()
    answered_here = policy["read_first"] + policy["diary_intents"]  # outside the form these are read here
    if intent in policy["interruptions"] and (for_form or intent not in answered_here):
        return _step_aside(case, asked_topic, degraded)

    context = asked_topic if asked_topic in CONTEXT_TOPICS else None
    reading = reading or read_text(text, context_topic=context)
    if reading.failed:
        # fail closed: the emergency advice and the red-flag question, never "nothing found"
        return Turn(case, replies.reading_failed(), {"requested_slot": "red_flag_screen"}, ask="red_flag_screen")
    quiet = not (reading.present_flags or reading.signals.get("crisis") or reading.signs_to_read())
    if quiet and asked_topic and reading.signals.get("not_understood") and asked_topic not in topics_told(reading):
        # "I don't understand the question": nothing is taken, nothing wiped; the question again, more simply
        # (r11: unless the message answers it all the same, "i dont understand, the illness? its the MND")
        simpler = dict(case, simpler=asked_topic)
        return Turn(simpler, [], {"case": simpler, "requested_slot": asked_topic}, ask=asked_topic)
    if quiet and not asked_topic and case.get("assessed") and reading.signals.get("follow_up"):
        # "why does this happen?", "which article says that?": answered from the assessment just given
        kinds = reading.signals["follow_up"]
        said = replies.follow_up_answers(case, kinds) + _pending_question(case, answered=kinds)
        if needs_escalation(case):  # the answer ended with the emergency: an assessment in this turn says no more
            case = dict(case, last=dict(case.get("last") or {}, escalated=True))
        return Turn(case, said, case_slots(case))
    diary_turn = intent in policy["diary_intents"] or (
        intent in policy["follow_up_answers"] and case["pending"] and not asked_topic)
    if diary_turn and not for_form and not reading.present_flags \
            and not reading.signals.get("crisis") and not _escalates_in_context(case, reading, text):
        return _diary_turn(case, text, intent, _diary_request(intent, text), reading, now, degraded,
                           mid_form=bool(asked_topic))
    updated = merge_reading(case, reading, text, asked_topic)
    last = updated["last"]

    if last["crisis"] or intent == "crisis":
        said = replies.crisis(with_emergency=bool(last["new_red_flags"])) + (
            replies.escalation(updated) if last["new_red_flags"] else [])
        return _finish(updated, said, degraded, escalated=bool(last["new_red_flags"]))
    if intent == "report_red_flag" or last["new_red_flags"]:
        return _with_entry(_finish(updated, replies.escalation(updated), degraded, escalated=True), text, reading,
                           now, degraded)
    if intent in policy["small_talk"] and _small_talk_steps_aside(case, updated, text, asked_topic):
        return _step_aside(case, asked_topic, degraded)
    if degraded:
        # The form keeps its place: this answer is read again when the caregiver sends it once more.
        pending = asked_topic or next_topic(case)
        return Turn(case, replies.trouble(False), {"case": case, "requested_slot": pending}, ask=pending)
    ask = next_topic(updated)
    return Turn(updated, replies.missed_question(updated), {**case_slots(updated), "requested_slot": ask}, ask=ask)


def _escalates_in_context(case: Dict, reading: Extraction, text: str) -> bool:
    """r14: a reply to the question after the assessment ("no fever. but her legs have been getting weaker bit by bit
    over the fortnight") that is an emergency only with what the case already holds (a cancer history: NICE NG234),
    so the reading alone has no present red flag: the form reads it, never the diary's "no"."""
    if not (reading.red_flags or reading.neuro_change):
        return False
    return bool(merge_reading(case, reading, text, None)["last"]["new_red_flags"])


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
    case["pending"] = None  # no question after the assessment stays open over an escalation
    if escalated:
        case["last"]["escalated"] = True  # said: the assessment that may follow in this turn does not say it again
    slots = {**case_slots(case), "requested_slot": None}
    if escalated or needs_escalation(case):
        slots["triage"] = SEEK_CARE_NOW
    if degraded:  # "having trouble" before an emergency, which stays the last thing said
        said = replies.trouble(escalated) + said if escalated else said + replies.trouble(escalated)
    return Turn(case, said, slots)


def case_slots(case: Dict) -> Dict[str, Any]:
    """The case as slot values: the record itself, the contract slots and the topic summaries."""
    slots: Dict[str, Any] = {"case": case, "condition": case_condition(case), FOLLOW_UP_SLOT: bool(case.get("pending"))}
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


def conclude(case: Optional[Dict], ask_next: bool = True) -> Turn:
    """The assessment once nothing more is needed: one short answer, then the one question after it, whose quick
    replies also offer the "more" options (why, what helps, sources). After an earlier assessment in this
    conversation it is an update: what changed, or that the new details change nothing, never the same text
    again. An emergency is the emergency alone, and no question follows it; if the form already said it in this
    turn (a sign confirmed as new), nothing more is said. ask_next=False: no question after it (a diary entry
    being logged revised the advice)."""
    case = as_case(case)
    result = assess_case(case)
    now = {"triage": result.triage, "pain_type": result.pain_type,
           "red_flags": list(result.red_flags), "warning_signs": case_warning_signs(case)}
    texts = knowledge().messages["dialogue"]
    previous = case.get("assessed")
    case["assessed"] = now
    if result.triage == SEEK_CARE_NOW:
        case["pending"] = None
        said = [] if (case.get("last") or {}).get("escalated") else replies.escalation(case)
    else:
        if previous == now:
            triage_words = knowledge().messages["summary"]["triage_values"][result.triage]
            answer = [texts["assessment_unchanged"].format(advice=triage_words)]
        else:
            answer = explain.assessment_answer(result.to_dict(), case)
            if previous:
                answer[0] = f"{texts['assessment_changed']} {answer[0]}"
        if result.dose_question:
            answer[-1] = f"{answer[-1]} {explain.dose_answer()}"
        if result.crisis:
            answer = explain.crisis_message(with_emergency=True) + [" ".join(answer)]
        said = replies.messages(answer) + (_follow_up(case) if ask_next else [])
        if not ask_next:
            case["pending"] = None
    slots = {**case_slots(case), "triage": result.triage, "pain_type": result.pain_type,
             "red_flags": list(result.red_flags), "warning_signs": case_warning_signs(case)}
    return Turn(case, said, slots)


# ---------------------------------------------------------------- after the assessment, and the diary

def _follow_up(case: Dict) -> List[Dict[str, Any]]:
    """The one question after an assessment (updates `case`): how bad it is (unless told), then whether
    to keep a diary (unless agreed), then the summary for the care team. Each is put once."""
    asked = case.setdefault("follow_ups", {})
    limit = int(knowledge().policy["dialogue"]["max_asks"])
    if case.get("severity") is None and not asked.get("severity"):
        asked["severity"] = 1
        case["pending"] = "severity"
    elif not case.get("diary_consent") and not asked.get("diary_offer") and asked.get("severity", 0) <= limit:
        asked["diary_offer"] = 1
        case["pending"] = "diary_offer"
    else:
        case["pending"] = "summary_offer"
    return _pending_question(case)


def _question(section: Dict[str, Any], text: str, buttons: str, answered: Tuple[str, ...] = ()) -> Dict[str, Any]:
    """A question after the assessment, with its own quick replies and then the assessment's "more" options
    (those not just answered): a web widget shows only the last bubble's quick replies."""
    more = [{"title": b["title"], "payload": b["payload"]} for b in knowledge().messages["assessment"]["more_buttons"]
            if b["kind"] not in answered]
    return {"text": section[text], "buttons": [dict(b) for b in section.get(buttons) or []] + more}


# The questions after the assessment: pending name -> (messages.yml section, its text, its quick replies).
_PENDING_QUESTIONS = {"severity": ("severity", "question", "buttons"),
                      "diary_offer": ("diary", "offer", "offer_buttons"),
                      "summary_offer": ("chat", "offer_summary", "offer_summary_buttons")}


def _pending_question(case: Dict, answered: Iterable[str] = ()) -> List[Dict[str, Any]]:
    """The question after the assessment that is still open, put again below an answer about the assessment (its
    quick replies would otherwise be gone from the screen); nothing if none is open."""
    if case.get("pending") not in _PENDING_QUESTIONS:
        return []
    section, text, buttons = _PENDING_QUESTIONS[case["pending"]]
    return [_question(knowledge().messages[section], text, buttons, tuple(answered))]


def _diary_request(intent: Optional[str], text: str) -> Optional[str]:
    """What the message asks of the diary: by its intent, or by its words (an explicit "log: ...")."""
    by_intent = {v: k for k, v in _intents()["diary_requests"].items()}
    return by_intent.get(intent) or diary.request_of(text)


def _diary_texts() -> Dict[str, Any]:
    return knowledge().messages["diary"]


def _diary_slots(case: Dict) -> Dict[str, Any]:
    return {"case": case, FOLLOW_UP_SLOT: bool(case.get("pending"))}


def _with_entry(turn: Turn, text: str, reading: Extraction, now: Optional[datetime], degraded: bool) -> Turn:
    """An escalation whose message also asks to be logged: the advice first, then the entry (dated by
    the caregiver's words, or now: the date is never asked over an escalation)."""
    if degraded or diary.request_of(text) != diary.ADD:
        return turn
    entry, _ = diary.entry_from_text(text, case_condition(turn.case), _now(now), reading)
    if entry is None:
        return turn
    turn.case["diary_consent"] = True
    turn.slots["case"] = turn.case
    turn.diary = {"add": entry}
    return turn


def _now(now: Optional[datetime]) -> datetime:
    if now is None:
        raise ValueError("the diary needs the time: take_turn(..., now=...)")
    return now


def _diary_turn(case: Dict, text: str, intent: Optional[str], request: Optional[str], reading: Extraction,
                now: Optional[datetime], degraded: bool, mid_form: bool = False) -> Turn:
    """A diary request, or the reply to the question after the assessment (severity, keep a diary, the
    summary, the date or the words of an entry). mid_form: the symptom form is asking (the message is an
    interruption): nothing is asked and no assessment given here, the form goes on with its question."""
    if degraded:
        return Turn(case, replies.trouble(False), {})
    if request in (diary.SHOW, diary.REPORT, diary.EXPORT):
        case["pending"] = None
        return Turn(case, [], _diary_slots(case), diary={request: True})
    pending = case.get("pending")
    updated = merge_reading(case, reading, text, None)
    updated["pending"] = None
    last = updated["last"]
    if pending == "when" and request is None:
        return _dated_entry(updated, text, now)
    if pending == "keep_entry" and request is None and last["answer"] in ("yes", "no"):
        return _kept_entry(updated, last["answer"] == "yes")
    told = last["topics_found"] or last["new_warning_signs"] or last["severity"] is not None
    if pending == "diary_offer" and request == diary.ADD and not told:
        return _offer_answer(updated, "yes", {**last, "answer": "yes"}, pending, now)  # "yes, keep it in the diary"
    if request == diary.ADD or pending == "content":
        return _add_entry(updated, case, text, reading, now, second_try=pending == "content" or mid_form,
                          mid_form=mid_form)
    if pending == "severity" or intent == "rate_severity":
        return _severity_answer(updated, pending == "severity", mid_form, text, now)
    told_more = last["topics_found"] or last["new_warning_signs"]
    if pending in ("diary_offer", "summary_offer") and not (told_more and last["answer"] is None):
        return _offer_answer(updated, text, last, pending, now)
    if told_more and updated.get("assessed"):
        return conclude(updated)  # new details after the assessment: an update, as the form would give
    return Turn(updated, replies.chat("anything_else"), _diary_slots(updated))


def _severity_answer(updated: Dict, asked: bool, mid_form: bool = False, text: str = "",
                     now: Optional[datetime] = None) -> Turn:
    """The reply to "how bad is it?": noted (and the assessment revised if it changes), asked once more
    if off the scale, or let go (not sure, no answer) for the diary offer."""
    texts = knowledge().messages["severity"]
    last = updated["last"]
    limit = int(knowledge().policy["dialogue"]["max_asks"])
    if last["severity_out_of_range"] and updated["follow_ups"].get("severity", 0) < limit:
        updated["follow_ups"]["severity"] = updated["follow_ups"].get("severity", 0) + 1
        updated["pending"] = "severity"
        return Turn(updated, [{"text": texts["out_of_range"], "buttons": [dict(b) for b in texts["buttons"]]}],
                    _diary_slots(updated))
    said: List[Dict[str, Any]] = []
    if last["severity"] is not None:
        said = replies.messages([texts["noted"].format(score=last["severity"], band=severity_band(last["severity"]))])
    if not asked and not mid_form and last["severity"] is not None and not updated.get("assessed"):
        return _rating_entry(updated, said, text, now)
    if updated.get("assessed") and not mid_form and (last["severity"] is not None or last["topics_found"]
                                    or last["new_warning_signs"]):
        revised = conclude(updated)  # an update: what changed, or that it changes nothing; then the next question
        if said and revised.replies:  # "noted" opens the answer's first bubble: one thing at a time
            first = revised.replies[0]
            revised.replies[0] = {**first, "text": f"{said[0]['text']} {first['text']}"}
        else:
            revised.replies = said + revised.replies
        return revised
    if asked:
        said = said + _follow_up(updated)
    elif not said and not mid_form:
        said = replies.chat("anything_else")
    return Turn(updated, said, case_slots(updated))


def severity_band(score: int) -> str:
    bands = knowledge().messages["severity"]["bands"]
    if score == 0:
        return bands["none"]
    if score >= int(knowledge().policy["severity"]["severe_from"]):
        return bands["severe"]
    return bands["moderate"] if score >= int(knowledge().policy["severity"]["moderate_from"]) else bands["mild"]


def _offer_answer(updated: Dict, text: str, last: Dict, pending: str, now: Optional[datetime]) -> Turn:
    """Yes / no to keeping a diary, or to the summary for the care team."""
    wants_summary = pending == "summary_offer" or re.search(r"\bsummar", (text or "").lower())
    if last["answer"] == "yes" or (wants_summary and last["answer"] != "no"):
        if wants_summary:
            return Turn(updated, replies.care_team_summary(updated), _diary_slots(updated))
        updated["diary_consent"] = True
        entry = diary.entry_from_case(updated, _now(now))
        return Turn(updated, [], _diary_slots(updated), diary={"add": entry})
    key = "declined" if pending == "diary_offer" else None
    said = replies.messages([_diary_texts()[key]]) if key else replies.chat("anything_else")
    return Turn(updated, said, _diary_slots(updated))


def _add_entry(updated: Dict, before: Dict, text: str, reading: Extraction, now: Optional[datetime],
               second_try: bool, mid_form: bool = False) -> Turn:
    """A quick entry in the caregiver's words. An explicit request to log is consent. Nothing usable:
    after an assessment the assessment is kept; otherwise asked once, never stored empty. A same-day sign
    in it revises the advice first, as in a conversation; a day that can't be read is asked once."""
    now = _now(now)
    texts = _diary_texts()
    entry, when = diary.entry_from_text(text, case_condition(updated), now, reading)
    if entry is None:
        if updated.get("assessed") and not second_try and not mid_form:  # "log it": the assessment given
            updated["diary_consent"] = True
            entry = diary.entry_from_case(updated, now)
            return Turn(updated, [], _diary_slots(updated), diary={"add": entry})
        if second_try:
            return Turn(updated, replies.messages([texts["nothing_saved"]]), _diary_slots(updated))
        updated["pending"] = "content"
        return Turn(updated, replies.messages([texts["ask_content"]]), _diary_slots(updated))
    updated["diary_consent"] = True
    if when.status == FOUND and when.at.date() < now.date():
        # An episode of an earlier day goes into the diary only: the pain being talked about now (its
        # features, how bad it is right now) stays as described. Its signs still count, as told.
        for key in ("features", "severity", "signals"):
            updated[key] = as_case(before)[key]
    said: List[Dict[str, Any]] = []
    slots: Dict[str, Any] = {}
    new_signs = case_warning_signs(updated) != case_warning_signs(before)
    if new_signs and needs_escalation(before):
        # The sign is recorded (entry and case), but the emergency already advised is not said again for
        # a lesser sign (logging yesterday's sore re-fired today's fever emergency).
        slots = case_slots(updated)
    elif new_signs and not mid_form:  # the advice first, and no question in the middle of logging
        revised = conclude(updated, ask_next=False)
        updated, said, slots = revised.case, revised.replies, revised.slots
    if when.status not in (FOUND, "none") and not mid_form:
        updated["pending"], updated["pending_entry"] = "when", entry
        return Turn(updated, said + replies.messages([texts["ask_when"]]), {**slots, **_diary_slots(updated)})
    return Turn(updated, said, {**slots, **_diary_slots(updated)}, diary={"add": entry})


def _rating_entry(updated: Dict, noted: List[Dict[str, Any]], text: str, now: Optional[datetime]) -> Turn:
    """A rating said in plain words outside the question ("pain 6/10 today"): a diary entry. Kept at once
    once a diary is kept; otherwise offered with one yes (nothing is stored without consent)."""
    entry, when = diary.entry_from_text(text, case_condition(updated), _now(now))
    if entry is None or not diary.when_is_clear(when):
        return Turn(updated, noted, case_slots(updated))
    if updated.get("diary_consent"):
        return Turn(updated, [], case_slots(updated), diary={"add": entry})
    updated["pending"], updated["pending_entry"] = "keep_entry", entry
    texts = _diary_texts()
    offer = {"text": noted[0]["text"] + " " + texts["keep_rating"],
             "buttons": [dict(b) for b in texts["keep_buttons"]]}
    return Turn(updated, [offer], {**case_slots(updated), FOLLOW_UP_SLOT: True})


def _kept_entry(updated: Dict, keep: bool) -> Turn:
    """Yes / no to keeping the rating just said in the diary."""
    entry, updated["pending_entry"] = updated.get("pending_entry"), None
    if keep and entry:
        updated["diary_consent"] = True
        return Turn(updated, [], _diary_slots(updated), diary={"add": entry})
    return Turn(updated, replies.messages([_diary_texts()["not_kept"]]), _diary_slots(updated))


def _dated_entry(updated: Dict, text: str, now: Optional[datetime]) -> Turn:
    """The reply to "when was this?": the entry is kept with that day, or with today if still unclear."""
    entry = dict(updated.get("pending_entry") or {})
    updated["pending_entry"] = None
    if not entry:
        return Turn(updated, replies.chat("anything_else"), _diary_slots(updated))
    when = read_when(text, _now(now))
    said = []
    if when.status == FOUND:
        entry["when"] = when.at.isoformat()
    else:
        said = [_diary_texts()["when_still_unclear"]]
    return Turn(updated, replies.messages(said), _diary_slots(updated), diary={"add": entry})


def diary_said(request: Dict[str, Any], ok: bool, entries: Optional[List[Dict[str, Any]]] = None,
               now: Optional[datetime] = None, case: Optional[Dict] = None, link: str = "",
               escalated: bool = False) -> List[Dict[str, Any]]:
    """What to say once the diary did what the turn asked (the actions do the store's part): the entry
    saved, the diary read back (an empty one says so and how to add to it), the report or the export
    with its link; or, if the store failed, that plainly (an escalation already said stands)."""
    texts = _diary_texts()
    if not ok:
        return replies.messages([texts["store_failed_escalated" if escalated else "store_failed"]])
    if "add" in request:
        return replies.messages([diary.saved_text(request["add"])])
    if not entries:
        if "report" in request and case and as_case(case).get("assessed"):
            # "a report for the GP" with no diary yet: this conversation's summary, and how to keep a diary
            return replies.care_team_summary(case) + replies.messages([texts["empty"]])
        return replies.messages([texts["empty"]])
    if "show" in request:
        condition = case_condition(as_case(case)) if case else None
        return replies.messages([diary.read_back_text(entries, _now(now), condition)])
    return replies.messages([texts["report" if "report" in request else "export"].format(link=link)])
