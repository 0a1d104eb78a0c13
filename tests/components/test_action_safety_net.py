"""The action-server safety net's decisions, on Rasa's own tracker: what a failed custom action is
replaced with. (tests/e2e/faults/test_action_server.py checks the same against real servers.)"""
import pytest
from rasa.shared.core.events import ActionExecuted, ActiveLoop, AllSlotsReset, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

import bot
from components import action_safety_net as net

SLOTS = []  # DialogueStateTracker creates slots from the events it is given


def tracker_for(text, intent, case=None, requested_slot=None, routed=True):
    parse = {"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": []}
    if routed:
        parse[bot.READING_KEY] = bot.route(text, intent, 1.0).reading
    from rasa.shared.core.slots import AnySlot, ListSlot, TextSlot

    slots = [AnySlot("case", []), TextSlot("requested_slot", []), ListSlot("red_flags", []),
             ListSlot("warning_signs", []), TextSlot("triage", []), TextSlot("condition", [])] + \
        [TextSlot(topic, []) for topic in bot.TOPICS if topic != "condition"]
    tracker = DialogueStateTracker("net", slots)
    tracker.update(SlotSet("case", case))
    tracker.update(SlotSet("requested_slot", requested_slot))
    tracker.update(ActionExecuted("action_listen"))
    tracker.update(UserUttered(text, parse["intent"], [], parse_data=parse))
    return tracker


def slots(events):
    return {e.key: e.value for e in events if isinstance(e, SlotSet)}


def texts(events):
    return " ".join(e.text or "" for e in events if isinstance(e, BotUttered))


def test_a_red_flag_gets_the_full_escalation_and_the_contract_slots():
    events = net.fallback_events("action_escalate", tracker_for("he suddenly can't move his legs", "report_red_flag"),
                                 speak=True)
    assert slots(events)["triage"] == "seek_care_now" and slots(events)["red_flags"] == ["leg_weakness", "both_legs"]
    assert "Seek care now" in texts(events) and "trouble" in texts(events)
    said = [e.text for e in events if isinstance(e, BotUttered)]
    assert "trouble" in said[0] and said[-1].startswith("While you wait"), "the emergency is the last thing said"
    # as action_escalate itself: the questions stop (data/rules/safety.yml runs no action_deactivate_loop after it)
    assert events[-1] == ActiveLoop(None)


def test_the_form_steps_aside_for_an_interruption_keeping_its_question():
    case = bot.read_message(None, "my mum has MS and her back hurts")
    events = net.fallback_events("validate_symptom_form",
                                 tracker_for("she suddenly can't feel her legs", "report_red_flag", case, "pain_feel"),
                                 speak=True)
    assert events == [SlotSet("requested_slot", "pain_feel")]


def test_a_failed_validation_keeps_the_form_where_it_was():
    case = bot.read_message(None, "my mum has MS and her back hurts")
    events = net.fallback_events("validate_symptom_form",
                                 tracker_for("a burning feeling", "inform", case, "pain_feel"), speak=True)
    assert slots(events) == {"case": case, "requested_slot": "pain_feel"}
    assert "trouble" in texts(events) and "Seek care now" in texts(events)  # the red-flag advice is kept


def test_crisis_resources_survive_a_failed_action_server():
    events = net.fallback_events("action_crisis_support", tracker_for("I can't go on, I want to die", "crisis"),
                                 speak=True)
    assert "988" in texts(events) or "116 123" in texts(events)


def test_only_one_trouble_message_per_turn():
    tracker = tracker_for("what is spasticity?", "ask_knowledge")
    first = net.fallback_events("action_answer_question", tracker, speak=True)
    for event in first:
        tracker.update(event)
    assert net.failed_this_turn(tracker)


@pytest.mark.parametrize("name", sorted(net.LOCAL_EFFECTS))
def test_start_over_and_delete_need_no_action_server(name):
    assert net.fallback_events(name, tracker_for("start over", "start_over"), speak=True) == [AllSlotsReset()]


def test_no_slot_moves_outside_the_form_for_an_ordinary_failure():
    events = net.fallback_events("action_answer_question", tracker_for("what is spasticity?", "ask_knowledge"),
                                 speak=True)
    assert slots(events) == {} and "trouble" in texts(events)


def test_the_core_failing_still_escalates_a_tagged_red_flag(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("core down")

    monkeypatch.setattr(net.bot, "take_turn", broken)
    tracker = tracker_for("he can't breathe", "report_red_flag")
    tracker.latest_message.entities = [{"entity": "red_flag", "value": "breathing"}]
    events = net.fallback_events("action_escalate", tracker, speak=True)
    assert slots(events) == {"triage": "seek_care_now", "red_flags": ["breathing"]}
