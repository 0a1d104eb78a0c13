"""Wording a caregiver reads (issue 24): no internal codes or raw scores, correct plurals."""
import re
from datetime import datetime, timedelta, timezone

import pytest

from bot import diary
from bot.assessment import assess_case
from bot.explain import care_team_summary
from bot.knowledge_base import knowledge
from bot.turn import conclude, take_turn
from tests.bot.test_turn_length import assessed

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=timezone.utc)


def _entry(days_ago):
    when = (NOW - timedelta(days=days_ago)).isoformat()
    return {"when": when, "logged": when, "pain_type": "spasticity", "severity": 5, "triggers": [], "helped": [],
            "triage": "self_care", "red_flags": [], "warning_signs": [], "words": "w"}


@pytest.mark.parametrize("days, said", [((0,), None), ((0, 3), "Pain logged on 2 of the 4 days."),
                                        ((0, 13), "Pain logged on 2 of the 14 days.")])
def test_the_summary_counts_days_in_words_that_agree(days, said):
    """The diary summary tells how many days pain was logged (never "About 1 episodes a week")."""
    lines = diary.summarize([_entry(d) for d in days], NOW).lines
    if said:
        assert said in lines
    assert not any(re.search(r"\b1 (episodes|days|entries)\b|episodes a week", line) for line in lines)


def _assessed(text):
    turn = take_turn(None, text, "describe_pain", for_form=False, now=NOW)
    return conclude(turn.case)


def test_the_care_team_summary_has_no_raw_score_and_no_code_like_advice():
    case = _assessed("my wife has MS and a burning band round her middle back, she's had it for years, same as "
                     "always, no new problems at all")
    text = care_team_summary(case.case, assess_case(case.case).to_dict())
    assert not re.search(r"confidence\s+\d", text) and not re.search(r"\b0\.\d", text), text
    assert ";" not in knowledge().messages["summary"]["triage_values"]["self_care"]
    assert "review at next visit" not in text


def test_an_unchanged_update_says_the_advice_in_plain_words():
    dialogue, _ = assessed("my wife has MS and gets a burning band round her middle back, she's had it for years, "
                           "same as always")
    again = conclude(dialogue.case)
    assert again.slots["triage"] == "self_care"
    said = " ".join(m["text"] for m in again.replies)
    assert knowledge().messages["summary"]["triage_values"]["self_care"] in said
    assert "self-care at home; review" not in said and "; review at next visit" not in said
