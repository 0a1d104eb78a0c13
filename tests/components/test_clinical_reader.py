"""The ClinicalReader NLU component: safety decisions that must not depend on the statistical classifier."""
import pytest
from rasa.shared.nlu.training_data.message import Message

from components.clinical_reader import ClinicalReader


@pytest.fixture(scope="module")
def reader():
    return ClinicalReader()


def read(reader, text, guessed="describe_pain"):
    message = Message(data={"text": text, "intent": {"name": guessed, "confidence": 0.6},
                            "intent_ranking": [{"name": guessed, "confidence": 0.6}]})
    reader.process([message])
    return message.get("intent")["name"], {e["entity"]: e["value"] for e in message.get("entities") or []}


def test_a_red_flag_wins_over_the_guess(reader):
    intent, entities = read(reader, "my wife has MS and since this morning she can't feel between her legs", "inform")
    assert intent == "report_red_flag"
    assert entities["condition"] == "ms" and entities["red_flag"] == "saddle_numbness"


def test_a_negated_red_flag_guessed_as_one_becomes_a_description(reader):
    intent, entities = read(reader, "no fever, she hasn't fallen, just the usual stiffness", "report_red_flag")
    assert intent == "describe_pain" and "red_flag" not in entities


def test_a_long_standing_problem_is_not_a_red_flag(reader):
    intent, _ = read(reader, "his bladder has been weak for years, nothing new", "report_red_flag")
    assert intent == "describe_pain"


def test_crisis_wins(reader):
    assert read(reader, "i can't go on like this, i want to end it all", "describe_pain")[0] == "crisis"


def test_a_guessed_crisis_is_kept(reader):
    assert read(reader, "everything is just too much", "crisis")[0] == "crisis"


def test_dose_question(reader):
    assert read(reader, "how many mg of gabapentin can he have", "ask_knowledge")[0] == "ask_dose"


@pytest.mark.parametrize("text", ["", "   ", "🙂🙂", "?!"])
def test_no_words_is_fallback(reader, text):
    assert read(reader, text, "affirm")[0] == "nlu_fallback"


def test_condition_in_lay_words(reader):
    assert read(reader, "my dad has lou gherigs disease")[1]["condition"] == "als"
    assert read(reader, "mum was diagnosed with relapsing remitting multiple sclerosis")[1]["condition"] == "ms"


def test_ordinary_message_keeps_its_intent(reader):
    assert read(reader, "hello there", "greet")[0] == "greet"


def test_a_question_the_articles_answer_is_not_out_of_scope(reader):
    assert read(reader, "is water therapy any good?", "out_of_scope")[0] == "ask_knowledge"


def test_a_real_out_of_scope_question_stays_out_of_scope(reader):
    assert read(reader, "what's the weather in london tomorrow?", "out_of_scope")[0] == "out_of_scope"


def test_the_reading_travels_in_the_parse_data(reader):
    import bot

    message = Message(data={"text": "burning pain in her lower back", "intent": {"name": "describe_pain",
                                                                                 "confidence": 0.9}})
    reader.process([message])
    reading = bot.reusable_reading(message.as_dict(only_output_properties=True), "pain_feel")
    assert reading is not None and "burning" in {f.id for f in reading.features}


@pytest.mark.parametrize("text, expected", [
    ("idk", "unsure"), ("dunno", "unsure"), ("no idea", "unsure"),
    ("back pain", "describe_pain"), ("help", "describe_pain"), ("my husband's back", "describe_pain"),
])
def test_terse_and_unsure_messages_are_never_a_language_error(reader, text, expected):
    assert read(reader, text, "out_of_scope")[0] == expected


def test_a_message_the_core_reads_something_in_is_an_answer_however_unsure_the_classifier(reader):
    assert read(reader, "it has been there for months, about the same", "out_of_scope")[0] == "inform"
