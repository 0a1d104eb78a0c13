"""Backline clinical core: back pain in ALS and MS, explained for caregivers.

Pure Python on top of a readable, sourced knowledge base (bot/knowledge/*.yml). No Rasa, no network, no
statistical model: spaCy's blank English tokenizer with rule-based matchers, built once, lazily, on
first use (``warm_up`` builds them ahead of the first caregiver).

The rooms, from the top down:

- ``bot.turn``: what one message means for the conversation (``take_turn``, ``ask_turn``, ``conclude``,
  and ``route`` for the NLU component). The one place a turn is decided.
- ``bot.case``: the case record (a JSON-serialisable dict in one slot) and its contract views.
- ``bot.questions``: what to ask next and how to word it.
- ``bot.replies``: replies as chat messages ``{"text", "buttons"}``, all texts from the knowledge base.
- ``bot.assessment``: a case or one free text -> pain type, triage, reasons, sources (``assess`` is the
  CLI's ``python -m bot assess``).
- ``bot.diary``: the pain diary's entries and what it says read back; ``bot.severity`` (0-10 from the
  caregiver's words) and ``bot.when`` (their date words).
- reading a message, once: ``bot.extract`` (``read_text``: the rules' reading and the second reader's opinion,
  ``bot.reading_model``), built from ``bot.reading`` (the reading object), ``bot.matching`` (the matchers),
  ``bot.scope`` (clauses and status cues), ``bot.signs`` (each sign with its status) and ``bot.signals``
  (conversational signals and topic answers).
- ``bot.classify`` (pain types), ``bot.triage`` (the four levels),
  ``bot.explain`` (caregiver texts), ``bot.knowledge_base`` (loading and checking the YAML).

Contract values (docs/interface.md) live in bot.knowledge_base: CONDITIONS, RED_FLAGS, WARNING_SIGNS,
TRIAGE_VALUES, PAIN_TYPES, TOPICS.
"""
from . import diary
from .assessment import Assessment, assess, assess_case
from .case import (
    as_case,
    case_condition,
    case_red_flags,
    case_warning_signs,
    needs_escalation,
    new_case,
    read_message,
    topic_summaries,
    topics_answered,
)
from .extract import read_text
from .knowledge_base import (
    CONDITIONS,
    PAIN_TYPES,
    RED_FLAGS,
    TOPICS,
    TRIAGE_VALUES,
    WARNING_SIGNS,
    KnowledgeError,
    knowledge,
    load_knowledge,
)
from .questions import next_topic
from .turn import READING_KEY, Route, Turn, ask_turn, conclude, diary_said, reusable_reading, route, take_turn


def warm_up() -> None:
    """Load the knowledge base and build the matchers now, so the first caregiver does not wait."""
    read_text("warm up")


__all__ = [
    "CONDITIONS", "PAIN_TYPES", "READING_KEY", "RED_FLAGS", "TOPICS", "TRIAGE_VALUES", "WARNING_SIGNS",
    "Assessment", "KnowledgeError", "Route", "Turn", "as_case", "ask_turn", "assess", "assess_case",
    "case_condition", "case_red_flags", "case_warning_signs", "conclude", "diary", "diary_said", "knowledge",
    "load_knowledge",
    "needs_escalation", "new_case", "next_topic", "read_message", "read_text", "reusable_reading", "route",
    "take_turn", "topic_summaries", "topics_answered", "warm_up",
]
