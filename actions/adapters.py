"""What every custom action does with Rasa's tracker: read the latest message, the pending question and the
case, and write the clinical core's Turn back as messages and slot events. actions/actions.py and
actions/diary.py both build on these (and neither on the other's adapters, so they import no circle).
"""
from __future__ import annotations

from typing import Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

import bot
from bot import action_turns


def latest_text(tracker: Tracker) -> Text:
    return tracker.latest_message.get("text") or ""


def latest_intent(tracker: Tracker) -> Optional[Text]:
    return (tracker.latest_message.get("intent") or {}).get("name")


def seen(tracker: Tracker) -> action_turns.Seen:
    """What an action sees of the conversation (bot/action_turns.py), from the action server's tracker."""
    latest_first = ((event.get("event"), event.get("name")) for event in reversed(tracker.events))
    return action_turns.Seen(tracker.get_slot("case"), latest_text(tracker), latest_intent(tracker),
                             tracker.get_slot("requested_slot"), tracker.latest_message or {},
                             action_turns.answered_elsewhere(latest_first))


def say(dispatcher: CollectingDispatcher, messages: List[Dict]) -> List[EventType]:
    for message in messages:
        dispatcher.utter_message(text=message["text"], buttons=message.get("buttons") or [])
    return []


def apply(dispatcher: CollectingDispatcher, turn: bot.Turn) -> List[EventType]:
    """Say the turn's replies and set its slots."""
    say(dispatcher, turn.replies)
    # (an escalation or a crisis stops the symptom form itself: data/rules/safety.yml)
    return [SlotSet(name, value) for name, value in turn.slots.items()] + ([ActiveLoop(None)] if turn.ends_form else [])
