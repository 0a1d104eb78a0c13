"""The policies' view of a conversation, extended by its new events only (speed-up "incremental_states").

Why. On every prediction (two or three per turn) each policy asks `DialogueStateTracker.past_states`, which
replays every applied event of the session into a fresh tracker and builds a state at every action: the
cost grows with the conversation (Domain.states_for_tracker_history). The states at the actions already
replayed do not change when events are appended, with three exceptions Rasa's `applied_events` makes:
a restart or a new session (everything before is dropped), a rewind or an undone action (the tail is
dropped), and a form running again on its happy path (the events since its previous run are dropped).

So each conversation keeps its replay: the states so far, the applied events they came from, and a few
checkpoints (the replay's tracker and counters just before each of the latest user messages). A call resumes
from the latest checkpoint whose events are still the same: the same objects (a cached tracker and its copies
share them; events are appended, never edited), or else events of the same class at the same time (a tracker
read again from the store). So an appended event costs one step, a form's dropped turn a replay of that turn,
and a restart, a new session or another model a replay from the start, exactly as Rasa would. What stays
proportional to the conversation is one comparison of object identities in C (well under a microsecond per
event), not the states; Rasa's `applied_events` is extended the same way (components/incremental_tracker.py).
The replay step is Rasa's (Domain.states_for_tracker_history, the same calls in the same order);
tests/components/test_incremental_states.py compares it with Rasa's on every prefix of real and edited
conversations.

`past_states` replaces `DialogueStateTracker.past_states` (components/rasa_patches.py, when a model is
loaded); with the speed-up off every call is Rasa's own.

Memory. A replay holds trackers, and so the conversation's latest message: at most CONVERSATIONS replays are
kept, one idle for MAX_IDLE_SECONDS is dropped (as the tracker cache drops it, ops/tracker_cache.py), and a
deleted conversation's replays are dropped at once (`forget`, registered with ops.stores.on_delete by
components/action_safety_net.py: the speed-ups' room imports only Rasa and ops/settings.py).
"""
from __future__ import annotations

import json
import operator
import time
from collections import OrderedDict, deque
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Tuple

from rasa.shared.core.constants import PREVIOUS_ACTION
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from ops import tracker_cache
from ops.settings import speedup
from ops.tracker_cache import MAX_IDLE_SECONDS

CHECKPOINTS = 4  # a form's dropped turn goes back one user message; a rewind one or two
CONVERSATIONS = 256  # replays kept (each conversation once per policy setting), least recently used dropped

_RASA_PAST_STATES = DialogueStateTracker.past_states


@dataclass
class Checkpoint:
    """The replay after the first `position` applied events."""
    position: int
    tracker: DialogueStateTracker
    states: int
    last_ml_action: Any = None
    turn_was_hidden: bool = False


@dataclass
class Replay:
    domain: Domain
    applied: Tuple = ()  # the applied events the states were built from
    states: List[Dict] = field(default_factory=list)
    checkpoints: List[Checkpoint] = field(default_factory=list)  # the start, then before the latest user messages
    end: Optional[Checkpoint] = None  # after every event of `applied`; advanced in place
    used: float = 0.0  # time.monotonic() of its latest use


_REPLAYS: "OrderedDict[Tuple, Replay]" = OrderedDict()


def fingerprint(applied) -> Tuple:
    return tuple([(event.__class__, event.timestamp) for event in applied])


def _step(domain: Domain, tr: DialogueStateTracker, hide_rule_turn: bool, states: List[Dict], point: Checkpoint,
          omit_unset_slots: bool, ignore_rule_only_turns: bool, rule_only_data) -> None:
    """One iteration of Domain.states_for_tracker_history's loop, its carried values kept in `point`."""
    if ignore_rule_only_turns:
        if not point.turn_was_hidden:
            point.last_ml_action = domain._get_prev_action_sub_state(tr)
        if not tr.followup_action and not tr.latest_action_name == tr.active_loop_name:
            point.turn_was_hidden = hide_rule_turn
        if point.turn_was_hidden:
            return
    state = domain.get_active_state(tr, omit_unset_slots=omit_unset_slots)
    if ignore_rule_only_turns:
        domain._remove_rule_only_features(state, rule_only_data)
        if states:
            domain._substitute_rule_only_user_input(state, states[-1])
        if point.last_ml_action:
            state[PREVIOUS_ACTION] = point.last_ml_action
    states.append(domain._clean_state(state))


def _copy(point: Checkpoint, states: int) -> Checkpoint:
    return Checkpoint(point.position, tracker_cache.twin(point.tracker), states, point.last_ml_action,
                      point.turn_was_hidden)


def _start(tracker: DialogueStateTracker) -> Checkpoint:
    tr = tracker.init_copy()
    tr.events = deque(maxlen=1)  # the states read slots, latest message, action and loop, never old events
    return Checkpoint(0, tr, 0)


def _same(old: Sequence, new: Sequence, position: int) -> bool:
    """Whether the first `position` applied events of `old` and `new` are the same: the same objects, or from
    the first object that differs on, events of the same class at the same time."""
    if position > len(new):
        return False
    identical = list(map(operator.is_, old[:position], new[:position]))
    if all(identical):
        return True
    differs = identical.index(False)
    return fingerprint(old[differs:position]) == fingerprint(new[differs:position])


def _replay_for(key: Tuple, tracker: DialogueStateTracker, domain: Domain, new: Tuple) -> Tuple[Replay, Checkpoint]:
    """This conversation's replay and where to go on from: its end when only events were appended, else the
    latest checkpoint still valid (a copy: checkpoints stay as they were), else the start."""
    replay = _REPLAYS.get(key)
    if replay is None or replay.domain is not domain:
        replay = Replay(domain, checkpoints=[_start(tracker)])
    replay.used = time.monotonic()
    _REPLAYS[key] = replay
    _REPLAYS.move_to_end(key)
    forget_idle(replay.used - MAX_IDLE_SECONDS)
    while len(_REPLAYS) > CONVERSATIONS:
        _REPLAYS.popitem(last=False)
    if replay.end is not None and _same(replay.applied, new, replay.end.position):
        return replay, replay.end
    for point in reversed(replay.checkpoints):
        if _same(replay.applied, new, point.position):
            replay.checkpoints = [c for c in replay.checkpoints if c.position <= point.position]
            replay.states = replay.states[:point.states]
            return replay, _copy(point, point.states)
    raise AssertionError("the start checkpoint always matches")


def past_states(self: DialogueStateTracker, domain: Domain, omit_unset_slots: bool = False,
                ignore_rule_only_turns: bool = False, rule_only_data: Optional[Dict[str, Any]] = None) -> List[Dict]:
    """DialogueStateTracker.past_states, resumed from this conversation's replay."""
    if not speedup("incremental_states"):
        return _RASA_PAST_STATES(self, domain, omit_unset_slots, ignore_rule_only_turns, rule_only_data)
    key = (self.sender_id, omit_unset_slots, ignore_rule_only_turns, json.dumps(rule_only_data, sort_keys=True))
    applied = self.applied_events()
    replay, running = _replay_for(key, self, domain, applied)
    options = (omit_unset_slots, ignore_rule_only_turns, rule_only_data)
    states = replay.states
    for event in applied[running.position:]:
        if isinstance(event, UserUttered):
            replay.checkpoints.append(_copy(running, len(states)))
        if isinstance(event, ActionExecuted):
            _step(domain, running.tracker, event.hide_rule_turn, states, running, *options)
        running.tracker.update(event)
        running.position += 1
    replay.applied, replay.end = tuple(applied), running
    replay.checkpoints = replay.checkpoints[:1] + replay.checkpoints[1:][-CHECKPOINTS:]
    # The state of the tracker as it is now is not kept: the next call may have appended to it.
    result = list(states)
    _step(domain, running.tracker, False, result, Checkpoint(0, running.tracker, 0, running.last_ml_action,
                                                             running.turn_was_hidden), *options)
    return result


def forget_idle(used_before: float) -> None:
    """Drops the replays last used before `used_before` (the least recently used come first)."""
    while _REPLAYS and next(iter(_REPLAYS.values())).used < used_before:
        _REPLAYS.popitem(last=False)


def forget(sender_id: str) -> None:
    """Drops a conversation's replays (a deleted conversation: they hold its latest message)."""
    for key in [key for key in _REPLAYS if key[0] == sender_id]:
        del _REPLAYS[key]
