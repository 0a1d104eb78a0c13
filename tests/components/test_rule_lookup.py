"""RulePolicy's lookup checked only as far back as each rule reaches, its state text made only for a debug line
that is written, and its predictions made from the latest states only (components/rule_lookup.py), find what
Rasa's own find."""
import collections
import json
import logging

import pytest
from rasa.core.agent import Agent
from rasa.core.policies.rule_policy import (
    DO_NOT_PREDICT_LOOP_ACTION,
    LOOP_WAS_INTERRUPTED,
    RULES,
    RULES_FOR_LOOP_UNHAPPY_PATH,
    RULES_NOT_IN_STORIES,
    RulePolicy,
)
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.shared.core.constants import PREVIOUS_ACTION, SHOULD_NOT_BE_SET, USER
from rasa.shared.core.events import ActionExecuted, ActionExecutionRejected, BotUttered
from rasa.shared.core.trackers import DialogueStateTracker

from components import rule_lookup
from harness.servers import trained_model_file
from tests.components.conversations import conversation, said

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


def long_conversation():
    """The conversation of tests/components/conversations.py, then forty knowledge questions in the form."""
    events = conversation()
    for turn in range(40):
        events += [ActionExecuted("action_listen"), said(f"question {turn}", "ask_knowledge"),
                   ActionExecutionRejected("symptom_form"), ActionExecuted("action_answer_question"),
                   BotUttered("an answer"), ActionExecuted("symptom_form")]
    return events


def loaded_rule_policy(domain, states) -> RulePolicy:
    """A RulePolicy as a trained model loads it: rules cut from a conversation's states (each to an action of
    the domain), unhappy-loop rules, and "rules not in stories" holding some of the first session's rules, a
    non-rule source and the feature key of a conversation's start (which no rule answers)."""
    actions = [name for name in domain.action_names_or_texts if name.startswith(("action_", "utter_"))]
    first_session = rules_from(states[5:25])
    # And the last questions', the user's text left out where there is an intent, as in trained rules.
    questions = [{**state, USER: {k: v for k, v in state[USER].items() if k != "text"}} if USER in state else state
                 for state in states[-12:]]
    cut = {**first_session, **rules_from(questions)}
    rules = {key: actions[number % len(actions)] for number, key in enumerate(cut)}
    unhappy = {}
    for end in range(1, 30):
        key = json.dumps(RulePolicy._states_for_unhappy_loop_predictions(states[:end]), sort_keys=True)
        unhappy[key] = LOOP_WAS_INTERRUPTED if end % 2 else DO_NOT_PREDICT_LOOP_ACTION
    start = DialogueStateTracker.from_events("start", conversation()[:4], domain.slots)
    policy = RulePolicy(RulePolicy.get_default_config(), None, None, ExecutionContext(GraphSchema({})), lookup={
        RULES: rules, RULES_FOR_LOOP_UNHAPPY_PATH: unhappy,
        RULES_NOT_IN_STORIES: [*list(first_session)[::3], "handling active loops and forms - symptom_form"]})
    policy.lookup[RULES_NOT_IN_STORIES].append(
        json.dumps(rule_lookup._RASA_PREDICTION_STATES(policy, start, domain), sort_keys=True))
    return policy


def outcome(prediction):
    """What a RulePolicy prediction decides (its rule source aside)."""
    return (prediction.probabilities, prediction.events, prediction.is_end_to_end_prediction,
            prediction.is_no_user_prediction, prediction.hide_rule_turn)


def predicted_both_ways(policy, tracker, domain, monkeypatch):
    """Rasa's (prediction, source) for the tracker and ours, the window switched off and on."""
    monkeypatch.setenv("BACKLINE_SPEEDUPS_OFF", "rule_window")
    rasas = policy._predict(tracker, domain)
    monkeypatch.delenv("BACKLINE_SPEEDUPS_OFF")
    return rasas, policy._predict(tracker, domain)


def test_a_loaded_rule_policy_predicts_from_the_latest_states_what_it_predicts_from_all(domain, monkeypatch):
    events = long_conversation()
    full = DialogueStateTracker.from_events("window", events, domain.slots).past_states(domain)
    policy = loaded_rule_policy(domain, full)
    window = rule_lookup.rule_window(policy)
    assert window == 7  # the longest rules: a conversation's start and five states
    given = []

    def prediction_states(*args, **kwargs):
        states = rule_lookup.prediction_states(*args, **kwargs)
        if rule_lookup.speedup("rule_window"):  # the states our predictions were given
            given.append(states)
        return states

    monkeypatch.setattr(RulePolicy, "_prediction_states", prediction_states)
    seen = collections.Counter()
    for end in range(1, len(events) + 1):
        tracker = DialogueStateTracker.from_events("window", events[:end], domain.slots)
        given.clear()
        (rasas, rasas_source), (ours, source) = predicted_both_ways(policy, tracker, domain, monkeypatch)
        assert outcome(ours) == outcome(rasas), f"after event {end}"
        if source in policy.lookup[RULES] or rasas_source in policy.lookup[RULES]:
            assert source == rasas_source
        whole = len(tracker.past_states(domain))
        assert all(len(states) == min(window, whole) for states in given), f"after event {end}"
        cut = bool(given) and whole > window
        seen[("cut" if cut else "whole", max(ours.probabilities) > 0.5, ours.hide_rule_turn)] += 1
    # The comparison covered rules found and not found, hidden turns, in conversations cut and whole.
    covered = {("cut", True, False), ("cut", False, False), ("whole", True, True), ("whole", False, True)}
    assert covered <= set(seen), seen


def test_the_latest_states_are_prepared_as_rasas_are(domain, monkeypatch):
    events = long_conversation()
    tracker = DialogueStateTracker.from_events("prepared", events, domain.slots)
    policy = loaded_rule_policy(domain, tracker.past_states(domain))
    for text_for_last_user_input in (True, False):
        whole = rule_lookup._RASA_PREDICTION_STATES(policy, tracker, domain, text_for_last_user_input)
        latest = rule_lookup.prediction_states(policy, tracker, domain, text_for_last_user_input)
        assert len(whole) > 60 and latest == whole[-rule_lookup.rule_window(policy):]


def test_debug_logging_keeps_the_window(domain, caplog):
    tracker = DialogueStateTracker.from_events("debug", long_conversation(), domain.slots)
    rasas = loaded_rule_policy(domain, tracker.past_states(domain))
    policy = rule_lookup.BacklineRulePolicy(RulePolicy.get_default_config(), None, None,
                                            ExecutionContext(GraphSchema({})), lookup=rasas.lookup)
    window = rule_lookup.rule_window(policy)
    whole = len(rule_lookup._RASA_PREDICTION_STATES(policy, tracker, domain))
    with caplog.at_level(logging.DEBUG, logger="rasa.core.policies"):
        assert len(rule_lookup.prediction_states(policy, tracker, domain)) == window < whole
        ours = policy._predict(tracker, domain)
    assert outcome(ours[0]) == outcome(rasas._predict(tracker, domain)[0])


def test_while_training_it_is_rasas_path(domain):
    tracker = DialogueStateTracker.from_events("training", long_conversation(), domain.slots)
    policy = loaded_rule_policy(domain, tracker.past_states(domain))
    whole = len(rule_lookup._RASA_PREDICTION_STATES(policy, tracker, domain))
    training = RulePolicy(RulePolicy.get_default_config(), None, None, ExecutionContext(GraphSchema({})),
                          lookup=dict(policy.lookup))
    del training.lookup[RULES_NOT_IN_STORIES]  # set at the end of training, after its own predictions
    assert rule_lookup.rule_window(training) is None
    assert len(rule_lookup.prediction_states(training, tracker, domain)) == whole


def test_the_policy_class_config_yml_names_runs_the_three(domain, states, caplog):
    """Its methods are the speed-ups (the trained model's predictions are compared with Rasa's class below)."""
    tracker = DialogueStateTracker.from_events("class", long_conversation(), domain.slots)
    rasas = loaded_rule_policy(domain, tracker.past_states(domain))
    ours = rule_lookup.BacklineRulePolicy(RulePolicy.get_default_config(), None, None,
                                          ExecutionContext(GraphSchema({})), lookup=rasas.lookup)
    whole = rule_lookup._RASA_PREDICTION_STATES(rasas, tracker, domain)
    assert ours._prediction_states(tracker, domain) == whole[-rule_lookup.rule_window(ours):]
    lookup = rules_from(states[:12])
    for end in range(1, len(states) + 1, 5):
        assert ours._get_possible_keys(lookup, states[:end]) == rasas._get_possible_keys(lookup, states[:end])
    with caplog.at_level(logging.INFO, logger="rasa.core.policies"):
        assert ours.format_tracker_states(whole) == rule_lookup.format_tracker_states(whole) != \
               rasas.format_tracker_states(whole)


@pytest.mark.e2e  # needs the trained model
def test_the_trained_rule_policy_predicts_from_the_latest_states_what_it_predicts_from_all(domain, monkeypatch):
    agent = Agent.load(str(trained_model_file()))
    nodes = agent.processor.graph_runner._instantiated_nodes.values()
    policy = next(node._component for node in nodes if isinstance(node._component, RulePolicy))
    assert type(policy) is rule_lookup.BacklineRulePolicy  # config.yml's
    # Rasa's own class, with what the model learnt.
    rasas_class = RulePolicy(policy.config, None, None, ExecutionContext(GraphSchema({})), lookup=policy.lookup)
    domain = agent.domain
    assert rule_lookup.rule_window(policy) < 20  # the model's longest rule, then one state
    events = long_conversation()
    hidden = 0
    for end in range(1, len(events) + 1):
        tracker = DialogueStateTracker.from_events("trained", events[:end], domain.slots)
        (rasas, _), (ours, _) = predicted_both_ways(policy, tracker, domain, monkeypatch)
        assert outcome(ours) == outcome(rasas) == outcome(rasas_class._predict(tracker, domain)[0]), \
            f"after event {end}"
        hidden += ours.hide_rule_turn
    assert hidden  # the model's rules not in stories were met
