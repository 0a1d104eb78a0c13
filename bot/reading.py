"""The reading of one message: what the hand rules (and the second reader) found in it, each finding
with its status. One reading per message, made once (bot.extract.read_text) and passed along."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Dict, List, Optional

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
               ("event_phrases", "_event"), ("vague_phrases", "_vague"),
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
    vague: bool = field(default=False, repr=False, compare=False)  # r13: told only in an idiom ("legs went funny")
    # r13: a timing feature told in a clause about the back ("it's the back that's new"): the pain's age, not a sign's
    about_back: bool = field(default=False, repr=False, compare=False)


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
    # r12: a question word opens the message or one of its clauses ("what is...", "..., is that normal"); without
    # one, a "?" may be a carer's doubt about their own answer ("er, low? she says low", "MS? i think")
    asks_in_words: bool = False
    # Ordinary language (a common English word, or anything the rules read), not keyboard noise: a reply in
    # such words to the form's question is taken as its answer, in the caregiver's words, even when the rules
    # cannot name what it says ("since the new carers started", "hoisted for everything").
    plain: bool = False
    # The rules could not read the message (an internal error): fail closed, never "nothing found".
    failed: bool = False
    # A denial word anywhere ("no", "not", "fine", "normal"; not words of inability, "can't wee"): the second
    # reader, which cannot scope one, then asks about a sign it is sure of instead of escalating it
    # (with_second_opinion).
    denies: bool = False
    # A word telling that something is new or sudden anywhere in the message ("since tuesday", "onset this am"):
    # with it, a denial elsewhere no longer turns the second reader's sure sign into a question
    tells_new: bool = False
    # r11: such a word in a clause without any denial ("Nil falls. Woke 0200 with it, new this wk"; not "no lump has
    # come up since lunch"): with it, a denial elsewhere does not stop the second reader's sure same-day sign
    tells_new_undenied: bool = False
    # r13: an ability kept said against an earlier time ("today he can too", "he still can"): a red flag only the second
    # reader is sure of is then asked about, not escalated
    keeps_ability: bool = False
    # A recent span of weeks ("the last few weeks", "over 3/52"): with a cancer history, a sign told over it is new
    tells_recent: bool = False
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
