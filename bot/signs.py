"""Signs: one red flag or same-day warning sign mention read with its status, and the readings that join
mentions (both legs, a harmless fall, a duration that belongs to a sign)."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Dict, List, Optional

from .knowledge_base import KnowledgeBase, knowledge
from .matching import Span
from .reading import (
    STATUS_BASELINE,
    STATUS_LONG_STANDING,
    STATUS_MINOR,
    STATUS_NEGATED,
    STATUS_ONSET_UNKNOWN,
    STATUS_PRESENT,
    STATUS_RESOLVED,
    STATUS_UNCERTAIN,
    Extraction,
    Finding,
)
from .scope import SENTENCE_END, Scope

BOTH_WINDOW = 3  # "both of his legs went numb": "both" a few words before the legs
PLURAL_LEGS = {"legs", "legz", "lgs", "thighs"}
PLURAL_LIMBS = PLURAL_LEGS | {"feet"}
# Words that make a sign's own phrase a change rather than a state (read as worsening).
CHANGE_WORDS = {"worse", "worsening", "downhill", "more", "harder", "weaker", "slower", "increasingly", "deteriorating",
                "unsteadier", "wobblier", "number", "declining"}
ONE_SIDE = {"one", "left", "right", "lhs", "rhs", "single"}


def read_sign(span: "Span", words: str, scope: "Scope", in_screen: bool, neg_window: int, unc_window: int,
               kb: KnowledgeBase, result: Extraction) -> Finding:
    """One red flag or warning sign mention, with its status (the scope rules: bot/extract.py's docstring)."""
    is_flag = span.kind.startswith("flag")
    sign = (kb.red_flags if is_flag else kb.warning_signs)[span.id]
    how = span.kind.partition("_")[2]  # "" | acute | state | ask | event | vague | change | screen
    strong, worse = scope.acute(span.start, span.end, back_is_other=is_flag)
    strong = strong or _corrected_to_new(scope, span.end)
    # a sign told as a change in its own words ("more unsteady", "walking has gone downhill", "going far more")
    worse = worse or bool(CHANGE_WORDS & set(re.findall(r"[a-z]+", words.lower())))
    acute_event = how == "acute"
    finding = Finding(span.id, "red_flag" if is_flag else "warning_sign", STATUS_PRESENT, words,
                      topic="red_flag_screen", acute=strong or acute_event, worsening=worse, start=span.start)
    if sign.get("needs_words") and not _needs_words(sign["needs_words"]).search(scope.doc.text.lower()):
        finding.status = STATUS_BASELINE        # osteoporosis with no knock, a pump with no sign of being unwell
    elif scope.negated(span.start, span.end, neg_window):
        finding.status = STATUS_NEGATED
    elif scope.uncertain(span.start, unc_window):
        finding.status = STATUS_UNCERTAIN
    elif scope.near_segment("improving", span.start):
        finding.status = STATUS_LONG_STANDING   # r12: "getting better", "left over from the relapse": not new
    # a fall is new by nature ("yesterday she slid..."): told with no harm and no new pain it is a minor fall,
    # whatever else the clause holds; only worse pain, anywhere in the message, makes it an injury ("didn't hurt
    # himself, but now his back is much worse"; a "no worse" is the harmless words' own)
    elif span.id == "injury" and not (worse or _worse_elsewhere(scope)) and (
            scope.near_segment("noharm", span.start) or scope.near_segment("noharm", span.start, before=True)
            or _harmless_later_in_sentence(scope, span.start)):
        finding.status = STATUS_MINOR           # "slid down gently, wasn't hurt"
    elif span.id == "injury" and not (worse or _worse_elsewhere(scope)) and \
            words.split()[0].lower() in sign.get("knock_words", ()):
        finding.status = STATUS_ONSET_UNKNOWN   # "banged his back on the door frame": did it hurt? asked at once
    elif sign.get("conditional_is_trigger") and scope.conditional(span.start):
        finding.status = STATUS_BASELINE        # "worse when she has a UTI": a trigger, not an infection now
    elif sign.get("can_resolve") and scope.near_segment("resolved", span.start) and not scope.by_kind.get("ongoing"):
        finding.status = STATUS_RESOLVED
    elif scope.long_standing(span.start, span.end) and (not strong or how == "ask"):
        # ("her usual MS hug is squeezing today, she's had it for years, same as always": for a known symptom of
        # the condition, "for years, the same" outweighs "today")
        # "legs give way sometimes, for months, same as always": the clause says it is old news
        finding.status = STATUS_PRESENT if sign.get("history_counts") else STATUS_LONG_STANDING
        if finding.status == STATUS_LONG_STANDING and is_flag and (
                scope.by_kind.get("unsure_change") or scope.age_not_known(span.start)):
            # r13: "said that for years, can't tell me if it's different"; r14: "he's had it on and off, not sure how
            # long"
            finding.status = STATUS_UNCERTAIN
    elif scope.chronic_elsewhere(span.start, span.end) and not (strong or acute_event):
        finding.status = STATUS_ONSET_UNKNOWN   # "..., back pain same as ever": old news of something else
    elif how == "change" and not (strong or scope.change_from_before(span.start, span.end) or any(
            f.id in ("new_onset", "worsening") and f.status == STATUS_PRESENT for f in result.features)):
        finding.status = STATUS_BASELINE        # "rest doesn't help" alone: how MS pain often is, not new pain
        # (with a change said near it, "rest doesn't ease it any more", it is changed pain)
    elif sign.get("needs_worsening_cue") and not (scope.worse_outside(span.start, span.end) or strong or in_screen):
        finding.status = STATUS_BASELINE        # pain at night alone is common; getting worse is the sign
    elif sign.get("needs_sudden_cue") and not (strong or acute_event or in_screen):
        if worse and _hedged_near(scope, span.start, span.end):
            # r11: a change the caregiver is not sure of ("his legs seem weaker maybe? or he's just tired", "I think
            # she might be struggling more with her legs"): whether it is new or sudden is asked, not assumed
            finding.status = STATUS_UNCERTAIN
        elif worse:
            # expected progression (ALS/MS) told as such, not a red flag; worsening is still worth a call
            finding.status = STATUS_BASELINE
            result.neuro_change.append(words)
        else:
            finding.status = STATUS_ONSET_UNKNOWN  # "his right leg is weak": not said whether new, so asked
    elif how == "ask" and not (in_screen or strong):
        finding.status = STATUS_ONSET_UNKNOWN   # a known MS symptom: an emergency only when different
    elif scope.onset_told_unknown(span.start) and not strong:
        finding.status = STATUS_ONSET_UNKNOWN   # "because of her MS", "as usual", "again"
    elif how == "state" and not (strong or in_screen):
        finding.status = STATUS_ONSET_UNKNOWN   # "she's incontinent": a state, not when it began
    elif how == "event" and not (strong or in_screen or worse or _says_when(scope, kb)):
        finding.status = STATUS_ONSET_UNKNOWN   # r11: "she's wet herself", no word of when or whether it is new: asked
    if how == "vague" and finding.status in (STATUS_PRESENT, STATUS_ONSET_UNKNOWN):
        # r13: "not himself", "legs went funny": whether it is the sign, asked (a "yes" to the emergency-sign
        # question with it, "yes, her legs went funny this morning", is a yes: bot/case.py)
        finding.status = STATUS_UNCERTAIN
        finding.vague = True
    if finding.status in (STATUS_PRESENT, STATUS_ONSET_UNKNOWN, STATUS_UNCERTAIN) and not strong and \
            _asked_about_then_denied(scope, span.start, span.end):
        finding.status = STATUS_NEGATED         # r13: "asked her about the numbness down below, she said no"
    if (finding.status == STATUS_PRESENT and in_screen and not (strong or acute_event)
            and (how in ("screen", "ask", "state") or sign.get("needs_sudden_cue"))
            and scope.denied_in_sentence(span.start, span.end, span.id)):
        # r9: a reply to the emergency-sign question that names only this sign and denies in the same sentence,
        # wherever the denial stands ("nothing in his chest, i asked him twice", "Temperature I checked, is normal",
        # "legs the same as yesterday and the day before, no worse"): only the question made the name a "yes"
        finding.status = STATUS_NEGATED
    return finding


def _says_when(scope: "Scope", kb: KnowledgeBase) -> bool:
    """Any word of when or of a first time anywhere in the message (language.yml `event_time_words`: "she never does",
    "continent until today", "just", "last nite"), or a clock time ("at 14:00 check")."""
    words = set(kb.language.get("event_time_words") or ())
    return any(t.norm_ in words or t.lower_ in words or (t.like_num and (":" in t.text or len(t.text) == 4))
               for t in scope.doc)


HEDGE_WORDS = frozenset({"might", "maybe", "possibly", "perhaps", "may", "seem", "seems", "seemed"})  # in its words


def _hedged_near(scope: "Scope", start: int, end: int) -> bool:
    """A doubt word in the sign's own words, anywhere in its clause, or alone in the short clause after it ("...,
    hard to tell")."""
    return bool(HEDGE_WORDS & {t.norm_ for t in scope.doc[start:end]}) or scope.near_segment("unc", start)


CORRECTION_REACH = 12  # "..., no wait, that's not right, it's really just since this morning"


def _corrected_to_new(scope: "Scope", end: int) -> bool:
    """r13: after the sign, in its sentence, the caregiver corrects themself (language.yml `correction`) and then tells
    newness, with no other sign between: the correction dates the sign ("her legs have been getting weaker over the
    last week, no wait, it's really just since this morning")."""
    last = scope.sentence_of(end - 1)[1]
    for fix in scope.by_kind.get("correction", ()):
        if not end <= fix.start < last or any(i in scope.sign_tokens for i in range(end, fix.start)):
            continue
        reach = min(last, fix.end + CORRECTION_REACH)
        if any(fix.end <= c.start < reach for c in scope.by_kind.get("acute_strong", ())):
            return True
    return False


ANSWER_DENIALS = frozenset({"no", "none", "nothing", "nope", "nah", "denies", "denied", "negative", "nil"})


def _asked_about_then_denied(scope: "Scope", start: int, end: int) -> bool:
    """The sign is what someone asked about (language.yml `asked_about`, just before it) and a denial follows it in
    its sentence, with no other sign between."""
    asked = any(c.end <= start and start - c.end <= 3 and scope.segment_of(c.start) == scope.segment_of(start)
                for c in scope.by_kind.get("asked", ()))
    if not asked:
        return False
    last = scope.sentence_of(start)[1]
    for i in range(end, last):
        if i in scope.sign_tokens:
            return False
        if scope.doc[i].norm_ in ANSWER_DENIALS:
            return True
    return False


def _harmless_later_in_sentence(scope: "Scope", start: int) -> bool:
    """r13: words of no harm told later in the fall's sentence, with no other sign between ("slid down off the sofa
    onto the floor, we got him up, he says it doesn't hurt any more than it did")."""
    last = scope.sentence_of(start)[1]
    own = scope.flag_ids.get(start)
    return any(start < c.start < last and not any(
        i in scope.sign_tokens and scope.flag_ids.get(i) != own for i in range(start, c.start))
        for c in scope.by_kind.get("noharm", ()))


def _worse_elsewhere(scope: "Scope") -> bool:
    """A worsening or severe-pain cue anywhere in the message that is not part of words saying no harm ("back's no
    worse")."""
    harmless = {i for c in scope.by_kind.get("noharm", ()) for i in range(c.start, c.end)}
    cues = list(scope.by_kind.get("acute_worse", ())) + list(scope.by_kind.get("severe", ()))
    return any(not set(range(c.start, c.end)) & harmless for c in cues)


@lru_cache(maxsize=None)
def _needs_words(pattern: str) -> "re.Pattern[str]":
    return re.compile(r"\b" + pattern + r"\b")


def durations_of_signs(scope: "Scope", findings: List["Span"], beside: List["Span"], result: Extraction) -> None:
    """"bladder problems for years, her back burns": a duration right after a sign that it made
    long-standing is the sign's, not the pain's, so it does not make the pain a familiar, stable
    pattern (bot/triage.py). A sign told as a trigger ("whenever she has a UTI") keeps it the pain's."""
    # a sign that describes the pain itself (night pain, pain on coughing) shares the pain's duration
    kb = knowledge()
    old_signs = {f.start for f in result.red_flags + result.warning_signs if f.status == STATUS_LONG_STANDING
                 and not (f.kind == "warning_sign" and kb.warning_signs[f.id].get("needs_new_pain"))}
    told = sorted((s for s in findings + beside if s.kind != "block"), key=lambda s: s.end)
    for f, span in zip(result.features, [s for s in findings if s.kind == "feature"], strict=True):
        if f.id != "long_standing" or f.status != STATUS_PRESENT:
            continue
        before = [s for s in told if s.end <= span.start and scope.segment_of(s.start) == scope.segment_of(span.start)]
        if before and before[-1].start in old_signs:
            f.status = STATUS_BASELINE


RESTATING_WORDS = {"they", "it", "that", "those", "this", "theyve", "its", "thats", "he", "she", "they've", "it's",
                   "that's", "he's", "she's", "'ve", "'s", "been", "have", "has", "always"}


def restated_as_old(doc, result: Extraction) -> None:
    """"his legs are weak but they've been weak for a year": a sign told again later in the same sentence, about the
    same thing ("they", "it", "been"), as old and unchanged, is old where it was first told too, unless the first
    telling has a new or worsening cue of its own. A later telling as new is never read back."""
    settled = (STATUS_LONG_STANDING, STATUS_BASELINE)
    for later in result.red_flags:
        if later.status not in settled or later.start < 0:
            continue
        before = {t.norm_ for t in doc[max(0, later.start - 3): later.start]}
        if not before & RESTATING_WORDS:
            continue
        for first in result.red_flags:
            if (first.id == later.id and 0 <= first.start < later.start and not (first.acute or first.worsening)
                    and first.status in (STATUS_PRESENT, STATUS_ONSET_UNKNOWN)
                    and not any(t.text in SENTENCE_END for t in doc[first.start: later.start])):
                first.status = later.status


def baseline_beside_change(result: Extraction) -> None:
    """r13: "maybe his breathing is a bit worse? he's always a bit puffed": a sign told as maybe worse, beside its old
    form told as the usual, is the doubted change; the old form is the baseline it is measured against and does not
    settle whether it is new."""
    doubted = {f.id for f in result.red_flags if f.status == STATUS_UNCERTAIN and f.worsening}
    if doubted:
        result.red_flags = [f for f in result.red_flags
                            if not (f.id in doubted and f.status == STATUS_LONG_STANDING)]


def both_legs(doc, result: Extraction) -> None:
    """Numbness or weakness told of both legs ("both his legs went numb", "can't feel either leg", "her legs just
    went": legs, plural, of one person) is also the both_legs flag, with the same status. One leg named
    ("one of her legs", "her left leg and foot") is not."""
    told = {f.id for f in result.red_flags if f.id == "both_legs"}
    for f in list(result.red_flags):
        around = {t.norm_ for t in doc[max(0, f.start - BOTH_WINDOW): f.start + len(f.said.split()) + 1]}
        own = set(re.findall(r"[a-z]+", f.said.lower()))
        limbs = PLURAL_LIMBS if f.id == "leg_numbness" else PLURAL_LEGS  # "unsteady on his feet" is an idiom
        plural = bool(own & limbs) and not (around & ONE_SIDE)
        if f.id in ("leg_numbness", "leg_weakness") and not told and (around & {"both", "either", "neither"} or plural):
            result.red_flags.append(Finding("both_legs", "red_flag", f.status, f.said, topic=f.topic,
                                            acute=f.acute, worsening=f.worsening, vague=f.vague))
            told.add("both_legs")


def heart_attack_wording(doc, scope: "Scope", neg_window: int, kb: KnowledgeBase, result: Extraction) -> None:
    """The NHS heart attack picture told across a sentence (red_flags.yml chest_pain `heart_attack_wording`): a
    chest word with a feeling of pressure near it and a companion sign (sweating, sickness, grey skin, the jaw or
    arm) in the same sentence, none denied, is chest pain now, whatever the phrases found. Where the rules
    read chest pain as denied, old or passed, or already present, they stand."""
    words = kb.red_flags["chest_pain"].get("heart_attack_wording")
    told = [f for f in result.red_flags if f.id == "chest_pain"]
    if not words or any(f.status in (STATUS_PRESENT, STATUS_NEGATED, STATUS_LONG_STANDING, STATUS_RESOLVED)
                        for f in told):
        return
    chest, feeling, companion = (set(words[key]) for key in ("chest", "feeling", "with"))
    near = int(words["near"])
    sentence, sentences = [], []
    for i, token in enumerate(doc):
        if scope.boundary[i] and token.text in SENTENCE_END or token.is_space and "\n" in token.text:
            sentences.append(sentence)
            sentence = []
        else:
            sentence.append(i)
    sentences.append(sentence)

    def said(i: int) -> bool:
        return not scope.negated(i, i + 1, neg_window)

    for indices in sentences:
        of = {name: [i for i in indices if doc[i].norm_ in group and said(i)]
              for name, group in (("chest", chest), ("feeling", feeling), ("with", companion))}
        # "sick of the hoist", "sick and tired": weariness, not sickness
        of["with"] = [i for i in of["with"] if not (i + 1 < len(doc) and doc[i + 1].norm_ in ("of", "and"))]
        pairs = [(c, f) for c in of["chest"] for f in of["feeling"] if abs(c - f) <= near]
        if pairs and of["with"]:
            first = min(min(pairs[0]), of["with"][0])
            last = max(max(pairs[0]), of["with"][-1])
            result.red_flags = [f for f in result.red_flags if f.id != "chest_pain"]
            result.red_flags.append(Finding("chest_pain", "red_flag", STATUS_PRESENT, doc[first:last + 1].text,
                                            topic="red_flag_screen", acute=True, start=first))
            return


def minor_falls(result: Extraction) -> None:
    """A fall told with nothing hurt ("slid down gently, wasn't hurt") is the minor_fall warning sign rather than
    the injury red flag. A plain fall stays an injury; an old one ("the fall in march", "years ago") is neither."""
    minor = [f for f in result.red_flags if f.id == "injury" and f.status == STATUS_MINOR]
    if minor and not any(w.id == "minor_fall" for w in result.warning_signs):
        said = minor[0].said
        result.warning_signs.append(Finding("minor_fall", "warning_sign", STATUS_PRESENT, said,
                                            topic="red_flag_screen"))



def fracture_risk_with_fall(doc, kb: KnowledgeBase, result: Extraction) -> None:
    """r13: thin bones or long-term steroids and a fall or slide told in the same message ("been on steroids for years
    and slid down the chair earlier") are the fracture_risk sign (contract: osteoporosis or long-term steroids with a
    minor knock or transfer), whatever words told the fall; a denied or old fall is not."""
    if any(w.id == "fracture_risk" and w.status == STATUS_PRESENT for w in result.warning_signs):
        return
    falls = [f for f in result.red_flags + result.warning_signs if f.id in ("injury", "minor_fall")
             and f.status in (STATUS_PRESENT, STATUS_MINOR, STATUS_ONSET_UNKNOWN)]
    pattern = kb.warning_signs["fracture_risk"].get("needs_words")
    if falls and pattern and _needs_words(pattern).search(doc.text.lower()):
        result.warning_signs = [w for w in result.warning_signs if w.id != "fracture_risk"]
        result.warning_signs.append(Finding("fracture_risk", "warning_sign", STATUS_PRESENT, falls[0].said,
                                            topic="red_flag_screen"))


def title_not_condition(doc, span) -> bool:
    """"Ms Patel", "Ms. Jones": the title, not multiple sclerosis (written "Ms" + a capitalised name)."""
    if span.kind != "condition" or span.end - span.start != 1 or doc[span.start].text not in ("Ms", "Ms."):
        return False
    nxt = span.end + (1 if span.end < len(doc) and doc[span.end].text == "." else 0)
    return nxt < len(doc) and doc[nxt].is_title and doc[nxt].is_alpha


# r14: the carer's own state told in a sign's words ("sorry if I'm not making sense", "I'm burning up with frustration",
# "I can't feel my own feet", "I wet myself laughing"): the person speaking, not the person cared for
FIRST_PERSON = frozenset({"i", "me", "my", "myself"})
THIRD_PERSON = frozenset({"he", "she", "him", "her", "his", "hers", "himself", "herself"})
# "my mum can't feel her legs": "my" before these names the person cared for, not the speaker
RELATIVES = frozenset({"mum", "mom", "mam", "mother", "dad", "father", "husband", "wife", "partner", "son", "daughter",
                       "client", "patient", "brother", "sister", "nan", "gran", "grandad", "grandma", "grandpa", "boy",
                       "girl", "hubby", "fiance", "fiancee", "friend", "neighbour", "neighbor", "aunt", "uncle"})
OWN_LOOKBACK = 6
OWN, MAYBE_OWN = "own", "maybe_own"
# someone else's words reported before it ("she just said I can't feel my left leg", "he keeps saying")
REPORTING_VERBS = frozenset({"said", "says", "saying", "say", "told", "tells", "telling", "messaged", "texted",
                             "wrote", "rang", "phoned", "called", "shouted", "screamed", "cried", "complains",
                             "complained"})
SUBJECT_HELPERS = frozenset({"'m", "m", "am", "was", "'ve", "ve", "have", "had", "'d", "d", "feel", "felt", "been",
                             "just", "so", "really", "nearly", "almost", "also", "too", "literally", "honestly", "like",
                             "do", "did", "ca", "can", "could", "n't", "not", "nt", "got", "get", "keep", "kept"})
# the person with the condition writing about themselves ("I have MS", "my MND", "I'm the one with ALS")
_SELF_REPORT = re.compile(r"\b(i have|i've got|ive got|i've had|i was diagnosed with|i'm the one with|im the one with|"
                          r"my)\s+(ms|mnd|als|multiple sclerosis|motor neu?rone)")

_SET_APART = re.compile(r"\b(i'm|im|i am) the one (who|that)\b")


def carers_own_spans(doc, spans: List["Span"], scope: Scope) -> Dict[tuple, Optional[str]]:
    """`carers_own` for each span, keyed by (start, end, id), with what the whole message says read once."""
    text = doc.text.lower()
    norms = [t.norm_ for t in doc]
    self_report, set_apart = bool(_SELF_REPORT.search(text)), bool(_SET_APART.search(text))
    return {(s.start, s.end, s.id): carers_own(s, norms, scope, self_report, set_apart) for s in spans}


def carers_own(span: "Span", norms: List[str], scope: Scope, self_report: bool, set_apart: bool) -> Optional[str]:
    """Whether a red flag's words tell the carer's own state, in a message that speaks of the person cared for as "he"
    or "she", with no one's reported words around it ("she said 'I can't feel my legs'") and no sign of a self-report:
    OWN when the speaker sets themselves apart ("my own feet", "wet myself", "I'm the one who can't catch my breath"),
    MAYBE_OWN when "I" is its subject or "my" its owner ("I'm burning up", "can't move my legs off the sofa"), which a
    person with the condition could write of themselves too: asked, never escalated nor dropped (H35)."""
    if not span.kind.startswith("flag") or self_report:
        return None
    doc = scope.doc
    inside = range(span.start, span.end)
    apart = any(norms[i] in ("own", "myself") for i in inside) or set_apart
    # (with no "he" or "she" anywhere it may be a self-report, unless the speaker sets themselves apart)
    if not apart and not any(n in THIRD_PERSON for i, n in enumerate(norms) if i not in inside):
        return None
    first, _ = scope.sentence_of(span.start)
    reported = any('"' in doc[i].text or "'" == doc[i].text or "“" in doc[i].text or norms[i] in REPORTING_VERBS
                   for i in range(first, span.start))
    if reported or any(first <= c.start < span.start and norms[c.start] not in FIRST_PERSON
                       for c in scope.by_kind.get("frame", ())):
        return None
    if any(norms[i] in THIRD_PERSON or norms[i] in RELATIVES for i in inside):
        return None  # "I think he felt a bit warm": the sign's own words name the person
    if apart:
        return OWN
    # (the speaker named in its words as its owner, not as its object: "didn't know who I was", "doesn't know me")
    if any(norms[i] == "my" and not (i + 1 < len(norms) and norms[i + 1] in RELATIVES) for i in inside):
        return MAYBE_OWN
    # or "I" its subject, with only a verb's helpers between ("I'm burning up", "I fell", "I've been hit by a bus"), not
    # a carer's doubt or knowledge about the person ("I think it's in both legs", "I'm not sure whether the numbness")
    i = span.start - 1
    while i >= max(first, span.start - OWN_LOOKBACK) and norms[i] in SUBJECT_HELPERS:
        i -= 1
    return MAYBE_OWN if i >= first and norms[i] == "i" else None
