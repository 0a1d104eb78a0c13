"""The action server down, failing or slow: the caregiver still gets an answer with the red-flag advice,
a red-flag message still gets "Seek care now" and the contract slots, and the conversation continues
where it was once the action server is back (components/action_safety_net.py).

Most tests run with the speed-up local_actions off, so every custom action goes through the faults (the
safety net's whole reach); the last ones run as `make run` does, where the core's own actions are run by the
Rasa server and only the diary's and privacy's need the action server."""
from __future__ import annotations

import time

import pytest

from .conftest import ACTION_TIMEOUT, RED_FLAG_ADVICE, TOPICS, TROUBLE, answer_for, new_sender, ready, texts


@pytest.fixture
def healthy(remote_stack):
    yield from ready(remote_stack)


@pytest.fixture
def as_run(stack):
    yield from ready(stack)


def _start_form(stack, sender):
    stack.say(sender, "hi")
    stack.say(sender, "my husband has MS and his back hurts")
    state = stack.slots(sender)
    assert state["requested_slot"] in TOPICS
    return state["requested_slot"]


def _assert_trouble_with_advice(replies):
    said = texts(replies).lower()
    assert TROUBLE in said, replies
    for words in RED_FLAG_ADVICE:
        assert words in said, f"the red-flag advice is missing {words!r}: {replies}"


def _assert_continues(stack, sender, pending):
    """The pending question takes the next answer, and the form moves on to the end."""
    replies = stack.say(sender, answer_for(pending))
    assert TROUBLE not in texts(replies).lower()
    state = stack.slots(sender)
    assert state[pending] is not None, f"the answer to {pending} was recorded"
    assert state["requested_slot"] != pending
    for _ in range(10):
        asked = stack.slots(sender)["requested_slot"]
        if asked is None:
            break
        stack.say(sender, answer_for(asked))
    state = stack.slots(sender)
    assert state["requested_slot"] is None
    assert state["triage"] in {"self_care", "contact_care_team"}


def test_red_flag_while_the_action_server_is_down_still_escalates(healthy):
    stack, sender = healthy, new_sender("down-flag")
    stack.proxy.refuse()
    replies = stack.say(sender, "my dad has ALS and he fell out of bed last night")
    said = texts(replies).lower()
    assert "seek care now" in said
    assert "als" in said and "fall" in said, "the escalation names the condition and the red flag"
    assert TROUBLE in said
    state = stack.slots(sender)
    assert state["triage"] == "seek_care_now"
    assert "injury" in state["red_flags"]
    assert state["condition"] == "als"


def test_red_flag_mid_form_while_down_escalates_and_stops_the_questions(healthy):
    stack, sender = healthy, new_sender("down-flag-form")
    _start_form(stack, sender)
    stack.proxy.refuse()
    replies = stack.say(sender, "oh and since this morning he can't feel his legs at all")
    assert "seek care now" in texts(replies).lower()
    state = stack.slots(sender)
    assert state["triage"] == "seek_care_now" and state["red_flags"]
    assert stack.active_loop(sender) is None


def test_answer_while_down_gets_trouble_and_advice_then_the_form_resumes(healthy):
    stack, sender = healthy, new_sender("down-form")
    pending = _start_form(stack, sender)
    stack.proxy.refuse()
    replies = stack.say(sender, answer_for(pending))
    _assert_trouble_with_advice(replies)
    assert stack.slots(sender)["requested_slot"] == pending, "still at the same question"
    assert stack.active_loop(sender) == "symptom_form"
    stack.proxy.start()  # back
    _assert_continues(stack, sender, pending)


def test_opening_while_down_then_the_same_opening_once_back(healthy):
    stack, sender = healthy, new_sender("down-open")
    stack.proxy.refuse()
    _assert_trouble_with_advice(stack.say(sender, "my husband has MS and his back hurts"))
    stack.proxy.start()
    replies = stack.say(sender, "my husband has MS and his back hurts")
    assert TROUBLE not in texts(replies).lower()
    state = stack.slots(sender)
    assert state["condition"] == "ms"
    assert state["requested_slot"] in TOPICS - {"condition"}
    _assert_continues(stack, sender, state["requested_slot"])


def test_action_server_process_stopped_and_restarted(healthy):
    """The real process stops (the forwarder in front of it answers 502), then comes back."""
    stack, sender = healthy, new_sender("down-proc")
    pending = _start_form(stack, sender)
    stack.actions.stop()
    _assert_trouble_with_advice(stack.say(sender, answer_for(pending)))
    stack.restart_actions()
    _assert_continues(stack, sender, pending)


def test_slow_action_server_is_bounded_and_the_form_resumes(healthy):
    stack, sender = healthy, new_sender("slow")
    pending = _start_form(stack, sender)
    stack.proxy.delay = ACTION_TIMEOUT + 4
    started = time.monotonic()
    replies = stack.say(sender, answer_for(pending))
    took = time.monotonic() - started
    _assert_trouble_with_advice(replies)
    assert took < ACTION_TIMEOUT + 3, f"a slow action server held the caregiver for {took:.1f} s"
    assert stack.slots(sender)["requested_slot"] == pending
    stack.proxy.delay = 0.0
    _assert_continues(stack, sender, pending)


def test_crisis_while_down_still_gets_crisis_resources(healthy):
    stack, sender = healthy, new_sender("down-crisis")
    stack.proxy.refuse()
    said = texts(stack.say(sender, "I can't do this anymore, I want to end my life")).lower()
    assert "988" in said or "samaritans" in said
    assert TROUBLE in said


def test_start_over_while_down_really_clears(healthy):
    stack, sender = healthy, new_sender("down-reset")
    _start_form(stack, sender)
    stack.proxy.refuse()
    stack.say(sender, "let's start over")
    state = stack.slots(sender)
    assert state["condition"] is None and state["case"] is None


def test_as_run_a_whole_assessment_a_red_flag_and_a_crisis_need_no_action_server(as_run):
    stack, sender = as_run, new_sender("down-local")
    stack.proxy.refuse()
    replies = stack.say(sender, "my wife has MS and her lower back burns at night")
    for _ in range(12):
        asked = stack.slots(sender)["requested_slot"]
        if asked is None:
            break
        replies += stack.say(sender, answer_for(asked))
    assert TROUBLE not in texts(replies).lower()
    assert stack.slots(sender)["triage"] in {"self_care", "contact_care_team"}
    flagged = texts(stack.say(sender, "since this morning she can't feel her legs")).lower()
    assert "seek care now" in flagged and TROUBLE not in flagged
    assert stack.slots(sender)["triage"] == "seek_care_now"
    crisis = texts(stack.say(new_sender("down-local-crisis"), "I can't do this anymore, I want to end my life"))
    assert ("988" in crisis or "samaritans" in crisis.lower()) and TROUBLE not in crisis.lower()


def test_as_run_a_diary_request_while_down_gets_trouble_and_advice(as_run):
    stack, sender = as_run, new_sender("down-local-diary")
    stack.say(sender, "my dad has ALS and his back is stiff")
    stack.proxy.refuse()
    _assert_trouble_with_advice(stack.say(sender, "show me the diary"))
