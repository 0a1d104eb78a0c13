"""NICE NG234 as the contract words it: with a cancer history, new or worsening leg weakness, numbness or
bladder/bowel change is an emergency, gradual or not; without a change it is the same-day cancer_history sign."""
from bot.assessment import assess
from bot.case import read_message


def test_cancer_history_with_gradual_weakness_is_an_emergency():
    result = assess("ALS, had prostate cancer, back pain getting worse, legs gradually weaker this week")
    assert result["triage"] == "seek_care_now" and "leg_weakness" in result["red_flags"]


def test_the_history_told_earlier_counts_for_a_later_message():
    case = read_message(None, "my wife has MS and had breast cancer in 2019, her back has been sore")
    case = read_message(case, "her legs have been getting weaker over the last fortnight", asked_topic="pain_timing")
    assert "leg_weakness" in case["red_flags"]


def test_without_a_change_it_is_not_an_emergency():
    result = assess("had breast cancer, her legs have been weak for years, same as ever, back aches")
    assert result["triage"] != "seek_care_now" and not result["red_flags"]


def test_without_a_cancer_history_gradual_weakness_is_not_an_emergency():
    result = assess("she has MS and her legs are getting weaker, back pain")
    assert result["triage"] != "seek_care_now"
