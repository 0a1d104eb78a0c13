"""Find what a caregiver's message says: condition, pain features, red flags, signals.

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
import unicodedata
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Dict, List, Optional, Sequence, Tuple

from .knowledge_base import KnowledgeBase, knowledge
from .patterns import parse

MAX_CHARS = 20000        # one chunk: a long message is read whole
MAX_TOTAL_CHARS = 60000  # longer messages are read in chunks up to this; beyond it, ignored (~1 s of work)
GAP_TOKENS = 3
CONDITIONAL_WINDOW = 4  # "when she has a UTI": the trigger word sits just before the sign
BOTH_WINDOW = 3  # "both of his legs went numb": "both" a few words before the legs
# A new/sudden cue describes a finding only when close to it ("legs suddenly gave way"), not
# anywhere in a long run-on clause ("spasms when she moves suddenly, ... legs weaker").
ACUTE_WINDOW = 5
# A neighbouring clause of at most this many words, with a long-standing cue and no finding of
# its own, describes the finding next to it ("legs give way sometimes, has done for months").
PURE_CHRONIC_MAX_WORDS = 8
GAP_EXCLUDES = ["not", "no", "never", "nor", "without", "but", "however", "although", "though"]
SENTENCE_END = {".", "!", "?", ";", "...", "!!", "??", "?!", "!?"}
ANSWER_FILLERS = {"i", "we", "um", "umm", "uh", "erm", "er", "hmm", "well", "honestly", "oh", "so", "sorry", "really",
                  "just", "am", "'m", "m", "im", "genuinely", "truly", "actually"}
POST_NEGATION_SKIP = {":", "-", "=", "?", "–", "—"}
# "her legs are fine", "breathing's ok", "bladder all good": a verb or adverb may stand between
# a finding and the word that clears it
POST_NEGATION_VERBS = {"is", "are", "'s", "s", "was", "were", "seems", "seem", "looks", "look", "feels", "feel",
                       "all", "both", "totally", "completely", "absolutely", "perfectly", "been", "has", "have",
                       "'ve", "still", "now", "pretty", "quite", "sounds", "sound"}
# "A.L.S.", "m.s" -> "als", "ms": dotted abbreviations are one token whose NORM keeps the dots
_DOTTED = re.compile(r"^(?:[a-z]\.){1,4}[a-z]\.?$")
# "38.5c", "101f", "38.5°": a temperature with its unit glued on -> the bare number
_TEMPERATURE = re.compile(r"^(\d{2,3}(?:\.\d)?)(?:°|º)?(?:c|f)?$")

# When two matches cover exactly the same words, the lower number wins.
PRIORITY = {"block": 0, "flag_acute": 1, "flag": 2, "flag_screen": 2, "flag_state": 2, "warn_acute": 1, "warn": 2,
            "warn_change": 2,
            "warn_screen": 2, "warn_state": 2, "condition": 3, "feature": 4}

# Sensory symptoms that, when new or sudden, are "new neurological symptoms" (seed 003).
NERVE_SYMPTOMS = {"tingling", "pins_and_needles", "numbness_feel", "burning", "electric"}
# Sensations that are sudden by nature: "a sudden electric jolt" describes the feeling, not a new symptom.
SUDDEN_BY_NATURE = {"electric", "shooting", "stabbing"}

STATUS_PRESENT, STATUS_NEGATED, STATUS_UNCERTAIN = "present", "negated", "uncertain"
STATUS_LONG_STANDING, STATUS_BASELINE = "long_standing", "baseline"
# said without whether it is new ("because of her MS", "as usual", "she's incontinent"): asked about
STATUS_ONSET_UNKNOWN = "onset_unknown"
STATUS_RESOLVED = "resolved"   # it has passed ("the fever's gone")
STATUS_MINOR = "minor"         # a fall with nothing hurt: the minor_fall warning sign instead of injury
# statuses that leave a red flag open: asked about in the same turn, same-day advice until answered
UNRESOLVED_STATUSES = (STATUS_UNCERTAIN, STATUS_ONSET_UNKNOWN)
# how a sign was matched (red_flags.yml / warning_signs.yml field -> span kind suffix)
SIGN_FIELDS = (("phrases", ""), ("acute_phrases", "_acute"), ("state_phrases", "_state"), ("ask_phrases", "_ask"),
               ("change_phrases", "_change"),
               ("screen_phrases", "_screen"))
# Question topics whose context changes how a message reads (screen-only phrases, sudden cue waived);
# a reading made without context is reused for an answer to any other topic.
CONTEXT_TOPICS = frozenset({"red_flag_screen"})


@dataclass
class Finding:
    id: str
    kind: str            # feature | red_flag | warning_sign
    status: str          # present | negated | uncertain | long_standing | baseline | onset_unknown | resolved | minor
    said: str            # the caregiver's own words
    topic: Optional[str] = None
    acute: bool = False  # a new / sudden cue scoped over it
    worsening: bool = False
    start: int = field(default=-1, repr=False, compare=False)  # first token, for reading around it


def _first_said(findings: List[Finding], status: str) -> Dict[str, str]:
    """Sign id -> the caregiver's words where it was first told with this status."""
    out: Dict[str, str] = {}
    for finding in findings:
        if finding.status == status and finding.id not in out:
            out[finding.id] = finding.said
    return out


@dataclass
class Extraction:
    condition: Optional[str] = None
    condition_said: Optional[str] = None
    features: List[Finding] = field(default_factory=list)
    red_flags: List[Finding] = field(default_factory=list)
    warning_signs: List[Finding] = field(default_factory=list)
    signals: Dict[str, List[str]] = field(default_factory=dict)
    answer: Optional[str] = None        # a bare "yes" / "no" / "uncertain" at the start
    is_question: bool = False
    # Ordinary language (a common English word, or anything the rules read), not keyboard noise: a reply in
    # such words to the form's question is taken as its answer, in the caregiver's words, even when the rules
    # cannot name what it says ("since the new carers started", "hoisted for everything").
    plain: bool = False
    # The rules could not read the message (an internal error): fail closed, never "nothing found".
    failed: bool = False
    # A denial word anywhere ("no", "not", "fine", "normal"): the second reader, which cannot scope one,
    # then asks about a sign it is sure of instead of escalating it (with_second_opinion).
    denies: bool = False
    blocked: bool = False  # words that look like a sign but are not ("a breath of fresh air"): the rules know
    neuro_change: List[str] = field(default_factory=list)  # worsening weakness, not sudden
    # No red-flag or warning-sign phrase of any kind (screen-only ones included) in the text: the only
    # words a question's context changes the reading of (CONTEXT_TOPICS), so this reading holds in every
    # context. "none of these", "not sure" to the red-flag screen are then not read a second time.
    context_free: bool = field(default=False, compare=False)

    @property
    def present_flags(self) -> Dict[str, str]:
        return _first_said(self.red_flags, STATUS_PRESENT)

    @property
    def present_warnings(self) -> Dict[str, str]:
        return _first_said(self.warning_signs, STATUS_PRESENT)

    def flags_with(self, status: str) -> Dict[str, str]:
        return _first_said(self.red_flags, status)

    def signs_to_read(self) -> bool:
        """A same-day sign, or a sign said without saying whether it is new: the form must read it."""
        return any(f.status == STATUS_PRESENT or f.status in UNRESOLVED_STATUSES for f in self.warning_signs) or \
            any(f.status in UNRESOLVED_STATUSES for f in self.red_flags)

    def to_dict(self, context: Optional[str] = None) -> dict:
        """Plain data (it travels in Rasa's parse data); `context` is the topic it was read for."""
        data = asdict(self)
        data["context"] = context
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "Extraction":
        fields = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        for name in ("features", "red_flags", "warning_signs"):
            fields[name] = [Finding(**f) for f in fields.get(name) or []]
        return cls(**fields)


# ---------------------------------------------------------------- text clean-up

_CHAR_MAP = {"\u2018": "'", "\u2019": "'", "\u02bc": "'", "\u00b4": "'", "`": "'", "\u201c": '"', "\u201d": '"',
             "\u2013": "-", "\u2014": "-", "\u2212": "-", "\u00a0": " "}


def normalize_text(text: object) -> str:
    """Same-length clean-up (so offsets still point into the caregiver's words), capped."""
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    text = text[:MAX_CHARS]
    chars = list(text)
    for i, ch in enumerate(chars):
        if ch in _CHAR_MAP:
            chars[i] = _CHAR_MAP[ch]
        elif ch not in "\n\t" and unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Zl", "Zp"):
            chars[i] = "\n" if ch in "\u2028\u2029" else " "
    # "pins-and-needles", "band-like" -> separate words, so phrases match either spelling
    for i in range(1, len(chars) - 1):
        if chars[i] == "-" and chars[i - 1].isalpha() and chars[i + 1].isalpha():
            chars[i] = " "
    # Shouted contractions ("SHE CAN'T FEEL HER LEGS"): spaCy splits "can't" and "Can't" into "can" +
    # "not", but not "CAN'T". Lower-casing them keeps the length; "MS", "ALS" and "Ms Patel" stay as typed.
    # words typed in capitals ("HE CANT BREATHE PROPERLY"): read as if typed in lower case (same length), so
    # "CANT" is "can not" like "cant"; a lone capitalised word ("MS", "NIV") stays as typed
    text = _SHOUTED_RUN.sub(lambda m: m.group(0).lower(), "".join(chars))
    return _SHOUTED_CONTRACTION.sub(lambda m: m.group(0).lower(), text)


_SHOUTED_CONTRACTION = re.compile(r"\b[A-Z]+'[A-Z]+\b")
_SHOUTED_RUN = re.compile(r"\b[A-Z][A-Z']*[A-Z](?:[\s,.!?]+[A-Z][A-Z']*)+\b")


# ---------------------------------------------------------------- pipeline

class Pipeline:
    """spaCy tokenizer + the three matchers compiled from the knowledge base."""

    def __init__(self, kb: KnowledgeBase):
        spacy, Matcher = _import_spacy()  # imported here: only needed once the pipeline is built

        self.kb = kb
        self.nlp = spacy.blank("en")
        self._norm_cache: Dict[str, List[str]] = {}
        self.vocab_words: set = set()
        self.findings = _IndexedMatcher(self.nlp.vocab, lambda: Matcher(self.nlp.vocab, validate=False))
        self.beside = Matcher(self.nlp.vocab, validate=False)
        self.cues = Matcher(self.nlp.vocab, validate=False)
        self.signals = Matcher(self.nlp.vocab, validate=False)
        lang = kb.language

        for cid, cond in kb.conditions.items():
            self._add(self.findings, f"condition|{cid}", cond["aliases"])
        for fid, feat in kb.features.items():
            self._add(self.findings, f"feature|{fid}", feat["phrases"])
        # screen phrases: short answers that name a sign only when answering the red-flag screen
        # ("only the temperature"). Warning signs and the red flags' ask phrases are read beside the
        # pain features, not instead of them: "a pressure sore" is a warning sign and a pressure
        # point, "like a band round her chest" the MS hug and a nerve-pain feature.
        for prefix, signs in (("flag", kb.red_flags), ("warn", kb.warning_signs)):
            for sid, sign in signs.items():
                for fld, suffix in SIGN_FIELDS:
                    if sign.get(fld):
                        beside = prefix == "warn" or suffix == "_ask"
                        self._add(self.beside if beside else self.findings, f"{prefix}{suffix}|{sid}", sign[fld])
        self._add(self.findings, "block|", lang["blockers"])

        for label, key in (("neg_pre", "negation_pre"), ("neg_post", "negation_post"), ("pseudo", "pseudo_negation"),
                           ("unc", "uncertainty_pre"), ("chronic", "long_standing"), ("onset", "onset_unknown"),
                           ("resolved", "resolved"), ("noharm", "no_harm"), ("cond", "conditional"),
                           ("acute_strong", "acute_strong"),
                           ("acute_worse", "acute_worsening"), ("break", "clause_breaks")):
            self._add(self.cues, f"{label}|", lang[key])
        for name, phrases in lang["signals"].items():
            self._add(self.signals, f"signal|{name}", phrases)

        self.joiners = {self._norms(w)[0] for w in lang["clause_joiners"] if self._norms(w)}
        self.starters = {self._norms(w)[0] for w in lang["clause_starters"] if self._norms(w)}
        self.typo_targets = {t.lower() for t in lang["typo_targets"]}
        self._typo_index: Dict[str, List[str]] = {}
        for target in self.typo_targets:
            self._typo_index.setdefault(target[0], []).append(target)

    # -- compiling patterns
    def _norms(self, text: str) -> List[str]:
        if text not in self._norm_cache:
            if text.isalpha() and text not in self.nlp.tokenizer.rules:
                # plain single word: the lexeme's norm, without running the tokenizer (faster start-up)
                self._norm_cache[text] = [self.nlp.vocab[text].norm_]
            else:
                self._norm_cache[text] = [t.norm_ for t in self.nlp.tokenizer(normalize_text(text)) if not t.is_space]
        return self._norm_cache[text]

    def _token_patterns(self, pattern: str) -> List[List[dict]]:
        alternatives_per_element: List[List[List[dict]]] = []
        for element in parse(pattern, self.kb.macros):
            if element[0] == "gap":
                # a gap never swallows a negation ("legs are not numb") or a clause break
                gap = {"IS_PUNCT": False, "NORM": {"NOT_IN": GAP_EXCLUDES}, "OP": "?"}
                alternatives_per_element.append([[gap] * GAP_TOKENS])
            elif element[0] == "words":
                norms = self._norms(element[1])
                self.vocab_words.update(norms)
                alternatives_per_element.append([[{"NORM": n} for n in norms]])
            else:
                _, options, optional = element
                single, multi = [], []
                for option in options:
                    norms = self._norms(option)
                    self.vocab_words.update(norms)
                    if len(norms) == 1:
                        single.append(norms[0])
                    elif norms:
                        multi.append([{"NORM": n} for n in norms])
                alts: List[List[dict]] = []
                if single:
                    spec = {"NORM": {"IN": sorted(set(single))}}
                    if optional and not multi:
                        spec["OP"] = "?"
                    alts.append([spec])
                alts.extend(multi)
                if optional and multi:
                    alts.append([])
                alternatives_per_element.append(alts)
        patterns: List[List[dict]] = [[]]
        for alts in alternatives_per_element:
            patterns = [p + a for p in patterns for a in alts]
        cleaned = []
        for p in patterns:
            # drop gaps at either end; a pattern must require at least one token
            while p and "IS_PUNCT" in p[0] and p[0].get("OP") == "?":
                p = p[1:]
            while p and "IS_PUNCT" in p[-1] and p[-1].get("OP") == "?":
                p = p[:-1]
            if any(tok.get("OP") != "?" for tok in p):
                cleaned.append(p)
        return cleaned

    def _add(self, matcher, key: str, phrases: Sequence[str]) -> None:
        # "can't" and "can not" (or "doesn't" / "does not") compile to the same tokens: drop the
        # duplicates, which only slow the matcher down
        patterns, seen = [], set()
        for phrase in phrases:
            for pattern in self._token_patterns(phrase):
                key_ = repr(pattern)
                if key_ not in seen:
                    seen.add(key_)
                    patterns.append(pattern)
        if patterns:
            matcher.add(key, patterns)

    # -- typo correction
    def correct_typos(self, doc) -> None:
        for token in doc:
            word = token.norm_
            if len(word) < 6 or not token.is_alpha or word in self.vocab_words:
                continue
            target = self._closest_target(word)
            if target:
                token.norm_ = target

    @lru_cache(maxsize=4096)  # noqa: B019 - one Pipeline per process (pipeline() is cached), so nothing leaks
    def _closest_target(self, word: str) -> Optional[str]:
        budget = 1 if len(word) < 9 else 2
        for target in self._typo_index.get(word[0], ()):
            if abs(len(target) - len(word)) > budget:
                continue
            if len(word) < 8 and word[:2] != target[:2]:
                continue
            if _edit_distance(word, target, budget) <= budget:
                return target
        return None

    def make_doc(self, text: str):
        doc = self.nlp.make_doc(text)
        for token in doc:
            norm = token.norm_
            if "." in norm and _DOTTED.match(norm):
                token.norm_ = norm.replace(".", "")
            elif norm[:1].isdigit() and norm[-1:] in ("c", "f", "°", "º") and _TEMPERATURE.match(norm):
                token.norm_ = _TEMPERATURE.match(norm).group(1)
        self.correct_typos(doc)
        return doc


class _IndexedMatcher:
    """A spaCy Matcher's patterns, kept in one Matcher per set of words a pattern cannot match without, and run
    only when a message has one of those words.

    Why. spaCy's Matcher tries every pattern at every token: the findings' ~3,800 patterns (phrases expanded
    into their alternatives) took 7 of a 40-word message's 9 ms of reading, in both servers. A pattern cannot
    match a message that lacks a word its first required token needs ({"NORM": w} or {"NORM": {"IN": [...]}}),
    so those patterns are not tried on it. The matches are the same, with their duplicates across Matchers
    dropped, in order of position and then of the order their phrases were added (spaCy's own order differs
    between spans, which the reader does not heed, but it is the same where two phrases match one span)."""

    def __init__(self, vocab, new_matcher) -> None:
        self._vocab, self._new_matcher = vocab, new_matcher
        self._by_words: Dict[Optional[frozenset], object] = {}  # None: patterns with no such token, always run
        self._word_index: Dict[str, List[frozenset]] = {}
        self._rank: Dict[int, int] = {}  # a key's hash -> the order it was first added in

    @staticmethod
    def required_words(pattern: List[dict]) -> Optional[frozenset]:
        for token in pattern:
            if token.get("OP") in ("?", "*"):
                continue
            norm = token.get("NORM")
            if isinstance(norm, str):
                return frozenset([norm])
            if isinstance(norm, dict) and set(norm) == {"IN"}:
                return frozenset(norm["IN"])
        return None

    def add(self, key: str, patterns: List[List[dict]]) -> None:
        groups: Dict[Optional[frozenset], List[List[dict]]] = {}
        for pattern in patterns:
            groups.setdefault(self.required_words(pattern), []).append(pattern)
        for words, group in groups.items():
            if words not in self._by_words:
                self._by_words[words] = self._new_matcher()
                for word in words or ():
                    self._word_index.setdefault(word, []).append(words)
            self._by_words[words].add(key, group)
        self._rank.setdefault(self._vocab.strings.add(key), len(self._rank))  # the id spaCy returns for `key`

    def __len__(self) -> int:
        return len({key for matcher in self._by_words.values() for key in matcher._patterns})

    def __call__(self, doc) -> List[Tuple[int, int, int]]:
        present = {token.norm_ for token in doc}
        groups = {words for word in present for words in self._word_index.get(word, ())}
        if None in self._by_words:
            groups.add(None)
        found: set = set()
        for words in groups:
            found.update(self._by_words[words](doc))
        return sorted(found, key=lambda match: (match[1], match[2], self._rank[match[0]]))


def _import_spacy():
    """spaCy and its Matcher, without thinc's TensorFlow bridge.

    thinc (spaCy's machine-learning layer) imports TensorFlow whenever it is installed, and Rasa installs
    it, only to offer wrappers that a blank English tokenizer and its matchers never use. In the action
    server, which loads no TensorFlow of its own, that import was about 370 MB of its 500 MB and a third of
    its start-up, and tripled the objects in its heap. So TensorFlow is hidden from that one import (thinc
    then takes it as not installed) and shown again at once; a process that has already loaded it (the Rasa
    server) imports spaCy as it is. Nothing read changes: the same tokenizer, norms and matches."""
    import sys

    hide = "tensorflow" not in sys.modules and "spacy" not in sys.modules
    if hide:
        sys.modules["tensorflow"] = None  # type: ignore[assignment] - `import tensorflow` now fails as if absent
    try:
        import spacy
        from spacy.matcher import Matcher
    finally:
        if hide and sys.modules.get("tensorflow", False) is None:
            del sys.modules["tensorflow"]
    return spacy, Matcher


def _edit_distance(a: str, b: str, limit: int) -> int:
    """Damerau-Levenshtein (optimal string alignment) distance, stopping past `limit`."""
    prev2: List[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


@lru_cache(maxsize=1)
def pipeline() -> Pipeline:
    """Built once per process, on first use."""
    return Pipeline(knowledge())


# ---------------------------------------------------------------- reading a message

@dataclass
class _Span:
    start: int
    end: int
    kind: str
    id: str


def _longest_first(spans: List[_Span], priority=None) -> List[_Span]:
    """Keep non-overlapping spans, preferring longer ones (then by priority, then earlier)."""
    priority = priority or {}
    ordered = sorted(spans, key=lambda s: (-(s.end - s.start), priority.get(s.kind, 9), s.start))
    taken = set()
    kept = []
    for span in ordered:
        if any(i in taken for i in range(span.start, span.end)):
            continue
        kept.append(span)
        taken.update(range(span.start, span.end))
    return sorted(kept, key=lambda s: s.start)


def _spans(matcher, doc, nlp) -> List[_Span]:
    out = []
    for match_id, start, end in matcher(doc):
        kind, _, ident = nlp.vocab.strings[match_id].partition("|")
        out.append(_Span(start, end, kind, ident))
    return out


class _Scope:
    """Clause segmentation + cue lookup for one doc."""

    def __init__(self, doc, cues: List[_Span], pipe: Pipeline, finding_tokens: set):
        self.doc = doc
        self.finding_tokens = finding_tokens  # tokens of findings that are not themselves timing words
        self.all_findings = finding_tokens    # every finding's tokens (set by the reader)
        self.trigger_tokens: set = set()      # the tokens of what sets the pain off (set by the reader)
        self.cues = cues
        n = len(doc)
        boundary = [False] * n
        for cue in cues:
            if cue.kind == "break":
                for i in range(cue.start, cue.end):
                    boundary[i] = True
        for i, tok in enumerate(doc):
            ends_sentence = tok.text in SENTENCE_END or (tok.is_punct and tok.text[0] in ".!?;")
            if ends_sentence or (tok.is_space and "\n" in tok.text):
                boundary[i] = True
            elif tok.norm_ in pipe.joiners and i + 1 < n and doc[i + 1].norm_ in pipe.starters:
                boundary[i] = True
        self.boundary = boundary
        self.seg = []
        current = 0
        for i in range(n):
            if boundary[i]:
                current += 1
                self.seg.append(-1)
            else:
                self.seg.append(current)
        self.by_kind: Dict[str, List[_Span]] = {}
        for cue in cues:
            self.by_kind.setdefault(cue.kind, []).append(cue)

    def segment_of(self, start: int) -> int:
        return self.seg[start] if 0 <= start < len(self.seg) else -1

    def _before(self, kind: str, start: int, window: int) -> Optional[_Span]:
        seg = self.segment_of(start)
        for cue in self.by_kind.get(kind, ()):
            if cue.end <= start and start - cue.end <= window and self.segment_of(cue.start) == seg and seg != -1:
                return cue
        return None

    def in_segment(self, kind: str, seg: int) -> bool:
        return seg != -1 and any(self.segment_of(c.start) == seg for c in self.by_kind.get(kind, ()))

    def negated(self, start: int, end: int, window: int) -> bool:
        seg = self.segment_of(start)
        for cue in self.by_kind.get("neg_pre", ()):
            if (cue.end <= start and start - cue.end <= window and seg != -1
                    and self.segment_of(cue.start) == seg and not self._denial_ends(cue.end, start)
                    and not self._new_item(cue.end, start, end)):
                return True
        # post-negation: "fever: no", "falls - none"
        i = end
        while i < len(self.doc) and self.doc[i].text in POST_NEGATION_SKIP:
            i += 1
        while i < len(self.doc) and i - end < 4 and self.doc[i].norm_ in POST_NEGATION_VERBS:
            i += 1
        for cue in self.by_kind.get("neg_post", ()):
            if cue.start == i:
                after = cue.end
                if after >= len(self.doc) or self.doc[after].is_punct or self.doc[after].norm_ in ("and", "but", "or"):
                    return True
        return False

    def _denial_ends(self, frm: int, to: int) -> bool:
        """A denial reaches past a comma or "and" only when it is a list of findings ("no fever,
        chills or numbness", "no numbness and tingling"). When what it denied before the comma
        was not a finding ("can't hold it, soiled the bed", "doesn't sleep well and wet
        herself"), the denial ends there."""
        for i in range(frm, to):
            tok = self.doc[i]
            if tok.text == "," or tok.norm_ in ("and", "&"):
                return not any(j in self.all_findings for j in range(frm, i))
        return False

    def _new_item(self, frm: int, start: int, end: int) -> bool:
        """"no fever, legs numb since yesterday": past a comma or "and", a finding with its own new/sudden
        cue is a new statement, not one more item of the list the denial began."""
        listed = any(self.doc[i].text == "," or self.doc[i].norm_ in ("and", "&") for i in range(frm, start))
        return listed and self._near("acute_strong", start, end, ACUTE_WINDOW, True)

    def uncertain(self, start: int, window: int) -> bool:
        return self._before("unc", start, window) is not None

    def _pure_segment(self, kind: str, seg: int) -> bool:
        """A short clause holding only a cue of this kind ("nothing new", "has done for months", "it's gone now")."""
        if seg < 0 or not self.in_segment(kind, seg):
            return False
        words = [i for i, s in enumerate(self.seg) if s == seg and not self.doc[i].is_punct]
        return len(words) <= PURE_CHRONIC_MAX_WORDS and not any(i in self.finding_tokens for i in words)

    def only_timing(self, start: int) -> bool:
        """The clause holds no finding but timing words ("she's had this on and off for years")."""
        seg = self.segment_of(start)
        return seg != -1 and not any(self.seg[i] == seg for i in self.finding_tokens)

    def long_standing(self, start: int) -> bool:
        seg = self.segment_of(start)
        if self.in_segment("chronic", seg):
            return True
        return self._pure_segment("chronic", seg + 1) or self._pure_segment("chronic", seg - 1)

    def conditional(self, start: int) -> bool:
        """A "when / whenever / if / after" shortly before it, in its clause: a trigger, not a state now."""
        return self._before("cond", start, CONDITIONAL_WINDOW) is not None

    def near_segment(self, kind: str, start: int, before: bool = False) -> bool:
        """A cue of this kind in the finding's clause, or alone in a short clause right after it
        (or, with before=True, right before it)."""
        seg = self.segment_of(start)
        return self.in_segment(kind, seg) or self._pure_segment(kind, seg - 1 if before else seg + 1)


    def _near(self, kind: str, start: int, end: int, window: int, adjective_ok: bool = True) -> bool:
        seg = self.segment_of(start)
        for cue in self.by_kind.get(kind, ()):
            if seg == -1 or self.segment_of(cue.start) != seg:
                continue
            if not adjective_ok and cue.end == start and self.doc[cue.start].norm_ == "sudden":
                continue  # "a sudden electric jolt": how it feels, not when it began
            if all(i in self.trigger_tokens for i in range(cue.start, cue.end)):
                continue  # "when she moves suddenly": what sets the pain off, not when anything began
            gap = start - cue.end if cue.end <= start else cue.start - end if cue.start >= end else 0
            if gap <= window:
                return True
        return False

    def acute(self, start: int, end: Optional[int] = None, adjective_ok: bool = True) -> Tuple[bool, bool]:
        """(new/sudden cue near it, worsening cue near it), same clause, within ACUTE_WINDOW words, or
        alone in a short clause right after it ("she wet herself, that's new")."""
        end = start + 1 if end is None else end
        after = self.segment_of(start) + 1 if self.segment_of(start) != -1 else -1
        strong = (self._near("acute_strong", start, end, ACUTE_WINDOW, adjective_ok)
                  or self._pure_segment("acute_strong", after))
        return strong, self._near("acute_worse", start, end, ACUTE_WINDOW)

    def worse_outside(self, start: int, end: int) -> bool:
        """A worsening cue near the finding, or in a short clause right after it ("worse at night" is
        the finding; "and it keeps getting worse" says it is changing)."""
        seg = self.segment_of(start)
        # inside its words, "getting worse" counts, a bare comparative ("worse at night") does not
        near = any(self.segment_of(c.start) == seg != -1 and (
            (start <= c.start and c.end <= end and c.end - c.start > 1)
            or ((c.start >= end or c.end <= start) and min(abs(c.start - end), abs(start - c.end)) <= ACUTE_WINDOW))
            for c in self.by_kind.get("acute_worse", ()))
        return near or (seg != -1 and self._pure_segment("acute_worse", seg + 1))


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
    opinion = reading_model.signs(text)
    if not opinion:
        return result
    if mode == "model":
        result.red_flags = []
    said = " ".join(text.split())[:MODEL_SAID_CHARS]
    # what the rules placed stands: denied, old, passed, a harmless fall, or expected progression told as such
    settled = (STATUS_PRESENT, STATUS_NEGATED, STATUS_LONG_STANDING, STATUS_RESOLVED, STATUS_MINOR, STATUS_BASELINE)
    if result.blocked:
        return result  # the rules matched a look-alike ("gasping for a cuppa"): the model cannot tell it apart
    for sign, probability in opinion.items():
        told = [f for f in result.red_flags if f.id == sign]
        if any(f.status in settled for f in told) or probability < reading_model.SUSPECT:
            continue
        if probability >= reading_model.CONFIDENT and not (result.denies and not told):
            result.red_flags = [f for f in result.red_flags if f.id != sign]
            result.red_flags.append(Finding(sign, "red_flag", STATUS_PRESENT, said, topic="red_flag_screen",
                                            acute=True))
        elif not told:
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
            merged.plain = merged.plain or part.plain
            merged.context_free = merged.context_free and part.context_free
        return merged
    except Exception as error:  # a message must never crash the bot, and a failed reading is never "nothing"
        import logging
        logging.getLogger(__name__).error("reading failed (%s): the turn asks about the emergency signs",
                                          type(error).__name__)
        return Extraction(failed=True)


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
    found = _spans(pipe.findings, doc, pipe.nlp)
    beside_found = _spans(pipe.beside, doc, pipe.nlp)
    # the context (in_screen) is read only for these spans: without any, every context reads the text alike
    result.context_free = not any(s.kind.startswith(("flag", "warn")) for s in found + beside_found)
    # a screen-only phrase ("the bladder one") names a flag only in an answer to the red-flag screen
    found = [f for f in found if not f.kind.endswith("_screen") or in_screen]
    findings = _longest_first(found, PRIORITY)
    # read beside the pain features (see Pipeline): a red flag phrase over the same words ("crushing
    # band across his chest") or a blocker wins over an ask phrase; a warning sign stands beside both
    # (the blockers found above also stop these: one matcher pass over them is enough)
    taken = {i for f in findings if f.kind.startswith(("flag", "block")) for i in range(f.start, f.end)}
    blocked = {i for f in findings if f.kind == "block" for i in range(f.start, f.end)}
    beside = [a for a in _longest_first([b for b in beside_found
                                         if not b.kind.endswith("_screen") or in_screen], PRIORITY)
              if not any(i in (taken if a.kind == "flag_ask" else blocked) for i in range(a.start, a.end))]
    # A blocker stops a misreading as a red flag ("temperature changes" is not a fever), but a
    # pain feature with exactly the blocker's words is still what the caregiver said (a trigger).
    blocks = {(f.start, f.end) for f in findings if f.kind == "block"}
    if blocks:
        rescued = {(f.start, f.end): f for f in found if f.kind == "feature" and (f.start, f.end) in blocks}
        findings = sorted(findings + list(rescued.values()), key=lambda f: f.start)
    findings = [f for f in findings if not _title_not_condition(doc, f)]
    # A negation or doubt word that is part of a finding ("can't stand", "rest doesn't help")
    # belongs to that finding and must not reach out to its neighbours.
    # Timing words describe the findings beside them ("her bowels haven't changed", "weak for years"): their
    # negation and chronicity words are cues for those findings, not words kept to themselves.
    timing_words = {"long_standing", "intermittent", "constant", "new_onset", "worsening"}
    inside_findings = {i for f in findings if f.kind != "block" and f.id not in timing_words
                       for i in range(f.start, f.end)}
    all_cues = _spans(pipe.cues, doc, pipe.nlp)
    # post-negation words ("fever: no") are also pre-negation words: resolve them separately
    cues = _longest_first([c for c in all_cues if c.kind != "neg_post"]) + \
        _longest_first([c for c in all_cues if c.kind in ("neg_post", "pseudo")])
    cues = [c for c in cues if c.kind != "pseudo" and not (
        c.kind in ("neg_pre", "neg_post", "unc") and any(i in inside_findings for i in range(c.start, c.end)))]
    scope = _Scope(doc, cues, pipe, inside_findings)
    result.denies = any(c.kind in ("neg_pre", "neg_post") for c in cues)
    result.blocked = bool(blocks)
    scope.all_findings = {i for f in findings + beside if f.kind != "block" for i in range(f.start, f.end)}
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
            strong, _ = scope.acute(span.start, span.end, adjective_ok=fid not in SUDDEN_BY_NATURE)
            result.features.append(Finding(fid, "feature", status, said(span), topic=kb.features[fid]["topic"],
                                           acute=strong))
            if status == STATUS_PRESENT and fid == "long_standing" and scope.only_timing(span.start):
                old_news = True
            if status == STATUS_PRESENT and strong and fid in NERVE_SYMPTOMS:
                nerve_new.append(said(span))
            continue
        result_list = result.red_flags if span.kind.startswith("flag") else result.warning_signs
        result_list.append(_read_sign(span, said(span), scope, in_screen, neg_window, unc_window, kb, result))
    for span in beside:
        result_list = result.red_flags if span.kind.startswith("flag") else result.warning_signs
        result_list.append(_read_sign(span, said(span), scope, in_screen, neg_window, unc_window, kb, result))
    _both_legs(doc, result)
    _minor_falls(result)
    _durations_of_signs(scope, findings, beside, result)

    if last_condition:
        result.condition, result.condition_said = last_condition
    # "she's had this on and off for a couple of years": a sensation the message calls
    # long-standing is not a new neurological symptom, whatever word described it
    if nerve_new and not old_news:
        result.neuro_change.extend(nerve_new)

    _read_signals(doc, pipe, scope, neg_window, result)
    return result


def _read_sign(span: "_Span", words: str, scope: "_Scope", in_screen: bool, neg_window: int, unc_window: int,
               kb: KnowledgeBase, result: Extraction) -> Finding:
    """One red flag or warning sign mention, with its status (see the module docstring)."""
    is_flag = span.kind.startswith("flag")
    sign = (kb.red_flags if is_flag else kb.warning_signs)[span.id]
    how = span.kind.partition("_")[2]  # "" | acute | state | ask | screen
    strong, worse = scope.acute(span.start, span.end)
    acute_event = how == "acute"
    finding = Finding(span.id, "red_flag" if is_flag else "warning_sign", STATUS_PRESENT, words,
                      topic="red_flag_screen", acute=strong or acute_event, worsening=worse, start=span.start)
    if sign.get("needs_words") and not _needs_words(sign["needs_words"]).search(scope.doc.text.lower()):
        finding.status = STATUS_BASELINE        # osteoporosis with no knock, a pump with no sign of being unwell
    elif scope.negated(span.start, span.end, neg_window):
        finding.status = STATUS_NEGATED
    elif scope.uncertain(span.start, unc_window):
        finding.status = STATUS_UNCERTAIN
    elif sign.get("conditional_is_trigger") and scope.conditional(span.start):
        finding.status = STATUS_BASELINE        # "worse when she has a UTI": a trigger, not an infection now
    elif sign.get("can_resolve") and scope.near_segment("resolved", span.start):
        finding.status = STATUS_RESOLVED
    elif scope.long_standing(span.start) and not strong:
        # "legs give way sometimes, for months, same as always": the clause says it is old news
        finding.status = STATUS_PRESENT if sign.get("history_counts") else STATUS_LONG_STANDING
    elif how == "change" and not (strong or any(
            f.id in ("new_onset", "worsening") and f.status == STATUS_PRESENT for f in result.features)):
        finding.status = STATUS_BASELINE        # "rest doesn't help" alone: how MS pain often is, not new pain
    elif sign.get("needs_worsening_cue") and not (scope.worse_outside(span.start, span.end) or strong or in_screen):
        finding.status = STATUS_BASELINE        # pain at night alone is common; getting worse is the sign
    elif sign.get("needs_sudden_cue") and not (strong or acute_event or in_screen):
        if worse:
            # expected progression (ALS/MS) told as such, not a red flag; worsening is still worth a call
            finding.status = STATUS_BASELINE
            result.neuro_change.append(words)
        else:
            finding.status = STATUS_ONSET_UNKNOWN  # "his right leg is weak": not said whether new, so asked
    elif how == "ask" and not (in_screen or strong):
        finding.status = STATUS_ONSET_UNKNOWN   # a known MS symptom: an emergency only when different
    elif scope.in_segment("onset", scope.segment_of(span.start)) and not strong:
        finding.status = STATUS_ONSET_UNKNOWN   # "because of her MS", "as usual", "again"
    elif how == "state" and not (strong or in_screen):
        finding.status = STATUS_ONSET_UNKNOWN   # "she's incontinent": a state, not when it began
    # a fall is new by nature ("yesterday she slid..."): only worse pain, anywhere in the message, makes a
    # harmless one an injury ("didn't hurt himself, but now his back is much worse")
    elif span.id == "injury" and not (worse or scope.by_kind.get("acute_worse")) and (
            scope.near_segment("noharm", span.start) or scope.near_segment("noharm", span.start, before=True)):
        finding.status = STATUS_MINOR           # "slid down gently, wasn't hurt"
    return finding


@lru_cache(maxsize=None)
def _needs_words(pattern: str) -> "re.Pattern[str]":
    return re.compile(r"\b" + pattern + r"\b")


def _durations_of_signs(scope: "_Scope", findings: List["_Span"], beside: List["_Span"], result: Extraction) -> None:
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


def _both_legs(doc, result: Extraction) -> None:
    """Numbness or weakness told of both legs ("both his legs went numb", "can't feel either leg") is
    also the both_legs flag, with the same status."""
    told = {f.id for f in result.red_flags if f.id == "both_legs"}
    for f in list(result.red_flags):
        around = {t.norm_ for t in doc[max(0, f.start - BOTH_WINDOW): f.start + len(f.said.split()) + 1]}
        if f.id in ("leg_numbness", "leg_weakness") and not told and around & {"both", "either"}:
            result.red_flags.append(Finding("both_legs", "red_flag", f.status, f.said, topic=f.topic,
                                            acute=f.acute, worsening=f.worsening))
            told.add("both_legs")


def _minor_falls(result: Extraction) -> None:
    """A fall told with nothing hurt ("slid down gently, wasn't hurt"), or an old fall, is the
    minor_fall warning sign rather than the injury red flag. A plain fall stays an injury."""
    minor = [f for f in result.red_flags if f.id == "injury" and f.status == STATUS_MINOR]
    old = [f for f in result.red_flags if f.id == "injury" and f.status == STATUS_LONG_STANDING]
    if (minor or old) and not any(w.id == "minor_fall" for w in result.warning_signs):
        said = (minor or old)[0].said
        result.warning_signs.append(Finding("minor_fall", "warning_sign", STATUS_PRESENT, said,
                                            topic="red_flag_screen"))


def _title_not_condition(doc, span) -> bool:
    """"Ms Patel", "Ms. Jones": the title, not multiple sclerosis (written "Ms" + a capitalised name)."""
    if span.kind != "condition" or span.end - span.start != 1 or doc[span.start].text not in ("Ms", "Ms."):
        return False
    nxt = span.end + (1 if span.end < len(doc) and doc[span.end].text == "." else 0)
    return nxt < len(doc) and doc[nxt].is_title and doc[nxt].is_alpha


def _read_signals(doc, pipe: Pipeline, scope: _Scope, neg_window: int, result: Extraction) -> None:
    spans = _spans(pipe.signals, doc, pipe.nlp)
    answer_kinds = {"answer_yes", "answer_no", "uncertain"}
    answers = _longest_first([s for s in spans if s.id in answer_kinds])
    others = [s for s in spans if s.id not in answer_kinds]
    signals: Dict[str, List[str]] = {}
    for name in {s.id for s in others}:
        for span in _longest_first([s for s in others if s.id == name]):
            # crisis words are cleared only by a denial right before them ("not suicidal"), never by
            # a "no" further off ("no one would care if I killed myself")
            window = 1 if name == "crisis" else neg_window
            if name in ("severity", "crisis", "prescription_review") and scope.negated(span.start, span.end, window):
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
    if "question" in signals:
        first_q = first_word is not None and any(
            s.id == "question" and s.start == first_word for s in others)
        result.is_question = first_q or any(t.text == "?" for t in doc)
        del signals["question"]
    mention = signals.pop("dose_mention", None)
    if mention and not signals.get("dose_question"):
        # "is 20mg too much", "she's on 10 mg, can we go to 20": a strength in a question is a
        # dose question; "she takes 10mg of baclofen" is not. A question word opening the
        # message or any clause counts, as does a "?".
        starts = {first_word} | {t.i + 1 for t in doc if t.is_punct}
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
    asking = "?" in doc.text or (first_word is not None and doc[first_word].lower_ in _ASKING_WORDS)
    result.plain = not asking and (
        any(t.lower_ in _stop_words() or t.norm_ in _stop_words() for t in doc)
        or bool(result.features or result.condition or result.red_flags or result.warning_signs or result.answer))


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
_NO_FIRST = re.compile(r"^\W*(no|nope|nah|not really|not that i know of|not as far as i know)\b\s*"
                       r"([,.!;:\-]|$|(he|she|they|his|her|their|it|its|it's|i|we|all|nothing|none|thank|thanks)\b)")


_ASKING_WORDS = frozenset({"why", "what", "how", "which", "who", "should", "can", "could", "is", "are", "does", "do",
                           "will", "would", "shall", "may", "might", "am"})


@lru_cache(maxsize=1)
def _stop_words() -> frozenset:
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS)
