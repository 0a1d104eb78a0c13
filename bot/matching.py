"""The matchers: the knowledge base's phrase patterns compiled for spaCy's blank English tokenizer, the
same-length text clean-up, a small typo corrector, and the spans a message's words match."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Dict, List, Optional, Sequence, Tuple

from .knowledge_base import KnowledgeBase, knowledge
from .patterns import parse
from .reading import SIGN_FIELDS

MAX_CHARS = 20000        # one chunk: a long message is read whole
GAP_TOKENS = 3
GAP_EXCLUDES = ["not", "no", "never", "nor", "without", "but", "however", "although", "though"]
# "A.L.S.", "m.s" -> "als", "ms": dotted abbreviations are one token whose NORM keeps the dots
_DOTTED = re.compile(r"^(?:[a-z]\.){1,4}[a-z]\.?$")
# "38.5c", "101f", "38.5°": a temperature with its unit glued on -> the bare number
_TEMPERATURE = re.compile(r"^(\d{2,3}(?:\.\d)?)(?:°|º)?(?:c|f)?$")
# When two matches cover exactly the same words, the lower number wins.
# (an event phrase wins over a state phrase of the same words: "had an accident in his pants out of nowhere" is told
# with a word of when; an acute phrase wins over both)
PRIORITY = {"block": 0, "flag_acute": 1, "flag_event": 1.5, "flag": 2, "flag_screen": 2, "flag_state": 2,
            "flag_vague": 2.5,
            "warn_acute": 1, "warn": 2, "warn_change": 2, "warn_screen": 2, "warn_state": 2,
            "condition": 3, "feature": 4}


# ---------------------------------------------------------------- text clean-up

_CHAR_MAP = {"\u2018": "'", "\u2019": "'", "\u02bc": "'", "\u00b4": "'", "`": "'", "\u201c": '"', "\u201d": '"',
             "\u2013": "-", "\u2014": "-", "\u2212": "-", "\u00a0": " "}


def normalize_text(text: object) -> str:
    """Clean-up of look-alike characters, shouting and quotation marks, capped."""
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
    text = _SHOUTED_CONTRACTION.sub(lambda m: m.group(0).lower(), text)
    # quotation marks around words ("her bottom feels 'like dead'") are dropped, so the words inside read as
    # words (the one change of length: nothing reads offsets into the text); an apostrophe inside a word stays
    # brackets around an aside ("a bukol (lump) on her back", "Mum (MS) says") likewise
    return _BRACKET.sub(" ", _QUOTE_MARK.sub("", text))


_SHOUTED_CONTRACTION = re.compile(r"\b[A-Z]+'[A-Z]+\b")
_BRACKET = re.compile(r"\s*[()\[\]]\s*")
# (a contraction's own apostrophe, "'s", "'re", as the patterns write them, is not a quotation mark)
_QUOTE_MARK = re.compile(r"\"|(?<![A-Za-z0-9])'(?=[A-Za-z])(?!(?:s|t|re|ve|ll|d|m)\b)|(?<=[A-Za-z])'(?![A-Za-z0-9])")
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
        self.beside = _IndexedMatcher(self.nlp.vocab, lambda: Matcher(self.nlp.vocab, validate=False))
        self.cues = _IndexedMatcher(self.nlp.vocab, lambda: Matcher(self.nlp.vocab, validate=False))
        self.signals = _IndexedMatcher(self.nlp.vocab, lambda: Matcher(self.nlp.vocab, validate=False))
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
                           ("resolved", "resolved"), ("improving", "improving"), ("noharm", "no_harm"),
                           ("cond", "conditional"),
                           ("acute_strong", "acute_strong"), ("frame", "reporting_frames"),
                           ("acute_worse", "acute_worsening"), ("break", "clause_breaks"), ("recent", "recent"),
                           ("unsure_change", "unsure_change"), ("asked", "asked_about"),
                           ("kept", "ability_kept"), ("correction", "correction"), ("ongoing", "still_going")):
            self._add(self.cues, f"{label}|", lang[key])
        self._add(self.cues, "severe|", lang["signals"]["severity"])  # severe pain: a fall or knock that hurt
        for name, phrases in lang["signals"].items():
            self._add(self.signals, f"signal|{name}", phrases)

        self.joiners = {self._norms(w)[0] for w in lang["clause_joiners"] if self._norms(w)}
        self.starters = {self._norms(w)[0] for w in lang["clause_starters"] if self._norms(w)}
        self.fillers = {n for w in lang.get("phrase_fillers") or [] for n in self._norms(w)}
        self.typo_targets = {t.lower() for t in lang["typo_targets"]}
        self.misspellings = {k.lower(): v.lower() for k, v in (lang.get("misspellings") or {}).items()}
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
            if word in self.misspellings:
                token.norm_ = self.misspellings[word]
                continue
            if word in self.vocab_words or not token.is_alpha:
                continue
            if len(word) >= 4 and word.endswith("in") and word + "g" in self.vocab_words:
                token.norm_ = word + "g"  # a dropped g ("shakin", "boilin hot", "peein"), any length
                continue
            if len(word) < 6:
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
        # a key: the sets of words a pattern cannot match without (None: no such token, always run)
        self._by_words: Dict[Optional[Tuple[frozenset, ...]], object] = {}
        self._word_index: Dict[str, List[Tuple[frozenset, ...]]] = {}  # a word of a key's first set -> the keys
        self._rank: Dict[int, int] = {}  # a key's hash -> the order it was first added in

    @staticmethod
    def required_words(pattern: List[dict]) -> Optional[Tuple[frozenset, ...]]:
        """The sets of words a message must hold one of each for the pattern to match: the most telling required
        token's (a set with no everyday word in it, the smallest; "(her|his) bladder" is indexed by "bladder", so it
        is not tried on every message with a "her" in it), then the next smallest that is not all everyday words.
        The second keeps patterns that share a first word apart: "can't feel ... bottom" is not tried on "can't
        feel his legs"."""
        candidates = []
        for token in pattern:
            if token.get("OP") in ("?", "*"):
                continue
            norm = token.get("NORM")
            if isinstance(norm, str):
                candidates.append(frozenset([norm]))
            elif isinstance(norm, dict) and set(norm) == {"IN"}:
                candidates.append(frozenset(norm["IN"]))
        if not candidates:
            return None
        common = _everyday_words()
        telling = sorted(set(c for c in candidates if not c & common), key=_smallest_first)
        if not telling:
            return (candidates[0],)
        # the second may hold an everyday word among others ("bum|bottom|...": "bottom" is one of spaCy's)
        second = sorted(set(c for c in candidates if c != telling[0] and not c <= common), key=_smallest_first)
        return (telling[0], *second[:1])

    def add(self, key: str, patterns: List[List[dict]]) -> None:
        groups: Dict[Optional[Tuple[frozenset, ...]], List[List[dict]]] = {}
        for pattern in patterns:
            groups.setdefault(self.required_words(pattern), []).append(pattern)
        for words, group in groups.items():
            if words not in self._by_words:
                self._by_words[words] = self._new_matcher()
                for word in words[0] if words else ():
                    self._word_index.setdefault(word, []).append(words)
            self._by_words[words].add(key, group)
        self._rank.setdefault(self._vocab.strings.add(key), len(self._rank))  # the id spaCy returns for `key`

    def __len__(self) -> int:
        return len({key for matcher in self._by_words.values() for key in matcher._patterns})

    def __call__(self, doc) -> List[Tuple[int, int, int]]:
        present = {token.norm_ for token in doc}
        groups = {words for word in present for words in self._word_index.get(word, ())
                  if all(more & present for more in words[1:])}
        if None in self._by_words:
            groups.add(None)
        found: set = set()
        for words in groups:
            found.update(self._by_words[words](doc))
        return sorted(found, key=lambda match: (match[1], match[2], self._rank[match[0]]))


def _smallest_first(words: frozenset) -> tuple:
    return len(words), sorted(words)


@lru_cache(maxsize=1)
def _everyday_words() -> frozenset:
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS)


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
class Span:
    start: int
    end: int
    kind: str
    id: str


def longest_first(spans: List[Span], priority=None) -> List[Span]:
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


def sign_spans_without_fillers(pipe: Pipeline, doc, matchers: Sequence) -> List[List[Span]]:
    """For each matcher: the red flags', warning signs' and blockers' phrases found once the words a caregiver
    drops into the middle of a phrase are left out (language.yml `phrase_fillers`: "his bowels JUST let go", "she
    can't hold ANY wee"), with their positions in the whole message. Empty lists when the message has no such word;
    the shorter message is made once for all the matchers."""
    from spacy.tokens import Doc

    keep = [i for i, token in enumerate(doc) if token.norm_ not in pipe.fillers]
    if len(keep) == len(doc) or not keep:
        return [[] for _ in matchers]
    short = Doc(pipe.nlp.vocab, words=[doc[i].text for i in keep],
                spaces=[bool(doc[i].whitespace_) for i in keep])
    for token, i in zip(short, keep, strict=True):
        token.norm_ = doc[i].norm_
    return [[Span(keep[span.start], keep[span.end - 1] + 1, span.kind, span.id)
             for span in find_spans(matcher, short, pipe.nlp) if span.kind.startswith(("flag", "warn", "block"))]
            for matcher in matchers]


def whole_mentions(kept: List[Span], found: List[Span]) -> List[Span]:
    """A sign's phrases that overlap are one mention: each kept sign span grows over the other phrases of the
    same sign that overlap it ("cant breathe" and "breathe properly its getting worse" are one mention, so the
    "cant" inside it is the sign's own word, not a denial of it), unless it would run into another kept span."""
    out = []
    for span in kept:
        start, end = span.start, span.end
        if span.kind.startswith(("flag", "warn")):
            grown = True
            while grown:
                grown = False
                for other in found:
                    if other.id == span.id and other.start < end and start < other.end and (
                            other.start < start or other.end > end) and not any(
                            k is not span and k.start < max(end, other.end) and min(start, other.start) < k.end
                            for k in kept):
                        start, end, grown = min(start, other.start), max(end, other.end), True
        out.append(span if (start, end) == (span.start, span.end) else Span(start, end, span.kind, span.id))
    return out


def find_spans(matcher, doc, nlp) -> List[Span]:
    out = []
    for match_id, start, end in matcher(doc):
        kind, _, ident = nlp.vocab.strings[match_id].partition("|")
        out.append(Span(start, end, kind, ident))
    return out
