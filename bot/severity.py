"""How bad the pain is, 0 (none) to 10 (worst), from a caregiver's own words.

"about 7", "7/10", "7 out of 10", "a 7", "seven", "mild", "moderate", "severe", "worst ever": the words
map onto the scale by policy (policy.yml `severity.words`). A bare number is a severity only where it
cannot be a time or a count: never "3 days", "at 7", "for 2 weeks"; outside the answer to the severity
question it needs a hedge ("about 7", "a 7") or the scale ("7/10"). A number above 10 on the scale
("12/10") or as the answer is out of range: the question is asked again.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from .knowledge_base import knowledge

SCALE_MAX = 10  # the 0-10 numeric rating scale the question names
_NUMBER_WORDS = {"zero": 0, "nought": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
                 "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15,
                 "twenty": 20, "hundred": 100}
_NUM = r"(\d{1,3}(?:\.\d)?(?!\d)(?!\.\d)|" + "|".join(_NUMBER_WORDS) + r")"
_ON_SCALE = re.compile(r"\b" + _NUM + r"\s*(?:/|out of|outta|of)\s*(?:10|ten)\b")
# What may follow a number that is a time, a count or a measure, never a rating.
_NOT_A_RATING_AFTER = (r"(?!\s*(?:[:.]\d|%|am\b|pm\b|o'?clock|minutes?|mins?|hours?|hrs?|days?|nights?|weeks?|"
                       r"months?|years?|yrs?|times?|seconds?|secs?|tablets?|pills?|mg|kg|lbs?|stone|steps?|"
                       r"feet|foot|ft|metres?|meters?|miles?|people|kids|children|of them|or so days))")
_HEDGED = re.compile(r"\b(?:about|around|roughly|maybe|perhaps|like|approx(?:imately)?|probably|at least|"
                     r"a solid|an?|level|score(?:d)?|rated?|it'?s|she'?s|he'?s|is|was|a good)\s+" + _NUM +
                     _NOT_A_RATING_AFTER)
_BARE = re.compile(r"^\W*(?:(?:about|around|maybe|roughly|probably|i'?d say|like|a|an)\s+)?" + _NUM +
                   r"(?:\s*(?:-|to|or)\s*" + _NUM + r")?\s*(?:/\s*10)?\W*$")
# A diary entry is shorthand: "bad night, spasms, 7" or "burning after the bath - 5": a number 0-10 that
# stands alone between commas, dashes or at the end is the rating there (never "at 7", "24 November").
_ENTRY_SEGMENT = re.compile(r"(?:^|[,;]|\s[\u2013-])\s*(\d{1,2})(?:\s*/\s*10)?\s*(?=[,;.!]|\s[\u2013-]|$)")
# ... and "pain 5 today": a digit right after "pain" is its rating there ("pain at 7" is a time).
_ENTRY_PAIN = re.compile(r"\bpain\s*(?:is\s+|was\s+|of\s+|:\s*|-\s*)?(\d{1,2})\b" + _NOT_A_RATING_AFTER)
_WORD_NUMBER_HEDGES = ("about", "around", "roughly", "maybe", "perhaps", "probably", "approx", "approximately")
_NOT_SEVERITY = re.compile(r"\b(?:at|for|since|on|by|until|till|before|after|every|each|per)\s+(?:about\s+)?$")


@dataclass
class Severity:
    score: Optional[int]       # 0..10, None when the number said is off the scale
    said: str                  # the caregiver's words it came from
    out_of_range: bool = False


def _number(token: str) -> Optional[float]:
    token = token.lower()
    if token in _NUMBER_WORDS:
        return float(_NUMBER_WORDS[token])
    try:
        return float(token)
    except ValueError:
        return None


def _from_number(value: Optional[float], said: str) -> Optional[Severity]:
    if value is None:
        return None
    if value < 0 or value > SCALE_MAX:
        return Severity(None, said, out_of_range=True)
    return Severity(int(round(value)), said)


def _words_policy():
    return knowledge().policy["severity"]


def read_severity(text: str, asked: bool = False, entry: bool = False) -> Optional[Severity]:
    """The severity a message tells, or None. asked: the message answers the severity question, so a
    bare number ("7", "6-7") or a bare word ("none") counts. entry: the words of a diary entry, where a
    number standing alone between commas is the rating ("bad night, spasms, 7")."""
    low = " ".join(str(text or "").lower().replace("\u2019", "'").split())
    if not low:
        return None
    match = _ON_SCALE.search(low)
    if match:
        return _from_number(_number(match.group(1)), match.group(0))
    bare = _BARE.match(low)
    if bare and (asked or re.search(r"/\s*10", low)):
        values = [_number(g) for g in bare.groups() if g]
        if any(v is None for v in values):
            return None
        # "6-7": the caregiver hesitates between two: the higher is kept (no reassurance by rounding down)
        return _from_number(max(values), bare.group(0).strip())
    for match in _HEDGED.finditer(low):
        if _NOT_SEVERITY.search(low[:match.start()]):
            continue
        value = _number(match.group(1))
        hedge = match.group(0).split()[0]
        if match.group(1).isalpha() and hedge not in _WORD_NUMBER_HEDGES:
            continue  # "it's one of those days", "a one-off": a word number needs "about" to be a rating
        if value is not None and (asked or value <= SCALE_MAX):
            return _from_number(value, match.group(0))
    if entry:
        for match in [*_ENTRY_SEGMENT.finditer(low), *_ENTRY_PAIN.finditer(low)]:
            value = _number(match.group(1))
            if value is not None and value <= SCALE_MAX:
                return _from_number(value, match.group(0).strip(" ,;:-\u2013"))
    return _from_words(low, asked)


def _from_words(low: str, asked: bool) -> Optional[Severity]:
    """"mild", "moderate", "severe", "worst ever": the policy's words, longest phrase first."""
    policy = _words_policy()
    phrases = sorted(policy["words"].items(), key=lambda kv: -len(kv[0]))
    if asked:
        phrases += sorted(policy["answer_words"].items(), key=lambda kv: -len(kv[0]))
    for phrase, score in phrases:
        # "none of them", "none of those": the denial of a list (the screen's), not a rating
        match = re.search(r"\b" + re.escape(phrase) + r"\b(?!\s+of\b)", low)
        if match and not re.search(r"\b(?:not|isn't|wasn't|no longer|never)\s+(?:\w+\s+)?$", low[:match.start()]):
            return Severity(int(score), match.group(0))
    return None


def is_severe(score: Optional[int]) -> bool:
    """At or above policy's `severe_from`: severe pain, a reason to contact the care team (seed 003)."""
    return score is not None and score >= int(_words_policy()["severe_from"])


def only_severity(text: str) -> bool:
    """The message is just a rating ("7", "about a 6", "moderate", "8/10 today"): an answer, nothing else."""
    low = " ".join(str(text or "").lower().split())
    found = read_severity(low, asked=True)
    # "none", "bad", "not too bad" rate the pain only as a reply to the severity question: alone, they
    # answer whatever else was asked ("none" to the red-flag screen)
    if found is None or found.said in _words_policy()["answer_words"]:
        return False
    rest = low.replace(found.said.lower(), " ")
    words = re.findall(r"[a-z']+", rest)
    filler = set(_words_policy()["filler_words"])
    return all(w in filler for w in words)
