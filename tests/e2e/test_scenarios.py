"""Whole caregiver conversations (tests/e2e/scenarios.yml) over REST against the real servers:
Backline asks what it needs, the caregiver answers only what is asked, and the contract slots in
the tracker must match at the end. Red flags must be escalated in the turn they are mentioned."""
from pathlib import Path

import pytest
import yaml

from harness.conversation import new_sender

SCENARIOS = yaml.safe_load((Path(__file__).parent / "scenarios.yml").read_text())["scenarios"]
MAX_TURNS = 12


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s["name"] for s in SCENARIOS])
def test_scenario(backline, scenario):
    sender = new_sender("scenario")
    backline.say(sender, scenario["opening"])
    asked_topics = []
    expect = scenario["expect"]
    for _ in range(MAX_TURNS):
        slots = backline.tracker(sender)["slots"]
        topic = slots["requested_slot"]
        if topic is None:
            break
        asked_topics.append(topic)
        answer = scenario["answers"][topic]
        replies = backline.say(sender, answer)
        if expect["triage"] == ["seek_care_now"] and backline.tracker(sender)["slots"]["triage"] == "seek_care_now":
            assert "seek care now" in " ".join(r.get("text", "") for r in replies).lower()
            break
    else:
        pytest.fail(f"still asking after {MAX_TURNS} turns: {asked_topics}")
    slots = backline.tracker(sender)["slots"]
    assert slots["condition"] == expect["condition"]
    assert sorted(slots["red_flags"] or []) == sorted(expect["red_flags"])
    assert slots["triage"] in expect["triage"], f"asked {asked_topics}"
    if "pain_type" in expect:
        assert slots["pain_type"] == expect["pain_type"], f"asked {asked_topics}"
    # never the same question more than twice (once more after a reply that missed it)
    assert all(asked_topics.count(t) <= 2 for t in asked_topics), asked_topics
