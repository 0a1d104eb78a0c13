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

# Contract values (../shared/contract.md). Fixed strings: the KB must use exactly these.
CONDITIONS = ("als", "ms")
RED_FLAGS = ("bladder_bowel", "leg_weakness", "leg_numbness", "saddle_numbness", "injury", "fever", "breathing")
WARNING_SIGNS = ("infection", "pressure_ulcer", "cancer_history", "weight_loss", "night_pain", "back_lump",
                 "immunosuppression", "minor_fall", "possible_red_flag")
TRIAGE_VALUES = ("seek_care_now", "contact_care_team_today", "contact_care_team", "self_care")
PAIN_TYPES = ("neuropathic", "lhermitte", "spasticity", "musculoskeletal", "immobility", "unclear")
TOPICS = ("condition", "pain_location", "pain_feel", "pain_trigger", "pain_relief", "pain_timing", "mobility", "red_flag_screen")
FEATURE_TOPICS = TOPICS[1:7]

# Names of the triage checks implemented in bot/triage.py (policy.yml refers to them).
TRIAGE_RULES = {
    "seek_care_now": ("red_flag_reported", "red_flag_screen_yes"),
    "contact_care_team": ("red_flag_screen_unsure", "pain_type_unclear", "new_or_worsening_neuro", "first_lhermitte",
                          "severe_or_uncontrolled", "prescription_review", "new_or_worsening_pain"),
    "self_care": ("otherwise",),
}
MANAGEMENT_KINDS = ("non_drug", "device", "adaptation", "referral", "medication_class")
SIGNALS = ("crisis", "dose_question", "uncertain", "answer_yes", "answer_no", "severity", "prescription_review", "question")

# A dose is a number with a unit. The bot never states one.
DOSE_PATTERN = re.compile(r"\d+(?:[.,]\d+)?\s*(?:mg|mcg|µg|ug|g|ml|mls|milligrams?|micrograms?|grams?|millilitres?|milliliters?|tablets?|pills?|capsules?|units?|iu)\b", re.I)
# Medicines the seed articles name. They may appear only as things to ask the care team about.
MEDICATION_NAMES = ("baclofen", "tizanidine", "gabapentin", "acetaminophen", "paracetamol", "ibuprofen", "naproxen",
                    "riluzole", "edaravone", "nsaid")
CARE_TEAM_FRAMING = re.compile(r"\b(ask|asking|check with|talk (?:to|with))\b.*\b(care team|prescriber|pharmacist|doctor|ms team)\b|\b(care team|prescriber|pharmacist|doctor)\b", re.I | re.S)

FILES = ("sources", "conditions", "language", "features", "red_flags", "pain_types", "management", "policy", "answers", "messages")


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
    pain_types: Dict[str, Dict[str, Any]]
    management: Dict[str, Dict[str, Any]]
    policy: Dict[str, Any]
    answers: Dict[str, Dict[str, Any]]
    messages: Dict[str, Any]

    @property
    def macros(self) -> Dict[str, str]:
        return self.language.get("macros", {})

    def source_title(self, source_id: str) -> str:
        return self.sources[source_id]["title"]

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
            raise KnowledgeError(file, entry, f"field '{field}' states a dose ({DOSE_PATTERN.search(value).group(0)!r}); never state doses")
        return value

    def sources(self, file: str, entry: str, fields: Mapping[str, Any]) -> List[str]:
        srcs = fields.get("sources")
        if not isinstance(srcs, list) or not srcs:
            raise KnowledgeError(file, entry, "unsourced: needs a non-empty 'sources' list (seed id or public guidance id from sources.yml)")
        for sid in srcs:
            if sid not in self.source_ids:
                raise KnowledgeError(file, entry, f"unknown source '{sid}' (not in sources.yml)")
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

    # sources.yml
    sources = _section(raw["sources"], "sources.yml", "sources")
    for sid, src in sources.items():
        if not isinstance(src, dict):
            raise KnowledgeError("sources.yml", sid, "must be a mapping")
        if src.get("kind") not in ("seed", "public_guidance"):
            raise KnowledgeError("sources.yml", sid, "kind must be 'seed' or 'public_guidance'")
        if not isinstance(src.get("title"), str) or not src["title"].strip():
            raise KnowledgeError("sources.yml", sid, "needs a title")
        if src["kind"] == "seed" and not src.get("file"):
            raise KnowledgeError("sources.yml", sid, "a seed source needs its file name")

    language = raw["language"]
    macros = language.get("macros") or {}
    check = _Checker(sources, macros)

    # language.yml: rules, not claims -> no sources, but every phrase must expand.
    f = "language.yml"
    for key in ("clause_breaks", "negation_pre", "negation_post", "pseudo_negation", "uncertainty_pre", "long_standing",
                "acute_strong", "acute_worsening", "blockers"):
        check.patterns(f, key, language.get(key), key)
    signals = check.mapping(f, "signals", language.get("signals"))
    for name in SIGNALS:
        check.patterns(f, f"signals.{name}", signals.get(name), name)
    for key in ("clause_joiners", "clause_starters", "typo_targets"):
        if not isinstance(language.get(key), list):
            raise KnowledgeError(f, key, "must be a list")

    # conditions.yml
    f = "conditions.yml"
    conditions = _section(raw["conditions"], f, "conditions")
    if set(conditions) != set(CONDITIONS):
        raise KnowledgeError(f, "conditions", f"must define exactly {CONDITIONS}")

    # features.yml
    f = "features.yml"
    features = _section(raw["features"], f, "features")
    for fid, feat in features.items():
        check.mapping(f, fid, feat)
        check.known(f, fid, feat.get("topic"), FEATURE_TOPICS, "topic")
        check.text(f, fid, feat.get("label"), "label")
        check.sources(f, fid, feat)
        check.patterns(f, fid, feat.get("phrases"), "phrases")
        if "if_negated" in feat:
            check.known(f, fid, feat["if_negated"], features, "feature in if_negated")

    for cid, cond in conditions.items():
        check.mapping(f, cid, cond)
        check.sources("conditions.yml", cid, cond)
        for field in ("name", "long_name"):
            check.text("conditions.yml", cid, cond.get(field), field)
        check.patterns("conditions.yml", cid, cond.get("aliases"), "aliases")
        unexplained = cond.get("unexplained_features") or {}
        check.known("conditions.yml", cid, list(unexplained), features, "feature in unexplained_features")
        if unexplained:
            reason = check.mapping("conditions.yml", f"{cid}.unexplained_reason", cond.get("unexplained_reason"))
            check.text("conditions.yml", f"{cid}.unexplained_reason", reason.get("text"), "text")
            check.sources("conditions.yml", f"{cid}.unexplained_reason", reason)

    # red_flags.yml
    f = "red_flags.yml"
    red_flags = _section(raw["red_flags"], f, "red_flags")
    if set(red_flags) != set(RED_FLAGS):
        raise KnowledgeError(f, "red_flags", f"must define exactly the contract flags {RED_FLAGS}")
    for rid, flag in red_flags.items():
        check.mapping(f, rid, flag)
        check.text(f, rid, flag.get("plain"), "plain")
        check.sources(f, rid, flag)
        check.patterns(f, rid, flag.get("phrases"), "phrases")
        check.patterns(f, rid, flag.get("acute_phrases"), "acute_phrases", allow_empty=True)
        if "screen_phrases" in flag:  # only read as answers to the red-flag screen question
            check.patterns(f, rid, flag["screen_phrases"], "screen_phrases", allow_empty=True)
        if not isinstance(flag.get("needs_sudden_cue"), bool):
            raise KnowledgeError(f, rid, "needs_sudden_cue must be true or false")

    # management.yml
    f = "management.yml"
    management = _section(raw["management"], f, "management")
    for mid, opt in management.items():
        check.mapping(f, mid, opt)
        check.known(f, mid, opt.get("kind"), MANAGEMENT_KINDS, "kind")
        text = check.text(f, mid, opt.get("text"), "text")
        check.sources(f, mid, opt)
        check.known(f, mid, opt.get("conditions") or [], CONDITIONS, "condition")
        names_medicine = any(re.search(rf"\b{name}", text, re.I) for name in MEDICATION_NAMES)
        if opt["kind"] == "medication_class" or names_medicine:
            if not re.search(r"\bask\b", text, re.I) or not CARE_TEAM_FRAMING.search(text):
                raise KnowledgeError(f, mid, "medicines may only be named as something to ASK the care team / prescriber / pharmacist about")

    # pain_types.yml
    f = "pain_types.yml"
    pain_types = _section(raw["pain_types"], f, "pain_types")
    if set(pain_types) != set(PAIN_TYPES):
        raise KnowledgeError(f, "pain_types", f"must define exactly the contract pain types {PAIN_TYPES}")
    for pid, ptype in pain_types.items():
        check.mapping(f, pid, ptype)
        check.text(f, pid, ptype.get("label"), "label")
        check.text(f, pid, ptype.get("picture"), "picture")
        check.sources(f, pid, ptype)
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
            check.sources(f, f"{pid}.why.{cid}", reason)
        check.known(f, pid, ptype.get("helps") or [], management, "management option in helps")

    # policy.yml
    f = "policy.yml"
    policy = raw["policy"]
    triage = _section(policy, f, "triage")
    for level, rules in triage.items():
        check.known(f, "triage", level, TRIAGE_VALUES, "triage level")
        if not isinstance(rules, list) or not rules:
            raise KnowledgeError(f, f"triage.{level}", "needs a list of rules")
        for rule in rules:
            name = (rule or {}).get("rule")
            check.known(f, f"triage.{level}", name, TRIAGE_RULES[level], "rule")
            check.text(f, f"triage.{level}.{name}", rule.get("reason"), "reason")
            check.sources(f, f"triage.{level}.{name}", rule)
    if not any(r.get("rule") == "otherwise" for r in triage.get("self_care") or []):
        raise KnowledgeError(f, "triage.self_care", "needs the final 'otherwise' rule")
    for key in ("classification", "dialogue"):
        _section(policy, f, key)
    check.known(f, "dialogue.assessment_topics", policy["dialogue"].get("assessment_topics") or [], FEATURE_TOPICS, "topic")

    # answers.yml
    f = "answers.yml"
    answers = _section(raw["answers"], f, "answers")
    for aid, ans in answers.items():
        check.mapping(f, aid, ans)
        check.text(f, aid, ans.get("text"), "text")
        check.sources(f, aid, ans)
        check.known(f, aid, ans.get("topic"), TOPICS, "topic")
        match = ans.get("match")
        if not isinstance(match, list) or not match or not all(isinstance(alt, list) and alt and all(isinstance(g, list) and g for g in alt) for alt in match):
            raise KnowledgeError(f, aid, "match must be a list of alternatives, each a list of keyword groups")

    # messages.yml
    f = "messages.yml"
    messages = raw["messages"]
    for key in ("escalation", "crisis", "dose", "why_ask", "assessment", "summary"):
        section = _section(messages, f, key)
        if key != "summary":
            check.sources(f, key, section)
        for field, value in section.items():
            if isinstance(value, str):
                check.text(f, f"{key}.{field}", value, field)
            elif isinstance(value, list) and field != "sources":
                for item in value:
                    check.text(f, f"{key}.{field}", item, field)
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

    return KnowledgeBase(directory=directory, sources=sources, conditions=conditions, language=language,
                         features=features, red_flags=red_flags, pain_types=pain_types, management=management,
                         policy=policy, answers=answers, messages=messages)


@lru_cache(maxsize=1)
def knowledge() -> KnowledgeBase:
    """The packaged knowledge base, loaded and checked once per process."""
    return load_knowledge(KNOWLEDGE_DIR)
