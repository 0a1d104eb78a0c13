"""Read one caregiver message, once: condition, pain features, red flags, same-day signs, signals.

``read_text`` is the one reading a turn makes; it is passed along (bot.turn) and never made again. The parts:
bot.matching (the matchers and the text clean-up), bot.scope (clauses and status cues), bot.signs (each
sign with its status), bot.signals (conversational signals and topic answers), bot.reading (the result), and
bot.reading_model (the statistical second reader, folded in by ``with_second_opinion``).

spaCy's blank English tokenizer plus rule-based Matchers built from the knowledge base
(no statistical model, nothing downloaded). Matching is on the token NORM, which spaCy sets
so that "can't", "cant" and "cannot" all read "can not"; a small typo corrector rewrites
the NORM of near-misses of listed clinical words ("tingeling" -> "tingling").

Scope rules (ours: negspacy's NegEx read 335/385 of the paraphrase red-flag mentions right against
385/385 for these, and reads negation only, not onset, doubt or history):
  * a message is cut into clauses at . ! ? ; new lines, at words like "but", and at a comma
    or "and" that starts a new subject ("no fever, she wet herself");
  * each finding is then read in its own clause: denied ("no fever"), uncertain ("maybe a
    temperature"), long-standing ("weak bladder for years", "same as always"), onset unknown
    ("because of her MS", "as usual", "again", or a state such as "she's incontinent" with no
    word on when it began), resolved ("the fever's gone"), or new / sudden ("suddenly",
    "since yesterday", or an event such as "she wet herself last night").
  * a denial stops at a comma or "and" unless it is a list of findings ("no fever, chills"
    vs "can't hold it, soiled the bed"); "fine / ok / normal" after a finding clears it
    ("her legs are fine");
  * blockers ("fell asleep", "dropped her off") stop red-flag misreadings; a pain feature with
    exactly the blocker's words still counts.
A red flag counts only when present, not long-standing (unless a new/sudden cue overrides),
and - for leg weakness, where slow progression is expected - only with a sudden cue or an
acute event ("legs gave way"). Same-day warning signs (warning_signs.yml) are read the same way.
A fall told with "not hurt" / "slid gently" is a minor fall (warning sign), not the injury flag.
"""
from __future__ import annotations

import re
from typing import List, Optional

from .knowledge_base import READ_WARNING_SIGNS, RED_FLAGS, knowledge
from .matching import (
    MAX_CHARS,
    PRIORITY,
    find_spans,
    longest_first,
    normalize_text,
    pipeline,
    sign_spans_without_fillers,
    whole_mentions,
)
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
from .scope import DENYING_WORDS, Scope
from .signals import read_signals
from .signs import (
    MAYBE_OWN,
    OWN,
    baseline_beside_change,
    both_legs,
    carers_own_spans,
    durations_of_signs,
    fracture_risk_with_fall,
    heart_attack_wording,
    minor_falls,
    read_sign,
    restated_as_old,
    title_not_condition,
)

# r13: the signs an ability kept speaks to ("today he can too", "he still can")
LEG_SIGNS = frozenset({"leg_weakness", "both_legs", "leg_numbness"})
# the timing features whose clause is read for the back (Finding.about_back: "it's the back that's new")
TIMING_NEWNESS = frozenset({"new_onset", "worsening"})
MAX_TOTAL_CHARS = 60000  # longer messages are read in chunks up to this; beyond it, ignored (~1 s of work)
# "can't", "cannot", "couldn't", "won't": a denial word after one of these says what someone cannot do, which
# tells a sign ("can't wee"), not a denial of one.
CANNOT = {"ca", "can", "could", "wo", "will"}
# Sensory symptoms that, when new or sudden, are "new neurological symptoms" (seed 003).
NERVE_SYMPTOMS = {"tingling", "pins_and_needles", "numbness_feel", "burning", "electric"}
# Sensations that are sudden by nature: "a sudden electric jolt" describes the feeling, not a new symptom.
SUDDEN_BY_NATURE = {"electric", "shooting", "stabbing"}


def _chunks(text: str) -> List[str]:
    """Split a very long message at whitespace into pieces of at most MAX_CHARS."""
    text = text[:MAX_TOTAL_CHARS]
    pieces = []
    while len(text) > MAX_CHARS:
        cut = text.rfind(" ", MAX_CHARS // 2, MAX_CHARS)
        cut = MAX_CHARS if cut == -1 else cut
        pieces.append(text[:cut])
        text = text[cut:]
    pieces.append(text)
    return pieces


def read_text(text: object, context_topic: Optional[str] = None) -> Extraction:
    """Everything one message says: the hand rules' reading, with the second reader's opinion on the
    emergency signs (bot.reading_model, ``with_second_opinion``).

    A red flag buried deep in a very long message is still found: long text is read in chunks.
    """
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    return with_second_opinion(_read_rules(text, context_topic), text)


MODEL_SAID_CHARS = 80  # the caregiver's words kept with a sign only the model read


def with_second_opinion(result: Extraction, text: str) -> Extraction:
    """Fold the statistical reader's red flags into the rules' reading, only ever towards more care: a sign
    the model is confident of and the rules found nowhere (or only as expected progression, or with its
    onset unknown) is present; one it suspects where the rules found nothing, or is sure of in a message with
    a denial the rules could not place ("breathing ok"), is asked about ("is it new?").
    Where the rules read a sign as denied, long-standing or resolved, their reading stands.
    With readers "model", the model's red flags replace the rules' (the ablation figures)."""
    from . import reading_model

    mode = reading_model.readers()
    if mode == "rules":
        return result
    opinion = reading_model.grounded(text, reading_model.signs(text))
    if not opinion:
        return result
    said = " ".join(text.split())[:MODEL_SAID_CHARS]
    if mode == "model":
        result.red_flags = []
        result.signals.pop("crisis", None)
    # thoughts of suicide or self-harm the rules did not read, nor read as something else ("wants to die at home
    # when the time comes", "not suicidal"): the crisis resources are shown (never withheld on the model's word)
    if opinion.get(reading_model.CRISIS, 0.0) >= reading_model.CRISIS_AT and not result.signals.get("crisis") \
            and not result.signals.get("not_crisis"):
        result.signals["crisis"] = [said]
    # what the rules placed stands: denied, old, passed, a harmless fall, or expected progression told as such
    settled = (STATUS_PRESENT, STATUS_NEGATED, STATUS_LONG_STANDING, STATUS_RESOLVED, STATUS_MINOR, STATUS_BASELINE)
    if mode == "both":
        # a same-day sign the model is sure of where the rules found no mention of it at all (a denial elsewhere,
        # "nil falls, nil fever", does not stop it when a clause without a denial tells something new: "woke
        # 02:00 with it, new this wk"; nor does a look-alike of a red flag: "wt 58kg, was 63kg 2 months ago")
        for sign, probability in opinion.items():
            if (sign in READ_WARNING_SIGNS and probability >= reading_model.CONFIDENT
                    and (not result.denies or result.tells_new_undenied)
                    and not any(f.id == sign for f in result.warning_signs)):
                result.warning_signs.append(Finding(sign, "warning_sign", STATUS_PRESENT, said,
                                                    topic="red_flag_screen"))
                result.context_free = False
    if result.blocked:
        return result  # the rules matched a look-alike ("gasping for a cuppa"): the model cannot tell it apart
    flags = {sign: p for sign, p in opinion.items() if sign in RED_FLAGS}
    if mode == "both" and result.present_flags:
        return result  # the turn escalates on what the rules read; the model's guesses would only add noise
    for sign, probability in flags.items():
        told = [f for f in result.red_flags if f.id == sign]
        if any(f.status in settled for f in told) or probability < reading_model.SUSPECT:
            continue
        # (a denial the rules could not place makes it a question, unless the message tells something new: "Nil
        # urine output since 0600", "no feeling or function sexually since tuesday")
        # (a pain trigger the rules read may explain the model's words: "worse when she's hot" is heat, not a fever)
        sign_kb = knowledge().red_flags[sign]
        explained = bool({f.id for f in result.features} & set(sign_kb.get("look_alike_features") or ())) and bool(
            set(re.findall(r"[a-z]+", text.lower())) & set(sign_kb.get("look_alike_words") or ()))
        if probability >= reading_model.CONFIDENT and not explained and not (
                result.denies and not told and not result.tells_new) and not (
                result.keeps_ability and not told and sign in LEG_SIGNS):
            result.red_flags = [f for f in result.red_flags if f.id != sign]
            result.red_flags.append(Finding(sign, "red_flag", STATUS_PRESENT, said, topic="red_flag_screen",
                                            acute=True))
        elif not told:
            result.red_flags.append(Finding(sign, "red_flag", STATUS_UNCERTAIN, said, topic="red_flag_screen"))
        result.context_free = False
    # a sign the mention classifier hears told, new or not said, where nothing else read it: asked about
    for sign, probability in reading_model.mentions(opinion).items():
        if probability >= reading_model.MENTION and not any(f.id == sign for f in result.red_flags):
            result.red_flags.append(Finding(sign, "red_flag", STATUS_UNCERTAIN, said, topic="red_flag_screen"))
            result.context_free = False
    return result


def _read_rules(text: str, context_topic: Optional[str]) -> Extraction:
    """The hand rules' reading. Never raises on odd input; returns an empty Extraction."""
    try:
        if len(text) <= MAX_CHARS:
            return _read_text(text, context_topic)
        merged = Extraction(context_free=True)
        for i, chunk in enumerate(_chunks(text)):
            part = _read_text(chunk, context_topic)
            merged.features.extend(part.features)
            merged.red_flags.extend(part.red_flags)
            merged.warning_signs.extend(part.warning_signs)
            merged.neuro_change.extend(part.neuro_change)
            if part.condition:
                merged.condition, merged.condition_said = part.condition, part.condition_said
            for name, words in part.signals.items():
                merged.signals.setdefault(name, []).extend(words)
            if i == 0:
                merged.answer = part.answer
            merged.is_question = merged.is_question or part.is_question
            merged.asks_in_words = merged.asks_in_words or part.asks_in_words
            merged.plain = merged.plain or part.plain
            merged.context_free = merged.context_free and part.context_free
        return merged
    except Exception as error:  # a message must never crash the bot, and a failed reading is never "nothing"
        import logging
        logging.getLogger(__name__).error("reading failed (%s): the turn asks about the emergency signs",
                                          type(error).__name__)
        return Extraction(failed=True)


SCREEN_BESIDE = 4  # "his legs aren't any weaker": the fuller words of the same sign a few words on, no comma between


def _inability(doc, cue) -> bool:
    """The denial cue is the "not" of "can't", "cannot", "couldn't" or "won't"."""
    words = [t.lower_ for t in doc[cue.start: cue.end]]
    if words == ["cannot"]:
        return True
    return len(words) == 1 and words[0] in ("not", "nt", "n't") and cue.start > 0 and \
        doc[cue.start - 1].lower_ in CANNOT


def _told_beside(doc, screen, fuller) -> bool:
    """Whether a screen-only phrase ("his legs") has the fuller words of the same sign right beside it, in the same
    stretch of words: those words tell it ("... aren't any weaker than they were", denied). Past a comma or a full
    stop they tell something else ("yes the bowel thing is new, she's never had accidents")."""
    for span in fuller:
        if span.id != screen.id:
            continue
        left, right = (screen.end, span.start) if span.start >= screen.end else (span.end, screen.start)
        if 0 <= right - left <= SCREEN_BESIDE and not any(doc[i].is_punct for i in range(left, right)):
            return True
    return False


def _read_text(text: object, context_topic: Optional[str]) -> Extraction:
    pipe = pipeline()
    kb = pipe.kb
    clean = normalize_text(text)
    result = Extraction()
    if not clean.strip():
        result.context_free = True
        return result
    doc = pipe.make_doc(clean)
    lang = kb.language
    neg_window = int(lang.get("negation_window", 5))
    unc_window = int(lang.get("uncertainty_window", 6))

    in_screen = context_topic == "red_flag_screen"
    found_short, beside_short = sign_spans_without_fillers(pipe, doc, (pipe.findings, pipe.beside))
    found = find_spans(pipe.findings, doc, pipe.nlp) + found_short
    beside_found = find_spans(pipe.beside, doc, pipe.nlp) + beside_short
    # the context (in_screen) is read only for these spans: without any, every context reads the text alike
    result.context_free = not any(s.kind.startswith(("flag", "warn")) for s in found + beside_found)
    # a screen-only phrase ("the bladder one") names a flag only in an answer to the red-flag screen, and only
    # when the message says nothing else of that sign: "his legs aren't any weaker than they were" is told by
    # its fuller words ("weaker", denied), not by "his legs" as if it answered yes
    fuller = [s for s in found + beside_found if s.kind.startswith(("flag", "warn")) and not s.kind.endswith("_screen")]
    found = [f for f in found if not f.kind.endswith("_screen") or (in_screen and not _told_beside(doc, f, fuller))]
    findings = whole_mentions(longest_first(found, PRIORITY), found)
    # read beside the pain features (see Pipeline): a red flag phrase over the same words ("crushing
    # band across his chest") or a blocker wins over an ask phrase; a warning sign stands beside both
    # (the blockers found above also stop these: one matcher pass over them is enough)
    taken = {i for f in findings if f.kind.startswith(("flag", "block")) for i in range(f.start, f.end)}
    blocked = {i for f in findings if f.kind == "block" for i in range(f.start, f.end)}
    screened = [b for b in beside_found
                if not b.kind.endswith("_screen") or (in_screen and not _told_beside(doc, b, fuller))]
    beside = [a for a in longest_first(screened, PRIORITY)
              if not any(i in (taken if a.kind == "flag_ask" else blocked) for i in range(a.start, a.end))]
    # A blocker stops a misreading as a red flag ("temperature changes" is not a fever), but a
    # pain feature with exactly the blocker's words is still what the caregiver said (a trigger).
    blocks = {(f.start, f.end) for f in findings if f.kind == "block"}
    if blocks:
        rescued = {(f.start, f.end): f for f in found if f.kind == "feature" and (f.start, f.end) in blocks}
        findings = sorted(findings + list(rescued.values()), key=lambda f: f.start)
    findings = [f for f in findings if not title_not_condition(doc, f)]
    # A negation or doubt word that is part of a finding ("can't stand", "rest doesn't help")
    # belongs to that finding and must not reach out to its neighbours.
    # Timing words describe the findings beside them ("her bowels haven't changed", "weak for years"): their
    # negation and chronicity words are cues for those findings, not words kept to themselves.
    timing_words = {"long_standing", "intermittent", "constant", "new_onset", "worsening"}
    inside_findings = {i for f in findings if f.kind != "block" and f.id not in timing_words
                       for i in range(f.start, f.end)}
    all_cues = find_spans(pipe.cues, doc, pipe.nlp)
    # post-negation words ("fever: no") are also pre-negation words: resolve them separately
    cues = longest_first([c for c in all_cues if c.kind != "neg_post"]) + \
        longest_first([c for c in all_cues if c.kind in ("neg_post", "pseudo")])
    # (a denial whose denying word stands before the finding, "hasn't had any" over "had any accidents", stays)
    cues = [c for c in cues if c.kind != "pseudo" and not (
        c.kind in ("neg_pre", "neg_post", "unc") and any(
            i in inside_findings and (i == c.start or doc[i].norm_ in DENYING_WORDS) for i in range(c.start, c.end)))]
    flag_words = frozenset(i for f in findings if f.kind.startswith("flag") for i in range(f.start, f.end))
    # (r14: words of age inside a red flag's own words tell of something else: "talks to her mother who is dead ten
    # years")
    cues = [c for c in cues if not (c.kind == "chronic" and all(i in flag_words for i in range(c.start, c.end)))]
    scope = Scope(doc, cues, pipe, inside_findings, flag_words)
    # r14: the carer's own state in a sign's words ("sorry if I'm not making sense") is not the person's sign
    own = carers_own_spans(doc, findings + beside, scope)
    findings = [f for f in findings if own[(f.start, f.end, f.id)] != OWN]
    beside = [b for b in beside if own[(b.start, b.end, b.id)] != OWN]
    # (words of inability tell a sign rather than deny one: "can't wee", "unable to stand")
    result.keeps_ability = bool(scope.by_kind.get("kept"))
    result.denies = result.keeps_ability or any(c.kind in ("neg_pre", "neg_post") and not _inability(doc, c)
                                                for c in cues)
    # (the carer's own words: the second reader cannot tell them apart either)
    result.blocked = bool(blocks) or any(own.values())
    result.tells_new = bool(scope.by_kind.get("acute_strong"))
    result.tells_new_undenied = any(
        not scope.in_segment("neg_pre", scope.segment_of(c.start)) and not scope.in_segment(
            "neg_post", scope.segment_of(c.start)) for c in scope.by_kind.get("acute_strong", ()))
    # (told anywhere, also inside a longer cue of worsening: "in the last week or so his bladder has been harder
    # to empty")
    result.tells_recent = any(c.kind == "recent" for c in all_cues)
    scope.all_findings = {i for f in findings + beside if f.kind != "block" for i in range(f.start, f.end)}
    scope.sign_tokens = {i for f in findings + beside if f.kind.startswith(("flag", "warn"))
                         for i in range(f.start, f.end)}
    scope.blocked_tokens = blocked
    scope.flag_ids = {i: f.id for f in findings + beside if f.kind.startswith("flag")
                      for i in range(f.start, f.end)}
    scope.condition_tokens = {i for f in findings if f.kind == "condition" for i in range(f.start, f.end)}
    scope.trigger_tokens = {i for f in findings if f.kind == "feature" and kb.features[f.id]["topic"] == "pain_trigger"
                            for i in range(f.start, f.end)}

    def said(span) -> str:
        return doc[span.start: span.end].text

    last_condition = None
    nerve_new: List[str] = []
    old_news = False  # a clause that only says "it's been like this for years" ("had this for ages")
    for span in findings:
        if span.kind == "block":
            continue
        negated = scope.negated(span.start, span.end, neg_window)
        uncertain = not negated and scope.uncertain(span.start, unc_window)
        if span.kind == "condition":
            if not negated:
                last_condition = (span.id, said(span))
            continue
        if span.kind == "feature":
            feat = kb.features[span.id]
            fid, status = span.id, STATUS_PRESENT
            if negated:
                if feat.get("if_negated"):
                    fid = feat["if_negated"]
                else:
                    status = STATUS_NEGATED
            elif uncertain:
                status = STATUS_UNCERTAIN
            elif fid == "long_standing" and scope.about_condition(span.start):
                status = STATUS_BASELINE  # "MS since 2009": the condition's age, not the pain's
            elif fid == "long_standing" and scope.about_other_sign(span.start):
                status = STATUS_BASELINE  # r13: "her legs are fine, same as ever": the sign's age, not the pain's
            strong, _ = scope.acute(span.start, span.end, adjective_ok=fid not in SUDDEN_BY_NATURE)
            result.features.append(Finding(fid, "feature", status, said(span), topic=kb.features[fid]["topic"],
                                           acute=strong, about_back=fid in TIMING_NEWNESS and scope.about_back(
                                               scope.segment_of(span.start))))
            if status == STATUS_PRESENT and fid == "long_standing" and scope.only_timing(span.start):
                old_news = True
            if status == STATUS_PRESENT and strong and fid in NERVE_SYMPTOMS:
                nerve_new.append(said(span))
            continue
        result_list = result.red_flags if span.kind.startswith("flag") else result.warning_signs
        result_list.append(read_sign(span, said(span), scope, in_screen, neg_window, unc_window, kb, result))
    for span in beside:
        result_list = result.red_flags if span.kind.startswith("flag") else result.warning_signs
        result_list.append(read_sign(span, said(span), scope, in_screen, neg_window, unc_window, kb, result))
    # r14 (H35): perhaps the carer's own state ("I'm burning up", "can't move my legs off the sofa"): asked
    maybe = {(start, sid) for (start, _, sid), whose in own.items() if whose == MAYBE_OWN}
    for finding in result.red_flags:
        if (finding.start, finding.id) in maybe and finding.status in (STATUS_PRESENT, STATUS_ONSET_UNKNOWN):
            finding.status = STATUS_UNCERTAIN
    restated_as_old(doc, result)
    baseline_beside_change(result)
    both_legs(doc, result)
    heart_attack_wording(doc, scope, neg_window, kb, result)
    minor_falls(result)
    fracture_risk_with_fall(doc, kb, result)
    durations_of_signs(scope, findings, beside, result)

    if last_condition:
        result.condition, result.condition_said = last_condition
    # "she's had this on and off for a couple of years": a sensation the message calls
    # long-standing is not a new neurological symptom, whatever word described it
    if nerve_new and not old_news:
        result.neuro_change.extend(nerve_new)

    read_signals(doc, pipe, scope, neg_window, result)
    return result
