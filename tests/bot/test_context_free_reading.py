"""A reading with no sign phrase in it holds in every context, so the action server does not read it again.

The NLU component reads each message once, without context; the red-flag screen's context changes how
sign phrases read (screen-only phrases, the sudden cue waived). A text with none of them reads the same,
and its reading is reused for an answer to the screen ("none of these", "not sure")."""
from dataclasses import asdict
from pathlib import Path

import pytest
import yaml

import bot
from bot.extract import read_text
from bot.reading import CONTEXT_TOPICS
from harness.conversation import ANSWERS

HERE = Path(__file__).resolve().parent


def _strings(node):
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


def corpus():
    paraphrases = list(_strings(yaml.safe_load((HERE / "paraphrases.yml").read_text())))
    vignettes = [c["text"] for c in yaml.safe_load((HERE.parent / "vignettes.yml").read_text())["cases"]]
    answers = list(ANSWERS.values()) + [
        "none of these", "not sure", "no", "yes", "nope, nothing like that", "I don't know", "",
        "only the temperature", "the bladder one", "just the legs thing", "her legs are weaker",
        "she wet herself this morning", "he fell", "idk", "no to all of them", "hi", "thanks"]
    return paraphrases + vignettes + answers


TEXTS = corpus()


def test_a_context_free_reading_reads_the_same_in_every_context():
    free = 0
    for text in TEXTS:
        plain = read_text(text)
        for topic in CONTEXT_TOPICS:
            in_context = read_text(text, context_topic=topic)
            assert in_context.context_free == plain.context_free, text
            if plain.context_free:
                free += 1
                assert asdict(in_context) == asdict(plain), text
    # not vacuous: both kinds are in the corpus
    assert 40 < free < len(TEXTS)


@pytest.mark.parametrize("text", ["only the temperature", "the bladder one", "she wet herself this morning",
                                  "her legs gave way", "no fever"])
def test_a_sign_phrase_even_one_the_screen_alone_reads_is_not_context_free(text):
    assert not read_text(text).context_free


@pytest.mark.parametrize("text", ["none of these", "not sure", "no", "", "my husband has MS"])
def test_answers_without_a_sign_are_context_free(text):
    assert read_text(text).context_free


def parse_data(text):
    return {bot.READING_KEY: bot.route(text, "inform", 0.9).reading}


def test_the_nlu_reading_of_a_screen_answer_without_signs_is_reused_at_the_screen():
    reading = bot.reusable_reading(parse_data("none of these"), "red_flag_screen")
    assert reading is not None and reading.answer == "no"
    assert asdict(reading) == asdict(read_text("none of these", context_topic="red_flag_screen"))


def test_a_screen_answer_with_a_sign_is_read_again_in_the_screen_context():
    assert bot.reusable_reading(parse_data("only the temperature"), "red_flag_screen") is None
    assert bot.reusable_reading(parse_data("she wet herself this morning"), "red_flag_screen") is None
    # outside the screen, the context-free reading is reused as before
    assert bot.reusable_reading(parse_data("she wet herself this morning"), "pain_feel") is not None


def test_a_reading_without_the_mark_is_reused_only_in_its_own_context():
    data = parse_data("none of these")
    del data[bot.READING_KEY]["context_free"]  # an older Rasa server's reading
    assert bot.reusable_reading(data, "red_flag_screen") is None
    assert bot.reusable_reading(data, "pain_feel") is not None


def test_a_long_message_in_chunks_is_context_free_only_if_every_chunk_is():
    calm = "she has MS and her back aches a lot. " * 700  # over MAX_CHARS: read in chunks
    assert read_text(calm).context_free
    assert not read_text(calm + " she wet herself this morning").context_free
