"""Score the pain types from the features a caregiver described.

Evidence-weighted and condition-aware: each present feature adds its weight (pain_types.yml)
to every type it points to, once. Types that do not occur in the condition score nothing
(nerve-pain types are MS types). In ALS, sensory features (burning, tingling, electric...)
count toward `unclear` instead (conditions.yml `unexplained_features`): ALS generally spares
the sensory nerves (seed 000), so such pain is not explained by ALS itself.
Every score carries the evidence that produced it, in the caregiver's words.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Mapping, Optional

from .knowledge_base import PAIN_TYPES, KnowledgeBase, knowledge

UNCLEAR = "unclear"


@dataclass
class Classification:
    pain_type: str
    ranked: List[Dict]          # [{"pain_type", "score"}], best first (unclear included when scored)
    confidence: float
    confidence_label: str
    evidence: Dict[str, List[Dict]]   # pain_type -> [{"feature", "label", "said", "weight"}]
    unclear_reason: Optional[str] = None   # not_enough | als_sensory | conflict


def candidate_types(condition: Optional[str], kb: KnowledgeBase | None = None) -> List[str]:
    """Pain types that can occur in this condition (both conditions' types when unknown)."""
    kb = kb or knowledge()
    return [t for t in PAIN_TYPES
            if t != UNCLEAR and (condition is None or condition in kb.pain_types[t]["applies_to"])]


def score_types(present: Mapping[str, str], condition: Optional[str], kb: KnowledgeBase | None = None):
    """present: feature id -> what the caregiver said. Returns (scores, evidence)."""
    kb = kb or knowledge()
    scores: Dict[str, float] = {}
    evidence: Dict[str, List[Dict]] = {}
    for ptype in candidate_types(condition, kb):
        weights = kb.pain_types[ptype]["weights"]
        total, items = 0.0, []
        for fid, said in present.items():
            w = float(weights.get(fid, 0))
            if w > 0:
                total += w
                items.append({"feature": fid, "label": kb.features[fid]["label"], "said": said, "weight": w})
        scores[ptype] = round(total, 2)
        evidence[ptype] = sorted(items, key=lambda e: -e["weight"])
    if condition:
        unexplained = kb.conditions[condition].get("unexplained_features") or {}
        items = [{"feature": fid, "label": kb.features[fid]["label"], "said": said, "weight": float(unexplained[fid])}
                 for fid, said in present.items() if fid in unexplained]
        if items:
            scores[UNCLEAR] = round(sum(i["weight"] for i in items), 2)
            evidence[UNCLEAR] = sorted(items, key=lambda e: -e["weight"])
    return scores, evidence


def classify(present: Mapping[str, str], condition: Optional[str], kb: KnowledgeBase | None = None) -> Classification:
    kb = kb or knowledge()
    policy = kb.policy["classification"]
    scores, evidence = score_types(present, condition, kb)
    ranked = sorted(({"pain_type": t, "score": s} for t, s in scores.items()),
                    key=lambda r: (-r["score"], PAIN_TYPES.index(r["pain_type"])))
    typed = [r for r in ranked if r["pain_type"] != UNCLEAR]
    leader = typed[0] if typed else {"pain_type": UNCLEAR, "score": 0.0}
    runner_up = typed[1]["score"] if len(typed) > 1 else 0.0
    unexplained = scores.get(UNCLEAR, 0.0)
    total = sum(scores.values())
    prior = float(policy["confidence_prior"])

    reason = None
    if unexplained and unexplained >= float(policy.get("unexplained_ratio", 0.6)) * leader["score"]:
        reason = "als_sensory"
    elif leader["score"] < float(policy["min_score"]):
        reason = "not_enough"
    elif runner_up >= float(policy["conflict_ratio"]) * leader["score"]:
        reason = "conflict"

    if reason is None:
        pain_type = leader["pain_type"]
        confidence = leader["score"] / (total + prior)
    else:
        pain_type = UNCLEAR
        if reason == "als_sensory":
            confidence = unexplained / (total + prior)
        else:
            # unsure because evidence is thin or split: confidence that it is "unclear" is moderate
            confidence = 0.4 if reason == "conflict" else 0.3
    confidence = round(min(max(confidence, 0.0), 1.0), 2)
    labels = policy["confidence_labels"]
    label = "high" if confidence >= labels["high"] else "medium" if confidence >= labels["medium"] else "low"
    return Classification(pain_type, ranked, confidence, label, evidence, reason)
