"""What each of the dialogue's custom actions does, from what it sees of the conversation.

Both servers run these actions: the action server (actions/actions.py) and, with the speed-up "local_actions",
the Rasa server itself (components/local_actions.py, issue 13: no round trip for a turn the core alone decides).
Each side builds a `Seen` from its own kind of tracker and writes the returned Turn as its own events, so what
an action does is written once, here, and the two cannot drift. Only actions whose effect is messages and slots
are here: the diary's and privacy's actions touch storage and stay in the action server. The escalation is here
because a red flag's advice must not wait on, or depend on, anything it need not: only when the same message
also asks for a diary entry (`needs_storage`) does its turn go to the action server, which keeps the diary.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Callable, Dict, Iterable, Optional, Tuple

from . import replies
from .knowledge_base import TOPICS
from .questions import next_topic
from .turn import Turn, ask_turn, conclude, reusable_reading, take_turn

FORM_VALIDATION = "validate_symptom_form"
# Actions that may run between a caregiver's message and the form reading it.
FORM_MACHINERY = frozenset({"action_listen", "symptom_form", "action_extract_slots", FORM_VALIDATION})


@dataclass(frozen=True)
class Seen:
    """What an action sees of the conversation: the case, the pending question and the latest message."""

    case: Optional[Dict[str, Any]]
    text: str
    intent: Optional[str]
    asked: Optional[str]  # the form's requested_slot
    parse_data: Dict[str, Any] = field(default_factory=dict)  # the latest message as NLU read it
    answered_elsewhere: bool = False  # another action already replied to the latest message (see below)


def answered_elsewhere(latest_first: Iterable[Tuple[Optional[str], Optional[str]]]) -> bool:
    """True when another action already replied to the latest message (the form is resuming after an
    interruption), so that message is not an answer to read again.

    latest_first: the conversation's events from the latest back, as (kind, action name) with kind "user" for
    a caregiver's message and "action" for an action (anything else for other events)."""
    for kind, name in latest_first:
        if kind == "user":
            return False
        if kind == "action" and name not in FORM_MACHINERY:
            return True
    return False


def _reading(seen: Seen):
    return reusable_reading(seen.parse_data, seen.asked)


def _validate_form(seen: Seen, now: datetime) -> Turn:
    """Reads each answer; the core says what to ask next, or steps aside for an interruption."""
    if seen.answered_elsewhere:
        return Turn(seen.case or {}, slots={"requested_slot": next_topic(seen.case)})
    turn = take_turn(seen.case, seen.text, seen.intent, seen.asked, for_form=True, reading=_reading(seen), now=now)
    if turn.steps_aside:
        # Nothing filled: the form rejects this turn, so the rule for the interruption answers.
        return Turn(turn.case, slots={"requested_slot": turn.ask}, steps_aside=True, ask=turn.ask)
    return turn


def _ending_questions(intent: str) -> Callable[[Seen, datetime], Turn]:
    """The turn of a red flag ("seek care now", in the same turn, whatever was going on; then the entry, if one was
    asked) or a crisis (its resources at once; a red flag in the same message is escalated too): the questions
    stop (data/rules/safety.yml)."""
    return lambda seen, now: replace(take_turn(seen.case, seen.text, intent, seen.asked, reading=_reading(seen),
                                               now=now), ends_form=True)


def _said(messages) -> Callable[[Seen, datetime], Turn]:
    return lambda seen, now: Turn(seen.case or {}, list(messages(seen)))


def _asked(topic: str) -> Callable[[Seen, datetime], Turn]:
    return lambda seen, now: ask_turn(seen.case, topic)


# The actions that end the questions, each with the intent it answers whatever the classifier said (the safety net
# gives the same turn when the action server is down: components/action_safety_net.py).
ENDING_INTENTS = {"action_escalate": "report_red_flag", "action_crisis_support": "crisis"}

ACTIONS: Dict[str, Callable[[Seen, datetime], Turn]] = {
    FORM_VALIDATION: _validate_form,
    **{f"action_ask_{topic}": _asked(topic) for topic in TOPICS},  # Rasa looks for `action_ask_<slot>`
    "action_assess": lambda seen, now: conclude(seen.case),
    **{name: _ending_questions(intent) for name, intent in ENDING_INTENTS.items()},
    "action_answer_question": _said(lambda seen: replies.knowledge_answer(seen.text, seen.case)),
    "action_answer_dose": _said(lambda seen: replies.dose()),
    "action_explain_question": _said(lambda seen: replies.why_we_ask(seen.asked)),
    "action_care_team_summary": _said(lambda seen: replies.care_team_summary(seen.case)),
    "action_bare_answer": _said(lambda seen: replies.bare_answer(seen.case)),
}


def needs_storage(turn: Turn) -> bool:
    """Whether the turn asks the diary for something, which only the action server can do."""
    return turn.diary is not None


def action_turn(name: str, seen: Seen, now: datetime) -> Turn:
    """What the custom action `name` (one of ACTIONS) says and sets, from what it sees."""
    return ACTIONS[name](seen, now)
