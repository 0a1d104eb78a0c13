"""Rasa's own warnings and log lines about a message, redacted by ops/log_privacy.py: a canary word in
messages with slashes, quotes, apostrophes, newlines and unicode never survives.

The warnings are the real ones: Rasa 3.6's "/intent" reader (YAMLStoryReader.unpack_regex_message, which the
NLU graph's RegexMessageHandler calls for every message starting with "/") and the processor's check of
unknown intents and entities. (The same through the real servers' log files: tests/channels/test_log_canary.py.)
"""
from __future__ import annotations

import logging
import uuid
import warnings

import pytest
from rasa.core.processor import MessageProcessor
from rasa.shared.core.domain import Domain
from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from ops import log_privacy

CANARY = f"kestrel{uuid.uuid4().hex[:6]}"
# Messages as a caregiver (or someone probing) might type them.
MESSAGES = [
    f"/{CANARY}",
    f"/it's {CANARY} again",
    f"/she can't feel {CANARY}",
    f"/mum's back, {CANARY}'s fault",
    f"/inform{{\"x\": \"{CANARY}\"}}",
    f"/inform{{\"{CANARY}\": \"x\"}}",
    f"/inform{{'{CANARY}': 1}}",
    f"/greet@{CANARY}",
    f"/greet@0.5{{\"x\": \"it's {CANARY}\"}}",
    f"/first line\nsecond {CANARY} line",
    f"/{CANARY}\n'quoted' and \"double\"",
    f"/ünïcødé {CANARY} ☃ 😩",
    f"/\"{CANARY}\"",
    f"/'{CANARY}",
    f"/{CANARY}'",
    f"/a/b/c {CANARY} / d",
    f"//{CANARY}",
]
DOMAIN = Domain.from_dict({"intents": ["greet", "inform"], "entities": ["x"]})


def rasa_warnings(text: str) -> list:
    """What Rasa warns while reading `text` as a "/intent" message and checking it against the domain."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        message = YAMLStoryReader.unpack_regex_message(Message({TEXT: text}), DOMAIN)
        processor = MessageProcessor.__new__(MessageProcessor)
        processor.domain = DOMAIN
        processor._check_for_unseen_features({"intent": message.get("intent") or {"name": None},
                                              "entities": message.get("entities") or []})
    return [str(w.message) for w in caught]


def test_rasas_warnings_do_quote_the_messages():
    quoted = [text for text in MESSAGES if any(CANARY in line for line in rasa_warnings(text))]
    assert len(quoted) >= len(MESSAGES) // 2, "the redaction would have nothing to do"


@pytest.mark.parametrize("text", MESSAGES, ids=range(len(MESSAGES)))
def test_rasas_warnings_about_a_message_keep_none_of_its_words(text):
    for line in rasa_warnings(text):
        assert CANARY not in log_privacy.redact(line), log_privacy.redact(line)


@pytest.mark.parametrize("text", MESSAGES, ids=range(len(MESSAGES)))
def test_any_line_with_the_handled_messages_words_is_redacted(text):
    log_privacy.handling(text)
    try:
        for line in (f"something went wrong with {text}", f"intent={text.lstrip('/')} and more",
                     f"words: {' '.join(reversed(text.split()))}", f"user_text={text!r}"):
            assert CANARY not in log_privacy.redact(line), log_privacy.redact(line)
    finally:
        log_privacy.handling(None)


def test_the_record_factory_redacts_other_loggers_records(caplog):
    log_privacy.install()
    log_privacy.handling(f"my wife's back {CANARY}")
    try:
        with caplog.at_level(logging.INFO):
            logging.getLogger("rasa.core.processor").warning("Parsed an intent 'my wife's back %s' which is not "
                                                             "defined in the domain.", CANARY)
            logging.getLogger("sanic.error").error(f"Exception: handling {CANARY}")
    finally:
        log_privacy.handling(None)
    assert CANARY not in caplog.text and "Parsed an intent" in caplog.text


def test_ordinary_log_lines_stay_readable():
    line = "Conversations are stored in sqlite (sqlite:///var/backline.db); retention: 30 days."
    assert log_privacy.redact(line) == line
