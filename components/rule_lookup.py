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
- "rule_window": past turn 300 of one conversation (py-spy of the Rasa server at turns 500-650) a quarter of its
  CPU was two more walks over every past state, twice per prediction: the featurizer deleting the user's text
  from each state, and, when no rule applies, a JSON text of all the states (`_create_feature_key`), made only to
  ask whether it is one of the rules not in stories (`hide_rule_turn`). A loaded RulePolicy's answer depends on
  the latest states only: a rule is matched over as many states as it has, and a feature key of more states than
  the longest rule cannot be any rule's key. So it is given the latest `longest rule + 1` states, prepared by
  the featurizer's own steps: the same rules match, and a key of that many states still matches no rule. While
  the policy trains (no "rules not in stories" yet) and for any other featurizer, Rasa's own path runs.

The three are the methods of one policy class, `BacklineRulePolicy`, named in config.yml in RulePolicy's place
(Rasa's pattern: a policy is a class chosen by name). The first two also hold at training, where Rasa runs the
same lookup. tests/components/test_rule_lookup.py compares each with Rasa's own on the trained model's rules and
on long conversations; each can be switched off alone (ops.settings.speedup), and then Rasa's RulePolicy code
runs. Debug logging does not change the path: the debug line then lists the states the prediction was made from
(the window), not every state of the conversation.

Two things Rasa 3.6 decides by the exact class RulePolicy and so not for a subclass: the training-time warning
"'RulePolicy' is not included in the model's policy configuration" (wrong for this one, so filtered out below),
and its check of the fallback action against the domain (run here by `train` instead). `rasa test` also marks a
prediction as memorised by a policy name ending in "_RulePolicy"; this one's failed test stories lose that note.
"""
from __future__ import annotations

import logging
import warnings
from typing import Any, Dict, List, Optional, Set, Text

from rasa.core.featurizers.tracker_featurizers import MaxHistoryTrackerFeaturizer
from rasa.core.policies.policy import Policy, SupportedData
from rasa.core.policies.rule_policy import RULES, RULES_FOR_LOOP_UNHAPPY_PATH, RULES_NOT_IN_STORIES, RulePolicy
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker

from ops.settings import speedup

_RASA_POSSIBLE_KEYS = RulePolicy._get_possible_keys
_RASA_FORMAT_STATES = Policy.format_tracker_states
_RASA_PREDICTION_STATES = RulePolicy._prediction_states
_POLICY_LOG = logging.getLogger("rasa.core.policies")


# Rasa's recipe validator looks for the class RulePolicy itself and would warn, wrongly, that restart and back no
# longer trigger their actions: BacklineRulePolicy predicts them as RulePolicy does (its own code does it).
warnings.filterwarnings("ignore", message="'RulePolicy' is not included in the model's policy configuration",
                        category=UserWarning)

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


def rule_window(policy: RulePolicy) -> Optional[int]:
    """How many of the latest states a loaded RulePolicy's prediction depends on: one more than its longest rule
    (kept on the policy: a loaded policy's lookup does not change). None while it trains."""
    window = policy.__dict__.get("_backline_rule_window")
    if window is None and RULES_NOT_IN_STORIES in policy.lookup:
        keys = [*policy.lookup.get(RULES, {}), *policy.lookup.get(RULES_FOR_LOOP_UNHAPPY_PATH, {})]
        # Besides rule keys, "rules not in stories" names loop and default-action sources, which are not JSON.
        hidden = [key for key in policy.lookup[RULES_NOT_IN_STORIES] if key.startswith("[")]
        longest = max((rule_length(policy, key) for key in [*keys, *hidden]), default=0)
        window = policy.__dict__["_backline_rule_window"] = longest + 1
    return window


def prediction_states(self: RulePolicy, tracker: DialogueStateTracker, domain: Domain,
                      use_text_for_last_user_input: bool = False,
                      rule_only_data: Optional[Dict[Text, Any]] = None) -> List[dict]:
    """RulePolicy._prediction_states, the latest `rule_window` states only."""
    featurizer = self.featurizer
    window = rule_window(self) if speedup("rule_window") else None
    if window is None or type(featurizer) is not MaxHistoryTrackerFeaturizer \
            or self.supported_data() == SupportedData.ML_DATA:
        return _RASA_PREDICTION_STATES(self, tracker, domain, use_text_for_last_user_input, rule_only_data)
    # MaxHistoryTrackerFeaturizer.prediction_states' steps for one tracker, as Policy._prediction_states asks for
    # a policy that learns from rules (no rule-only turns or unlikely intents left out), the per-state one on the
    # window only.
    states = featurizer._create_states(tracker, domain, ignore_rule_only_turns=False, rule_only_data=rule_only_data)
    latest = featurizer.slice_state_history(states, featurizer.max_history)[-window:]
    featurizer._choose_last_user_input([latest], use_text_for_last_user_input)
    return latest


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True)
class BacklineRulePolicy(RulePolicy):
    """Rasa's RulePolicy with the three speed-ups above (config.yml names it in RulePolicy's place)."""

    def train(self, training_trackers: List[Any], domain: Domain, **kwargs: Any) -> Resource:
        # Rasa's recipe validator runs this for the class RulePolicy only.
        RulePolicy.raise_if_incompatible_with_domain(self.config, domain)
        return super().train(training_trackers, domain, **kwargs)

    def _get_possible_keys(self, lookup: Dict[Text, Text], states: List[dict]) -> Set[Text]:
        return possible_keys(self, lookup, states)

    def _prediction_states(self, tracker: DialogueStateTracker, domain: Domain,
                           use_text_for_last_user_input: bool = False,
                           rule_only_data: Optional[Dict[Text, Any]] = None) -> List[dict]:
        return prediction_states(self, tracker, domain, use_text_for_last_user_input, rule_only_data)

    @staticmethod
    def format_tracker_states(states: List[dict]) -> Text:
        return format_tracker_states(states)
