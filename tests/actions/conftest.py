"""Trackers and dispatchers as the action server builds them (after RasaHQ/financial-demo's conftest)."""
import asyncio

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

import bot

DOMAIN = {"forms": {"symptom_form": {"required_slots": list(bot.TOPICS)}}, "slots": {}}


@pytest.fixture
def make_tracker():
    """Builds the rasa-sdk Tracker a conversation would send: slots, the latest message (with the NLU
    component's reading in its parse data when `routed`), and the events since that message."""

    def build(text="", intent="describe_pain", slots=None, latest_action="action_listen", sender="t1",
              routed=False):
        slots = {"requested_slot": None, "case": None, **(slots or {})}
        message = {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": []}
        if routed:
            message[bot.READING_KEY] = bot.route(text, intent, 0.9).reading
        events = [{"event": "action", "name": "action_listen"},
                  {"event": "user", "text": text, "parse_data": message}]
        if latest_action != "action_listen":
            events.append({"event": "action", "name": latest_action})
        events.append({"event": "action", "name": "symptom_form"})  # Rasa sends the form's own step along
        return Tracker(
            sender_id=sender, slots=slots, latest_message=message, events=events,
            paused=False, followup_action=None,
            active_loop={"name": "symptom_form"} if slots.get("requested_slot") else {},
            latest_action_name=latest_action,
        )

    return build


@pytest.fixture
def run_action():
    """Runs an action the way the action server does; returns (messages, events)."""

    def run(action, tracker):
        dispatcher = CollectingDispatcher()
        events = asyncio.run(action.run(dispatcher, tracker, DOMAIN))
        return dispatcher.messages, events

    return run
