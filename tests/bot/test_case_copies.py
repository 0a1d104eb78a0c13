"""The case is copied only where it is changed: the views read the record itself, and never change it."""
import copy
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest
import yaml

import bot
from bot.case import as_case, case_view, copied, new_case, topic_summaries, topics_answered
from bot.questions import ask, next_topic
from bot.replies import care_team_summary
from harness.conversation import answer_for

VIGNETTES = yaml.safe_load((Path(__file__).resolve().parents[1] / "vignettes.yml").read_text())["cases"]
NOW = datetime(2026, 12, 4, 12, 0, tzinfo=timezone.utc)


def walk(opening):
    """Every case along one conversation: the opening, the form's questions answered, the assessment."""
    cases = []
    turn = bot.take_turn(None, opening, "describe_pain", now=NOW)
    for _ in range(12):
        cases.append(turn.case)
        if turn.ask is None:
            break
        asked = bot.ask_turn(turn.case, turn.ask)
        cases.append(asked.case)
        turn = bot.take_turn(asked.case, answer_for(turn.ask), "inform", turn.ask, for_form=True, now=NOW)
    cases.append(bot.conclude(turn.case).case)
    return cases


@pytest.fixture(scope="module")
def cases():
    return [case for vignette in VIGNETTES[::6] for case in walk(vignette["text"])]


def test_the_views_never_change_the_case_they_read(cases):
    assert len(cases) > 50
    for case in cases:
        before = json.dumps(case, sort_keys=True)
        topics_answered(case)
        topic_summaries(case)
        next_topic(case)
        for topic in bot.TOPICS:
            ask(topic, case)
        care_team_summary(case)
        assert json.dumps(case, sort_keys=True) == before


def test_a_current_case_is_read_in_place_and_an_older_one_through_a_copy():
    current = new_case()
    assert case_view(current) is current
    older = {"condition": "ms", "features": {}}
    view = case_view(older)
    assert view is not older and view["version"] == current["version"] and view["condition"] == "ms"
    assert "version" not in older


def test_as_case_still_gives_a_private_copy(cases):
    for case in cases[:20]:
        before = json.dumps(case, sort_keys=True)
        mine = as_case(case)
        assert mine == case and mine is not case
        mine["features"]["spasms"] = {"status": "present", "said": "x", "topic": "pain_feel"}
        mine["red_flags"].append("fever")
        mine["asks"]["condition"] = 99
        assert json.dumps(case, sort_keys=True) == before


def test_copied_is_a_deep_copy_of_json_data_and_hands_anything_else_to_deepcopy(cases):
    for case in cases:
        twin = copied(case)
        assert twin == case == copy.deepcopy(case)
        for key, value in case.items():
            if isinstance(value, (dict, list)):
                assert twin[key] is not value
    odd = {"when": NOW, "pair": (1, [2]), "nested": [{"a": [1, 2]}]}
    twin = copied(odd)
    assert twin == odd and twin["pair"][1] is not odd["pair"][1] and twin["nested"][0]["a"] is not odd["nested"][0]["a"]


def test_an_assessment_as_a_dict_is_what_asdict_gives_and_shares_nothing(cases):
    from dataclasses import asdict

    from bot.assessment import assess_case
    from bot.case import read_message

    assessments = [assess_case(case) for case in cases] + [
        assess_case(read_message(None, v["text"]), single_text=True) for v in VIGNETTES[::5]]
    for assessment in assessments:
        mine, theirs = assessment.to_dict(), asdict(assessment)
        assert mine == theirs
        assert json.dumps(mine, sort_keys=True, default=repr) == json.dumps(theirs, sort_keys=True, default=repr)
        for key, value in mine.items():
            if isinstance(value, (dict, list)) and value:
                assert value is not getattr(assessment, key)
