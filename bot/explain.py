"""Caregiver-facing texts, assembled from the knowledge base.

No clinical statement is written here: every sentence comes from the YAML (with its sources);
this module only chooses, orders and fills in the caregiver's own words.
"""
from __future__ import annotations

import re
from typing import Dict, Iterable, List, Optional

from .knowledge_base import CONDITIONS, RED_FLAGS, WARNING_SIGNS, KnowledgeBase, knowledge

MAX_QUOTES = 3
MAX_HELPS_NON_DRUG = 2
POSSIBLE_RED_FLAG_WORDS = "an emergency sign you weren't sure about"
# In late ALS, when the person is mostly in bed, palliative care helps with pain (seed 004).
LATE_ALS_FEATURE, PALLIATIVE_OPTION = "bedbound", "palliative_care_als"
# An MS flare-up: back pain with more fatigue, bladder or thinking changes, new or worsening (seed 003).
FLARE_FEATURES, CHANGE_FEATURES = ("fatigue",), ("new_onset", "worsening")


def _join_words(items: List[str]) -> str:
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _quote(words: Iterable[str]) -> str:
    seen, quoted = set(), []
    for w in words:
        key = w.lower().strip()
        if key and key not in seen:
            seen.add(key)
            quoted.append(f"\u201c{w.strip()}\u201d")
        if len(quoted) >= MAX_QUOTES:
            break
    return _join_words(quoted)


def flag_words(flags: Iterable[str], kb: Optional[KnowledgeBase] = None) -> str:
    kb = kb or knowledge()
    return _join_words([kb.red_flags[f]["plain"] for f in RED_FLAGS if f in set(flags)])


def flag_names(flags: Iterable[str], kb: Optional[KnowledgeBase] = None) -> str:
    """"the leg weakness and the temperature": how unresolved flags are named when asking if they are new."""
    kb = kb or knowledge()
    return _join_words([kb.red_flags[f]["named"] for f in RED_FLAGS if f in set(flags)])


def warning_words(warnings: Iterable[str], kb: Optional[KnowledgeBase] = None) -> str:
    kb = kb or knowledge()
    told = set(warnings)
    return _join_words([kb.warning_signs[w]["plain"] if w in kb.warning_signs else POSSIBLE_RED_FLAG_WORDS
                        for w in WARNING_SIGNS if w in told])


def same_day_messages(case: Dict, kb: Optional[KnowledgeBase] = None) -> List[str]:
    """The amber level: what to do today, the one direct question per unsettled sign, and what
    would mean "now". Unresolved red flags (said without whether they are new) come first."""
    from .case import unsettled_signs  # the case imports extract; keep explain light to import
    kb = kb or knowledge()
    msg = kb.messages["same_day"]
    out = [msg["headline"], msg["what_to_do"]]
    open_flags = [kb.red_flags[f] for f in RED_FLAGS if f in unsettled_signs(case, "red_flag")]
    signs = [kb.warning_signs[w] for w in WARNING_SIGNS if w in set(case.get("warning_signs") or [])
             and w in kb.warning_signs]  # possible_red_flag is told by the unsettled flags above
    for entry in open_flags[:2] + signs[:1]:
        note = (entry.get("note") or {}).get(case.get("condition"))  # condition-specific: only to that condition
        out.append(msg["ask_prefix"] + " ".join(filter(None, [note, entry["check_question"]])))
    watch = [e["watch_for"] for e in open_flags + signs]
    if watch:
        out.append(msg["watch_prefix"] + "; ".join(dict.fromkeys(watch)) + ".")
    return out


def sources_line(source_ids: Iterable[str], kb: Optional[KnowledgeBase] = None) -> str:
    kb = kb or knowledge()
    titles = [s["title"] for s in kb.cite(source_ids)]
    return kb.messages["assessment"]["sources_prefix"] + "; ".join(titles)


# ---------------------------------------------------------------- escalation, crisis, dose

def escalation_message(case: Optional[Dict] = None, who: str = "The person I care for") -> List[str]:
    """Seek care now, said once as one block (what to do, what to tell them: the condition and the red flags in
    plain words), then only the steps for while they wait: nothing is said after these two."""
    kb = knowledge()
    case = case or {}
    msg = kb.messages["escalation"]
    condition = case.get("condition")
    cond_name = kb.conditions[condition]["name"] if condition else msg["unknown_condition"]
    flags = case.get("red_flags") or []
    words = flag_words(flags, kb) if flags else msg["generic_flags"]
    return [" ".join([msg["headline"], msg["what_to_do"],
                      msg["what_to_tell"].format(who=who, condition=cond_name, flags=words)]),
            while_you_wait(condition)]


def while_you_wait(condition: Optional[str]) -> str:
    """The steps for while they wait for the ambulance (named public guidance), with the condition's own."""
    steps = knowledge().messages["while_you_wait"]
    return " ".join(steps[key]["text"] for key in ("everyone", condition) if key in steps)


def crisis_message(with_emergency: bool = False) -> List[str]:
    """Crisis resources first, then a gentle check-in; as one bubble when an emergency follows in the same turn
    (the emergency is then the last thing said)."""
    texts = list(knowledge().messages["crisis"]["text"])
    return [" ".join(texts)] if with_emergency else texts


def dose_answer() -> str:
    """Never a number: who to ask."""
    return knowledge().messages["dose"]["text"]


def why_ask(topic: str) -> Optional[str]:
    return knowledge().messages["why_ask"].get(topic)


# ---------------------------------------------------------------- FAQ

# (r10: not "can't pinpoint", "don't know", "isn't walking": a negated verb opens an answer; nor "when we turn him
# it's better", "where the strap sits": "when" or "where" before who does what opens a clause of an answer)
_QUESTION_START = re.compile(r"^\s*((what|why|how|does|do|can|could|is|are|should|will|would|which|any|anything)"
                             r"\b(?!['’])|(where|when)\b(?!\s+(we|he|she|they|i|you|it|the|his|her|my|their|our)\b)"
                             r"|tell me\b|explain\b)", re.I)


def _has_keyword(text: str, keyword: str) -> bool:
    return re.search(r"(?<![a-z0-9])" + re.escape(keyword.lower()) + r"(?![a-z0-9])", text) is not None


def answer_question(text: str, condition: Optional[str] = None) -> Optional[Dict]:
    """Match a caregiver's question to a FAQ entry: {"id", "text", "sources", "topic"} or None.

    Only questions are answered (a "?" or a question word first), so a description such as
    "she has MS and back pain" is left to the assessment. An entry that only one condition's article supports
    (`conditions`) is not given to the other condition's caregivers.
    """
    if not isinstance(text, str) or not text.strip():
        return None
    clean = " ".join(text.lower().replace("\u2019", "'").split())[:2000]
    if "?" not in clean and not _QUESTION_START.search(clean):
        return None
    kb = knowledge()
    from .extract import read_text  # a dose question gets the "who to ask" answer, never the FAQ
    if read_text(clean).signals.get("dose_question"):
        return {"id": "dose", "text": dose_answer(), "sources": kb.cite(kb.messages["dose"]["sources"]),
                "topic": "pain_relief"}
    best, best_score = None, 0
    for aid, entry in kb.answers.items():
        if any(_has_keyword(clean, str(k)) for k in entry.get("unless") or []):
            continue
        if condition and condition not in (entry.get("conditions") or [condition]):
            continue
        for alternative in entry["match"]:
            if all(any(_has_keyword(clean, str(k)) for k in group) for group in alternative):
                score = len(alternative) * 10 + sum(len(str(k)) for group in alternative for k in group
                                                    if _has_keyword(clean, str(k)))
                if score > best_score:
                    best, best_score = aid, score
    if best is None:
        return None
    entry = kb.answers[best]
    return {"id": best, "text": entry["text"], "sources": kb.cite(entry["sources"]), "topic": entry["topic"]}


# ---------------------------------------------------------------- assessment

def _why_entry(pain_type: str, condition: Optional[str], kb: KnowledgeBase) -> Optional[Dict]:
    """The "why" for this condition only: with the condition unknown there is none (each is about ALS or MS)."""
    return kb.pain_types[pain_type]["why"].get(condition) if condition else None


def management_options(pain_type: str, condition: Optional[str], kb: Optional[KnowledgeBase] = None) -> List[str]:
    kb = kb or knowledge()
    # with the condition unknown, only what the articles describe for both conditions
    wanted = [condition] if condition else list(CONDITIONS)
    ids = [m for m in kb.pain_types[pain_type]["helps"]
           if all(c in (kb.management[m].get("conditions") or wanted) for c in wanted)]
    non_drug = [m for m in ids if kb.management[m]["kind"] != "medication_class"]
    drugs = [m for m in ids if kb.management[m]["kind"] == "medication_class"]
    return non_drug[:MAX_HELPS_NON_DRUG] + drugs[:1]


def assessment_messages(result: Dict, case: Optional[Dict] = None) -> List[str]:
    """Short phone-sized messages for an assessment (result = Assessment.to_dict())."""
    kb = knowledge()
    msg = kb.messages["assessment"]
    out: List[str] = []
    condition = result.get("condition")
    pain_type = result["pain_type"]
    triage = result["triage"]

    if triage == "seek_care_now":
        out.extend(escalation_message(case or {"condition": condition, "red_flags": result.get("red_flags")}))
    elif triage == "contact_care_team_today":
        out.extend(same_day_messages(case or {"warning_signs": result.get("warning_signs")}, kb))

    said = [e["said"] for e in result.get("type_evidence", [])]
    if pain_type == "unclear":
        out.append(msg["unclear"])
        if result.get("unclear_reason") == "als_sensory":
            reason = kb.conditions["als"]["unexplained_reason"]["text"]
            out.append(msg["unclear_als_sensory"].format(evidence=_quote(said), reason=reason))
    else:
        label = kb.pain_types[pain_type]["label"]
        out.append(msg["most_likely"].format(label=label, evidence=_quote(said)) if said
                   else msg["most_likely_no_evidence"].format(label=label))

    why = _why_entry(pain_type, condition, kb)
    # An unclear picture gets the "why" only when it helps: not beside an escalation, and not when the
    # message above already says ALS does not explain the sensation.
    explains_unclear = triage != "seek_care_now" and result.get("unclear_reason") != "als_sensory"
    if why and (pain_type != "unclear" or explains_unclear):
        out.append(msg["why_prefix"] + why["text"])

    if triage != "seek_care_now":
        options = _shown_options(pain_type, condition, case or {}, kb)
        non_drug = [kb.management[m]["text"] for m in options if kb.management[m]["kind"] != "medication_class"]
        drugs = [kb.management[m]["text"] for m in options if kb.management[m]["kind"] == "medication_class"]
        if non_drug:
            out.append(msg["helps_prefix"] + " ".join(non_drug))
        out.extend(drugs)
        if _ms_flare(condition, case or {}):
            out.append(msg["ms_flare"])
        if triage in ("contact_care_team", "contact_care_team_today"):
            reasons = " ".join(r["text"] for r in result.get("triage_reasons", [])[:2])
            out.append(msg[triage].format(reasons=reasons))
        elif result.get("single_text"):
            out.append(msg["self_care_single_text"].format(signs=msg["screen_signs"]))
        else:
            out.append(msg["self_care"])
    else:
        out.append(msg["care_now"])

    out.append(sources_line([s["id"] for s in result.get("sources", [])], kb))
    return out


def assessment_answer(result: Dict, case: Optional[Dict] = None) -> List[str]:
    """The assessment as a conversation gives it (result = Assessment.to_dict()): one short answer, what kind of
    pain it sounds like and what to do, with a same-day level's advice first in a bubble of its own; an emergency
    is the emergency alone. Why it happens, what may help and the sources are the "more" options, answered by
    follow_up_answer; the full text (assessment_messages) is the command line's."""
    kb = knowledge()
    msg = kb.messages["assessment"]
    triage = result["triage"]
    if triage == "seek_care_now":
        return escalation_message(case or {"condition": result.get("condition"), "red_flags": result.get("red_flags")})
    said = [e["said"] for e in result.get("type_evidence", [])]
    pain_type = result["pain_type"]
    if pain_type == "unclear":
        kind = [msg["unclear"]]
        if result.get("unclear_reason") == "als_sensory":
            reason = kb.conditions["als"]["unexplained_reason"]["text"]
            kind.append(msg["unclear_als_sensory"].format(evidence=_quote(said), reason=reason))
    else:
        label = kb.pain_types[pain_type]["label"]
        kind = [msg["most_likely"].format(label=label, evidence=_quote(said)) if said
                else msg["most_likely_no_evidence"].format(label=label)]
    reasons = " ".join(r["text"] for r in result.get("triage_reasons", [])[:1])
    if _ms_flare(result.get("condition"), case or {}):
        kind.append(msg["ms_flare"])
    if triage == "contact_care_team_today":
        same_day = kb.messages["same_day"]
        first = " ".join([same_day["headline"], same_day["what_to_do"], reasons])
        return [first, " ".join(kind + _same_day_watch(case or {"warning_signs": result.get("warning_signs")}, kb))]
    if triage == "contact_care_team":
        return [" ".join(kind + [msg["contact_care_team"].format(reasons=reasons)])]
    if result.get("single_text"):
        return [" ".join(kind + [msg["self_care_single_text"].format(signs=msg["screen_signs"])])]
    return [" ".join(kind + [msg["self_care_short"]])]


def _same_day_watch(case: Dict, kb: KnowledgeBase) -> List[str]:
    """A same-day answer's note for this condition (weight loss is common in ALS, ...) and what would make it an
    emergency; the "is it new?" questions themselves were asked before the assessment."""
    condition = case.get("condition")
    told = set(case.get("warning_signs") or [])
    notes = [kb.warning_signs[w]["note"][condition] for w in WARNING_SIGNS
             if w in told and w in kb.warning_signs and condition in (kb.warning_signs[w].get("note") or {})]
    watch_prefix = kb.messages["same_day"]["watch_prefix"]
    return notes[:1] + [line for line in same_day_messages(case, kb) if line.startswith(watch_prefix)]


def _shown_options(pain_type: str, condition: Optional[str], case: Dict, kb: KnowledgeBase) -> List[str]:
    options = management_options(pain_type, condition, kb)
    told = {fid for fid, f in (case.get("features") or {}).items() if f.get("status") == "present"}
    if condition == "als" and LATE_ALS_FEATURE in told:
        options = [PALLIATIVE_OPTION] + options
    return options


def _ms_flare(condition: Optional[str], case: Dict) -> bool:
    told = {fid for fid, f in (case.get("features") or {}).items() if f.get("status") == "present"}
    return condition == "ms" and bool(told & set(FLARE_FEATURES)) and bool(told & set(CHANGE_FEATURES))


def assessment_sources(pain_type: str, condition: Optional[str], triage_reasons: List[Dict], triage: str,
                       case: Optional[Dict] = None) -> List[str]:
    """Source ids of every statement shown. Each statement cites its own sources about this person's
    condition (and public guidance); one that only an article about the other condition supports
    cites that article, so advice is never credited to an article that does not give it."""
    kb = knowledge()
    statements: List[List[str]] = []
    why = _why_entry(pain_type, condition, kb)
    if why:
        statements.append(why["sources"])
    if triage != "seek_care_now":
        statements.extend(kb.management[m]["sources"] for m in _shown_options(pain_type, condition, case or {}, kb))
    statements.extend(r["sources"] for r in triage_reasons)
    ids: List[str] = []
    for sources in statements:
        own = [i for i in sources if kb.sources[i].get("condition") in (None, condition)] if condition else sources
        ids.extend(own or sources)
    return ids


# ---------------------------------------------------------------- care-team summary

def care_team_summary(case: Dict, result: Optional[Dict] = None) -> str:
    """Plain text a caregiver can pass on: condition, findings, red-flag screen, assessment, sources."""
    kb = knowledge()
    s = kb.messages["summary"]
    case = case or {}
    lines = [s["title"], ""]
    cond = case.get("condition")
    lines.append(f"{s['condition']}: {kb.conditions[cond]['long_name'] if cond else '-'}")
    rating = case.get("severity") or {}
    if rating.get("score") is not None:
        lines.append(f"{s['severity']}: {rating['score']}/10 (\u201c{rating.get('said', '')}\u201d)")
    findings = []
    for fid, f in (case.get("features") or {}).items():
        if f.get("status") in ("present", "uncertain"):
            mark = " (unsure)" if f["status"] == "uncertain" else ""
            findings.append(f"- {kb.features[fid]['label']}: \u201c{f['said']}\u201d{mark}")
        elif f.get("status") == "negated":
            findings.append(f"- not {kb.features[fid]['label']}: \u201c{f['said']}\u201d")
    lines.append(f"{s['findings']}:")
    lines.extend(findings or ["- " + s["none"]])
    flags = case.get("red_flags") or []
    evidence = case.get("red_flag_evidence") or {}
    lines.append(f"{s['red_flags']}: " + ("; ".join(
        f"{kb.red_flags[f]['plain']} (\u201c{evidence.get(f, '')}\u201d)" for f in flags) if flags else s["none"]))
    for fid, m in (case.get("red_flag_mentions") or {}).items():
        lines.append(f"- {kb.red_flags[fid]['plain']}: {m['status'].replace('_', '-')} (\u201c{m['said']}\u201d)")
    warnings = case.get("warning_signs") or []
    warn_said = case.get("warning_sign_evidence") or {}
    lines.append(f"{s['warning_signs']}: " + ("; ".join(
        f"{kb.warning_signs[w]['plain']} (\u201c{warn_said.get(w, '')}\u201d)"
        for w in warnings if w in kb.warning_signs)
        if warnings else s["none"]))
    screen = case.get("red_flag_screen")
    lines.append(f"{s['screen']}: {s['screen_values'].get(screen, s['not_asked']) if screen else s['not_asked']}")
    if result:
        label = kb.pain_types[result["pain_type"]]["label"]
        fit = s["fit"].get(result.get("confidence_label"), "")
        lines.append(f"{s['assessment']}: {label}" + (f" ({fit})" if fit else ""))
        lines.append(f"{s['triage']}: {s['triage_values'][result['triage']]}")
        for r in result.get("triage_reasons", []):
            lines.append(f"- {r['text']}")
        lines.append(f"{s['sources']}: " + "; ".join(x["title"] for x in result.get("sources", [])))
    return "\n".join(lines)


# ---------------------------------------------------------------- questions about the assessment

def follow_up_answer(case: Dict, kinds: List[str], result: Dict) -> List[str]:
    """Answers, from `result` (the assessment of `case`, as a dict: the caller assesses, so that this module and
    bot/assessment.py do not import each other), to what a caregiver asks about it: "why" (the reason for the
    pain type), "source" (the articles and guidance it rests on), "serious" (its level and why), "tonight"
    (the home measures it gave, and when to get help at once)."""
    kb = knowledge()
    texts = kb.messages["follow_up"]
    summary = kb.messages["assessment"]
    condition, pain_type, triage = result.get("condition"), result["pain_type"], result["triage"]
    out: List[str] = []
    for kind in kinds:
        if kind == "why":
            why = _why_entry(pain_type, condition, kb)
            out.append(summary["why_prefix"] + why["text"] if why and pain_type != "unclear" else texts["why_none"])
        elif kind == "source":
            out.append(sources_line([s["id"] for s in result.get("sources", [])], kb))
        elif kind == "serious":
            reasons = " ".join(r["text"] for r in result.get("triage_reasons", [])[:2])
            out.append(texts["serious"][triage].format(reasons=reasons, signs=summary["screen_signs"]))
        elif kind == "tonight":  # what helps: the home measures, then the medicines to ask the care team about
            shown = _shown_options(pain_type, condition, case, kb)
            options = [kb.management[m]["text"] for m in shown if kb.management[m]["kind"] != "medication_class"]
            drugs = [kb.management[m]["text"] for m in shown if kb.management[m]["kind"] == "medication_class"]
            helps = texts["tonight_prefix"] + " ".join(options) if options else texts["tonight_none"]
            out.append(" ".join([helps] + drugs if triage != "seek_care_now" else [texts["tonight_none"]])
                       + " " + texts["watch"].format(signs=summary["screen_signs"]))
    out = list(dict.fromkeys(out))
    if len(out) > 1:
        out = [" ".join(out)]  # one answer bubble, whatever was asked: one thing at a time
    if triage == "seek_care_now":  # the emergency again, last
        out = escalation_message(case) if "serious" in kinds else out + escalation_message(case)
    return out
