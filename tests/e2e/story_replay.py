"""Compare a Rasa test story with what the real servers did when its user texts were sent over REST.

`rasa test core` feeds each story's hand-written intent to the policies and never runs a custom
action, so it cannot tell whether the text is read as the story says, nor what the action server sets.
tests/e2e/test_stories_over_rest.py sends the `user:` texts instead; this module splits the story and
the resulting tracker into user turns and lists every difference. The rules, per user turn (turn 1 is
the first `user:` step; its steps run until the next `user:` step):

- Intent: the story's `intent:` must be the intent of the UserUttered event (the whole NLU pipeline,
  ClinicalReader and FallbackClassifier included). A story whose text the real NLU reads differently
  on purpose says so in `metadata: {nlu_intent: {<turn>: <intent or list of intents>}}`, and the real
  intent must then be one of those.
- Actions: the story's `action:` steps, in order, must equal the ActionExecuted events between this
  UserUttered and the next, after dropping (a) Rasa's bookkeeping actions (action_listen,
  action_extract_slots, action_session_start), which stories leave implicit, and (b) a form's
  re-runs: a run of a form straight after a run of the same form. Either is kept when the story lists
  it in that turn (the bookkeeping action by name; the re-run when the story itself lists that form
  twice in a row), so a story can still demand them.
- Slots: for every slot in the turn's `slot_was_set` steps, the story's last value in the turn must
  equal the slot's value at the end of the turn, and an earlier value in the same turn must have been
  set by a SlotSet event in the turn. A bare slot name means "set in this turn, to anything". Lists
  compare as lists; red_flags and warning_signs ignore order.
- Loop: the turn's last `active_loop:` step (null included) must be the active loop at the end of it.
- No failure: a reply marked by the action-server safety net (components/action_safety_net.py) means a
  custom action failed in that turn; no story expects that, whatever the slots say afterwards.

Entities are not compared (the slots filled from them are). A form run the policy rejected (the form
stepping aside for an interruption) is an ActionExecutionRejected event, not a run, so it never counts.

Steps a REST client cannot replay (`or:`, `checkpoint:`, `bot:`, a user step without text) are
reported as mismatches rather than skipped, and so are actions a story puts before its first message.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional, Sequence, Set

BOOKKEEPING_ACTIONS = ("action_listen", "action_extract_slots", "action_session_start")
ORDER_FREE_LIST_SLOTS = frozenset({"red_flags", "warning_signs"})
ANY_VALUE = object()  # a bare slot name in slot_was_set
NO_LOOP_STEP = object()  # the turn says nothing about the active loop
SUPPORTED_STEPS = ("user", "intent", "entities", "action", "slot_was_set", "active_loop")
NLU_INTENT_KEY = "nlu_intent"
SAFETY_NET_MARK = "backline_safety_net"  # components/action_safety_net.MARK, on its "having trouble" replies


@dataclass
class StoryTurn:
    """What a story expects from one user message (number 0: the steps before the first one)."""
    number: int
    text: Optional[str] = None
    intent: Optional[str] = None
    nlu_intents: Optional[List[str]] = None
    actions: List[str] = field(default_factory=list)
    slots: List[tuple] = field(default_factory=list)  # (name, value or ANY_VALUE), in story order
    active_loop: Any = NO_LOOP_STEP
    problems: List[str] = field(default_factory=list)


@dataclass
class TrackerTurn:
    """What the servers did with one user message (number 0: what happened before the first one)."""
    number: int
    text: Optional[str] = None
    intent: Optional[str] = None
    actions: List[str] = field(default_factory=list)
    slot_events: List[tuple] = field(default_factory=list)  # (name, value) of the SlotSet events
    slots_after: Dict[str, Any] = field(default_factory=dict)
    active_loop_after: Optional[str] = None
    action_server_failed: bool = False


def story_turns(story: dict) -> List[StoryTurn]:
    """The story's steps grouped by user turn; turn 0 holds whatever comes before the first message."""
    overrides = (story.get("metadata") or {}).get(NLU_INTENT_KEY) or {}
    turns = [StoryTurn(0)]
    for step in story.get("steps") or []:
        if not isinstance(step, dict):
            turns[-1].problems.append(f"step {step!r} is not a mapping")
            continue
        unsupported = sorted(set(step) - set(SUPPORTED_STEPS))
        if unsupported:
            turns[-1].problems.append(f"step {unsupported} cannot be replayed over REST")
        if "user" in step or "intent" in step:
            number = len(turns)
            allowed = overrides.get(number)
            turns.append(StoryTurn(
                number, text=(step.get("user") or "").strip() or None, intent=step.get("intent"),
                nlu_intents=[allowed] if isinstance(allowed, str) else allowed,
            ))
            if turns[-1].text is None:
                turns[-1].problems.append("user step without text: nothing to send")
        elif "action" in step:
            turns[-1].actions.append(step["action"])
        elif "active_loop" in step:
            turns[-1].active_loop = step["active_loop"]
        elif "slot_was_set" in step:
            for item in step["slot_was_set"] or []:
                if isinstance(item, dict):
                    turns[-1].slots.extend(item.items())
                else:
                    turns[-1].slots.append((item, ANY_VALUE))
    return turns


def tracker_turns(events: Iterable[dict], initial_slots: Dict[str, Any]) -> List[TrackerTurn]:
    """The tracker's events (GET /conversations/<id>/tracker?include_events=ALL) grouped by user message."""
    slots = dict(initial_slots)
    loop: Optional[str] = None
    turns = [TrackerTurn(0)]
    for event in events:
        kind = event.get("event")
        if kind == "user":
            turns[-1].slots_after, turns[-1].active_loop_after = dict(slots), loop
            intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
            turns.append(TrackerTurn(len(turns), text=event.get("text"), intent=intent))
        elif kind == "action":
            turns[-1].actions.append(event.get("name"))
        elif kind == "slot":
            slots[event.get("name")] = event.get("value")
            turns[-1].slot_events.append((event.get("name"), event.get("value")))
        elif kind == "active_loop":
            loop = event.get("name")
        elif kind == "bot" and (event.get("metadata") or {}).get(SAFETY_NET_MARK):
            turns[-1].action_server_failed = True
        elif kind in ("reset_slots", "restart", "session_started"):
            slots = dict(initial_slots)
            if kind != "reset_slots":
                loop = None
    turns[-1].slots_after, turns[-1].active_loop_after = dict(slots), loop
    return turns


def compare(name: str, story: Sequence[StoryTurn], tracker: Sequence[TrackerTurn], forms: Set[str]) -> List[str]:
    """Every difference between a story and the conversation it produced, one line each."""
    found: List[str] = []
    if len(story) != len(tracker):
        found.append(f"{name}: {len(story) - 1} user turns in the story, {len(tracker) - 1} in the tracker")
    for expected, actual in zip(story, tracker, strict=False):
        where = f"{name}: turn {expected.number}"
        found.extend(f"{where}: {problem}" for problem in expected.problems)
        found.extend(f"{where}: {line}" for line in turn_differences(expected, actual, forms))
    return found


def turn_differences(expected: StoryTurn, actual: TrackerTurn, forms: Set[str]) -> List[str]:
    found = []
    if actual.action_server_failed:
        found.append("a custom action failed: the safety net answered")
    if expected.number and expected.intent is not None:
        allowed = expected.nlu_intents or [expected.intent]
        if actual.intent not in allowed:
            found.append(f"intent: expected {' or '.join(allowed)}, got {actual.intent}")
    ran = actions_to_compare(actual.actions, expected.actions, forms)
    if ran != expected.actions:
        found.append(f"actions: expected {expected.actions}, got {ran}")
    found.extend(slot_differences(expected.slots, actual))
    if expected.active_loop is not NO_LOOP_STEP and expected.active_loop != actual.active_loop_after:
        found.append(f"active loop: expected {expected.active_loop}, got {actual.active_loop_after}")
    return found


def actions_to_compare(ran: Sequence[str], listed: Sequence[str], forms: Set[str]) -> List[str]:
    """The actions that ran, without the bookkeeping and form re-runs the story leaves implicit."""
    kept = [action for action in ran if action not in BOOKKEEPING_ACTIONS or action in listed]
    listed_twice = {a for a, b in zip(listed, listed[1:], strict=False) if a == b and a in forms}
    collapsed: List[str] = []
    for action in kept:
        if collapsed and action == collapsed[-1] and action in forms and action not in listed_twice:
            continue
        collapsed.append(action)
    return collapsed


def slot_differences(expected: Sequence[tuple], actual: TrackerTurn) -> List[str]:
    found = []
    for position, (slot, value) in enumerate(expected):
        set_in_turn = [v for s, v in actual.slot_events if s == slot]
        is_last = all(s != slot for s, _ in expected[position + 1:])
        if value is ANY_VALUE:
            if not set_in_turn:
                found.append(f"slot {slot}: expected to be set in this turn, it was not")
        elif is_last:
            got = actual.slots_after.get(slot)
            if not same_value(slot, value, got):
                found.append(f"slot {slot}: expected {value!r}, got {got!r}")
        elif not any(same_value(slot, value, v) for v in set_in_turn):
            found.append(f"slot {slot}: expected to be set to {value!r} during the turn, set to {set_in_turn!r}")
    return found


def same_value(slot: str, expected: Any, actual: Any) -> bool:
    if slot in ORDER_FREE_LIST_SLOTS and isinstance(expected, list) and isinstance(actual, list):
        return sorted(map(str, expected)) == sorted(map(str, actual))
    return expected == actual
