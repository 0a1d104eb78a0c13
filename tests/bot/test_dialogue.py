"""Case record and next-question policy."""
import json

import pytest

from bot.case import needs_escalation, new_case, read_message, topics_answered
from bot.questions import next_topic

FULL = "My wife has MS. Burning and tingling in her mid back that comes out of nowhere; changing position doesn't help."


def converse(first, answers, limit=12):
    """Answer each asked topic from `answers` (default "not sure"); return the topics asked."""
    case = read_message(None, first)
    asked = []
    for _ in range(limit):
        topic = next_topic(case)
        if topic is None:
            return asked, case
        asked.append(topic)
        case = read_message(case, answers.get(topic, "not sure"), asked_topic=topic)
    raise AssertionError(f"dialogue did not finish: {asked}")


def test_condition_first_when_unknown():
    assert next_topic(read_message(None, "his back hurts")) == "condition"


def test_full_first_message_gets_only_the_red_flag_screen_and_whether_it_is_known():
    case = read_message(None, FULL)
    assert next_topic(case) == "red_flag_screen"
    asked, case = converse(FULL, {"red_flag_screen": "no"})
    assert asked == ["red_flag_screen", "pain_timing"]  # nothing said it is a familiar pattern
    asked, case = converse(FULL + " She's had it for years, same as always.", {"red_flag_screen": "no"})
    assert asked == ["red_flag_screen"]


@pytest.mark.parametrize("text", [
    "he has ALS, stiff sore back from his wheelchair all day, better after we reposition him, it's constant",
    "mum has MS: electric shock down her spine when she bends her neck, lasts seconds",
])
def test_detailed_message_asks_little(text):
    asked, _ = converse(text, {"red_flag_screen": "none of these"})
    assert asked[-1] == "red_flag_screen" and len(asked) <= 2


def test_little_said_asks_only_what_matters():
    asked, case = converse("my husband has MS and his back hurts",
                           {"pain_feel": "burning", "pain_trigger": "for no reason", "pain_relief": "no",
                            "red_flag_screen": "no"})
    # the screen comes last, or just before "is this a known pattern?" when only that stands before self-care
    assert asked[0] == "pain_feel" and "red_flag_screen" in asked[-2:]
    assert 2 <= len(asked) <= 5
    assert len(asked) == len(set(asked))


def test_not_sure_never_loops_and_nothing_is_asked_twice():
    asked, case = converse("hello", {})
    assert len(asked) == len(set(asked))
    assert asked[0] == "condition" and asked[-1] == "red_flag_screen"
    assert case["red_flag_screen"] == "unsure"
    assert next_topic(case) is None


def test_gibberish_answers_never_loop():
    case = read_message(None, "hi")
    seen = []
    for _ in range(12):
        topic = next_topic(case)
        if topic is None:
            break
        seen.append(topic)
        case = read_message(case, "blorp zzz", asked_topic=topic)
    # an unreadable reply gets the same question once more, never a third time, and the questions end
    assert next_topic(case) is None
    assert all(seen.count(topic) == 2 for topic in set(seen))


@pytest.mark.parametrize("answer,screen,escalate", [
    ("no", "clear", False), ("nope, nothing like that", "clear", False), ("none of these", "clear", False),
    ("not sure", "unsure", False), ("I don't know", "unsure", False),
    ("yes", "present", True), ("yes she wet herself", "present", True),
    ("no fever but he fell yesterday", "present", True),
])
def test_red_flag_screen_answers(answer, screen, escalate):
    case = read_message(read_message(None, FULL), answer, asked_topic="red_flag_screen")
    assert case["red_flag_screen"] == screen
    assert needs_escalation(case) is escalate
    if escalate:
        assert next_topic(case) is None


def test_specific_flags_from_screen_answer():
    answer = "she's numb down there and running a temperature"
    case = read_message(read_message(None, FULL), answer, asked_topic="red_flag_screen")
    assert set(case["red_flags"]) == {"saddle_numbness", "fever"}
    assert (case["last"]["new_red_flags"] == ["saddle_numbness", "fever"]
            or set(case["last"]["new_red_flags"]) == {"saddle_numbness", "fever"})


def test_red_flag_in_any_answer_escalates_at_once():
    case = read_message(None, "dad has ALS")
    case = read_message(case, "stiff, and he fell this morning", asked_topic="pain_feel")
    assert case["red_flags"] == ["injury"] and needs_escalation(case) and next_topic(case) is None


def test_denials_in_passing_leave_the_screen_open_and_it_asks_only_about_the_rest():
    from bot.questions import ask

    case = read_message(None, FULL + " No fever, no falls, no bladder problems.")
    assert case["red_flag_screen"] is None
    assert next_topic(case) == "red_flag_screen"
    asked = ask("red_flag_screen", case)["text"].lower()
    assert "breathing" in asked and "fever" not in asked and "bladder" not in asked


def test_a_partial_denial_at_the_screen_asks_about_the_rest_then_none_clears_it():
    case = read_message(None, FULL)
    case = read_message(case, "no fever", asked_topic="red_flag_screen")
    assert case["red_flag_screen"] == "partial" and next_topic(case) == "red_flag_screen"
    case = read_message(case, "none of those either", asked_topic="red_flag_screen")
    assert case["red_flag_screen"] == "clear"


@pytest.mark.parametrize("reply", [
    "no fever and she hasn't fallen",                        # a list of denials answers the question (contract)
    "no falls, no temp, no wee problems, she's herself",
    "I've checked, none of those",                           # the "no" said after other words
    "I went down the list with her, it's a no",
    "mm no",
    "the rest is the same as always",
])
def test_a_reply_that_says_no_to_the_screen_in_other_words_answers_all_of_it(reply):
    case = read_message(read_message(None, FULL), reply, asked_topic="red_flag_screen")
    assert case["red_flag_screen"] == "clear" and next_topic(case) != "red_flag_screen"


@pytest.mark.parametrize("reply", [
    "no fever, but her legs went this morning",              # a sign told present still escalates
    "not sure, everything else is fine",                     # unsure stays unsure
    "i use a walker. stairs are a no",                       # a "no" that belongs to its own clause
])
def test_a_no_said_later_does_not_clear_a_screen_that_tells_something_else(reply):
    case = read_message(read_message(None, FULL), reply, asked_topic="red_flag_screen")
    assert case["red_flag_screen"] != "clear"


@pytest.mark.parametrize("topic,answer,feature", [
    ("mobility", "walks unaided", "walks_unaided"), ("mobility", "cane or walker", "walking_aid"),
    ("mobility", "wheelchair", "wheelchair"), ("mobility", "mostly in bed", "bedbound"),
    ("pain_relief", "yes", "some_relief"), ("pain_relief", "no", "nothing_helps"),
])
def test_button_answers(topic, answer, feature):
    case = read_message(read_message(None, "she has MS"), answer, asked_topic=topic)
    assert feature in case["features"] and topic in topics_answered(case)


@pytest.mark.parametrize("answer,condition", [("ALS", "als"), ("MS", "ms"), ("motor neurone disease", "als")])
def test_condition_buttons(answer, condition):
    assert read_message(None, answer, asked_topic="condition")["condition"] == condition


def test_unmatched_answer_is_asked_once_more_then_recorded_as_unknown():
    case = read_message(read_message(None, "she has MS"), "hmm", asked_topic="mobility")
    assert case["last"]["reask"] == "mobility" and not case["last"]["understood"]
    assert "mobility" not in topics_answered(case)
    case = read_message(case, "hmm", asked_topic="mobility")
    assert case["answers"]["mobility"] == "unknown" and "mobility" in topics_answered(case)


def test_case_is_json_and_input_is_not_mutated():
    case = read_message(None, FULL)
    before = json.dumps(case, sort_keys=True)
    newer = read_message(case, "she fell", asked_topic="red_flag_screen")
    assert json.dumps(case, sort_keys=True) == before
    assert json.loads(json.dumps(newer)) == newer


def test_accepts_none_and_foreign_case():
    assert read_message(None, "")["messages"] == 1
    assert read_message({"condition": "ms", "junk": 1}, "burning")["condition"] == "ms"
    assert new_case()["red_flags"] == []


def test_last_message_signals():
    case = read_message(None, "I can't cope anymore")
    assert case["last"]["crisis"] is True
    case = read_message(case, "how much baclofen can she take?")
    assert case["last"]["dose_question"] and case["last"]["is_question"] and not case["last"]["crisis"]


def test_a_reply_that_answers_something_else_leaves_the_question_open_once():
    case = read_message(None, "my mum has MS, a tight band around her middle that burns")
    assert next_topic(case) == "red_flag_screen"
    case = read_message(case, "she gets it when she's overheated or stressed", asked_topic="red_flag_screen")
    assert case["red_flag_screen"] is None
    assert next_topic(case) == "red_flag_screen"  # asked once more, not taken as "unsure"
    case = read_message(case, "it's worse in the evening too", asked_topic="red_flag_screen")
    assert case["red_flag_screen"] == "unsure"  # second time: closed, never loops
    assert next_topic(case) is None


# ---------------------------------------------------------------- "is it new?" checks
def converse_check(opening, reply):
    """The opening, then the one direct question about the unsettled sign, answered with `reply`."""
    from bot.questions import ask, count_ask

    case = read_message(None, opening)
    assert next_topic(case) == "red_flag_screen"
    question = ask("red_flag_screen", case)["text"]
    case = count_ask(case, "red_flag_screen")
    return question, read_message(case, reply, asked_topic="red_flag_screen")


ATTRIBUTED = "my wife has MS and she's been wetting herself because of her MS, her lower back aches"


def test_a_sign_put_down_to_the_condition_is_asked_about_first():
    question, _ = converse_check(ATTRIBUTED, "not sure")
    assert "new" in question.lower() and question.endswith("?")


def test_yes_it_is_new_makes_it_a_red_flag():
    _, case = converse_check(ATTRIBUTED, "yes, it's new, started this week")
    assert case["red_flags"] == ["bladder_bowel"] and needs_escalation(case)


def test_no_it_is_old_settles_it_and_the_screen_is_still_asked():
    from bot import case_warning_signs

    _, case = converse_check(ATTRIBUTED, "no, it's been like that for years")
    assert case["red_flags"] == [] and case_warning_signs(case) == []
    assert case["red_flag_screen"] is None and "red_flag_screen" not in topics_answered(case)


def test_still_unsure_is_a_possible_red_flag_never_reassurance():
    from bot import assess_case, case_warning_signs

    _, case = converse_check(ATTRIBUTED, "I don't know")
    assert case["red_flags"] == [] and case_warning_signs(case) == ["possible_red_flag"]
    case = read_message(case, "none of these", asked_topic="red_flag_screen")
    assert assess_case(case).triage == "contact_care_team_today"


def test_a_reply_that_ignores_the_check_gets_it_once_more_then_counts_as_unsure():
    from bot.questions import count_ask

    _, case = converse_check(ATTRIBUTED, "she's so tired")
    assert next_topic(case) == "red_flag_screen" and case["checks"]["bladder_bowel"]["state"] == "open"
    case = read_message(count_ask(case, "red_flag_screen"), "hmm", asked_topic="red_flag_screen")
    assert case["checks"]["bladder_bowel"]["state"] == "unsure"


def test_self_care_needs_a_known_pattern_so_timing_is_asked_before_it():
    case = read_message(None, "my husband has MS, burning tingling pain in his lower back, worse in the heat, "
                              "moving doesn't help")
    case = read_message(case, "none of these", asked_topic="red_flag_screen")
    assert next_topic(case) == "pain_timing"
    case = read_message(case, "he's had it on and off for years, nothing new", asked_topic="pain_timing")
    from bot import assess_case

    assert next_topic(case) is None and assess_case(case).triage == "self_care"
