"""RulePolicy's lookup checked only as far back as each rule reaches, and its state text made only for a debug
line that is written (components/rule_lookup.py), find what Rasa's own find."""
import json
import logging

import pytest
from rasa.core.policies.rule_policy import RulePolicy
from rasa.shared.core.constants import PREVIOUS_ACTION, SHOULD_NOT_BE_SET, USER
from rasa.shared.core.trackers import DialogueStateTracker

from components import rule_lookup
from tests.components.conversations import conversation

pytestmark = pytest.mark.usefixtures("speedups_on")


@pytest.fixture(scope="module")
def states(domain):
    tracker = DialogueStateTracker.from_events("rules", conversation(), domain.slots)
    return tracker.past_states(domain)


def policy() -> RulePolicy:
    return RulePolicy.__new__(RulePolicy)  # the lookup's methods read nothing the policy was trained with


def rules_from(states) -> dict:
    """Rule keys as RulePolicy writes them (JSON lists of states), cut from the conversation at every place
    and length up to 5 states; some with a slot that must not be set, some starting the conversation; each to
    an action name."""
    keys = []
    for end in range(1, len(states) + 1):
        for length in range(1, 6):
            snippet = [dict(state) for state in states[max(0, end - length):end]]
            keys.append(snippet)
            if snippet[0].get(USER):
                keys.append([{**snippet[0], "slots": {"triage": SHOULD_NOT_BE_SET}}] + snippet[1:])
            keys.append([{}] + [{key: value for key, value in state.items() if key != PREVIOUS_ACTION} or state
                                for state in snippet[:1]] + snippet[1:])
    return {json.dumps(key, sort_keys=True): f"action_{number}" for number, key in enumerate(keys)}


def test_the_rules_found_are_rasas_at_every_point_of_a_conversation(states):
    lookup = rules_from(states[:40])
    found_some = 0
    for end in range(1, len(states) + 1):
        expected = rule_lookup._RASA_POSSIBLE_KEYS(policy(), lookup, states[:end])
        assert rule_lookup.possible_keys(policy(), lookup, states[:end]) == expected, f"at state {end}"
        found_some += bool(expected) and len(expected) < len(lookup)
    assert found_some > len(states) / 2  # the rules do tell the conversation's points apart


def test_a_long_conversation_checks_each_rule_only_as_far_back_as_it_reaches(states, monkeypatch):
    lookup = rules_from(states[:12])
    longest = max(len(json.loads(key)) for key in lookup)
    depths = []
    original = RulePolicy._is_rule_applicable
    monkeypatch.setattr(RulePolicy, "_is_rule_applicable",
                        lambda self, key, index, state: depths.append(index) or original(self, key, index, state))
    long_states = states * 8
    found = rule_lookup.possible_keys(policy(), lookup, long_states)
    assert max(depths) < longest
    depths.clear()
    assert found == rule_lookup._RASA_POSSIBLE_KEYS(policy(), lookup, long_states)
    assert max(depths) == len(long_states) - 1  # Rasa's walks the whole conversation


def test_switched_off_it_is_rasas_walk(states, monkeypatch):
    monkeypatch.setenv("BACKLINE_SPEEDUPS_OFF", "rule_lookup")
    calls = []
    monkeypatch.setattr(rule_lookup, "_RASA_POSSIBLE_KEYS", lambda *args: calls.append(args) or {"rasa's"})
    assert rule_lookup.possible_keys(policy(), rules_from(states[:5]), states) == {"rasa's"} and calls


def test_the_states_are_written_out_only_for_a_debug_line_that_is_written(states, caplog):
    with caplog.at_level(logging.INFO, logger="rasa.core.policies"):
        short = rule_lookup.format_tracker_states(states)
    with caplog.at_level(logging.DEBUG, logger="rasa.core.policies"):
        full = rule_lookup.format_tracker_states(states)
    assert full == rule_lookup._RASA_FORMAT_STATES(states) and "user intent: describe_pain" in full
    assert str(len(states)) in short and "describe_pain" not in short
