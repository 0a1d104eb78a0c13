"""The symptom form's questions, put by the Rasa server itself (speed-up "local_questions", issue 13).

Why. Every answer in the symptom form cost two calls to the action server: validate_symptom_form reads the
answer, then Rasa runs `action_ask_<topic>` to put the next question (a question asked mid-form cost four). The
question is data (bot/knowledge/messages.yml) worded for the case by one pure function of the clinical core,
`bot.ask_turn(case, topic)`, and the Rasa server already runs the core (the clinical reader, the safety net). So
here the Rasa server calls it itself and hands its messages to Rasa's own handling of an action server's answer
(RemoteAction._utter_responses): the caregiver gets the same messages and the tracker the same events, one
round trip sooner. actions/actions.py's ActionAskTopic stays: it answers when this speed-up is off, and is what
tests/components/test_local_questions.py compares this with.

`install()` wraps RemoteAction.run inside the safety net (components/action_safety_net.py calls it before
wrapping), so a failure here gets the same answer as a failed call.
"""
from __future__ import annotations

import functools
from typing import Any, Dict, List, Optional, Text

from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import Event, SlotSet

import bot
from bot.knowledge_base import TOPICS
from ops.settings import speedup

ASK_PREFIX = "action_ask_"


def topic_of(action_name: Text) -> Optional[Text]:
    """The form topic an `action_ask_<topic>` action puts to the caregiver (None for any other action)."""
    topic = action_name[len(ASK_PREFIX):] if action_name.startswith(ASK_PREFIX) else None
    return topic if topic in TOPICS else None


def responses(turn: bot.Turn) -> List[Dict[Text, Any]]:
    """The turn's messages as the action server sends them (actions/actions.py `say`)."""
    return [{"text": message["text"], "buttons": list(message.get("buttons") or [])} for message in turn.replies]


async def ask(action: RemoteAction, output_channel, nlg, tracker, topic: Text) -> List[Event]:
    turn = bot.ask_turn(tracker.get_slot("case"), topic)
    said = await action._utter_responses(responses(turn), output_channel, nlg, tracker)
    return [*said, *(SlotSet(name, value) for name, value in turn.slots.items())]


def install() -> None:
    """Wraps RemoteAction.run once per process (idempotent)."""
    if getattr(RemoteAction.run, "_backline_local_questions", False):
        return
    remote = RemoteAction.run

    @functools.wraps(remote)
    async def run(self: RemoteAction, output_channel, nlg, tracker, domain) -> List[Event]:
        topic = topic_of(self.name())
        if topic is None or not speedup("local_questions"):
            return await remote(self, output_channel, nlg, tracker, domain)
        return await ask(self, output_channel, nlg, tracker, topic)

    run._backline_local_questions = True  # type: ignore[attr-defined]
    RemoteAction.run = run  # type: ignore[method-assign]
