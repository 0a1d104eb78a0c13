"""Triage policy: seek_care_now / contact_care_team_today / contact_care_team / self_care, with reasons.

The order, wording and sources of the rules live in policy.yml `triage`; this module only
implements the named checks. The first level with a matching rule wins; every matching rule
at that level is returned as a reason. A rule with `conditions` applies only for those
conditions ("unknown" when none was named), so an MS-specific reason never reaches an ALS
caregiver.

Also decided here: whether the caregiver described a known, stable pattern, the only road to
self-care. Which same-day signs a case carries is the case record's view (bot.case.case_warning_signs).
"""
from __future__ import annotations

from typing import Callable, Dict, List, Optional, Tuple

from .case import (
    CHANGING_FEATURES,
    POSSIBLE_RED_FLAG,
    SCREEN_CLEAR,
    SCREEN_UNSURE,
    case_warning_signs,
    stable_pattern,
    unsettled_signs,
)
from .knowledge_base import TRIAGE_VALUES, UNKNOWN_CONDITION, KnowledgeBase, knowledge
from .reading import STATUS_PRESENT, STATUS_UNCERTAIN

Facts = Dict[str, object]
def case_facts(case: Dict, pain_type: str, single_text: bool = False) -> Facts:
    """The facts the triage rules look at, taken from a case record and its pain type."""
    features = {fid: f for fid, f in case.get("features", {}).items()
                if f["status"] in (STATUS_PRESENT, STATUS_UNCERTAIN)}
    screen = case.get("red_flag_screen")
    signals = case.get("signals", {})
    return {
        "condition": case.get("condition") or UNKNOWN_CONDITION,
        "red_flags": list(case.get("red_flags", [])),
        # for a single free text, a screen never asked counts as not positive
        "screen_yes": screen == "present" and not case.get("red_flags"),
        "screen_unsure": screen == SCREEN_UNSURE,
        "unresolved_flags": unsettled_signs(case, "red_flag"),
        "warning_signs": [w for w in case_warning_signs(case) if w != POSSIBLE_RED_FLAG],
        "pain_type": pain_type,
        "neuro_change": list(signals.get("neuro_change", [])),
        "new_or_worsening": [f["said"] for fid, f in features.items() if fid in CHANGING_FEATURES],
        "severity": list(signals.get("severity", [])),
        "prescription_review": list(signals.get("prescription_review", [])),
        # a single text is its own whole story: no screen was asked, so the text must say the pattern is known
        "stable_pattern": stable_pattern(case),
        "screen_answered": screen == SCREEN_CLEAR or single_text,
        "single_text": single_text,
    }


CHECKS: Dict[str, Callable[[Facts], bool]] = {
    "red_flag_reported": lambda f: bool(f["red_flags"]),
    "red_flag_screen_yes": lambda f: bool(f["screen_yes"]),
    "warning_sign_reported": lambda f: bool(f["warning_signs"]),
    "red_flag_unresolved": lambda f: bool(f["unresolved_flags"]),
    "red_flag_screen_unsure": lambda f: bool(f["screen_unsure"]),
    "pain_type_unclear": lambda f: f["pain_type"] == "unclear",
    "condition_unknown": lambda f: f["condition"] == UNKNOWN_CONDITION,
    "new_or_worsening_neuro": lambda f: bool(f["neuro_change"]),
    "first_lhermitte": lambda f: f["pain_type"] == "lhermitte" and bool(f["new_or_worsening"]),
    "severe_or_uncontrolled": lambda f: bool(f["severity"]),
    "prescription_review": lambda f: bool(f["prescription_review"]),
    "new_or_worsening_pain": lambda f: bool(f["new_or_worsening"]),
    "not_a_known_stable_pattern": lambda f: not (f["stable_pattern"] and f["screen_answered"]),
    "otherwise": lambda f: True,
}


def decide(facts: Facts, words: Optional[Dict[str, str]] = None,
           kb: Optional[KnowledgeBase] = None) -> Tuple[str, List[Dict]]:
    """Returns (triage value, [{"rule", "text", "sources"}]).

    words: the caregiver-facing names filled into the reasons: flags, warnings, possible.
    """
    kb = kb or knowledge()
    words = words or {}
    for level in TRIAGE_VALUES:
        reasons = []
        for rule in kb.policy["triage"].get(level, []):
            if rule.get("conditions") and facts["condition"] not in rule["conditions"]:
                continue
            if CHECKS[rule["rule"]](facts):
                text = rule["reason"]
                for key in ("flags", "warnings", "possible"):
                    text = text.replace("{" + key + "}", words.get(key, ""))
                reasons.append({"rule": rule["rule"], "text": text, "sources": list(rule["sources"])})
        if reasons:
            return level, reasons
    raise AssertionError("policy.yml has no self_care 'otherwise' rule")  # the loader guarantees one
