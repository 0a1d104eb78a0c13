"""What Rasa redoes from the first event on every turn, done for the new events only (issue 13).

Why. Measured in one process along one 200-turn conversation (cProfile, 20 turns at 10-30 against 20 at
180-200), nearly all of the growth of a turn's cost left after the tracker cache and the bounded action payload
was in places of Rasa 3.6 that walk every event of the conversation, several times per turn: two of the tracker,
here, and two of RulePolicy (components/rule_lookup.py).

- "applied_events": `DialogueStateTracker.applied_events` (the events not undone by a rewind, a restart or a
  form's rerun) is rebuilt from the first event on every call: the session check, the policies' states and
  `get_last_event_for` call it five to seven times per turn. Here each tracker keeps its applied events and
  extends them by the events appended since the last call, with Rasa's own rules (its helpers, in its order).
  It starts again from the first event whenever the events were not only appended to (shortened, or its first
  or last seen event changed) or when a new event names a loop the events had not named
  before (Rasa decides a form's earlier runs by every loop name in the conversation).
- "copy_without_replay": `DialogueStateTracker.copy`, which the processor makes before every action it runs,
  replays every event into a new tracker. Its state is, by Rasa's own rule, what the events made it, so the copy
  here takes that state directly: the same events (the same objects, as a replay shares them), its own slots and
  loop, and what `init_copy` leaves out left out as well.

tests/components/test_incremental_tracker.py checks each against Rasa's own on every prefix of conversations
with forms, rewinds, undos, restarts and new sessions. components/rasa_patches.py installs both when a
model is loaded; each can be switched off alone (ops.settings.speedup).
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import FrozenSet, List, Optional, Tuple

from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    ActiveLoop,
    Event,
    Restarted,
    SessionStarted,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from ops import tracker_cache
from ops.settings import speedup

_RASA_APPLIED_EVENTS = DialogueStateTracker.applied_events
_RASA_COPY = DialogueStateTracker.copy
_SEEN = "_backline_applied"  # where a tracker keeps its applied events between calls


@dataclass(frozen=True)
class _Applied:
    """A tracker's applied events, and what they were made from. Never changed once made: a copy of the tracker
    (ops.tracker_cache.twin) may share it, and each tracker replaces its own when it goes on."""
    count: int
    first: Optional[Event]
    last: Optional[Event]
    loop_names: FrozenSet[str]
    events: Tuple[Event, ...]


def _apply(tracker: DialogueStateTracker, event: Event, loop_names: FrozenSet[str], applied: List[Event]) -> None:
    """One step of DialogueStateTracker.applied_events's loop (Rasa 3.6), with Rasa's helpers."""
    if isinstance(event, (Restarted, SessionStarted)):
        applied.clear()
    elif isinstance(event, ActionReverted):
        tracker._undo_till_previous(ActionExecuted, applied)
    elif isinstance(event, UserUtteranceReverted):
        tracker._undo_till_previous(UserUttered, applied)
        tracker._undo_till_previous(ActionExecuted, applied)
    elif (isinstance(event, ActionExecuted) and event.action_name in loop_names
          and not tracker._first_loop_execution_or_unhappy_path(event.action_name, applied)):
        tracker._undo_till_previous_loop_execution(event.action_name, applied)
    else:
        applied.append(event)


def _loop_names(events) -> FrozenSet[str]:
    return frozenset(event.name for event in events if isinstance(event, ActiveLoop) and event.name)


def _extended(tracker: DialogueStateTracker, seen: Optional[_Applied]) -> _Applied:
    """The applied events of `tracker`, from `seen` when they go on from it, else from the first event."""
    events = tracker.events
    appended = (seen is not None and events.maxlen is None and len(events) >= seen.count
                and (seen.count == 0 or (events[0] is seen.first and events[seen.count - 1] is seen.last)))
    if appended and len(events) == seen.count:
        return seen
    new = list(itertools.islice(events, seen.count, None)) if appended else list(events)
    loop_names = seen.loop_names | _loop_names(new) if appended else _loop_names(new)
    if appended and loop_names != seen.loop_names:
        return _extended(tracker, None)  # a loop named for the first time changes how its earlier runs count
    applied = list(seen.events) if appended else []
    for event in new:
        _apply(tracker, event, loop_names, applied)
    return _Applied(len(events), events[0] if events else None, events[-1] if events else None, loop_names,
                    tuple(applied))


def applied_events(self: DialogueStateTracker) -> List[Event]:
    """DialogueStateTracker.applied_events, extended by the events appended since this tracker's last call."""
    if not speedup("applied_events"):
        return _RASA_APPLIED_EVENTS(self)
    seen = _extended(self, self.__dict__.get(_SEEN))
    self.__dict__[_SEEN] = seen
    return list(seen.events)


def copy_tracker(self: DialogueStateTracker) -> DialogueStateTracker:
    """DialogueStateTracker.copy without replaying every event: the state the events made, taken as it is."""
    if not speedup("copy_without_replay"):
        return _RASA_COPY(self)
    duplicate = tracker_cache.twin(self)
    # What Rasa's copy starts from (init_copy) leaves these out; the store's mark is for trackers it handed out.
    duplicate.model_id = duplicate.assistant_id = duplicate.sender_source = None
    tracker_cache.mark(duplicate, None)
    return duplicate
