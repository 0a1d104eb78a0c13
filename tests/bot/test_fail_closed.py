"""Fail closed: when reading a message fails, the turn gives the emergency advice and asks the red-flag question,
never "nothing found" (issue 22)."""
import pytest

import bot.extract as extract
from bot.knowledge_base import knowledge
from harness.dialogue import Dialogue


@pytest.fixture
def broken_reader(monkeypatch):
    def boom(text, context_topic):
        raise RuntimeError("the reader broke")

    monkeypatch.setattr(extract, "_read_text", boom)


def test_a_failed_reading_is_marked_failed_not_empty(broken_reader):
    reading = extract.read_text("he wet himself and can't feel his legs")
    assert reading.failed and not reading.red_flags


@pytest.mark.parametrize("opening", [None, "my wife has MS and her back hurts"])
def test_a_failed_reading_gets_the_emergency_advice_and_the_red_flag_question(monkeypatch, opening):
    dialogue = Dialogue()
    if opening:
        dialogue.send(opening)

    def boom(text, context_topic):
        raise RuntimeError("the reader broke")

    monkeypatch.setattr(extract, "_read_text", boom)
    reply = dialogue.send("since this morning she can't feel her legs and she's wet herself")
    said = " ".join(reply.texts)
    assert knowledge().messages["chat"]["trouble_safety"] in said
    assert reply.asked == "red_flag_screen"
    assert "999" in said and "urgent care" not in said.split("Seek care now")[-1]


def test_the_reading_failure_is_logged_without_the_message(broken_reader, caplog):
    extract.read_text("a secret canary 7f3a message")
    assert "reading failed" in caplog.text and "canary" not in caplog.text
