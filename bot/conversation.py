"""What a chat channel needs from the core: the case as slot values, and replies as messages.

A reply is ``{"text": str, "buttons": [{"title", "payload"}]}``, so any channel (Rasa's REST,
socket.io, Slack, Telegram) can render it. Every text comes from the knowledge base through
bot.explain; this module only shapes it for a conversation.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional

from . import explain
from .assessment import Assessment
from .dialogue import UNKNOWN, _ensure_case, present_features
from .extract import read_text
from .knowledge_base import FEATURE_TOPICS, knowledge

Message = Dict[str, Any]


def _messages(texts: List[str]) -> List[Message]:
    return [{"text": text, "buttons": []} for text in texts if text]


def warm_up() -> None:
    """Load the knowledge base and build the matchers now, so the first caregiver does not wait."""
    read_text("warm up")


# ---------------------------------------------------------------- the case as slot values

def case_condition(case: Optional[Dict]) -> Optional[str]:
    return (case or {}).get("condition")


def case_red_flags(case: Optional[Dict]) -> List[str]:
    return list((case or {}).get("red_flags") or [])


def topic_summaries(case: Optional[Dict]) -> Dict[str, str]:
    """Each answered or asked topic -> a short summary in plain words ("not sure" included).

    These fill the form's topic slots, so a topic with a summary is never asked again.
    """
    case = _ensure_case(case)
    kb = knowledge()
    summaries: Dict[str, str] = {}
    present = present_features(case)
    for topic in FEATURE_TOPICS:
        labels = [kb.features[fid]["label"] for fid in present if kb.features[fid]["topic"] == topic]
        negated = [kb.features[fid]["label"] for fid, f in case["features"].items()
                   if f["topic"] == topic and f["status"] == "negated"]
        if labels:
            summaries[topic] = ", ".join(labels)
        elif negated:
            summaries[topic] = "not " + ", not ".join(negated)
        elif case["answers"].get(topic) == UNKNOWN or topic in case["asked"]:
            summaries[topic] = "not sure"
    if case.get("red_flag_screen"):
        summaries["red_flag_screen"] = case["red_flag_screen"]
    return summaries


def reported_now(case: Optional[Dict]) -> List[str]:
    """Red flags that the message just read into `case` reported for the first time."""
    return list(((case or {}).get("last") or {}).get("new_red_flags") or [])


def learned_anything(case: Dict) -> bool:
    """Did the message just read into `case` tell the core anything (a finding, a condition, a red flag, a reply)?"""
    last = (case or {}).get("last") or {}
    return bool(last.get("topics_found") or last.get("new_red_flags") or last.get("crisis") or last.get("answer"))


# ---------------------------------------------------------------- replies

def missed_question_messages(case: Dict) -> List[Message]:
    """When the reply just read did not answer the question asked (the form asks it once more):
    "didn't follow" if nothing in it was readable, a thank-you if it told other things."""
    last = (case or {}).get("last") or {}
    if not last.get("reask"):
        return []
    chat = knowledge().messages["chat"]
    return _messages([chat["noted_still_asking"] if last.get("understood") else chat["didnt_follow"]])


def question(topic: str, case: Optional[Dict] = None) -> Message:
    entry = knowledge().messages["questions"][topic]
    return {"text": entry["text"], "buttons": [dict(b) for b in entry.get("buttons") or []]}


def assessment_messages(case: Optional[Dict], assessment: Assessment) -> List[Message]:
    return _messages(list(assessment.explanation))


def escalation_messages(case: Optional[Dict]) -> List[Message]:
    return _messages(explain.escalation_message(case or {}))


def crisis_messages() -> List[Message]:
    return _messages(explain.crisis_message())


def dose_messages(case: Optional[Dict] = None) -> List[Message]:
    return _messages([explain.dose_answer()])


def why_we_ask(topic: Optional[str]) -> List[Message]:
    text = explain.why_ask(topic) if topic else None
    return _messages([text or knowledge().messages["chat"]["why_no_question"]])


def knowledge_messages(text: str, case: Optional[Dict] = None) -> List[Message]:
    """A caregiver's question answered from the articles, with their titles; or what Backline can answer."""
    text = text or ""
    # The NLU already judged this a question; the matcher answers only text that reads as one.
    answer = explain.answer_question(text if "?" in text else text.rstrip() + "?")
    if answer is None:
        return _messages([knowledge().messages["chat"]["no_answer"]])
    titles = "; ".join(source["title"] for source in answer["sources"])
    return _messages([answer["text"], knowledge().messages["assessment"]["sources_prefix"] + titles])


def summary_messages(case: Optional[Dict]) -> List[Message]:
    """The care-team summary, with the assessment when there is enough to assess."""
    case = _ensure_case(case)
    if not present_features(case) and not case["condition"] and not case["red_flags"]:
        return _messages([knowledge().messages["chat"]["nothing_to_summarise"]])
    from .assessment import assess_case
    return _messages([explain.care_team_summary(case, assess_case(case).to_dict())])


def screen_message(text: str) -> Dict[str, Any]:
    """The safety reading of one message, for Rasa's NLU pipeline (components/clinical_reader.py)."""
    extraction = read_text(text)
    return {
        "condition": extraction.condition,
        "red_flags": sorted(extraction.present_flags),
        "crisis": bool(extraction.signals.get("crisis")),
        "dose_question": bool(extraction.signals.get("dose_question")),
    }
