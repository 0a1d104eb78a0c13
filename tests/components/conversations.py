"""Conversations as a Rasa server writes their events, with every way Rasa's `applied_events` drops events: a
form's reruns, a rejection, a rewind, an undo, a restart and a new session (tests of components/incremental_*)."""
from rasa.shared.core.events import (
    ActionExecuted,
    ActionExecutionRejected,
    ActionReverted,
    ActiveLoop,
    BotUttered,
    FollowupAction,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

OWN_MARKS = {"_backline_applied", "_backline_stored"}  # what the speed-ups and the store keep on a tracker


def said(text, intent, entities=()):
    parse = {"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": list(entities)}
    return UserUttered(text, parse["intent"], list(entities), parse_data=parse)


def form_turn(slot, value, asked):
    return [ActionExecuted("action_listen"), said(value, "inform"), ActionExecuted("symptom_form"),
            SlotSet(slot, value), SlotSet("requested_slot", asked)]


def conversation():
    """Events as a Rasa server writes them, with every way `applied_events` drops events."""
    events = [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen"),
              said("my mum has MS and her back hurts", "describe_pain",
                   [{"entity": "condition", "value": "ms", "start": 10, "end": 12}]),
              SlotSet("condition", "ms"), ActionExecuted("symptom_form"), ActiveLoop("symptom_form"),
              SlotSet("requested_slot", "pain_location")]
    events += form_turn("pain_location", "lower back", "pain_feel")
    events += [ActionExecuted("action_listen"), said("what is spasticity?", "ask_knowledge"),
               ActionExecutionRejected("symptom_form"), ActionExecuted("action_answer_question"),
               BotUttered("an answer"), ActionExecuted("symptom_form"), SlotSet("requested_slot", "pain_feel")]
    events += form_turn("pain_feel", "burning", "pain_trigger")
    events += [ActionExecuted("action_listen"), said("oops", "inform"), UserUtteranceReverted()]  # a rewind
    events += form_turn("pain_trigger", "heat", "mobility")
    events += [ActionReverted()]  # an undo
    events += form_turn("mobility", "walks", None)
    events += [ActiveLoop(None), ActionExecuted("action_assess"), BotUttered("assessment"),
               SlotSet("triage", "contact_care_team"), ActionExecuted("utter_offer_summary")]
    for turn in range(6):
        events += [ActionExecuted("action_listen"), said(f"question {turn}", "ask_knowledge"),
                   ActionExecuted("action_answer_question"), BotUttered("an answer")]
    events += [ActionExecuted("action_listen"), said("start over", "start_over"), FollowupAction("action_restart"),
               ActionExecuted("action_restart"), Restarted(), ActionExecuted("action_listen"),
               said("hello", "greet"), ActionExecuted("utter_greet"),
               ActionExecuted("action_session_start"), SessionStarted(), SlotSet("condition", "ms"),
               ActionExecuted("action_listen"), said("my dad has ALS", "describe_pain"), ActionExecuted("symptom_form"),
               ActiveLoop("symptom_form"), SlotSet("requested_slot", "pain_location")]
    events += form_turn("pain_location", "neck", "pain_feel")
    for number, event in enumerate(events):
        event.timestamp = 1_700_000_000 + number  # as stored: distinct and increasing
    return events


def state_of(tracker: DialogueStateTracker) -> dict:
    """Everything a tracker holds, slots and loop by value, events by identity."""
    state = {key: value for key, value in vars(tracker).items() if key not in OWN_MARKS}
    state["events"] = [id(event) for event in tracker.events]
    state["slots"] = {name: vars(slot) for name, slot in tracker.slots.items()}
    state["active_loop"] = vars(tracker.active_loop) if tracker.active_loop is not None else None
    for latest in ("latest_message", "latest_bot_utterance"):
        event = getattr(tracker, latest)
        # One of the events (the same object), or the empty one a tracker starts with (made anew by each)
        state[latest] = id(event) if any(event is logged for logged in tracker.events) else (type(event), event.text)
    return state
