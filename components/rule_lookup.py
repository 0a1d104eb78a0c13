"""RulePolicy's lookup, without walking the whole conversation on every prediction (issue 13).

Why. Along one 200-turn conversation (cProfile, turns 10-30 against 180-200 in one process), once the tracker's
own walks were gone (components/incremental_tracker.py) the growth left was in RulePolicy:

- "rule_lookup": `RulePolicy._get_possible_keys` matches every rule against the conversation's states from the
  latest backwards, over every state of the conversation. A rule only has a few states: from one state further
  back than its length on, Rasa's `_is_rule_applicable` answers True without looking. So a rule is settled once
  its own length is checked, and the walk stops when every rule is settled: the same rules, found in as many
  steps as the longest rule has states.
- "lazy_state_log": on each prediction `RulePolicy` formats every past state as text for a debug line, whether
  or not debug logging is on. Here the text is made only when the policies' logger would write it.

Both also hold at training, where Rasa runs the same lookup. tests/components/test_rule_lookup.py compares each
with Rasa's own on the trained model's rules and on long conversations. `install()` is called with the other
speed-ups when a model is loaded (components/action_safety_net.py); each can be switched off alone.
"""
from __future__ import annotations

import logging
from typing import Dict, List, Set, Text

from rasa.core.policies.policy import Policy
from rasa.core.policies.rule_policy import RulePolicy

from ops.settings import speedup

_RASA_POSSIBLE_KEYS = RulePolicy._get_possible_keys
_RASA_FORMAT_STATES = Policy.format_tracker_states
_POLICY_LOG = logging.getLogger("rasa.core.policies")


_RULE_LENGTHS: Dict[Text, int] = {}


def rule_length(policy: RulePolicy, key: Text) -> int:
    """How many states the rule `key` has (Rasa parses the key's JSON, from an LRU cache, on each ask)."""
    length = _RULE_LENGTHS.get(key)
    if length is None:
        if len(_RULE_LENGTHS) > 100_000:  # a long-lived process training many models
            _RULE_LENGTHS.clear()
        length = _RULE_LENGTHS[key] = len(policy._rule_key_to_state(key))
    return length


def possible_keys(self: RulePolicy, lookup: Dict[Text, Text], states: List[dict]) -> Set[Text]:
    """RulePolicy._get_possible_keys, each rule checked only as far back as it has states."""
    if not speedup("rule_lookup"):
        return _RASA_POSSIBLE_KEYS(self, lookup, states)
    possible = set(lookup.keys())
    unsettled = set(possible)
    for turn_index, state in enumerate(reversed(states)):
        unsettled = {key for key in unsettled if turn_index < rule_length(self, key)}
        if not unsettled:
            break
        failed = {key for key in unsettled if not self._is_rule_applicable(key, turn_index, state)}
        possible -= failed
        unsettled -= failed
    return possible


def format_tracker_states(states: List[dict]) -> Text:
    """Policy.format_tracker_states, made only when the policies' debug lines are written."""
    if not speedup("lazy_state_log") or _POLICY_LOG.isEnabledFor(logging.DEBUG):
        return _RASA_FORMAT_STATES(states)
    return f" ({len(states)} states, written with debug logging)"


def install() -> None:
    """Replaces the two once per process (idempotent)."""
    RulePolicy._get_possible_keys = possible_keys  # type: ignore[method-assign]
    Policy.format_tracker_states = staticmethod(format_tracker_states)  # type: ignore[method-assign]
