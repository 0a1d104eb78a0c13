"""Rasa's test stories (tests/stories/*.yml) end to end: each story's `user:` texts (a button's payload as
it is) go over REST, in a fresh conversation, through the real NLU (ClinicalReader included) and the real
action server; the tracker must then show, turn by turn, the story's intent, actions, slot values and
active loop, and no failed custom action (the rules: tests/e2e/story_replay.py). `rasa test core`
(scripts/test.sh stories) feeds the written intents instead and runs no custom action.

One pair of servers (the session's `backline` fixture) serves every story. A story that follows the
contract where the system does not yet is listed, with its exact mismatches, in stories_known_wrong.yml.
"""
import ast
import copy
from pathlib import Path

import pytest
import requests
import yaml

from harness.conversation import new_sender
from harness.servers import ROOT
from tests.e2e.story_replay import SAFETY_NET_MARK, compare, story_turns, tracker_turns

STORY_FILES = sorted((ROOT / "tests" / "stories").glob("*.yml"))
STORIES = [(path.stem, story) for path in STORY_FILES for story in yaml.safe_load(path.read_text())["stories"]]
DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text())
FORMS = set(DOMAIN.get("forms") or {})
INITIAL_SLOTS = {name: (spec or {}).get("initial_value") for name, spec in (DOMAIN.get("slots") or {}).items()}
SELFTEST = yaml.safe_load((Path(__file__).parent / "stories_over_rest_selftest.yml").read_text())
KNOWN_WRONG = {entry["story"]: entry for entry in
               yaml.safe_load((Path(__file__).parent / "stories_known_wrong.yml").read_text())["known_wrong"]}


def all_events(server, sender: str) -> list:
    # The default view starts after the last restart; the comparison needs every turn.
    response = requests.get(f"{server.url}/conversations/{sender}/tracker",
                            params={**server.api_params, "include_events": "ALL"}, timeout=30)
    response.raise_for_status()
    return response.json()["events"]


@pytest.mark.parametrize("story", [s for _, s in STORIES], ids=[f"{f}: {s['story']}" for f, s in STORIES])
def test_story_over_rest(backline, story):
    expected = story_turns(story)
    sender = new_sender("story")
    for turn in expected[1:]:
        if turn.text:
            backline.say(sender, turn.text, timeout=60)
    happened = tracker_turns(all_events(backline, sender), INITIAL_SLOTS)
    mismatches = compare(story["story"], expected, happened, FORMS)
    known = KNOWN_WRONG.get(story["story"])
    if known is None:
        assert not mismatches, "\n".join(mismatches)
        return
    # The story is right and the system is not yet: only the recorded mismatches may show, and a story
    # that passes must leave stories_known_wrong.yml.
    assert mismatches, f"{story['story']} passes now: remove it from stories_known_wrong.yml"
    unexpected = [line for line in mismatches if line not in known["mismatches"]]
    assert not unexpected, "\n".join(unexpected)
    pytest.xfail(known["why"])


def safety_net_mark() -> str:
    # Read from the source, not imported: importing the component loads all of Rasa (20 s here).
    tree = ast.parse((ROOT / "components" / "action_safety_net.py").read_text())
    marks = [ast.literal_eval(node.value) for node in tree.body
             if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "MARK" for t in node.targets)]
    assert len(marks) == 1, "components/action_safety_net.py should define MARK once"
    return marks[0]


def test_the_comparison_finds_exactly_what_went_wrong():
    assert SAFETY_NET_MARK == safety_net_mark()
    story = SELFTEST["story"]
    happened = tracker_turns(SELFTEST["events"], SELFTEST["initial_slots"])
    forms = set(SELFTEST["forms"])
    assert compare(story["story"], story_turns(story), happened, forms) == SELFTEST["differences"]

    without_override = copy.deepcopy(story)
    del without_override["metadata"]
    found = compare(story["story"], story_turns(without_override), happened, forms)
    assert found[0] == f"{story['story']}: turn 1: intent: expected describe_pain, got inform"
    assert found[1:] == SELFTEST["differences"]


def test_every_known_wrong_entry_names_a_story():
    names = {story["story"] for _, story in STORIES}
    assert set(KNOWN_WRONG) <= names, sorted(set(KNOWN_WRONG) - names)
