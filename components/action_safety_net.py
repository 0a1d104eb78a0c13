"""ActionServerSafetyNet: what the caregiver gets when the action server is down, slow or failing.

Why this exists. Every Backline reply that is more than a fixed response comes from the action server
(`rasa run actions`). When a call to it fails, Rasa 3.6's processor logs the exception and carries on
with *no events*: the caregiver gets silence (`200 []` on REST), and a red-flag message gets no
"Seek care now" and no `triage`/`red_flags` slots. Rasa 3.6 has no hook for a failed custom action,
and the action endpoint's timeout is fixed at 5 minutes (`DEFAULT_REQUEST_TIMEOUT`, passed explicitly
to every call; extra keys under `action_endpoint:` in endpoints.yml are not read). So this module wraps
`rasa.core.actions.action.RemoteAction.run`, the one place every custom action call (forms, their
validation and questions included) goes through, and:

- bounds every call to BACKLINE_ACTION_TIMEOUT seconds (ops.settings; default 10: a normal call takes milliseconds,
  but a freshly started action server builds the clinical core's matchers on its first call);
- on a connection error, a timeout, a 5xx or an invalid response (not on ActionExecutionRejection,
  which is Rasa's normal "form rejected" signal), returns the events of the clinical core's degraded
  turn (`bot.take_turn(..., degraded=True)`, the same function the actions call), so the decisions are
  the action server's own: a red flag gets the full escalation and the contract slots, a crisis the
  crisis resources, every failure a "having trouble" text with the red-flag advice unless the
  escalation was just given, and the symptom form keeps its place (or steps aside for an interruption,
  as validate_symptom_form would). What stays here is only what is tracker-side: which action failed,
  whether this turn already failed, and turning the Turn into Rasa events;
  * `action_start_over` / `action_delete_conversation`, whose whole effect is `AllSlotsReset`, get it
    here too, so what the bot then says ("I've cleared ...") stays true;
- after one failure in a turn, the other custom actions of the same turn are not called again (one
  timeout per turn at most, one trouble message).

Installed by components/rasa_patches.py, which lists every name of Rasa it replaces: config.yml gives it this
module's `layer` as the outermost layer around RemoteAction.run (local actions and the call's transport inside
it, so the time limit and the fallback bound those too). It is not a speed-up and is installed on any Rasa
version: without it a failed action server would leave a red flag unanswered. `bot` is the clinical core; it is
already loaded in the Rasa server by ClinicalReader. Nothing here imports the action server's package.
"""
from __future__ import annotations

import asyncio
import functools
import logging
from typing import Any, Callable, Dict, List, Optional, Text

from rasa.core.actions.action import ActionExecutionRejection, RemoteAction, create_bot_utterance
from rasa.shared.core.events import ActiveLoop, AllSlotsReset, BotUttered, Event, SlotSet, UserUttered

import bot
from bot import replies
from bot.action_turns import ENDING_INTENTS
from components import incremental_states
from ops import action_guard
from ops.settings import action_timeout
from ops.stores import on_delete

logger = logging.getLogger(__name__)

MARK = "backline_safety_net"  # metadata key on the trouble messages (one per turn)
FORM_VALIDATION = "validate_symptom_form"
# Custom actions whose whole effect is known and needs no action server.
LOCAL_EFFECTS = {"action_start_over", "action_delete_conversation"}
# (bot.action_turns.ENDING_INTENTS: the actions that answer one intent whatever the classifier said; their failure
# is that intent's turn)


# A deleted conversation's replays go with it (they hold its latest message: issue 23).
on_delete(incremental_states.forget)


def layer(remote: Callable) -> Callable:
    """RemoteAction.run bounded in time and answered by the fallback when `remote` fails (see the module
    docstring): the outermost of the layers config.yml gives components/rasa_patches.py."""

    @functools.wraps(remote)
    async def run(self: RemoteAction, output_channel, nlg, tracker, domain) -> List[Event]:
        if failed_this_turn(tracker):
            return fallback_events(self.name(), tracker, speak=False)
        # The action server refuses calls without the Rasa server's credential (issue 23): added here, the layer
        # every path takes (the speed-ups' transport or Rasa's own run, on any Rasa version)
        action_guard.attach(self.action_endpoint)
        try:
            return await asyncio.wait_for(remote(self, output_channel, nlg, tracker, domain), action_timeout())
        except ActionExecutionRejection:
            raise
        except Exception as error:  # noqa: BLE001 - any failure behind the bot; CancelledError is not an Exception
            reason = "timed out" if isinstance(error, asyncio.TimeoutError) else repr(error)
            logger.error("Custom action '%s' failed (%s); answering from the Rasa server instead.", self.name(), reason)
            return fallback_events(self.name(), tracker, speak=True)

    return run


layer.speedup = None  # type: ignore[attr-defined]  # not a speed-up: installed on any Rasa version


def failed_this_turn(tracker) -> bool:
    """True when a trouble message was already given since the latest user message."""
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            return False
        if isinstance(event, BotUttered) and (event.metadata or {}).get(MARK):
            return True
    return False


def _utter(message: Dict[Text, Any], mark: bool = False) -> BotUttered:
    data = {"text": message["text"], "buttons": message.get("buttons") or None}
    if mark:
        data[MARK] = True
    return create_bot_utterance(data)


def degraded_turn(name: Text, tracker) -> bot.Turn:
    """The clinical core's turn for the latest message, as the Rasa server alone can give it."""
    latest = tracker.latest_message
    intent = ENDING_INTENTS.get(name) or (latest.intent or {}).get("name")
    asked = tracker.get_slot("requested_slot")
    case: Optional[Dict[Text, Any]] = tracker.get_slot("case")
    try:
        return bot.take_turn(case, latest.text or "", intent, asked, for_form=name == FORM_VALIDATION,
                             degraded=True, reading=bot.reusable_reading(latest.parse_data, asked))
    except Exception:  # noqa: BLE001 - the core failing must not silence the safety advice
        logger.exception("The clinical core could not take the turn for action '%s'.", name)
        flags = sorted({e.get("value") for e in latest.entities or [] if e.get("entity") == "red_flag"} - {None})
        slots = {"triage": "seek_care_now", "red_flags": flags} if flags else {}
        return bot.Turn(case or {}, replies.trouble(False), slots)


def fallback_events(name: Text, tracker, speak: bool) -> List[Event]:
    """The events a failed custom action is replaced with (see the module docstring)."""
    if name in LOCAL_EFFECTS:
        return [AllSlotsReset()]
    turn = degraded_turn(name, tracker)
    if name == FORM_VALIDATION and turn.steps_aside:
        # As validate_symptom_form does: nothing validated, so the form rejects this turn and the rule
        # for the interruption answers (a red flag: action_escalate, answered here in turn).
        return [SlotSet("requested_slot", turn.ask)]
    # Outside the form's own validation only an escalation or a crisis changes slots; anything else
    # would move a form that is not running.
    changes = name == FORM_VALIDATION or "triage" in turn.slots or name in ENDING_INTENTS
    events: List[Event] = [SlotSet(slot, value) for slot, value in turn.slots.items()] if changes else []
    if speak and turn.replies:
        utterances = [_utter(m) for m in turn.replies[:-1]] + [_utter(turn.replies[-1], mark=True)]
        events = utterances + events
    if name in ENDING_INTENTS:
        events.append(ActiveLoop(None))  # as the escalation's and the crisis's own actions: the questions stop
    return events
