"""Texts: sourced, short, never a dose, medicines only as 'ask the care team'."""
import re
from pathlib import Path

import pytest
import yaml

from bot import assess, read_message
from bot.assessment import assess_case
from bot.explain import answer_question, care_team_summary, crisis_message, dose_answer, escalation_message, why_ask
from bot.knowledge_base import MEDICATION_NAMES, TOPICS

DOSE = re.compile(r"\d+(?:[.,]\d+)?\s*(?:mg|mcg|ml|milligrams?|micrograms?|millilitres?|milliliters?|g\b|"
                  r"tablets?|pills?|units?)", re.I)
VIGNETTES = yaml.safe_load((Path(__file__).resolve().parents[1] / "vignettes.yml").read_text())["cases"]


def check_safe(text):
    assert not DOSE.search(text), text
    for sentence in re.split(r"(?<=[.!?])\s+", text):
        if any(re.search(rf"\b{m}", sentence, re.I) for m in MEDICATION_NAMES):
            framed = re.search(r"\bask\b|care team|prescriber|pharmacist", sentence, re.I)
            assert framed, sentence


@pytest.mark.parametrize("case", VIGNETTES, ids=[c["id"] for c in VIGNETTES])
def test_assessment_messages_are_safe_short_and_sourced(case):
    result = assess(case["text"])
    assert result["messages"] and all(len(m) <= 480 for m in result["messages"])
    for message in result["messages"]:
        check_safe(message)
    assert result["sources"] and result["messages"][-1].startswith("Sources: ")
    for source in result["sources"]:
        assert source["title"] in result["messages"][-1]


def test_evidence_uses_the_caregivers_words():
    result = assess("My wife has MS; her back feels like it's on fire and it comes out of nowhere")
    said = [e["said"] for e in result["evidence"]]
    assert "on fire" in said and "comes out of nowhere" in said
    assert "on fire" in result["explanation"]


def test_escalation_names_condition_and_flags():
    case = read_message(None, "she has MS and wet herself this morning and is burning up")
    text = " ".join(escalation_message(case))
    assert "MS" in text and "bladder" in text and "temperature" in text
    assert re.search(r"emergency|urgent care", text)


def test_escalation_without_specific_flags():
    text = " ".join(escalation_message({"condition": None, "red_flags": []}))
    assert "ALS or MS" in text and "emergency signs" in text


def test_crisis_message_gives_resources_at_once():
    text = " ".join(crisis_message())
    assert "988" in text and "116 123" in text and "emergency" in text
    assert crisis_message()[-1].endswith("?") or "safe" in crisis_message()[-1]


def test_dose_answer_never_gives_a_number():
    text = dose_answer()
    assert not re.search(r"\d", text)
    assert re.search(r"prescriber|pharmacist|care team", text)


def test_dose_question_gets_the_dose_answer():
    assert answer_question("how many mg of baclofen can he have?")["id"] == "dose"


@pytest.mark.parametrize("topic", TOPICS)
def test_why_ask_every_topic(topic):
    assert why_ask(topic)


@pytest.mark.parametrize("question,answer_id", [
    ("Does ALS cause back pain?", "does_als_cause_back_pain"),
    ("can lou gehrig's disease give you back pain?", "does_als_cause_back_pain"),
    ("Does MS cause back pain?", "does_ms_cause_back_pain"),
    ("what is lhermitte's sign?", "lhermitte"),
    ("what is spasticity", "spasticity"),
    ("what is neuropathic pain?", "neuropathic_pain"),
    ("where is MS back pain felt?", "where_ms_back_pain"),
    ("what medicines help?", "medicines"),
    ("which therapies help?", "therapies"),
    ("would water therapy help her?", "water_therapy"),
    ("does a brace or a better wheelchair seat help?", "seating_bracing"),
    ("why would someone with ALS have burning pain?", "als_burning"),
    ("when should I call the doctor?", "when_to_seek_care"),
])
def test_answer_question(question, answer_id):
    result = answer_question(question)
    assert result and result["id"] == answer_id and result["sources"]
    check_safe(result["text"])


@pytest.mark.parametrize("text", ["my wife has MS and back pain", "", "zzz", None])
def test_descriptions_are_not_faq_questions(text):
    assert answer_question(text) is None


def test_care_team_summary():
    case = read_message(None, "Dad has ALS, stiff and sore from sitting in his wheelchair all day, "
                              "better after repositioning. No fever.")
    case = read_message(case, "no", asked_topic="red_flag_screen")
    result = assess_case(case).to_dict()
    text = care_team_summary(case, result)
    for part in ("ALS", "wheelchair all day", "all denied", "immobility", "Does ALS Cause Back Pain?", "fever"):
        assert part in text
    check_safe(text)


def test_same_day_note_reaches_only_its_condition():
    told = "{} has {}, back aches from sitting, and has lost a lot of weight without trying"
    als = " ".join(assess(told.format("He", "ALS"))["messages"])
    ms = " ".join(assess(told.format("She", "MS"))["messages"])
    assert "common in ALS" in als and "common in ALS" not in ms
    assert "Is the weight loss new" in als and "Is the weight loss new" in ms


def test_summary_lists_warning_signs():
    case = read_message(None, "she has MS, a broken pressure sore on her tailbone and back pain")
    summary = care_team_summary(case, assess_case(case).to_dict())
    assert "Same-day warning signs: a pressure sore" in summary and "contact the care team today" in summary
