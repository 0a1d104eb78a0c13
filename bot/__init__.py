"""Backline clinical core: back pain in ALS and MS, explained for caregivers.

Pure Python on top of a readable, sourced knowledge base (bot/knowledge/*.yml). No Rasa, no
network, no statistical model: spaCy's blank English tokenizer with rule-based matchers.
Importing ``bot`` is cheap; the spaCy pipeline is built once, lazily, on first use.

Public API
----------
Conversation (a *case* is a JSON-serialisable dict; functions never mutate their input):

``new_case() -> dict``
    An empty case record.
``read_message(case: dict | None, text: str, asked_topic: str | None = None) -> dict``
    The NEW case with everything ``text`` says merged in (condition, pain features, red flags
    from any message). ``asked_topic`` is the question topic being answered (the form's
    ``requested_slot``) so bare answers are read in context ("yes", "no", "not sure", button
    words such as "ALS", "MS", "walks unaided", "cane or walker", "wheelchair", "mostly in
    bed", "none of these"). Keys of interest: ``condition`` ("als"/"ms"/None), ``red_flags``
    (contract ids), ``red_flag_screen`` (None/"clear"/"unsure"/"present"), ``asked``,
    ``features``, and ``last`` = what THIS message needs reacting to:
    ``{"crisis": bool, "crisis_said": [...], "dose_question": bool, "is_question": bool,
    "new_red_flags": [...], "answer": "yes"|"no"|"uncertain"|None, "topics_found": [...]}``.
``topics_answered(case) -> list[str]``
    Question topics already answered (contract topic names).
``next_topic(case) -> str | None``
    The topic to ask next; None = ready to assess, or escalation needed.
``needs_escalation(case) -> bool``
    True when a red flag was reported or the red-flag screen was answered "yes".
``assess_case(case, single_text=False) -> Assessment``
    Dataclass with condition, red_flags, triage, pain_type, ranked ([{pain_type, score}]),
    confidence (0-1), confidence_label, evidence ([{finding, said, points_to, weight}]),
    type_evidence, triage_reasons ([{rule, text, sources}]), unclear_reason, sources
    ([{id, title, kind}]), explanation (list of short messages). ``.to_dict()`` and
    ``.to_contract()`` give plain dicts.

Single text:

``assess(text: str) -> dict``
    The contract JSON for one free-text description: ``{"condition", "red_flags", "triage",
    "pain_type", "confidence", "confidence_label", "evidence", "explanation" (str),
    "messages" (list), "triage_reasons", "ranked", "sources"}``. Also ``python -m bot assess``.

Texts (all from the knowledge base):

``escalation_message(case) -> list[str]``, ``crisis_message() -> list[str]``,
``dose_answer() -> str``, ``why_ask(topic) -> str | None``,
``answer_question(text) -> {"id", "text", "sources", "topic"} | None``,
``care_team_summary(case, result=None) -> str`` (result = ``Assessment.to_dict()``).

Chat channels (bot.conversation): replies as ``{"text", "buttons"}`` dicts and the case as slot
values: ``question(topic, case)``, ``assessment_messages(case, assessment)``,
``escalation_messages(case)``, ``crisis_messages()``, ``dose_messages(case)``, ``why_we_ask(topic)``,
``knowledge_messages(text, case)``, ``summary_messages(case)``, ``topic_summaries(case)``,
``case_condition(case)``, ``case_red_flags(case)``, ``learned_anything(case)``, ``reported_now(case)``, ``missed_question_messages(case)``,
``screen_message(text)`` (the per-message safety reading used inside Rasa's NLU pipeline), ``warm_up()``.

Lower level: ``read_text(text, context_topic=None) -> Extraction`` (bot.extract),
``classify(present_features, condition) -> Classification`` (bot.classify),
``knowledge() -> KnowledgeBase`` / ``load_knowledge(dir)`` (bot.knowledge_base; raises
``KnowledgeError`` naming file and entry).

Contract values live in bot.knowledge_base: CONDITIONS, RED_FLAGS, TRIAGE_VALUES, PAIN_TYPES, TOPICS.
"""
from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "new_case": "dialogue", "read_message": "dialogue", "topics_answered": "dialogue", "next_topic": "dialogue",
    "needs_escalation": "dialogue",
    "assess_case": "assessment", "assess": "assessment", "Assessment": "assessment",
    "escalation_message": "explain", "crisis_message": "explain", "dose_answer": "explain", "why_ask": "explain",
    "answer_question": "explain", "care_team_summary": "explain",
    "read_text": "extract", "classify": "classify",
    # chat-facing shape of the same (bot.conversation): slot values and reply messages
    "warm_up": "conversation", "case_condition": "conversation", "case_red_flags": "conversation",
    "topic_summaries": "conversation", "learned_anything": "conversation", "reported_now": "conversation", "missed_question_messages": "conversation", "question": "conversation",
    "assessment_messages": "conversation", "escalation_messages": "conversation", "crisis_messages": "conversation",
    "dose_messages": "conversation", "why_we_ask": "conversation", "knowledge_messages": "conversation",
    "summary_messages": "conversation", "screen_message": "conversation",
    "knowledge": "knowledge_base", "load_knowledge": "knowledge_base", "KnowledgeError": "knowledge_base",
    "CONDITIONS": "knowledge_base", "RED_FLAGS": "knowledge_base", "TRIAGE_VALUES": "knowledge_base",
    "PAIN_TYPES": "knowledge_base", "TOPICS": "knowledge_base",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:  # lazy: `import bot` stays cheap until something is used
    if name in _EXPORTS:
        value = getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'bot' has no attribute {name!r}")
