"""Put it together: a case (or one free text) -> an Assessment with reasons and sources."""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Dict, List, Optional

from . import explain
from .case import case_warning_signs, copied, present_features, read_message, unsettled_signs
from .classify import classify
from .knowledge_base import knowledge
from .triage import case_facts, decide


@dataclass
class Assessment:
    condition: Optional[str]
    red_flags: List[str]
    warning_signs: List[str]
    triage: str
    pain_type: str
    ranked: List[Dict]
    confidence: float
    confidence_label: str
    evidence: List[Dict]            # everything that drove the result, in the caregiver's words
    type_evidence: List[Dict]       # the features behind the chosen pain type
    triage_reasons: List[Dict]
    unclear_reason: Optional[str]
    sources: List[Dict]
    explanation: List[str] = field(default_factory=list)
    crisis: bool = False            # self-harm / despair words in the latest message: crisis resources first
    dose_question: bool = False     # the latest message asks about a dose: who to ask, never a number
    single_text: bool = False       # one description, no conversation: no screen was asked
    severity: Optional[int] = None  # 0-10, the latest rating told (bot/severity.py)

    def to_dict(self) -> Dict:
        """What dataclasses.asdict gives (every field, deep-copied), made with the case's JSON-data copy:
        asdict copies leaf by leaf with copy.deepcopy, a tenth of an action call (every assessment, and
        every next question, builds one)."""
        return {item.name: copied(getattr(self, item.name)) for item in fields(self)}

    def to_contract(self) -> Dict:
        """The CLI / contract JSON: contract keys first, then evidence, explanation, sources."""
        return {
            "condition": self.condition,
            "red_flags": list(self.red_flags),
            "warning_signs": list(self.warning_signs),
            "triage": self.triage,
            "pain_type": self.pain_type,
            "severity": self.severity,
            "crisis": self.crisis,
            "dose_question": self.dose_question,
            "confidence": self.confidence,
            "confidence_label": self.confidence_label,
            "evidence": self.evidence,
            "explanation": " ".join(self.explanation),
            "messages": list(self.explanation),
            "triage_reasons": [{"rule": r["rule"], "text": r["text"]} for r in self.triage_reasons],
            "ranked": self.ranked,
            "sources": self.sources,
        }


def assess_case(case: Dict, single_text: bool = False) -> Assessment:
    """Assess what the case says so far. Red flags win; otherwise the triage policy applies."""
    kb = knowledge()
    case = case or {}
    condition = case.get("condition")
    present = present_features(case)
    result = classify(present, condition, kb)
    facts = case_facts(case, result.pain_type, single_text=single_text)
    flags = list(case.get("red_flags") or [])
    warnings = case_warning_signs(case)
    unsettled = unsettled_signs(case, "red_flag")
    words = {"flags": explain.flag_words(flags, kb), "warnings": explain.warning_words(warnings, kb),
             "possible": explain.flag_names(unsettled, kb)}
    triage, reasons = decide(facts, words, kb)

    if result.pain_type == "unclear":
        type_evidence = result.evidence.get("unclear") or (
            result.evidence.get(result.ranked[0]["pain_type"], []) if result.ranked else [])
    else:
        type_evidence = result.evidence.get(result.pain_type, [])
    evidence = [{"finding": e["feature"], "said": e["said"], "points_to": result.pain_type, "weight": e["weight"]}
                for e in type_evidence]
    flag_said = case.get("red_flag_evidence") or {}
    warn_said = case.get("warning_sign_evidence") or {}
    checks = case.get("checks") or {}
    evidence = [{"finding": f"red_flag:{f}", "said": flag_said.get(f, ""), "points_to": "seek_care_now", "weight": None}
                for f in flags] + [
        {"finding": f"warning_sign:{w}", "said": warn_said.get(w, ""), "points_to": "contact_care_team_today",
         "weight": None} for w in warnings if w in warn_said] + [
        {"finding": f"possible_red_flag:{f}", "said": checks[f]["said"], "points_to": "contact_care_team_today",
         "weight": None} for f in unsettled] + evidence
    for key in ("severity", "prescription_review", "neuro_change"):
        for said in (case.get("signals") or {}).get(key, [])[:2]:
            evidence.append({"finding": key, "said": said, "points_to": "contact_care_team", "weight": None})

    source_ids = explain.assessment_sources(result.pain_type, condition, reasons, triage, case)
    assessment = Assessment(
        condition=condition, red_flags=flags, warning_signs=warnings, triage=triage, pain_type=result.pain_type,
        ranked=result.ranked, confidence=result.confidence, confidence_label=result.confidence_label,
        evidence=evidence, type_evidence=type_evidence, triage_reasons=reasons,
        unclear_reason=result.unclear_reason, sources=kb.cite(source_ids), single_text=single_text,
        severity=(case.get("severity") or {}).get("score"))
    messages = explain.assessment_messages(assessment.to_dict(), case)
    last = case.get("last") or {}
    assessment.crisis, assessment.dose_question = bool(last.get("crisis")), bool(last.get("dose_question"))
    if assessment.dose_question:
        messages = messages[:-1] + [explain.dose_answer()] + messages[-1:]
    if assessment.crisis:
        messages = explain.crisis_message() + messages
    assessment.explanation = messages
    return assessment


def assess(text: str) -> Dict:
    """One free-text description -> the contract JSON dict (see Assessment.to_contract).

    For a single text the red-flag screen is not positive unless the text reports a flag:
    absence of a red flag in the text means none was reported.
    """
    case = read_message(None, text if isinstance(text, str) else str(text or ""))
    return assess_case(case, single_text=True).to_contract()
