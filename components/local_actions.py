"""The actions the clinical core alone decides, run by the Rasa server itself (speed-up "local_actions", issue 13).

Why. Most turns only run actions whose whole effect is messages and slots that one pure function of the core
decides from the case, the pending question and the latest message (bot/action_turns.py): the form's validation
and its questions, the assessment, the escalation, crisis support, the knowledge answers. Calling the action
server for them costs a serialised tracker, an HTTP round trip, Rasa's JSON-schema check of the answer, and the
action server's own parsing and work; the Rasa server already runs the core (the clinical reader, the safety
net). So here it runs these itself and hands their messages to Rasa's own handling of an action server's answer
(RemoteAction._utter_responses): the caregiver gets the same messages and the tracker the same events. Measured
side by side (2 cores, 50 caregivers, no think time): the action server's CPU per turn 0.9 -> 0.06 ms; the Rasa
server's about the same (the core's work moved in, the call's went out). What it buys is fewer processes on each
turn's path, and a red flag's escalation that no longer depends on the action server at all.

The diary's and privacy's actions touch storage and still go to the action server, as does an escalation whose
message also asks for a diary entry, and every action with this speed-up off; actions/actions.py runs the same
core function, and tests/components/test_local_actions.py compares the two.

`layer` wraps RemoteAction.run inside the safety net's layer (config.yml, components/rasa_patches.py), so a
failure here gets the same answer as a failed call.
"""
from __future__ import annotations

import functools
from datetime import datetime, timezone
from typing import Any, Callable, Dict, List, Optional, Text

from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import ActionExecuted, ActiveLoop, Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

import bot
from bot import action_turns
from ops.settings import speedup


def seen(tracker: DialogueStateTracker) -> action_turns.Seen:
    """What an action sees of the conversation, from the Rasa server's tracker (as the action server reads the
    tracker it is sent: actions/actions.py `seen`)."""
    latest = tracker.latest_message
    latest_first = (("user", None) if isinstance(event, UserUttered)
                    else ("action", event.action_name) if isinstance(event, ActionExecuted) else (None, None)
                    for event in reversed(tracker.events))
    # As Rasa sends `latest_message` to the action server: the parse data with the message's entities.
    parse_data = {**(latest.parse_data or {}), "entities": latest.entities} if latest else {}
    return action_turns.Seen(tracker.get_slot("case"), (latest.text if latest else None) or "",
                             ((latest.intent or {}).get("name") if latest else None),
                             tracker.get_slot("requested_slot"), parse_data,
                             action_turns.answered_elsewhere(latest_first))


def responses(turn: bot.Turn) -> List[Dict[Text, Any]]:
    """The turn's messages as the action server sends them (actions/actions.py `say`)."""
    return [{"text": message["text"], "buttons": list(message.get("buttons") or [])} for message in turn.replies]


async def run_here(action: RemoteAction, output_channel, nlg, tracker) -> Optional[List[Event]]:
    """The action's events, or None when its turn needs the action server's storage (the diary)."""
    turn = action_turns.action_turn(action.name(), seen(tracker), datetime.now(timezone.utc))
    if action_turns.needs_storage(turn):
        return None
    said = await action._utter_responses(responses(turn), output_channel, nlg, tracker)
    return [*said, *(SlotSet(name, value) for name, value in turn.slots.items()),
            *([ActiveLoop(None)] if turn.ends_form else [])]  # an escalation or a crisis stops the form itself


def layer(remote: Callable) -> Callable:
    """RemoteAction.run that runs the core's actions here and calls `remote` for the others (one of the layers
    config.yml gives components/rasa_patches.py; the safety net's is outside it, so a failure here gets the same
    answer as a failed call)."""

    @functools.wraps(remote)
    async def run(self: RemoteAction, output_channel, nlg, tracker, domain) -> List[Event]:
        events = None
        if self.name() in action_turns.ACTIONS and speedup("local_actions"):
            events = await run_here(self, output_channel, nlg, tracker)
        return events if events is not None else await remote(self, output_channel, nlg, tracker, domain)

    return run


layer.speedup = "local_actions"  # type: ignore[attr-defined]  # off, with the others, on another Rasa version
