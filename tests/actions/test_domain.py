"""The domain and the rules agree with the core (after covidflow's domain validator test).

The clinical core owns the contract values and the intent policy (bot/knowledge_base.py,
bot/knowledge/policy.yml `intents`); domain.yml and data/rules/ restate them for Rasa. These tests keep
the two from drifting apart."""
from pathlib import Path

import pytest
import yaml

import bot
from actions import actions, diary, privacy

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text())
POLICY = bot.knowledge().policy["intents"]


def form_rules():
    """(intent, rule) for every rule that answers an intent while the symptom form is active."""
    found = []
    for path in sorted((ROOT / "data" / "rules").glob("*.yml")):
        for rule in yaml.safe_load(path.read_text()).get("rules") or []:
            loop = [c.get("active_loop") for c in rule.get("condition") or [] if "active_loop" in c]
            intents = [s["intent"] for s in rule["steps"] if "intent" in s]
            if loop == ["symptom_form"] and intents:
                found.append((intents[0], rule))
    return found


def test_the_condition_slot_is_not_filled_by_a_message_the_form_steps_aside_for():
    mapping = DOMAIN["slots"]["condition"]["mappings"][0]
    assert sorted(mapping["not_intent"]) == sorted(POLICY["interruptions"])


@pytest.mark.parametrize("intent", sorted(set(POLICY["interruptions"]) | set(POLICY["small_talk"])))
def test_every_intent_the_form_steps_aside_for_has_a_rule_while_it_runs(intent):
    assert intent in {i for i, _ in form_rules()}, f"no active-loop rule answers {intent}"


def test_a_rule_that_returns_to_the_form_is_for_an_intent_the_form_steps_aside_for():
    stepping_aside = set(POLICY["interruptions"]) | set(POLICY["small_talk"])
    for intent, rule in form_rules():
        assert intent in stepping_aside, rule["rule"]


def test_the_policy_names_only_domain_intents():
    intents = set(DOMAIN["intents"]) | {"nlu_fallback"}
    for key in ("interruptions", "read_first", "small_talk", "doubtful", "answers"):
        assert set(POLICY[key]) <= intents, key
    assert set(POLICY["bare_answers"].values()) <= intents


@pytest.mark.parametrize("slot, values", [
    ("triage", bot.TRIAGE_VALUES), ("pain_type", bot.PAIN_TYPES), ("condition", bot.CONDITIONS)])
def test_categorical_slots_take_the_contract_values(slot, values):
    assert DOMAIN["slots"][slot]["values"] == list(values)


def test_the_form_asks_every_contract_topic_and_each_has_its_ask_action():
    assert DOMAIN["forms"]["symptom_form"]["required_slots"] == list(bot.TOPICS)
    declared = set(DOMAIN["actions"])
    assert {f"action_ask_{t}" for t in bot.TOPICS} <= declared


def test_every_custom_action_in_the_domain_is_implemented():
    implemented = {cls().name() for module in (actions, diary, privacy) for cls in vars(module).values()
                   if isinstance(cls, type) and cls.__module__ == module.__name__ and hasattr(cls, "name")
                   and cls not in (actions.CoreAction, actions.ActionAskTopic)}
    assert set(DOMAIN["actions"]) == implemented
