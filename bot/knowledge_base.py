"""Load and check the clinical knowledge base (bot/knowledge/*.yml).

The YAML files are the single home of every clinical statement the bot makes. This module
reads them once, checks them with plain Python (required fields, known ids, every clinical
entry sourced, no doses, medication only with care-team framing, patterns that expand) and
returns a read-only ``KnowledgeBase``. Any problem raises ``KnowledgeError`` naming the file
and the entry, so a broken or unsourced entry stops the bot at start-up instead of slipping
into a conversation.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Iterable, List, Mapping

import yaml

from .patterns import PatternError, parse

KNOWLEDGE_DIR = Path(__file__).resolve().parent / "knowledge"

# Contract values (docs/interface.md, from ../shared/contract.md). Fixed strings: the KB must use exactly these.
CONDITIONS = ("als", "ms")
UNKNOWN_CONDITION = "unknown"  # policy.yml rules for a caregiver who has not named the condition
RED_FLAGS = ("bladder_bowel", "leg_weakness", "leg_numbness", "saddle_numbness", "injury", "fever", "breathing",
             "chest_pain", "both_legs", "sexual_function", "confusion")
WARNING_SIGNS = ("infection", "pressure_ulcer", "cancer_history", "weight_loss", "night_pain", "back_lump",
                 "immunosuppression", "minor_fall", "thoracic_pain", "straining_pain", "fracture_risk", "spinal_device",
                 "breathing_change", "possible_red_flag")
# possible_red_flag is not read from text: it is what a red flag the caregiver is unsure about becomes.
READ_WARNING_SIGNS = WARNING_SIGNS[:-1]
TRIAGE_VALUES = ("seek_care_now", "contact_care_team_today", "contact_care_team", "self_care")
PAIN_TYPES = ("neuropathic", "lhermitte", "spasticity", "musculoskeletal", "immobility", "unclear")
TOPICS = ("condition", "pain_location", "pain_feel", "pain_trigger", "pain_relief", "pain_timing", "mobility",
          "red_flag_screen")
FEATURE_TOPICS = TOPICS[1:7]

# Names of the triage checks implemented in bot/triage.py (policy.yml refers to them).
TRIAGE_RULES = {
    "seek_care_now": ("red_flag_reported", "red_flag_screen_yes"),
    "contact_care_team_today": ("warning_sign_reported", "red_flag_unresolved", "red_flag_screen_unsure"),
    "contact_care_team": ("pain_type_unclear", "condition_unknown", "new_or_worsening_neuro", "first_lhermitte",
                          "severe_or_uncontrolled", "prescription_review", "new_or_worsening_pain",
                          "not_a_known_stable_pattern"),
    "self_care": ("otherwise",),
}
MANAGEMENT_KINDS = ("non_drug", "device", "adaptation", "referral", "medication_class")
SIGNALS = ("crisis", "dose_question", "uncertain", "answer_yes", "answer_no", "severity", "prescription_review",
           "question")

# A dose is a number with a unit. The bot never states one.
DOSE_PATTERN = re.compile(r"\d+(?:[.,]\d+)?\s*(?:mg|mcg|µg|ug|g|ml|mls|milligrams?|micrograms?|grams?|millilitres?|"
                          r"milliliters?|tablets?|pills?|capsules?|units?|iu)\b", re.I)
# Medicines the seed articles name. They may appear only as things to ask the care team about.
MEDICATION_NAMES = ("baclofen", "tizanidine", "gabapentin", "acetaminophen", "paracetamol", "ibuprofen", "naproxen",
                    "riluzole", "edaravone", "nsaid")
CARE_TEAM_FRAMING = re.compile(r"\b(ask|asking|check with|talk (?:to|with))\b.*"
                               r"\b(care team|prescriber|pharmacist|doctor|ms team)\b"
                               r"|\b(care team|prescriber|pharmacist|doctor)\b", re.I | re.S)

FILES = ("sources", "conditions", "language", "features", "red_flags", "warning_signs", "pain_types", "management",
         "policy", "answers", "messages")


class KnowledgeError(ValueError):
    """The knowledge base is broken: the message names the file and the entry."""

    def __init__(self, file: str, entry: str, problem: str):
        self.file, self.entry, self.problem = file, entry, problem
        super().__init__(f"{file}: entry '{entry}': {problem}")


@dataclass(frozen=True)
class KnowledgeBase:
    directory: Path
    sources: Dict[str, Dict[str, Any]]
    conditions: Dict[str, Dict[str, Any]]
    language: Dict[str, Any]
    features: Dict[str, Dict[str, Any]]
    red_flags: Dict[str, Dict[str, Any]]
    warning_signs: Dict[str, Dict[str, Any]]
    pain_types: Dict[str, Dict[str, Any]]
    management: Dict[str, Dict[str, Any]]
    policy: Dict[str, Any]
    answers: Dict[str, Dict[str, Any]]
    messages: Dict[str, Any]

    @property
    def macros(self) -> Dict[str, str]:
        return self.language.get("macros", {})

    def cite(self, source_ids: Iterable[str]) -> List[Dict[str, str]]:
        """Source ids -> [{"id", "title", "kind"}], de-duplicated, in order."""
        out, seen = [], set()
        for sid in source_ids:
            if sid not in seen:
                seen.add(sid)
                src = self.sources[sid]
                out.append({"id": sid, "title": src["title"], "kind": src["kind"]})
        return out


# ---------------------------------------------------------------- loading

def _read_yaml(directory: Path, name: str) -> Dict[str, Any]:
    path = directory / f"{name}.yml"
    file = path.name
    if not path.is_file():
        raise KnowledgeError(file, "(file)", "file is missing")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise KnowledgeError(file, "(file)", f"not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise KnowledgeError(file, "(file)", "top level must be a mapping")
    return data


def _section(data: Mapping[str, Any], file: str, key: str) -> Dict[str, Any]:
    value = data.get(key)
    if not isinstance(value, dict) or not value:
        raise KnowledgeError(file, key, f"missing or empty top-level section '{key}'")
    return value


class _Checker:
    """Small helpers that raise KnowledgeError with file + entry filled in."""

    def __init__(self, source_ids: Iterable[str], macros: Dict[str, str]):
        self.source_ids = set(source_ids)
        self.macros = macros

    def mapping(self, file: str, entry: str, value: Any) -> Dict[str, Any]:
        if not isinstance(value, dict):
            raise KnowledgeError(file, entry, "must be a mapping of fields")
        return value

    def text(self, file: str, entry: str, value: Any, field: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise KnowledgeError(file, entry, f"field '{field}' must be non-empty text")
        if DOSE_PATTERN.search(value):
            dose = DOSE_PATTERN.search(value).group(0)
            raise KnowledgeError(file, entry, f"field '{field}' states a dose ({dose!r}); never state doses")
        return value

    def sources(self, file: str, entry: str, fields: Mapping[str, Any]) -> List[str]:
        srcs = fields.get("sources")
        if not isinstance(srcs, list) or not srcs:
            raise KnowledgeError(file, entry, "unsourced: needs a non-empty 'sources' list "
                                              "(seed id or public guidance id from sources.yml)")
        for sid in srcs:
            if sid not in self.source_ids:
                raise KnowledgeError(file, entry, f"unknown source '{sid}' (not in sources.yml)")
        return srcs

    def sourced(self, file: str, entry: str, fields: Mapping[str, Any]) -> List[str]:
        """A clinical statement: its sources, and the sentence it rests on (quote: {source id: sentence or
        [sentences]}). tests/bot/test_provenance.py checks each seed quote against the seed file."""
        srcs = self.sources(file, entry, fields)
        quote = fields.get("quote")
        if not isinstance(quote, dict) or not quote:
            raise KnowledgeError(file, entry, "needs 'quote': {source id: the sentence it rests on}")
        for sid, sentences in quote.items():
            if sid not in srcs:
                raise KnowledgeError(file, entry, f"quote from '{sid}', which is not in its sources")
            for sentence in sentences if isinstance(sentences, list) else [sentences]:
                if not isinstance(sentence, str) or not sentence.strip():
                    raise KnowledgeError(file, entry, f"quote from '{sid}' must be non-empty text (or a list of them)")
        return srcs

    def patterns(self, file: str, entry: str, value: Any, field: str, allow_empty: bool = False) -> List[str]:
        if value is None and allow_empty:
            return []
        if not isinstance(value, list) or (not value and not allow_empty):
            raise KnowledgeError(file, entry, f"field '{field}' must be a list of phrases")
        for pattern in value:
            try:
                elements = parse(pattern, self.macros)
                if not any(e[0] == "words" or (e[0] == "group" and not e[2]) for e in elements):
                    raise PatternError(f"pattern {pattern!r} has no required word")
            except PatternError as exc:
                raise KnowledgeError(file, entry, f"bad phrase in '{field}': {exc}") from exc
        return value

    def known(self, file: str, entry: str, value: Any, allowed: Iterable[str], what: str) -> None:
        allowed = set(allowed)
        values = value if isinstance(value, list) else [value]
        for v in values:
            if v not in allowed:
                raise KnowledgeError(file, entry, f"unknown {what} '{v}' (allowed: {', '.join(sorted(allowed))})")


def load_knowledge(directory: Path | str | None = None) -> KnowledgeBase:
    """Read and check every knowledge file. Raises KnowledgeError on any problem."""
    directory = Path(directory) if directory else KNOWLEDGE_DIR
    raw = {name: _read_yaml(directory, name) for name in FILES}
    sources = _check_sources(raw["sources"])
    language = raw["language"]
    check = _Checker(sources, language.get("macros") or {})
    _check_language(check, language)
    features = _check_features(check, raw["features"])
    conditions = _check_conditions(check, raw["conditions"], features)
    red_flags = _check_signs(check, raw["red_flags"], "red_flags.yml", "red_flags", RED_FLAGS)
    warning_signs = _check_signs(check, raw["warning_signs"], "warning_signs.yml", "warning_signs", READ_WARNING_SIGNS)
    management = _check_management(check, raw["management"])
    pain_types = _check_pain_types(check, raw["pain_types"], features, management)
    policy = _check_policy(check, raw["policy"])
    answers = _check_answers(check, raw["answers"])
    messages = _check_messages(check, raw["messages"])
    return KnowledgeBase(directory=directory, sources=sources, conditions=conditions, language=language,
                         features=features, red_flags=red_flags, warning_signs=warning_signs, pain_types=pain_types,
                         management=management, policy=policy, answers=answers, messages=messages)


def _check_sources(data: Mapping[str, Any]) -> Dict[str, Any]:
    sources = _section(data, "sources.yml", "sources")
    for sid, src in sources.items():
        if not isinstance(src, dict):
            raise KnowledgeError("sources.yml", sid, "must be a mapping")
        if src.get("kind") not in ("seed", "public_guidance"):
            raise KnowledgeError("sources.yml", sid, "kind must be 'seed' or 'public_guidance'")
        if not isinstance(src.get("title"), str) or not src["title"].strip():
            raise KnowledgeError("sources.yml", sid, "needs a title")
        if src["kind"] == "seed" and not src.get("file"):
            raise KnowledgeError("sources.yml", sid, "a seed source needs its file name")
        if src["kind"] == "public_guidance" and not src.get("url"):
            raise KnowledgeError("sources.yml", sid, "public guidance needs the url it was read at")
    return sources


def _check_language(check: "_Checker", language: Dict[str, Any]) -> None:
    """Rules, not claims: no sources, but every phrase must expand."""
    f = "language.yml"
    for key in ("clause_breaks", "negation_pre", "negation_post", "pseudo_negation", "uncertainty_pre", "long_standing",
                "onset_unknown", "resolved", "no_harm", "conditional", "acute_strong", "acute_worsening", "blockers",
                "reporting_frames", "recent"):
        check.patterns(f, key, language.get(key), key)
    signals = check.mapping(f, "signals", language.get("signals"))
    for name in SIGNALS:
        check.patterns(f, f"signals.{name}", signals.get(name), name)
    for key in ("clause_joiners", "clause_starters", "typo_targets", "newness_words", "phrase_fillers"):
        if not isinstance(language.get(key), list):
            raise KnowledgeError(f, key, "must be a list")


def _check_features(check: "_Checker", data: Mapping[str, Any]) -> Dict[str, Any]:
    f = "features.yml"
    features = _section(data, f, "features")
    for fid, feat in features.items():
        check.mapping(f, fid, feat)
        check.known(f, fid, feat.get("topic"), FEATURE_TOPICS, "topic")
        check.text(f, fid, feat.get("label"), "label")
        check.sourced(f, fid, feat)
        check.patterns(f, fid, feat.get("phrases"), "phrases")
        if "if_negated" in feat:
            check.known(f, fid, feat["if_negated"], features, "feature in if_negated")
    return features


def _check_conditions(check: "_Checker", data: Mapping[str, Any], features: Mapping[str, Any]) -> Dict[str, Any]:
    f = "conditions.yml"
    conditions = _section(data, f, "conditions")
    if set(conditions) != set(CONDITIONS):
        raise KnowledgeError(f, "conditions", f"must define exactly {CONDITIONS}")
    for cid, cond in conditions.items():
        check.mapping(f, cid, cond)
        check.sources(f, cid, cond)
        for field in ("name", "long_name"):
            check.text(f, cid, cond.get(field), field)
        check.patterns(f, cid, cond.get("aliases"), "aliases")
        unexplained = cond.get("unexplained_features") or {}
        check.known(f, cid, list(unexplained), features, "feature in unexplained_features")
        if unexplained:
            reason = check.mapping(f, f"{cid}.unexplained_reason", cond.get("unexplained_reason"))
            check.text(f, f"{cid}.unexplained_reason", reason.get("text"), "text")
            check.sourced(f, f"{cid}.unexplained_reason", reason)
    return conditions


def _check_signs(check: "_Checker", data: Mapping[str, Any], f: str, key: str,
                 expected: Iterable[str]) -> Dict[str, Any]:
    """red_flags.yml and warning_signs.yml share one shape: sourced, quoted, asked about, read from phrases."""
    signs = _section(data, f, key)
    if set(signs) != set(expected):
        raise KnowledgeError(f, key, f"must define exactly the contract values {tuple(expected)}")
    for sid, sign in signs.items():
        check.mapping(f, sid, sign)
        for field in ("plain", "check_question", "watch_for") + (("named",) if key == "red_flags" else ()):
            check.text(f, sid, sign.get(field), field)
        check.sourced(f, sid, sign)
        check.patterns(f, sid, sign.get("phrases"), "phrases")
        # acute: an event by itself; state: present only with a new/sudden cue, else onset unknown;
        # ask: always asked about (never escalated on its own); screen: only as an answer to the screen;
        # vague: an idiom of a change, asked about even with a time word ("not himself since yesterday")
        for field in ("acute_phrases", "state_phrases", "ask_phrases", "screen_phrases", "change_phrases",
                      "vague_phrases"):
            check.patterns(f, sid, sign.get(field), field, allow_empty=True)
        note = check.mapping(f, f"{sid}.note", sign.get("note") or {})
        check.known(f, f"{sid}.note", list(note), CONDITIONS, "condition")
        for cid, text in note.items():
            check.text(f, f"{sid}.note.{cid}", text, "note")
        check.known(f, f"{sid}.conditions", list(sign.get("conditions") or []), CONDITIONS, "condition")
        if sign.get("needs_words") is not None:
            try:
                re.compile(sign["needs_words"])
            except (re.error, TypeError) as error:
                raise KnowledgeError(f, sid, f"needs_words is not a pattern: {error}") from error
        for field in ("look_alike_features", "look_alike_words"):
            values = sign.get(field, [])
            if not (isinstance(values, list) and all(isinstance(x, str) and x == x.lower() for x in values)):
                raise KnowledgeError(f, sid, f"{field} must be a list of lower-case ids or words")
        knocks = sign.get("knock_words", [])
        if not (isinstance(knocks, list) and all(isinstance(w, str) and w == w.lower() for w in knocks)):
            raise KnowledgeError(f, sid, "knock_words must be a list of lower-case words")
        for flag in ("needs_sudden_cue", "needs_worsening_cue", "conditional_is_trigger", "can_resolve",
                     "history_counts", "needs_new_pain"):
            if not isinstance(sign.get(flag, False), bool):
                raise KnowledgeError(f, sid, f"{flag} must be true or false")
    return signs


def _check_management(check: "_Checker", data: Mapping[str, Any]) -> Dict[str, Any]:
    f = "management.yml"
    management = _section(data, f, "management")
    for mid, opt in management.items():
        check.mapping(f, mid, opt)
        check.known(f, mid, opt.get("kind"), MANAGEMENT_KINDS, "kind")
        text = check.text(f, mid, opt.get("text"), "text")
        check.sourced(f, mid, opt)
        check.known(f, mid, opt.get("conditions") or [], CONDITIONS, "condition")
        names_medicine = any(re.search(rf"\b{name}", text, re.I) for name in MEDICATION_NAMES)
        if opt["kind"] == "medication_class" or names_medicine:
            if not re.search(r"\bask\b", text, re.I) or not CARE_TEAM_FRAMING.search(text):
                raise KnowledgeError(f, mid, "medicines may only be named as something to ASK the care team / "
                                             "prescriber / pharmacist about")
    return management


def _check_pain_types(check: "_Checker", data: Mapping[str, Any], features: Mapping[str, Any],
                      management: Mapping[str, Any]) -> Dict[str, Any]:
    f = "pain_types.yml"
    pain_types = _section(data, f, "pain_types")
    if set(pain_types) != set(PAIN_TYPES):
        raise KnowledgeError(f, "pain_types", f"must define exactly the contract pain types {PAIN_TYPES}")
    for pid, ptype in pain_types.items():
        check.mapping(f, pid, ptype)
        check.text(f, pid, ptype.get("label"), "label")
        check.text(f, pid, ptype.get("picture"), "picture")
        check.sourced(f, pid, ptype)
        check.known(f, pid, ptype.get("applies_to") or [], CONDITIONS, "condition in applies_to")
        weights = ptype.get("weights") or {}
        check.known(f, pid, list(weights), features, "feature in weights")
        for fid, w in weights.items():
            if not isinstance(w, (int, float)) or w < 0:
                raise KnowledgeError(f, f"{pid}.weights.{fid}", "weight must be a number >= 0")
        why = check.mapping(f, f"{pid}.why", ptype.get("why"))
        for cid, reason in why.items():
            check.known(f, f"{pid}.why", cid, CONDITIONS, "condition")
            check.text(f, f"{pid}.why.{cid}", (reason or {}).get("text"), "text")
            check.sourced(f, f"{pid}.why.{cid}", reason)
        check.known(f, pid, ptype.get("helps") or [], management, "management option in helps")
    return pain_types


def _check_policy(check: "_Checker", policy: Dict[str, Any]) -> Dict[str, Any]:
    f = "policy.yml"
    triage = _section(policy, f, "triage")
    for level, rules in triage.items():
        check.known(f, "triage", level, TRIAGE_VALUES, "triage level")
        if not isinstance(rules, list) or not rules:
            raise KnowledgeError(f, f"triage.{level}", "needs a list of rules")
        for rule in rules:
            name = (rule or {}).get("rule")
            check.known(f, f"triage.{level}", name, TRIAGE_RULES[level], "rule")
            check.text(f, f"triage.{level}.{name}", rule.get("reason"), "reason")
            check.sourced(f, f"triage.{level}.{name}", rule)
            check.known(f, f"triage.{level}.{name}", rule.get("conditions") or [], CONDITIONS + (UNKNOWN_CONDITION,),
                        "condition")
    if not any(r.get("rule") == "otherwise" for r in triage.get("self_care") or []):
        raise KnowledgeError(f, "triage.self_care", "needs the final 'otherwise' rule")
    for key in ("classification", "dialogue"):
        _section(policy, f, key)
    check.known(f, "dialogue.assessment_topics", policy["dialogue"].get("assessment_topics") or [], FEATURE_TOPICS,
                "topic")
    return policy


def _check_answers(check: "_Checker", data: Mapping[str, Any]) -> Dict[str, Any]:
    f = "answers.yml"
    answers = _section(data, f, "answers")
    for aid, ans in answers.items():
        check.mapping(f, aid, ans)
        check.text(f, aid, ans.get("text"), "text")
        check.sourced(f, aid, ans)
        check.known(f, aid, ans.get("topic"), TOPICS, "topic")
        match = ans.get("match")
        if not isinstance(match, list) or not match or not all(
                isinstance(alt, list) and alt and all(isinstance(g, list) and g for g in alt) for alt in match):
            raise KnowledgeError(f, aid, "match must be a list of alternatives, each a list of keyword groups")
    return answers


def _check_messages(check: "_Checker", messages: Dict[str, Any]) -> Dict[str, Any]:
    f = "messages.yml"
    for key in ("escalation", "same_day", "crisis", "dose", "why_ask", "assessment", "summary"):
        section = _section(messages, f, key)
        if key != "summary":
            check.sources(f, key, section)
        for field, value in section.items():
            if isinstance(value, str):
                check.text(f, f"{key}.{field}", value, field)
            elif isinstance(value, list) and field.endswith("buttons"):
                for button in value:
                    if not (isinstance(button, dict) and button.get("title") and button.get("payload")):
                        raise KnowledgeError(f, f"{key}.{field}", "each button needs a title and a payload")
            elif isinstance(value, list) and field != "sources":
                for item in value:
                    check.text(f, f"{key}.{field}", item, field)
    for who, step in _section(messages, f, "while_you_wait").items():  # after an emergency: each step quoted
        check.known(f, f"while_you_wait.{who}", who, ("everyone",) + CONDITIONS, "condition")
        check.sourced(f, f"while_you_wait.{who}", check.mapping(f, f"while_you_wait.{who}", step))
        check.text(f, f"while_you_wait.{who}", step.get("text"), "text")
    for topic in TOPICS:
        check.text(f, f"why_ask.{topic}", messages["why_ask"].get(topic), topic)
    for field in ("why_no_question", "no_answer", "didnt_follow", "noted_still_asking", "nothing_to_summarise",
                  "trouble", "trouble_safety"):
        check.text(f, f"chat.{field}", _section(messages, f, "chat").get(field), field)
    questions = _section(messages, f, "questions")
    for topic in TOPICS:
        question = check.mapping(f, f"questions.{topic}", questions.get(topic))
        check.text(f, f"questions.{topic}", question.get("text"), "text")
        for button in question.get("buttons") or []:
            if not (isinstance(button, dict) and button.get("title") and button.get("payload")):
                raise KnowledgeError(f, f"questions.{topic}", "each button needs a title and a payload")
    return messages


@lru_cache(maxsize=1)
def knowledge() -> KnowledgeBase:
    """The packaged knowledge base, loaded and checked once per process."""
    return load_knowledge(KNOWLEDGE_DIR)
