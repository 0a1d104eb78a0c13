"""Triage policy: seek_care_now / contact_care_team / self_care, each with its reasons.

The order, wording and sources of the rules live in policy.yml `triage`; this module only
implements the named checks. The first level with a matching rule wins; every matching rule
at that level is returned as a reason.
"""
from __future__ import annotations

from typing import Callable, Dict, List, Optional, Tuple

from .knowledge_base import KnowledgeBase, knowledge

Facts = Dict[str, object]


def case_facts(case: Dict, pain_type: str, single_text: bool = False) -> Facts:
    """The facts the triage rules look at, taken from a case record and its pain type."""
    features = {fid: f for fid, f in case.get("features", {}).items() if f["status"] in ("present", "uncertain")}
    screen = case.get("red_flag_screen")
    uncertain_flags = [fid for fid, m in case.get("red_flag_mentions", {}).items() if m["status"] == "uncertain"]
    signals = case.get("signals", {})
    new_or_worse = [f["said"] for fid, f in features.items() if fid in ("new_onset", "worsening")]
    return {
        "red_flags": list(case.get("red_flags", [])),
        # for a single free text, a screen never asked counts as not positive
        "screen_yes": screen == "present" and not case.get("red_flags"),
        "screen_unsure": screen == "unsure" or bool(uncertain_flags),
        "uncertain_flags": uncertain_flags,
        "pain_type": pain_type,
        "neuro_change": list(signals.get("neuro_change", [])),
        "new_or_worsening": new_or_worse,
        "severity": list(signals.get("severity", [])),
        "prescription_review": list(signals.get("prescription_review", [])),
        "single_text": single_text,
    }


CHECKS: Dict[str, Callable[[Facts], bool]] = {
    "red_flag_reported": lambda f: bool(f["red_flags"]),
    "red_flag_screen_yes": lambda f: bool(f["screen_yes"]),
    "red_flag_screen_unsure": lambda f: bool(f["screen_unsure"]),
    "pain_type_unclear": lambda f: f["pain_type"] == "unclear",
    "new_or_worsening_neuro": lambda f: bool(f["neuro_change"]),
    "first_lhermitte": lambda f: f["pain_type"] == "lhermitte" and bool(f["new_or_worsening"]),
    "severe_or_uncontrolled": lambda f: bool(f["severity"]),
    "prescription_review": lambda f: bool(f["prescription_review"]),
    "new_or_worsening_pain": lambda f: bool(f["new_or_worsening"]),
    "otherwise": lambda f: True,
}


def decide(facts: Facts, flag_words: str = "", kb: Optional[KnowledgeBase] = None) -> Tuple[str, List[Dict]]:
    """Returns (triage value, [{"rule", "text", "sources"}])."""
    kb = kb or knowledge()
    for level in ("seek_care_now", "contact_care_team", "self_care"):
        reasons = []
        for rule in kb.policy["triage"].get(level, []):
            if CHECKS[rule["rule"]](facts):
                reasons.append({"rule": rule["rule"], "text": rule["reason"].replace("{flags}", flag_words),
                                "sources": list(rule["sources"])})
        if reasons:
            return level, reasons
    raise AssertionError("policy.yml has no self_care 'otherwise' rule")  # the loader guarantees one
