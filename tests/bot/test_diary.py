"""Severity, date words, diary entries, consent and the diary read back: the clinical core, with time
injected (`NOW`, a Thursday). Inputs live in diary_cases.yml."""
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import yaml

import bot
from bot import diary
from bot.severity import read_severity
from bot.turn import conclude, diary_said, take_turn
from bot.when import read_when

CASES = yaml.safe_load((Path(__file__).parent / "diary_cases.yml").read_text())
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=timezone.utc)  # Thursday 26 November 2026


def texts(turn):
    return " ".join(m["text"] for m in turn.replies)


def say(case, text, intent=None):
    """One message as the conversation routes it (the NLU component's intent, else the given guess)."""
    routed = bot.route(text, intent or "inform", 0.9)
    return take_turn(case, text, routed.intent or intent or "inform", None, now=NOW)


def assessed_case(text="my wife has MS and gets burning pain in her lower back, worse in the heat, she's had it "
                       "for years, same as always"):
    case = bot.read_message(None, text)
    case = bot.read_message(case, "no, none of those", asked_topic="red_flag_screen")
    return conclude(case)


# ---------------------------------------------------------------- severity

@pytest.mark.parametrize("text, score", CASES["severity"]["anywhere"].items())
def test_severity_is_read_from_any_message_and_never_from_times_or_counts(text, score):
    found = read_severity(text)
    assert (found.score if found else None) == score


@pytest.mark.parametrize("text, score", CASES["severity"]["answers"].items())
def test_a_reply_to_the_severity_question_may_be_a_bare_number_or_word(text, score):
    assert read_severity(text, asked=True).score == score


@pytest.mark.parametrize("text, score", CASES["severity"]["in_entries"].items())
def test_in_a_diary_entry_a_number_standing_alone_is_the_rating(text, score):
    found = read_severity(text, entry=True)
    assert (found.score if found else None) == score
    if score is not None:
        assert read_severity(text) is None  # in a conversation the same bare number is not a rating


@pytest.mark.parametrize("text", CASES["severity"]["not_answers"])
def test_none_of_a_list_is_not_a_rating_of_none(text):
    assert read_severity(text, asked=True) is None


@pytest.mark.parametrize("text", CASES["severity"]["out_of_range"])
def test_a_rating_off_the_scale_is_out_of_range(text):
    found = read_severity(text, asked=True)
    assert found.out_of_range and found.score is None


def test_severity_is_asked_after_the_assessment_when_not_told_and_only_once():
    turn = assessed_case()
    assert turn.case["pending"] == "severity" and turn.slots["follow_up"] is True
    assert "0 (none) to 10 (worst)" in turn.replies[-1]["text"] and turn.replies[-1]["buttons"]
    skipped = say(turn.case, "not sure", "unsure")
    assert "pain diary" in texts(skipped) and skipped.case["pending"] == "diary_offer"
    again = conclude(skipped.case)  # a later update never asks it again
    assert "0 (none) to 10" not in texts(again)


def test_severity_already_told_is_not_asked():
    turn = assessed_case("my wife has MS, burning pain in her lower back, about 4/10, worse in the heat, she's had "
                         "it for years, same as always")
    assert turn.case["severity"]["score"] == 4
    assert turn.case["pending"] == "diary_offer"


def test_out_of_range_is_asked_again_then_a_severe_answer_revises_the_assessment():
    turn = assessed_case()
    assert turn.slots["triage"] == "self_care"
    again = say(turn.case, "12", "rate_severity")
    assert again.case["pending"] == "severity" and "scale" in texts(again)
    answered = say(again.case, "about 8", "rate_severity")
    assert answered.case["severity"] == {"score": 8, "said": "about 8"}
    assert answered.slots["triage"] == "contact_care_team"  # severe pain: seed 003's reason to see the doctor
    assert "my answer changes" in texts(answered)
    assert "pain diary" in answered.replies[-1]["text"]  # then the diary offer


def test_a_mild_answer_keeps_the_advice_and_says_so():
    turn = assessed_case()
    answered = say(turn.case, "mild", "rate_severity")
    assert "3 out of 10" in texts(answered) and "doesn't change" in texts(answered)
    assert answered.slots["triage"] == "self_care"


def test_a_red_flag_at_the_severity_question_escalates_and_closes_it():
    turn = assessed_case()
    escalated = say(turn.case, "she just wet herself and that's never happened before", "inform")
    assert escalated.slots["triage"] == "seek_care_now" and escalated.case["pending"] is None
    assert escalated.slots["follow_up"] is False


# ---------------------------------------------------------------- dates

@pytest.mark.parametrize("text, expected", CASES["when"].items())
def test_date_words_are_read_relative_to_now(text, expected):
    when = read_when(text, NOW)
    if expected in ("unclear", "none"):
        assert when.status == expected
    else:
        assert when.at.isoformat() == expected


# ---------------------------------------------------------------- entries

@pytest.mark.parametrize("text, kind", [
    ("log: burning again after the hot bath", "add"), ("diary: bad night, spasms, about 7", "add"),
    ("add to the diary: stiff all morning", "add"), ("bad night, spasms, about 7, put it in the diary", "add"),
    ("show the diary", "show"), ("how has her pain been", "show"), ("send me the report", "report"),
    ("report for the neurologist", "report"), ("export the diary as csv", "export"),
    ("my wife has MS and her back burns", None), ("I want to report that she fell", None)])
def test_what_a_message_asks_of_the_diary(text, kind):
    assert diary.request_of(text) == kind


def test_an_entry_from_the_caregivers_words():
    entry, _ = diary.entry_from_text("add to the diary: on Tuesday evening spasms in her lower back, about 7, "
                                     "a warm bath helped", "ms", NOW)
    assert entry["when"] == "2026-11-24T19:00:00+00:00" and entry["logged"] == NOW.isoformat()
    assert entry["severity"] == 7 and entry["pain_type"] == "spasticity" and entry["location"] == "lower back"
    assert entry["helped"] == ["warm bath"] and "heat" not in entry["triggers"]
    assert entry["triage"] == "contact_care_team" and entry["red_flags"] == [] and entry["warning_signs"] == []
    assert entry["words"].startswith("on Tuesday evening spasms") and "diary" not in entry["words"]


def test_the_entrys_pain_type_uses_the_conversations_condition():
    ms, _ = diary.entry_from_text("log: burning and tingling in her back", "ms", NOW)
    als, _ = diary.entry_from_text("log: burning and tingling in his back", "als", NOW)
    assert ms["pain_type"] == "neuropathic" and als["pain_type"] == "unclear"


def test_negated_signs_are_not_recorded_as_signs():
    entry, _ = diary.entry_from_text("log: stiff back this morning, no fever, her bladder's been fine", "ms", NOW)
    assert entry["red_flags"] == [] and entry["triage"] != "seek_care_now"


def test_words_are_kept_to_500_characters():
    entry, _ = diary.entry_from_text("log: spasms again. " + "she was uncomfortable all day " * 40, "ms", NOW)
    assert len(entry["words"]) == 500


def test_a_quick_entry_is_consent_and_is_stored_with_its_date():
    turn = say(None, "log: last night spasms in his lower back, about 6", "log_diary")
    assert turn.diary["add"]["when"] == "2026-11-25T22:00:00+00:00" and turn.diary["add"]["severity"] == 6
    assert turn.case["diary_consent"] is True
    assert "Saved in the diary for Wednesday 25 November" in diary_said(turn.diary, True)[0]["text"]


def test_an_earlier_days_entry_is_kept_in_the_diary_only_not_in_the_pain_talked_about_now():
    """Found by the browser test: "log: on 17 November, burning after a hot shower, 5/10" gave the pain
    described next a severity of 5 "right now" and burning, heat and a new onset it never had."""
    logged = say(None, "log: on 17 November, burning after a hot shower, 5/10", "log_diary")
    assert logged.diary["add"]["severity"] == 5 and logged.diary["add"]["pain_type"] == "neuropathic"
    assert logged.case["severity"] is None and logged.case["features"] == {}
    today = say(None, "log: spasms this morning, about 6", "log_diary")  # today's entry is the pain now
    assert today.case["severity"]["score"] == 6 and today.case["features"]
    flagged = say(None, "log: 3 days ago she got a new pressure sore on her lower back, about 5", "log_diary")
    assert "pressure_ulcer" in flagged.case["warning_signs"]  # its signs count, as told


def test_an_empty_entry_is_asked_about_once_and_never_stored_empty():
    asked = say(None, "log it", "log_diary")
    assert asked.diary is None and asked.case["pending"] == "content" and asked.slots["follow_up"] is True
    still_nothing = say(asked.case, "ok", "affirm")
    assert still_nothing.diary is None and still_nothing.case["pending"] is None
    assert "haven't saved anything" in texts(still_nothing)


def test_the_words_asked_for_are_stored():
    asked = say(None, "add to the diary", "log_diary")
    stored = say(asked.case, "cramps all evening, about 5", "inform")
    assert stored.diary["add"]["severity"] == 5 and stored.diary["add"]["pain_type"] == "spasticity"


def test_an_unclear_day_is_asked_once():
    asked = say(None, "log: the other day she had bad cramps", "log_diary")
    assert asked.diary is None and asked.case["pending"] == "when"
    dated = say(asked.case, "tuesday night", "inform")
    assert dated.diary["add"]["when"] == "2026-11-24T22:00:00+00:00"
    asked = say(None, "log: the other day she had bad cramps", "log_diary")
    undated = say(asked.case, "no idea", "unsure")
    assert undated.diary["add"]["when"] == NOW.isoformat() and "used today" in texts(undated)


def test_a_red_flag_in_an_entry_escalates_first_then_the_entry_is_stored():
    routed = bot.route("log: she fell last night and now she can't feel her legs", "log_diary", 0.9)
    assert routed.intent == "report_red_flag"
    turn = take_turn(None, "log: she fell last night and now she can't feel her legs", routed.intent, None, now=NOW)
    assert turn.replies[0]["text"].startswith("Seek care now") and turn.slots["triage"] == "seek_care_now"
    assert turn.diary["add"]["red_flags"] and turn.diary["add"]["triage"] == "seek_care_now"
    assert turn.diary["add"]["when"] == "2026-11-25T22:00:00+00:00"
    failed = diary_said(turn.diary, False, escalated=True)
    assert "advice above still stands" in failed[0]["text"]


def test_a_warning_sign_in_an_entry_revises_the_advice_before_it_is_stored():
    turn = assessed_case()
    logged = say(turn.case, "log: she has a new pressure sore on her lower back and it hurts, about 5", "log_diary")
    assert logged.slots["triage"] == "contact_care_team_today"
    assert "today" in texts(logged).lower()
    assert "pressure_ulcer" in logged.diary["add"]["warning_signs"]


def test_yes_to_the_diary_offer_stores_this_assessment():
    turn = assessed_case()
    offered = say(turn.case, "moderate", "rate_severity")
    assert offered.case["pending"] == "diary_offer"
    kept = say(offered.case, "yes, keep it in the diary", "affirm")
    entry = kept.diary["add"]
    assert kept.case["diary_consent"] is True
    assert entry["severity"] == 5 and entry["pain_type"] == "neuropathic" and entry["triage"] == "self_care"
    assert entry["location"] == "lower back" and "heat" in entry["triggers"]


def test_no_to_the_diary_offer_stores_nothing_and_a_summary_can_be_asked_instead():
    offered = say(assessed_case().case, "moderate", "rate_severity")
    declined = say(offered.case, "no thanks", "deny")
    assert declined.diary is None and declined.case["diary_consent"] is False and "no diary" in texts(declined)
    summary = say(offered.case, "yes please, a summary for the care team", "affirm")
    assert summary.diary is None and "summary for the care team" in texts(summary).lower()


def test_a_mid_form_diary_request_steps_aside_and_the_same_question_stays():
    case = bot.read_message(None, "my mum has MS and her back hurts")
    asked = bot.next_topic(case)
    turn = take_turn(case, "log: bad night, spasms", "log_diary", asked, for_form=True, now=NOW)
    assert turn.steps_aside and turn.ask == asked


@pytest.mark.parametrize("kind", ["show", "report", "export"])
def test_reading_back_is_left_to_the_store_and_an_empty_diary_says_how_to_add(kind):
    words = {"show": "show the diary", "report": "send me the report", "export": "export the diary as csv"}[kind]
    turn = say(None, words)
    assert turn.diary == {kind: True} and turn.replies == []
    empty = diary_said(turn.diary, True, [], NOW)
    assert "empty" in empty[0]["text"] and "log:" in empty[0]["text"]


# ---------------------------------------------------------------- the diary read back

def entry(days_ago, severity, pain_type="spasticity", triggers=(), helped=(), red_flags=(), warning_signs=()):
    when = NOW - timedelta(days=days_ago)
    return {"when": when.isoformat(), "logged": when.isoformat(), "pain_type": pain_type, "location": "lower back",
            "severity": severity, "triggers": list(triggers), "helped": list(helped), "triage": "contact_care_team",
            "red_flags": list(red_flags), "warning_signs": list(warning_signs), "words": "w"}


def test_the_summary_counts_and_names_what_the_diary_shows():
    entries = [entry(20, 4, triggers=["sudden movements"], helped=["rest"]),
               entry(13, 6, triggers=["sudden movements", "heat"], helped=["warm bath"]),
               entry(9, 8, "neuropathic", triggers=["heat"], helped=["rest"], warning_signs=["infection"]),
               entry(2, 5, triggers=["sudden movements"], helped=["rest"], red_flags=["fever"])]
    summary = diary.summarize(entries, NOW)
    text = "\n".join(summary.lines)
    assert summary.first == "Friday 6 November" and summary.last == "Tuesday 24 November"
    assert "4 entries, Friday 6 November to Tuesday 24 November." in text
    assert "Pain logged on 4 of the 19 days." in text     # days, not a rate ("About 1 episodes a week")
    assert "usually 5 out of 10, highest 8 (Tuesday 17 November)" in text
    assert "Usual triggers: sudden movements, heat." in text
    assert "What helped most often: rest, warm bath." in text
    assert "Emergency signs on Tuesday 24 November: a high temperature" in text
    assert "Same-day warning signs on Tuesday 17 November" in text
    assert any("physical therapy" in q for q in summary.questions)   # spasticity
    assert any("reviewed" in q for q in summary.questions)           # a severe episode
    assert "Where is MS back pain located?" in summary.sources  # by title, never "003: ..."


def test_an_empty_diary_summary_says_so():
    summary = diary.summarize([], NOW)
    assert "empty" in summary.lines[0] and summary.questions == []


def test_a_quiet_diary_says_no_emergency_signs():
    text = "\n".join(diary.summarize([entry(1, 2)], NOW).lines)
    assert "1 entry, Wednesday 25 November." in text and "No emergency signs recorded." in text


def test_severity_is_part_of_the_care_team_summary():
    case = bot.read_message(None, "my husband has ALS, his lower back is stiff and crampy, about 6 out of 10")
    summary = bot.replies.care_team_summary(case)[0]["text"]
    assert "Severity (0-10): 6/10 (\u201c6 out of 10\u201d)" in summary


@pytest.mark.parametrize("text, rating", [
    ("7", True), ("about a 6", True), ("moderate", True), ("8/10 today", True), ("she says about 8 right now", True),
    ("none", False), ("no", False), ("not too bad", False), ("bad", False), ("2 weeks", False),
    ("burning, about 7", False), ("none of these", False)])
def test_only_a_message_that_is_just_a_rating_is_routed_as_one(text, rating):
    assert (bot.route(text, "inform", 0.9).intent == "rate_severity") is rating


@pytest.mark.parametrize("text", ["I want to keep a diary", "can you start a pain diary for her", "log it please"])
def test_a_request_to_keep_a_diary_is_not_an_entry_by_itself(text):
    entry, _ = diary.entry_from_text(text, "ms", NOW)
    assert entry is None


def test_a_request_to_keep_a_diary_after_an_assessment_keeps_the_assessment():
    turn = assessed_case()
    kept = say(turn.case, "I'd like to keep a diary of this", "log_diary")
    assert kept.diary["add"]["pain_type"] == "neuropathic" and kept.case["diary_consent"] is True


def test_mid_form_the_diary_action_stores_the_entry_and_asks_nothing():
    case = bot.read_message(None, "my mum has MS and her back hurts")
    asked = bot.next_topic(case)
    turn = take_turn(case, "log: the other day she had bad cramps", "log_diary", asked, now=NOW)
    assert turn.diary["add"]["pain_type"] == "spasticity" and turn.case["pending"] is None
    assert turn.replies == [] and turn.slots["follow_up"] is False
    empty = take_turn(case, "log it", "log_diary", asked, now=NOW)
    assert empty.diary is None and "haven't saved anything" in texts(empty) and empty.case["pending"] is None


def test_a_new_detail_with_the_diary_offer_open_is_an_update():
    offered = say(assessed_case().case, "moderate", "rate_severity")
    updated = say(offered.case, "she's also had a new pressure sore on her lower back since yesterday",
                  "describe_pain")
    assert updated.slots["triage"] == "contact_care_team_today" and updated.diary is None


@pytest.mark.parametrize("text, intent", [("how tall is mount everest", "out_of_scope"),
                                          ("burning in her back, about 7", "inform"), ("bad", "rate_severity")])
def test_the_classifiers_rating_guess_is_checked_against_the_words(text, intent):
    assert (bot.route(text, "rate_severity", 0.6).intent or "rate_severity") == intent  # None: the guess stands


def test_a_report_asked_for_with_no_diary_yet_gives_this_conversations_summary():
    turn = assessed_case()
    said = diary_said({"report": True}, True, [], NOW, turn.case)
    assert "summary for the care team" in said[0]["text"].lower() and "empty" in said[-1]["text"]


def test_the_cli_assessment_carries_the_severity_and_severe_pain_needs_the_care_team():
    result = bot.assess("my wife has MS, she's had the same burning pain in her lower back for years, it's a 9 "
                        "out of 10 today")
    assert result["severity"] == 9 and result["triage"] != "self_care"
    assert any(r["rule"] == "severe_or_uncontrolled" for r in result["triage_reasons"])


# ---------------------------------------------------------------- issue 24: a diary that keeps what it is told

def test_a_rating_said_in_plain_words_is_offered_to_the_diary_and_kept_with_one_yes():
    rated = say(None, "pain 6/10 today")
    assert rated.diary is None and rated.case["pending"] == "keep_entry" and rated.slots["follow_up"] is True
    assert "6 out of 10" in texts(rated) and "diary" in texts(rated).lower() and rated.replies[-1]["buttons"]
    kept = say(rated.case, "yes", "affirm")
    assert kept.diary["add"]["severity"] == 6 and kept.diary["add"]["when"][:10] == "2026-11-26"
    assert kept.case["diary_consent"] is True and kept.case["pending"] is None
    declined = say(rated.case, "no thanks", "deny")
    assert declined.diary is None and declined.case["pending"] is None and declined.case["pending_entry"] is None


def test_once_a_diary_is_kept_a_rating_said_in_plain_words_is_kept_at_once():
    first = say(None, "log: spasms in her lower back this morning, about 5", "log_diary")
    rated = say(first.case, "pain 7/10 tonight")
    assert rated.diary["add"]["severity"] == 7 and rated.case["pending"] is None


def test_a_logged_rating_in_a_few_words_is_kept_not_asked_about():
    turn = say(None, "log: pain 5 today", "log_diary")
    assert turn.diary["add"]["severity"] == 5 and turn.case["pending"] is None


def test_an_earlier_days_entry_never_re_fires_todays_escalation_nor_asks_in_the_middle_of_logging():
    emergency = say(None, "my wife has MS, her lower back aches and she has a high fever since this morning")
    assert emergency.slots["triage"] == "seek_care_now"
    logged = say(emergency.case, "log: yesterday, she got a sore on her hip", "log_diary")
    assert logged.diary["add"]["when"][:10] == "2026-11-25"
    assert "seek care now" not in texts(logged).lower() and not any(m.get("buttons") for m in logged.replies)
    assert logged.case["pending"] is None and logged.slots.get("triage") in (None, "seek_care_now")


def test_a_same_day_sign_in_an_entry_revises_the_advice_without_a_question_in_the_middle_of_logging():
    logged = say(assessed_case().case, "log: she has a new pressure sore on her lower back, about 5", "log_diary")
    assert logged.slots["triage"] == "contact_care_team_today" and logged.diary["add"]
    assert not any(m.get("buttons") for m in logged.replies) and logged.case["pending"] is None
    assert "0 (none) to 10" not in texts(logged) and "summary" not in texts(logged).lower()


def test_the_signs_of_each_message_are_dated_in_the_case():
    first = take_turn(None, "my husband has ALS and his back hurts", "describe_pain", None, now=NOW)
    assert first.case["signs_told"] == []
    later = NOW + timedelta(hours=2)
    escalated = take_turn(first.case, "now he has a high fever", "report_red_flag", None, now=later)
    assert escalated.case["signs_told"] == [{"day": "2026-11-26", "red_flags": ["fever"], "warning_signs": []}]
    assert escalated.slots["case"]["signs_told"] == escalated.case["signs_told"]


def test_signs_told_in_the_conversation_become_entries_once_and_not_twice_for_a_logged_day():
    day1, day2 = NOW - timedelta(days=2), NOW - timedelta(days=1)
    told = [{"day": f"{day:%Y-%m-%d}", "red_flags": flags, "warning_signs": warnings} for day, flags, warnings in (
        (day1, [], ["minor_fall"]), (day2, ["leg_weakness"], ["minor_fall"]), (NOW, ["fever"], ["pressure_ulcer"]))]
    logged = [{"when": NOW.isoformat(), "red_flags": ["fever"]},  # logged today already
              {"when": day1.isoformat(), "logged": NOW.isoformat(), "warning_signs": ["pressure_ulcer"]}]
    entries = diary.told_in_conversation(told, logged, "als")
    assert [(e["when"][:10], e["red_flags"], e["warning_signs"], e["triage"]) for e in entries] == [
        ("2026-11-24", [], ["minor_fall"], "contact_care_team_today"),
        ("2026-11-25", ["leg_weakness"], ["minor_fall"], "seek_care_now")]
    assert all(e["source"] == "conversation" and e["words"] and e["condition"] == "als" for e in entries)


def test_the_summary_counts_days_not_entries_and_reads_without_ids():
    entries = [entry(3, 4), entry(3, 6), entry(1, 5, red_flags=["bladder_bowel"], warning_signs=["minor_fall"])]
    summary = diary.summarize(entries, NOW, "ms")
    text = "\n".join(summary.lines + summary.emergencies + summary.same_day + summary.triage + [summary.period])
    assert "Pain logged on 2 of the 3 days." in text and "episodes" not in text
    assert "entries on 2 days" in summary.period
    assert "_" not in text and not any(ch.isdigit() and ch in s[:4] for s in summary.sources for ch in s[:4])


def test_the_report_facts_name_the_condition_trend_advice_bladder_tried_and_impact():
    entries = [entry(12, 3, helped=["rest"]), entry(10, 4), entry(4, 7), entry(2, 8)]
    entries[0]["words"] = "bad night, took paracetamol, didn't help; her bladder's been fine"
    entries[0]["not_new"] = {"bladder_bowel": "negated"}
    entries[1]["words"] = "couldn't get out of bed, tried a heat pad"
    entries[3].update(triage="seek_care_now", red_flags=["leg_weakness"])
    summary = diary.summarize(entries, NOW, "ms")
    assert summary.condition == "MS (multiple sclerosis)"
    assert "Trend: rising" in summary.trend and "highest 8/10 on Tue 24 Nov" in summary.trend
    assert summary.emergencies == ["Tue 24 Nov: sudden or rapidly increasing weakness in the legs"]
    assert summary.triage[0].startswith("Tue 24 Nov: emergency advised")
    assert "No urgent advice on the other 3 days" in summary.triage[-1]
    assert summary.bladder.startswith("No new problem (said on Sat 14 Nov)")
    assert "Tried, did not help: paracetamol (1 day)." in summary.helped and "Helped: rest (1 day)." in summary.helped
    assert "Also tried: heat pad (1 day)." in summary.helped
    assert any(line.startswith("Sleep disturbed on 1 day (Sat 14 Nov)") for line in summary.impact)
    assert any("couldn't get out of bed" in line for line in summary.impact)
    ms_titles = ("Multiple Sclerosis and Lower Back Pain", "MS-Related Back Pain", "Where is MS back pain located?")
    assert all(s in ms_titles or s.startswith(("NHS", "NICE")) for s in summary.sources)  # MS only: no ALS article
    assert "Not mentioned" in diary.summarize([entry(1, 3)], NOW).bladder  # never "normal" from silence


def test_an_entry_keeps_the_part_of_the_day_said_and_no_clock_time():
    night, _ = diary.entry_from_text("log: last night spasms, about 6", "ms", NOW)
    ago, _ = diary.entry_from_text("log: 3 days ago, bad night, 5", "ms", NOW)
    assert night["time"] == "night" and ago["time"] is None
