"""Replies as chat messages: ``{"text": str, "buttons": [{"title", "payload"}]}``.

Any channel (Rasa's REST, socket.io, Slack, Telegram, the terminal) can render these. Every text comes
from the knowledge base through bot.explain; this module only shapes it for a conversation.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional

from . import explain
from .assessment import assess_case
from .case import case_view, present_features
from .knowledge_base import knowledge
from .questions import why_ask

Message = Dict[str, Any]


def messages(texts: List[str]) -> List[Message]:
    return [{"text": text, "buttons": []} for text in texts if text]


def chat(key: str) -> List[Message]:
    """One of the non-clinical conversation texts (messages.yml `chat`)."""
    return messages([knowledge().messages["chat"][key]])


def missed_question(case: Dict) -> List[Message]:
    """When the reply just read did not answer the question asked (the form asks it once more):
    "didn't follow" if nothing in it was readable, a thank-you if it told other things."""
    last = (case or {}).get("last") or {}
    if not last.get("reask"):
        return []
    return chat("noted_still_asking" if last.get("understood") else "didnt_follow")


def escalation(case: Optional[Dict]) -> List[Message]:
    return messages(explain.escalation_message(case or {}))


def crisis(with_emergency: bool = False) -> List[Message]:
    return messages(explain.crisis_message(with_emergency))


def dose() -> List[Message]:
    return messages([explain.dose_answer()])


def why_we_ask(topic: Optional[str]) -> List[Message]:
    return messages([why_ask(topic) or knowledge().messages["chat"]["why_no_question"]])


def knowledge_answer(text: str, case: Optional[Dict] = None) -> List[Message]:
    """A caregiver's question answered from the articles, with their titles; or what Backline can answer.
    An answer only one condition's article supports is not given to the other condition's caregivers."""
    text = text or ""
    # The NLU already judged this a question; the matcher answers only text that reads as one.
    answer = explain.answer_question(text if "?" in text else text.rstrip() + "?",
                                     condition=(case or {}).get("condition"))
    if answer is None:
        return chat("no_answer")
    titles = "; ".join(source["title"] for source in answer["sources"])
    return messages([answer["text"], knowledge().messages["assessment"]["sources_prefix"] + titles])


def reading_failed() -> List[Message]:
    """The message could not be read: say so, give the emergency advice, and (the form then) ask the screen."""
    return chat("not_read") + chat("trouble_safety")


def bare_answer(case: Optional[Dict]) -> List[Message]:
    """A yes, no or not sure with no question pending: after an assessment, what they can do next; before
    one, there is no answer to speak of yet, so an invitation to describe what they see."""
    return chat("anything_else" if (case or {}).get("assessed") else "nothing_asked")


def follow_up_answers(case: Dict, kinds: List[str]) -> List[Message]:
    """After an assessment: why it happens, which articles say so, how serious it is, what to do now."""
    return messages(explain.follow_up_answer(case, kinds, assess_case(case).to_dict()))


def care_team_summary(case: Optional[Dict]) -> List[Message]:
    """The care-team summary, with the assessment when there is enough to assess."""
    from .assessment import assess_case

    case = case_view(case)
    if not present_features(case) and not case["condition"] and not case["red_flags"] \
            and not case["warning_signs"]:
        return chat("nothing_to_summarise")
    return messages([explain.care_team_summary(case, assess_case(case).to_dict())])


def trouble(escalated: bool) -> List[Message]:
    """What the Rasa server says itself when the action server fails: sorry, and (unless the escalation
    was just given) the red-flag advice, so a warning is never lost with the action server."""
    return chat("trouble") + ([] if escalated else chat("trouble_safety"))
