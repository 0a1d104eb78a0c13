"""Whole caregiver conversations (tests/e2e/scenarios.yml) over REST against the real servers:
Backline asks what it needs, the caregiver answers only what is asked, and the contract slots in
the tracker must match at the end. Red flags must be escalated in the turn they are mentioned, also
after an assessment (`then`: messages sent once the questions are over)."""
from pathlib import Path

import pytest
import yaml

from harness.conversation import new_sender
from harness.dialogue import turn_shape_problems

SCENARIOS = yaml.safe_load((Path(__file__).parent / "scenarios.yml").read_text())["scenarios"]
MAX_TURNS = 14
MAX_ASKS = 2  # no question is put to the caregiver more than twice


def texts(replies):
    return " ".join(r.get("text", "") for r in replies)


def said(backline, sender, text, shapes):
    """Send one message; every turn is one thing at a time (issue 24: harness.dialogue.turn_shape_problems)."""
    replies = backline.say(sender, text)
    shapes += [f"after {text!r}: {problem}" for problem in turn_shape_problems(replies)]
    return replies


def answer_for(answers, topic, times_asked):
    """The caregiver's answer to the n-th asking of `topic` (a list gives one answer per asking)."""
    answer = answers[topic]
    if isinstance(answer, list):
        return answer[min(times_asked, len(answer) - 1)]
    return answer


def check_slots(slots, expect, asked):
    assert slots["condition"] == expect["condition"], asked
    if "red_flags" in expect:
        assert sorted(slots["red_flags"] or []) == sorted(expect["red_flags"]), asked
    # several flags may fit one sign ("both legs numb" is also leg numbness): at least these
    assert set(expect.get("red_flags_include", [])) <= set(slots["red_flags"] or []), asked
    assert slots["triage"] in expect.get("triage", ["seek_care_now", "contact_care_team_today", "contact_care_team",
                                                    "self_care"]), f"triage {slots['triage']}, asked {asked}"
    if "pain_type" in expect:
        assert slots["pain_type"] == expect["pain_type"], f"asked {asked}"
    if "warning_signs" in expect:
        assert sorted(slots.get("warning_signs") or []) == sorted(expect["warning_signs"]), asked
    assert set(expect.get("warning_signs_include", [])) <= set(slots.get("warning_signs") or []), asked


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s["name"] for s in SCENARIOS])
def test_scenario(backline, scenario):
    sender = new_sender("scenario")
    shapes = []
    replies = said(backline, sender, scenario["opening"], shapes)
    asked_topics = []
    expect = scenario["expect"]
    escalate = expect.get("triage") == ["seek_care_now"]
    for _ in range(MAX_TURNS):
        slots = backline.tracker(sender)["slots"]
        if escalate and slots["triage"] == "seek_care_now":
            assert "seek care now" in texts(replies).lower(), "the escalation must come in the same turn"
            break
        topic = slots["requested_slot"]
        if topic is None:
            break
        replies = said(backline, sender, answer_for(scenario["answers"], topic, asked_topics.count(topic)), shapes)
        asked_topics.append(topic)
    else:
        pytest.fail(f"still asking after {MAX_TURNS} turns: {asked_topics}")
    slots = backline.tracker(sender)["slots"]
    check_slots(slots, expect, asked_topics)
    # Checks ("is it new?") are worded as the red-flag screen topic, each at most twice.
    limit = MAX_ASKS * (1 + len(scenario.get("checks", [])))
    assert all(asked_topics.count(t) <= (limit if t == "red_flag_screen" else MAX_ASKS) for t in asked_topics), \
        asked_topics
    for step in scenario.get("then", []):
        replies = said(backline, sender, step["say"], shapes)
        slots = backline.tracker(sender)["slots"]
        for _ in range(MAX_TURNS):  # a new sign to ask about is asked, and answered
            if slots["requested_slot"] is None:
                break
            replies = said(backline, sender, step["answers"][slots["requested_slot"]], shapes)
            slots = backline.tracker(sender)["slots"]
        check_slots(slots, step["expect"], asked_topics)
        if step["expect"].get("triage") == ["seek_care_now"]:
            assert "seek care now" in texts(replies).lower(), step["say"]
        if step.get("says"):
            assert step["says"].lower() in texts(replies).lower(), texts(replies)
    assert not shapes, "\n".join(shapes)
