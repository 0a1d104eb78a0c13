"""ActionServerSafetyNet: what the caregiver gets when the action server is down, slow or failing.

Why this exists. Every Backline reply that is more than a fixed response comes from the action server
(`rasa run actions`). When a call to it fails, Rasa 3.6's processor logs the exception and carries on
with *no events*: the caregiver gets silence (`200 []` on REST), and a red-flag message gets no
"Seek care now" and no `triage`/`red_flags` slots. Rasa 3.6 has no hook for a failed custom action,
and the action endpoint's timeout is fixed at 5 minutes (`DEFAULT_REQUEST_TIMEOUT`, passed explicitly
to every call; extra keys under `action_endpoint:` in endpoints.yml are not read). So this module wraps
`rasa.core.actions.action.RemoteAction.run`, the one place every custom action call (forms, their
validation and questions included) goes through, and:

- bounds every call to BACKLINE_ACTION_TIMEOUT seconds (default 10: a normal call takes milliseconds,
  but a freshly started action server builds the clinical core's matchers on its first call);
- on a connection error, a timeout, a 5xx or an invalid response (not on ActionExecutionRejection,
  which is Rasa's normal "form rejected" signal), returns events instead of nothing:
  * when the latest message carries a red flag (the ClinicalReader NLU component has already tagged
    it: `red_flag` entities / `report_red_flag` intent, before any action runs) the full escalation
    from the clinical core (`bot.escalation_messages`) and the contract slots `triage: seek_care_now`
    and `red_flags`, as action_escalate would;
  * a crisis message gets the crisis resources (`bot.crisis_messages`);
  * always a "having trouble" text (bot/knowledge/messages.yml, chat.trouble) and, unless the
    escalation was just given, the red-flag advice (chat.trouble_safety);
  * the symptom form keeps its place: a failed `validate_symptom_form` keeps `requested_slot` (so the
    form neither rejects the turn nor moves on), and once the action server is back the next answer is
    read as usual; for an interruption (a red flag, start over, a question...) it lets the form reject
    the turn as validate_symptom_form would, so the rule for that intent answers;
  * `action_start_over` / `action_delete_conversation`, whose whole effect is `AllSlotsReset`, get it
    here too, so what the bot then says ("I've cleared ...") stays true;
- after one failure in a turn, the other custom actions of the same turn are not called again (one
  timeout per turn at most, one trouble message).

It also replaces `RemoteAction._validate_action_result` with the same check using a validator built
once (see that function: Rasa rebuilds and re-checks the JSON schema on every action call, which was the
largest single cost of a Backline turn in the Rasa server).

The class is a no-op NLU component so that the wrapping is explicit in config.yml and happens whenever
a model is loaded by a Rasa server (`rasa run`, `rasa shell`), before the first message. `bot` is the
clinical core; it is already loaded in the Rasa server by ClinicalReader.
"""
from __future__ import annotations

import asyncio
import functools
import logging
import os
from typing import Any, Dict, List, Optional, Set, Text, Tuple

from rasa.core.actions.action import ActionExecutionRejection, RemoteAction, create_bot_utterance
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.core.events import AllSlotsReset, BotUttered, Event, SlotSet, UserUttered
from rasa.shared.nlu.training_data.message import Message

import bot

logger = logging.getLogger(__name__)

TIMEOUT_ENV = "BACKLINE_ACTION_TIMEOUT"
DEFAULT_TIMEOUT = 10.0
MARK = "backline_safety_net"  # metadata key on the trouble messages (one per turn)
FORM_VALIDATION = "validate_symptom_form"
# Custom actions whose whole effect is known and needs no action server.
LOCAL_EFFECTS = {"action_start_over", "action_delete_conversation"}
# Copies of actions.actions.INTERRUPTIONS / SMALL_TALK, used only if actions/ cannot be imported.
INTERRUPTIONS_COPY = {
    "report_red_flag", "crisis", "ask_dose", "ask_knowledge", "ask_why", "ask_capabilities",
    "request_human", "start_over", "goodbye", "request_summary", "delete_conversation",
}
SMALL_TALK_COPY = {"greet", "thank", "out_of_scope"}


def action_timeout() -> float:
    try:
        value = float(os.environ.get(TIMEOUT_ENV) or DEFAULT_TIMEOUT)
    except ValueError:
        value = DEFAULT_TIMEOUT
    return value if value > 0 else DEFAULT_TIMEOUT


def install() -> None:
    """Wraps RemoteAction.run once per process (idempotent)."""
    if getattr(RemoteAction.run, "_backline_safety_net", False):
        return
    original = RemoteAction.run

    @functools.wraps(original)
    async def run(self: RemoteAction, output_channel, nlg, tracker, domain) -> List[Event]:
        if failed_this_turn(tracker):
            return fallback_events(self.name(), tracker, speak=False)
        try:
            return await asyncio.wait_for(original(self, output_channel, nlg, tracker, domain), action_timeout())
        except ActionExecutionRejection:
            raise
        except Exception as error:  # noqa: BLE001 - any failure behind the bot; CancelledError is not an Exception
            reason = "timed out" if isinstance(error, asyncio.TimeoutError) else repr(error)
            logger.error("Custom action '%s' failed (%s); answering from the Rasa server instead.", self.name(), reason)
            return fallback_events(self.name(), tracker, speak=True)

    run._backline_safety_net = True  # type: ignore[attr-defined]
    RemoteAction.run = run  # type: ignore[method-assign]
    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]


_RESPONSE_VALIDATOR = None


def _validate_action_result(self: RemoteAction, result: Dict[Text, Any]) -> bool:
    """Rasa's check of the action server's response, with the validator built once.

    Rasa 3.6 calls `jsonschema.validate(result, schema)` on every custom action call, which checks the
    schema itself against the JSON-Schema meta-schema each time: about 12 ms of the Rasa server's CPU per
    call, 2-3 calls per turn (measured with py-spy by `make bench`; bench/results.md). Same schema, same
    errors, same message; only the meta-schema check is done once.
    """
    global _RESPONSE_VALIDATOR
    from jsonschema import ValidationError
    from jsonschema.validators import validator_for

    if _RESPONSE_VALIDATOR is None:
        schema = RemoteAction.action_response_format_spec()
        cls = validator_for(schema)
        cls.check_schema(schema)
        _RESPONSE_VALIDATOR = cls(schema)
    try:
        _RESPONSE_VALIDATOR.validate(result)
        return True
    except ValidationError as error:
        error.message += (
            ". Failed to validate Action server response from API, make sure your response from the Action "
            "endpoint is valid. For more information about the format visit https://rasa.com/docs/rasa/custom-actions"
        )
        raise error


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


def _latest_red_flags(tracker) -> List[Text]:
    latest = tracker.latest_message
    return [e.get("value") for e in (latest.entities or []) if e.get("entity") == "red_flag" and e.get("value")]


def _form_steps_aside() -> Tuple[Set[Text], Set[Text]]:
    """The intents for which validate_symptom_form lets the form reject the turn (so that the rule for
    that intent answers), read from the action code itself so the two never disagree."""
    try:
        from actions import actions as conversation, privacy  # noqa: F401 - privacy adds its intent
        return set(conversation.INTERRUPTIONS), set(conversation.SMALL_TALK)
    except Exception:  # noqa: BLE001 - the action code is not importable here: a copy
        logger.warning("actions/ not importable in the Rasa server; using a copy of its interruption list.")
        return set(INTERRUPTIONS_COPY), set(SMALL_TALK_COPY)


def fallback_events(name: Text, tracker, speak: bool) -> List[Event]:
    """The events a failed custom action is replaced with (see the module docstring)."""
    if name in LOCAL_EFFECTS:
        return [AllSlotsReset()]
    latest = tracker.latest_message
    intent = (latest.intent or {}).get("name")
    case: Optional[Dict[Text, Any]] = tracker.get_slot("case")
    try:
        read = bot.read_message(case, latest.text or "", asked_topic=tracker.get_slot("requested_slot"))
    except Exception:  # noqa: BLE001 - the core failing must not silence the safety advice
        logger.exception("The clinical core could not read the latest message.")
        read = None
    if name == FORM_VALIDATION:
        interruptions, small_talk = _form_steps_aside()
        if intent in interruptions or (intent in small_talk and read is not None and not bot.learned_anything(read)):
            # As validate_symptom_form does: nothing validated, so the form rejects this turn and the
            # rule for the interruption answers (a red flag: action_escalate, handled here in turn).
            return [SlotSet("requested_slot", tracker.get_slot("requested_slot") or bot.next_topic(case))]
    flags = _latest_red_flags(tracker) or (bot.reported_now(read) if read else [])
    crisis = intent == "crisis" or name == "action_crisis_support"

    events: List[Event] = []
    replies: List[Dict[Text, Any]] = []
    if crisis and speak:
        replies += bot.crisis_messages()
    if flags or intent == "report_red_flag":
        escalation_case = read or {"condition": tracker.get_slot("condition"), "red_flags": flags}
        all_flags = (bot.case_red_flags(read) if read else []) or sorted(set(flags))
        if speak:
            replies += bot.escalation_messages(escalation_case)
        if read:
            events += [SlotSet("case", read), SlotSet("condition", bot.case_condition(read))]
        events += [SlotSet("triage", "seek_care_now"), SlotSet("red_flags", all_flags), SlotSet("requested_slot", None)]
    elif name == FORM_VALIDATION:
        # Keep the form where it was: an unchanged `case` counts as "validated" for Rasa's form (no
        # rejection), and the same requested_slot means the same question is pending.
        pending = tracker.get_slot("requested_slot") or bot.next_topic(case)
        events += [SlotSet("case", case), SlotSet("requested_slot", pending)]
    if speak:
        chat = bot.knowledge().messages["chat"]
        replies.append({"text": chat["trouble"]})
        if not (flags or intent == "report_red_flag"):
            replies.append({"text": chat["trouble_safety"]})
        utterances = [_utter(m) for m in replies[:-1]] + [_utter(replies[-1], mark=True)]
        events = utterances + events
    return events


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class ActionServerSafetyNet(GraphComponent):
    """No-op in the NLU pipeline; creating it installs the wrapper above."""

    @classmethod
    def create(
        cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
        execution_context: ExecutionContext,
    ) -> "ActionServerSafetyNet":
        install()
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        return messages
