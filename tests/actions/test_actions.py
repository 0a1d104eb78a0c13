"""Every custom action, run the way the action server runs it: a rasa-sdk Tracker built from the
slots and latest message a conversation would have, a CollectingDispatcher, `await action.run(...)`.
The fixtures `make_tracker` and `run_action` are in conftest.py."""
import re

import pytest
from rasa_sdk.events import AllSlotsReset

import bot
from actions import actions


def slot_values(events):
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def said(messages):
    return " ".join(m.get("text") or "" for m in messages)


def case_after(*turns):
    """The case record after a sequence of (text, asked_topic) turns, as the form would hold it."""
    case = None
    for text, asked in turns:
        case = bot.read_message(case, text, asked_topic=asked)
    return case


@pytest.fixture
def run(run_action):
    return run_action


# ---------------------------------------------------------------- the form's validation
class TestValidateSymptomForm:
    action = actions.ValidateSymptomForm()

    def test_opening_message_fills_what_it_told_and_asks_something_else(self, make_tracker, run):
        tracker = make_tracker("my wife has MS, burning pain in her lower back, worse in the heat")
        _, events = run(self.action, tracker)
        values = slot_values(events)
        assert values["condition"] == "ms"
        assert values["pain_feel"] and values["pain_location"] and values["pain_trigger"]
        assert values["requested_slot"] not in {"condition", "pain_feel", "pain_location", "pain_trigger"}

    def test_whole_picture_leaves_only_the_red_flag_screen(self, make_tracker, run):
        tracker = make_tracker("my husband has MS and gets burning, tingling pain in his lower back that comes "
                               "out of nowhere, worse in the heat, and changing position doesn't help")
        _, events = run(self.action, tracker)
        assert slot_values(events)["requested_slot"] == "red_flag_screen"

    def test_not_sure_is_accepted_and_not_asked_again(self, make_tracker, run):
        case = case_after(("my dad has ALS and his back hurts", None))
        asked = bot.next_topic(case)
        tracker = make_tracker("no idea", intent="unsure", slots={"case": case, "requested_slot": asked})
        _, events = run(self.action, tracker)
        values = slot_values(events)
        assert values[asked]  # recorded as answered ("not sure"), so the form moves on
        assert values["requested_slot"] != asked

    def test_an_interruption_fills_nothing_so_the_rule_can_run(self, make_tracker, run):
        case = case_after(("my mum has MS and her back hurts", None))
        asked = bot.next_topic(case)
        tracker = make_tracker("what is spasticity?", intent="ask_knowledge",
                               slots={"case": case, "requested_slot": asked})
        _, events = run(self.action, tracker)
        assert [e["name"] for e in events] == ["requested_slot"]
        assert slot_values(events)["requested_slot"] == asked

    def test_coming_back_after_an_interruption_asks_the_same_question(self, make_tracker, run):
        case = case_after(("my mum has MS and her back hurts", None))
        asked = bot.next_topic(case)
        tracker = make_tracker("why do you ask?", intent="ask_why", latest_action="action_explain_question",
                               slots={"case": case, "requested_slot": asked})
        _, events = run(self.action, tracker)
        assert slot_values(events) == {"requested_slot": asked}

    def test_yes_to_the_red_flag_screen_ends_the_questions(self, make_tracker, run):
        case = case_after(("my partner has MS, dull ache in the lower back after walking, rest helps", None))
        tracker = make_tracker("yes", intent="affirm", slots={"case": case, "requested_slot": "red_flag_screen"})
        _, events = run(self.action, tracker)
        values = slot_values(events)
        assert values["requested_slot"] is None
        assert bot.needs_escalation(values["case"])

    def test_small_talk_that_tells_nothing_is_not_taken_as_an_answer(self, make_tracker, run):
        case = case_after(("my mum has MS and her back hurts", None))
        asked = bot.next_topic(case)
        tracker = make_tracker("thanks", intent="thank", slots={"case": case, "requested_slot": asked})
        _, events = run(self.action, tracker)
        assert slot_values(events) == {"requested_slot": asked}

    def test_an_answer_misread_as_small_talk_is_still_an_answer(self, make_tracker, run):
        case = case_after(("my mum has MS and her back hurts", None))
        tracker = make_tracker("she uses a wheelchair", intent="out_of_scope",
                               slots={"case": case, "requested_slot": "mobility"})
        _, events = run(self.action, tracker)
        assert slot_values(events)["mobility"]


# ---------------------------------------------------------------- the question actions
ASK_ACTIONS = {cls.topic: cls for cls in actions.ActionAskTopic.__subclasses__()}


def test_every_topic_has_an_ask_action_named_for_it():
    assert set(ASK_ACTIONS) == set(bot.TOPICS)
    assert all(cls().name() == f"action_ask_{topic}" for topic, cls in ASK_ACTIONS.items())


@pytest.mark.parametrize("topic", list(bot.TOPICS))
def test_every_topic_has_a_question_and_counts_it(topic, make_tracker, run):
    messages, events = run(ASK_ACTIONS[topic](), make_tracker(slots={"requested_slot": topic}))
    assert len(messages) == 1 and messages[0]["text"].strip().endswith("?")
    assert slot_values(events)["case"]["asks"] == {topic: 1}


def test_questions_with_few_answers_offer_buttons(make_tracker, run):
    for topic in ("condition", "mobility", "red_flag_screen"):
        messages, _ = run(ASK_ACTIONS[topic](), make_tracker())
        assert len(messages[0]["buttons"]) >= 2, topic


# ---------------------------------------------------------------- assessment and escalation
def test_assessment_sets_contract_slots_and_names_its_sources(make_tracker, run):
    case = case_after(
        ("my wife has MS, she gets a brief electric shock down her spine when she bends her neck forward", None),
        ("none of these", "red_flag_screen"),
    )
    messages, events = run(actions.ActionAssess(), make_tracker(slots={"case": case}))
    values = slot_values(events)
    assert values["pain_type"] == "lhermitte"
    assert values["triage"] in {"contact_care_team", "self_care"}
    assert values["red_flags"] == []
    assert "Lhermitte" in said(messages)
    # one short answer: its sources are a quick reply away ("Sources"), answered from the assessment given
    offered = [b["title"] for m in messages for b in m.get("buttons") or []]
    assert "Sources" in offered, offered


def test_escalation_says_seek_care_now_names_the_condition_and_sets_slots(make_tracker, run):
    tracker = make_tracker("my dad has ALS and he's suddenly struggling to breathe", intent="report_red_flag")
    messages, events = run(actions.ActionEscalate(), tracker)
    values = slot_values(events)
    assert values["triage"] == "seek_care_now"
    assert values["red_flags"] == ["breathing"]
    assert values["condition"] == "als"
    assert "seek care now" in said(messages).lower()
    assert "ALS" in said(messages)
    # the action stops the symptom form itself (data/rules/safety.yml: no action_deactivate_loop after it)
    assert events[-1] == {"event": "active_loop", "name": None, "timestamp": None}


def test_crisis_support_stops_the_questions_itself(make_tracker, run):
    _, events = run(actions.ActionCrisisSupport(), make_tracker("I can't cope anymore, I want to die", "crisis"))
    assert events[-1]["event"] == "active_loop" and events[-1]["name"] is None


def test_crisis_support_gives_resources_at_once(make_tracker, run):
    messages, _ = run(actions.ActionCrisisSupport(), make_tracker("I can't cope anymore, I want to die", "crisis"))
    text = said(messages)
    assert re.search(r"\b(988|116 123|911|999|112)\b", text)


def test_dose_question_gets_no_number(make_tracker, run):
    messages, events = run(actions.ActionAnswerDose(), make_tracker("how many mg of baclofen can he take", "ask_dose"))
    text = said(messages)
    assert events == []
    assert not re.search(r"\d+\s*(mg|milligram|ml|tablet|pill)", text, re.I)
    assert re.search(r"pharmacist|prescrib|care team|doctor", text, re.I)


def test_knowledge_question_is_answered_from_an_article(make_tracker, run):
    messages, _ = run(actions.ActionAnswerQuestion(), make_tracker("what is lhermitte's sign?", "ask_knowledge"))
    assert "neck" in said(messages).lower()


def test_why_we_ask_explains_the_pending_question(make_tracker, run):
    messages, _ = run(actions.ActionExplainQuestion(), make_tracker("why?", "ask_why",
                                                                     slots={"requested_slot": "pain_trigger"}))
    assert said(messages)


def test_summary_for_the_care_team_lists_the_findings(make_tracker, run):
    case = case_after(("my husband has MS, burning pain in his lower back", None), ("no", "red_flag_screen"))
    messages, _ = run(actions.ActionCareTeamSummary(), make_tracker(slots={"case": case}))
    text = said(messages)
    assert "MS" in text and "burning" in text.lower()


def test_start_over_clears_everything(make_tracker, run):
    _, events = run(actions.ActionStartOver(), make_tracker("start over", "start_over"))
    assert events == [AllSlotsReset()]


def test_an_unreadable_answer_gets_one_rephrase_request_and_the_same_question(make_tracker, run):
    case = case_after(("my mum has MS and her back hurts", None))
    asked = bot.next_topic(case)
    tracker = make_tracker("asdkjh qwe zzz", intent="inform", slots={"case": case, "requested_slot": asked})
    messages, events = run(actions.ValidateSymptomForm(), tracker)
    assert len(messages) == 1 and "another way" in said(messages)
    assert slot_values(events)["requested_slot"] == asked


def test_a_reply_about_something_else_is_noted_and_the_question_asked_again(make_tracker, run):
    case = case_after(("my mum has ALS and her lower back aches", None))
    asked = bot.next_topic(case)
    assert asked == "pain_trigger"
    tracker = make_tracker("a deep ache and she gets cramps", intent="inform",
                           slots={"case": case, "requested_slot": asked})
    messages, events = run(actions.ValidateSymptomForm(), tracker)
    values = slot_values(events)
    assert "thanks" in said(messages).lower()
    assert values["pain_feel"] and values["requested_slot"] == asked


def test_crisis_after_an_escalation_does_not_repeat_the_old_red_flag(make_tracker, run):
    case = case_after(("my dad has ALS, he fell yesterday", None))
    messages, _ = run(actions.ActionCrisisSupport(),
                      make_tracker("I can't cope anymore", "crisis", slots={"case": case}))
    assert "seek care now" not in said(messages).lower()


def test_crisis_with_a_new_red_flag_also_escalates(make_tracker, run):
    messages, events = run(actions.ActionCrisisSupport(),
                           make_tracker("I can't cope, and now she can't breathe properly", "crisis"))
    assert "seek care now" in said(messages).lower()
    assert slot_values(events)["triage"] == "seek_care_now"


# ---------------------------------------------------------------- one reading per message, no endless loops
def test_the_nlu_reading_in_the_parse_data_is_reused_not_read_again(make_tracker, run, monkeypatch):
    case = case_after(("my mum has MS and her back hurts", None))
    tracker = make_tracker("a burning feeling, worse in the heat", intent="inform", routed=True,
                           slots={"case": case, "requested_slot": "pain_feel"})

    def read_again(*args, **kwargs):
        raise AssertionError("the message was read a second time")

    monkeypatch.setattr("bot.turn.read_text", read_again)
    _, events = run(actions.ValidateSymptomForm(), tracker)
    assert "burning" in slot_values(events)["pain_feel"]


def test_an_answer_to_the_red_flag_screen_is_read_again_in_its_context(make_tracker, run):
    # "the bladder one" names a red flag only as an answer to the screen: the context-free reading can't be reused
    case = case_after(("my partner has MS, dull ache in the lower back after walking, rest helps", None))
    tracker = make_tracker("the bladder one", intent="inform", routed=True,
                           slots={"case": case, "requested_slot": "red_flag_screen"})
    _, events = run(actions.ValidateSymptomForm(), tracker)
    assert slot_values(events)["red_flags"] == ["bladder_bowel"]


def test_a_reply_taken_for_small_talk_is_read_as_an_answer_after_two_asks(make_tracker, run):
    case = case_after(("my husband has ALS and his lower back aches", None))
    for _ in range(2):
        case = bot.ask_turn(case, "pain_relief").case
    tracker = make_tracker("hello", intent="greet", slots={"case": case, "requested_slot": "pain_relief"})
    _, events = run(actions.ValidateSymptomForm(), tracker)
    values = slot_values(events)
    assert values["pain_relief"].startswith("not sure")
    assert values["requested_slot"] != "pain_relief"


def test_a_second_assessment_is_an_update_not_a_repeat(make_tracker, run):
    case = case_after(("my wife has MS, burning band around her middle, worse in the heat, for years, same as always",
                       None), ("none of these", "red_flag_screen"))
    first, events = run(actions.ActionAssess(), make_tracker(slots={"case": case}))
    case = slot_values(events)["case"]
    again, _ = run(actions.ActionAssess(), make_tracker(slots={"case": case}))
    assert said(again) != said(first)
    # the update in one message, then the next question after an assessment (here: keep a diary?)
    assert len(again) == 2 and "doesn't change" in again[0]["text"] and "diary" in again[1]["text"]


def test_the_form_steps_aside_for_a_red_flag_without_reading_it_the_escalation_does(make_tracker, run, monkeypatch):
    case = case_after(("my mum has MS and her back hurts", None))
    tracker = make_tracker("she suddenly can't move her legs", intent="report_red_flag",
                           slots={"case": case, "requested_slot": "pain_feel"})
    with monkeypatch.context() as patch:
        patch.setattr("bot.turn.read_text", lambda *a, **k: (_ for _ in ()).throw(AssertionError("read")))
        _, events = run(actions.ValidateSymptomForm(), tracker)
    assert events == [{"event": "slot", "timestamp": None, "name": "requested_slot", "value": "pain_feel"}]
    messages, events = run(actions.ActionEscalate(), tracker)
    assert slot_values(events)["red_flags"] == ["leg_weakness", "both_legs"] and "Seek care now" in said(messages)
