"""Conversational signals and topic answers: crisis, dose questions, severity words, a bare yes / no / not
sure, a question, a follow-up about the assessment, "I don't understand", a request to start over or
delete, what a reply to "does anything ease it?" says, and whether a reply is plain language."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Dict, List, Optional

from .matching import Pipeline, find_spans, longest_first
from .reading import Extraction
from .scope import Scope

ANSWER_FILLERS = {"i", "we", "um", "umm", "uh", "erm", "er", "hmm", "well", "honestly", "oh", "so", "sorry", "really",
                  "just", "am", "'m", "m", "im", "genuinely", "truly", "actually",
                  # r9: "what?? no. sorry, no", "Pt NAD.", "ok so no"
                  "what", "huh", "eh", "pt", "client", "patient", "ok", "okay",
                  # r10: "mm no", "err... no?"
                  "err", "errr", "mm", "mmm", "hm", "hmmm"}


def read_signals(doc, pipe: Pipeline, scope: Scope, neg_window: int, result: Extraction) -> None:
    spans = find_spans(pipe.signals, doc, pipe.nlp)
    answer_kinds = {"answer_yes", "answer_no", "uncertain"}
    answers = longest_first([s for s in spans if s.id in answer_kinds])
    # a crisis phrase in words that say something else ("wants to die at home when the time comes", "denies thoughts
    # of self harm", r11: "easier if he didn't wake up so early") is not a crisis
    not_crisis = [s for s in spans if s.id == "not_crisis"]
    others = [s for s in spans if s.id not in answer_kinds and s.id != "not_crisis" and not (
        s.id == "crisis" and any(n.start < s.end and s.start < n.end for n in not_crisis))]
    signals: Dict[str, List[str]] = {}
    if not_crisis:  # kept: the second reader does not overrule what the rules read as something else
        signals["not_crisis"] = [doc[s.start: s.end].text for s in not_crisis]
    for name in {s.id for s in others}:
        for span in longest_first([s for s in others if s.id == name]):
            # crisis words are cleared only by a denial right before them ("not suicidal"), never by
            # a "no" further off ("no one would care if I killed myself")
            window = 1 if name == "crisis" else neg_window
            if name in ("severity", "crisis", "prescription_review") and scope.negated(span.start, span.end, window):
                if name == "crisis":
                    signals.setdefault("not_crisis", []).append(doc[span.start: span.end].text)
                continue
            signals.setdefault(name, []).append(doc[span.start: span.end].text)
    for span in answers:
        if span.id == "uncertain":
            signals.setdefault("uncertain", []).append(doc[span.start: span.end].text)
    first_word = next((t.i for t in doc if not (t.is_punct or t.is_space)), None)
    answer_start = first_word
    # "I don't know", "well, no", "um not sure": skip a leading filler word
    while answer_start is not None and answer_start < len(doc) and (
            doc[answer_start].norm_ in ANSWER_FILLERS or doc[answer_start].is_punct or doc[answer_start].is_space):
        answer_start += 1
    for span in answers:
        if span.start in (first_word, answer_start):
            result.answer = {"answer_yes": "yes", "answer_no": "no", "uncertain": "uncertain"}[span.id]
            break
    later = _no_said_later(doc, answers, answer_start)
    if later and result.answer is None:
        signals["no_later"] = [later]
    starts = {first_word} | {t.i + 1 for t in doc if t.is_punct}  # the message's and each clause's first word
    if "question" in signals:
        first_q = first_word is not None and any(
            s.id == "question" and s.start == first_word for s in others) and not _opens_a_clause(doc, first_word)
        result.is_question = first_q or any(t.text == "?" for t in doc)
        result.asks_in_words = first_q or any(
            s.id == "question" and s.start in starts and not _opens_a_clause(doc, s.start) for s in others)
        del signals["question"]
    mention = signals.pop("dose_mention", None)
    if mention and not signals.get("dose_question"):
        # "is 20mg too much", "she's on 10 mg, can we go to 20": a strength in a question is a
        # dose question; "she takes 10mg of baclofen" is not. A question word opening the
        # message or any clause counts, as does a "?".
        asks = result.is_question or any(s.id == "question" and s.start in starts for s in others)
        if asks:
            signals["dose_question"] = mention
    result.signals = signals
    lowered = doc.text.lower().strip()
    dialogue = pipe.kb.policy["dialogue"]
    asks_about = [kind for kind, patterns in dialogue["follow_up_questions"].items()
                  if any(_pattern(p).search(lowered) for p in patterns)]
    if asks_about:
        signals["follow_up"] = asks_about
    if any(_pattern(p).search(lowered) for p in dialogue["not_understood"]):
        signals["not_understood"] = [lowered[:40]]
    wipes = [name for name, patterns in dialogue["wipe_words"].items()
             if any(_pattern(p).search(lowered) for p in patterns)]
    if wipes:
        signals["asks_to"] = wipes
    relief = _relief_said(lowered, dialogue["relief_words"])
    if relief:
        signals["relief"] = [relief]
    if _NO_FIRST.match(lowered):
        signals["no_first"] = [lowered[:20]]
    # an answer may open with "when" or "where" ("when we sit him up"); a question shows itself with a "?"
    # or an asking word first ("why does it...", "can she...")
    # (r12: a "?" with no question word doubts the carer's own answer, "er, low? she says low", "MS? i think")
    asking = ("?" in doc.text and result.asks_in_words) or (
        first_word is not None and doc[first_word].lower_ in _ASKING_WORDS)
    # (a word the rules use counts: "hoisting", "2 weeks", "lower" are answers, "asdfgh" is not)
    result.plain = not asking and (
        any(t.lower_ in _stop_words() or t.norm_ in _stop_words() or (t.is_alpha and t.norm_ in pipe.vocab_words)
            or _CARE_NOTE_SPAN.fullmatch(t.text) for t in doc)
        or bool(result.features or result.condition or result.red_flags or result.warning_signs or result.answer))


def _no_said_later(doc, answers, answer_start: Optional[int]) -> Optional[str]:
    """A "no" to the whole question said after other words (r10: "I've checked, none of those", "mm no", "legs same,
    not hot, so no"): a "no" of several words opening a clause, or a "no" standing alone at the end ("..., so no";
    not "stairs are a no"). Not when a "yes" or an unsure word is said too. The red-flag screen reads it as its
    answer (bot.case)."""
    later = [s for s in answers if s.id == "answer_no" and s.start != answer_start]
    if not later or any(s.id in ("answer_yes", "uncertain") for s in answers):
        return None
    last = max((t.i for t in doc if not (t.is_punct or t.is_space)), default=None)
    for span in later:
        before = span.start - 1
        while before >= 0 and (doc[before].norm_ in ANSWER_FILLERS or doc[before].lower_ in _CLAUSE_JOINS):
            before -= 1
        opens_clause = before < 0 or doc[before].is_punct
        ends = span.end - 1 == last and not any(t.text == "?" for t in doc[span.end:])
        if opens_clause and (ends or span.end - span.start > 1):
            return doc[span.start: span.end].text
    return None


def _opens_a_clause(doc, first: int) -> bool:
    """r10: "when we turn him it's better", "where the strap sits": a "when" or "where" followed by who does what
    opens a clause of an answer, not a question ("when will it ease", "where should we go" ask)."""
    return doc[first].lower_ in ("when", "where", "whenever", "wherever") and first + 1 < len(doc) and \
        doc[first + 1].lower_ in _CLAUSE_SUBJECTS


_CLAUSE_SUBJECTS = frozenset({"we", "he", "she", "they", "i", "you", "it", "the", "his", "her", "my", "their", "our",
                              "its", "it's", "hes", "shes", "theyre", "carers", "mum", "dad"})


_CLAUSE_JOINS = frozenset({"but", "and", "so", "though", "tho", "otherwise", "apart", "else", "anyway"})


@lru_cache(maxsize=None)
def _pattern(pattern: str) -> "re.Pattern[str]":
    return re.compile(pattern)


def _relief_said(lowered: str, words: Dict[str, List[str]]) -> Optional[str]:
    """"propping her up eases it", "rolling him onto his side helps" -> "yes"; "not much", "nothing really"
    -> "no": what a reply to "does anything ease it?" says when the rules name no particular relief."""
    if _pattern(r"\b(" + "|".join(words["no"]) + r")\b").search(lowered):
        return "no"
    if _pattern(r"\b(" + "|".join(words["yes"]) + r")\b").search(lowered):
        return "yes"
    return None


# A reply that opens with a "no" standing alone ("no, his chest is fine", "no. breathing fine, no fever"): the
# answer to the whole question, whatever it then names (not "no fever", where "no" belongs to the sign).
_NO_FIRST = re.compile(r"^\W*(no|nope|nah|none|not really|not that i know of|not as far as i know)\b\s*"
                       r"([,.!;:\-]|$|(he|she|they|his|her|their|it|its|it's|i|we|all|nothing|none|thank|thanks)\b)")


# r14: a care note's span of days, weeks or months ("2/52" is two weeks, "3/12" three months, "5/7" five days)
_CARE_NOTE_SPAN = re.compile(r"\d{1,2}/(7|52|12)")
_ASKING_WORDS = frozenset({"why", "what", "how", "which", "who", "should", "can", "could", "is", "are", "does", "do",
                           "will", "would", "shall", "may", "might", "am"})


@lru_cache(maxsize=1)
def _stop_words() -> frozenset:
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS)
