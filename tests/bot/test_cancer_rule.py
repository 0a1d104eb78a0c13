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


def test_a_sign_of_open_age_in_a_message_telling_of_a_change_is_the_red_flag():
    # "shuffling now" alone leaves its age open (asked about without a cancer history); the message tells of a change
    text = "had bowel cancer years ago. over the last month he's got worse, he's shuffling now"
    assert "leg_weakness" in assess(text)["red_flags"]
    assert "leg_weakness" not in assess("over the last month he's got worse, he's shuffling now")["red_flags"]


def test_a_change_told_worse_but_played_down_is_the_red_flag():
    text = "prostate cancer in 2017, all clear. his walking's got a bit worse the last few weeks, probably nothing?"
    assert assess(text)["triage"] == "seek_care_now"


def test_the_pain_told_new_in_the_same_message_answers_the_history_sign():
    case = read_message(None, "breast cancer 2016, brand new ache low in her back for 3 weeks, legs same as ever")
    assert "cancer_history" in case["warning_signs"] and "cancer_history" not in case["checks"]


def test_the_rule_holds_in_a_reply_to_the_question_after_the_assessment():
    # r14 (H13): the diary offer's "no" does not swallow a gradual weakness told with it; the history is the case's
    from harness.dialogue import Dialogue

    dialogue = Dialogue()
    reply = dialogue.send("mum has MS and had breast cancer in 2018, her back has hurt more the last 3 weeks")
    for _ in range(12):
        if not reply.asked:
            break
        reply = dialogue.send({"red_flag_screen": "none of these"}.get(reply.asked, "not sure"))
    assert dialogue.case.get("pending") and dialogue.slots.get("triage") != "seek_care_now"
    reply = dialogue.send("no thanks. but her legs have been getting weaker bit by bit, she struggles on the stairs")
    assert reply.escalated and "leg_weakness" in dialogue.slots["red_flags"]
