"""Status and scope: a message cut into clauses, and the cues in each clause that say whether a finding is
denied, hedged, long-standing, resolved, conditional, harmless, or new / sudden / worsening."""

from __future__ import annotations

from typing import Dict, List, Optional, Tuple

from .matching import Pipeline, Span

CONDITIONAL_WINDOW = 4  # "when she has a UTI": the trigger word sits just before the sign
# A new/sudden cue describes a finding only when close to it ("legs suddenly gave way"), not
# anywhere in a long run-on clause ("spasms when she moves suddenly, ... legs weaker").
ACUTE_WINDOW = 5
# A neighbouring clause of at most this many words, with a long-standing cue and no finding of
# its own, describes the finding next to it ("legs give way sometimes, has done for months").
PURE_CHRONIC_MAX_WORDS = 8
# A longer neighbouring clause with no finding still describes it when the cue opens that clause, on the side
# facing the finding ("muddled in the evenings, has done for a couple of years, the memory clinic knows").
PURE_CUE_EDGE_WORDS = 4
# The back pain itself, which is not a finding (every message is about it): "..., back pain same as ever" tells
# the age of the pain, not of a sign said before it.
PAIN_WORDS = {"back", "pain", "pains", "backache", "ache", "aches", "aching", "sore", "soreness", "spasm", "spasms"}
# A clause naming the back tells the back's age or newness, not that of a sign beside it ("LBP": care notes).
BACK_WORDS = {"back", "backache", "backs", "spine", "lbp", "lumbar", "backpain"}
# r14: the words of an onset cue that say how long it has been is not known ("not sure how long", "since when")
AGE_NOT_KNOWN = frozenset({"long", "when"})
# r14: what tells a trigger is a time of day ("in the evenings", "at night", "during the night")
TIME_PREPOSITIONS = frozenset({"in", "at", "during", "by", "through", "overnight"})
# Words of a worsening cue that say the pain used to be otherwise ("any more", "no longer", "used to").
CHANGE_FROM_BEFORE = {"anymore", "more", "longer", "used", "use"}
# Idioms with a joiner inside that never start a new clause ("wets herself now and then, for years").
JOINED_IDIOMS = {("now", "then"), ("now", "again"), ("on", "off"), ("back", "forth"), ("up", "down"), ("over", "over")}
SENTENCE_END = {".", "!", "?", ";", "...", "!!", "??", "?!", "!?"}
# "yes, the chest one, no fever": a reply that says yes to something is not all denial
AFFIRMING_WORDS = {"yes", "yeah", "yep", "yup", "aye", "ya", "yh"}
CONTRAST_WORDS = {"but", "except", "although", "though", "however", "apart", "besides", "only"}
# words that deny a whole reply wherever they stand ("nothing in his chest, I asked him twice", "all clear")
SENTENCE_DENIALS = {"nothing", "nope", "nah", "clear", "negative"}
VERB_DENIALS = {"not", "n't", "never", "hasnt", "havent", "doesnt", "didnt", "isnt", "wasnt", "nt", "nor", "neither",
                "without"}
OTHERS_WORDS = {"rest", "others", "other", "else", "otherwise"}
SEPARATING_WORDS = {"and", "&", "but", "then", "so", "plus", "also"}
POST_NEGATION_SKIP = {":", "-", "=", "?", "–", "—"}
# r13: what may follow a word that clears a sign ("Chest: nil pain", "Legs: none reported"); after a "none" or "nil", a
# time too ("falls - none this month"); never after "fine" or "ok" ("legs were fine this morning" tells a change)
POST_NEGATION_TAIL = {"pain", "pains", "reported", "noted", "seen", "documented"}
NONE_TAIL = {"this", "since", "so", "yet", "today", "recently", "lately", "in"}
NONE_WORDS = {"none", "nil", "nothing", "nope", "no", "nowt", "zero"}
# "her legs are fine", "breathing's ok", "bladder all good": a verb or adverb may stand between
# a finding and the word that clears it
POST_NEGATION_VERBS = {"is", "are", "'s", "s", "was", "were", "seems", "seem", "looks", "look", "feels", "feel",
                       "all", "both", "totally", "completely", "absolutely", "perfectly", "been", "has", "have",
                       "'ve", "still", "now", "pretty", "quite", "sounds", "sound",
                       # r9: the sign named as a topic ("the numb bottom thing and he says no")
                       "thing", "question", "business",
                       # r10: "the breathing also normal", "waterworks too are fine"
                       "also", "too"}


# r13: the words of a long-standing cue that point back to what was just told ("he's had THAT for years")
TOLD_BACK = frozenset({"that", "it", "this", "them", "these", "those"})
# r13: a newness cue of only these words, a few words after a denial in its clause, is newness denied
NEWNESS_ADJECTIVES = frozenset({"new", "newly", "brand", "sudden", "suddenly", "recent", "different"})
DENIED_NEWNESS_WINDOW = 3
# (the words that may stand between: "none of that is new", "it isn't really new"; not "don't know is it new")
DENIED_NEWNESS_BETWEEN = frozenset({"of", "that", "this", "is", "was", "it", "'s", "s", "really", "all", "at", "any",
                                    "so", "very", "actually", "them", "those", "these", "thing", "bit", "a"})

# the words that deny, inside a longer denial cue ("hasn't had any") or a finding's own words ("can't breathe")
DENYING_WORDS = frozenset({"not", "no", "n't", "never", "nor", "without", "cannot", "can't", "none", "nothing",
                           "neither"})


class Scope:
    """Clause segmentation + cue lookup for one doc."""

    def __init__(self, doc, cues: List[Span], pipe: Pipeline, finding_tokens: set, flag_words: frozenset = frozenset()):
        self.doc = doc
        self.finding_tokens = finding_tokens  # tokens of findings that are not themselves timing words
        self.all_findings = finding_tokens    # every finding's tokens (set by the reader)
        self.trigger_tokens: set = set()      # the tokens of what sets the pain off (set by the reader)
        self.sign_tokens: set = set()         # every red flag's and warning sign's tokens (set by the reader)
        self.flag_ids: Dict[int, str] = {}    # token -> the red flag it tells (set by the reader)
        self.blocked_tokens: set = set()      # tokens of look-alikes the rules know ("gasping for a cuppa")
        self.condition_tokens: set = set()    # where the condition is named (set by the reader)
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
            elif tok.norm_ in pipe.joiners and i + 1 < n and doc[i + 1].norm_ in pipe.starters and not (
                    i > 0 and (doc[i - 1].norm_, doc[i + 1].norm_) in JOINED_IDIOMS) and i not in flag_words:
                # (r14: never inside a red flag's own words, "I pinched his thigh and he didn't feel a thing")
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
        self.by_kind: Dict[str, List[Span]] = {}
        for cue in cues:
            self.by_kind.setdefault(cue.kind, []).append(cue)
        # r13: newness denied ("none of that is new", "it isn't new", "not sudden"): no word of newness at all
        denials = self.by_kind.get("neg_pre", ())
        self.by_kind["acute_strong"] = [c for c in self.by_kind.get("acute_strong", ()) if not (
            {t.norm_ for t in doc[c.start:c.end]} <= NEWNESS_ADJECTIVES and any(
                d.end <= c.start and c.start - d.end <= DENIED_NEWNESS_WINDOW and self.seg[d.start] == self.seg[c.start]
                and {t.norm_ for t in doc[d.end:c.start]} <= DENIED_NEWNESS_BETWEEN for d in denials))]

    def segment_of(self, start: int) -> int:
        return self.seg[start] if 0 <= start < len(self.seg) else -1

    def _before(self, kind: str, start: int, window: int) -> Optional[Span]:
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
            # a denial that begins before the finding and runs into it counts too ("hasn't had any" over "had
            # any accidents"); one that begins where the finding does is the finding's own word ("can't breathe")
            overlaps = cue.start < start < cue.end and any(
                self.doc[i].norm_ in DENYING_WORDS for i in range(cue.start, start))
            if ((overlaps or (cue.end <= start and start - cue.end <= window)) and seg != -1
                    and self.segment_of(cue.start) == seg and not self._denial_ends(min(cue.end, start), start)
                    and not self._new_item(min(cue.end, start), start, end)):
                return True
        # r10: an old-news cue that opens with a denial and runs over the finding ("no weaker than normal", "not any
        # worse than usual"): the denial is the cue's first word, which the longer cue took from the denial cues
        if any(cue.start < start < cue.end and self.doc[cue.start].norm_ in DENYING_WORDS
               for cue in self.by_kind.get("chronic", ())):
            return True
        # post-negation: "fever: no", "falls - none"
        i = end
        while i < len(self.doc) and self.doc[i].text in POST_NEGATION_SKIP:
            i += 1
        while i < len(self.doc) and i - end < 4 and self.doc[i].norm_ in POST_NEGATION_VERBS:
            i += 1
        # (r13: after words of inability an adverb says how, not whether: "he cannot breathe good since one hour")
        unable = any(self.doc[k].norm_ in DENYING_WORDS for k in range(start, end))
        for cue in self.by_kind.get("neg_post", ()):
            if cue.start == i and not unable:
                after = cue.end
                # (r11: or the next finding of a list typed without commas: "legs fine bladder fine bowels fine")
                if after >= len(self.doc) or self.doc[after].is_punct or self.doc[after].norm_ in ("and", "but", "or") \
                        or after in self.all_findings or self.doc[after].norm_ in POST_NEGATION_TAIL \
                        or (self.doc[after].norm_ in NONE_TAIL and self.doc[cue.start].norm_ in NONE_WORDS):
                    return True
        return False

    def _denial_ends(self, frm: int, to: int) -> bool:
        """A denial reaches past a comma or "and" only when it is a list of findings ("no fever,
        chills or numbness", "no numbness and tingling"). When what it denied before the comma
        was not a finding ("can't hold it, soiled the bed", "doesn't sleep well and wet
        herself"), the denial ends there."""
        for i in range(frm, to):
            tok = self.doc[i]
            # (r9: a dash too, "No - bladder not working": the "no" answers the question, the dash tells the exception)
            if tok.text in (",", "-", "–", "—") or tok.norm_ in ("and", "&"):
                return not any(j in self.all_findings for j in range(frm, i))
            # r13: "it's not his back, it's his chest", "NOT HIS BACK ITS HIS CHEST": what is denied is named, and
            # "it's" begins what is so
            if i > frm and (tok.norm_ in ("its", "it's") or (tok.norm_ == "it" and i + 1 < to and
                                                            self.doc[i + 1].norm_ in ("'s", "is", "s"))):
                return not any(j in self.all_findings for j in range(frm, i))
        return False

    def _new_item(self, frm: int, start: int, end: int) -> bool:
        """"no fever, legs numb since yesterday": past a comma or "and", a finding with its own new/sudden
        cue is a new statement, not one more item of the list the denial began."""
        listed = any(self.doc[i].text == "," or self.doc[i].norm_ in ("and", "&") for i in range(frm, start))
        return listed and self._near("acute_strong", start, end, ACUTE_WINDOW, True)

    def denied_in_sentence(self, start: int, end: int, sign_id: str) -> bool:
        """In a sentence that tells no other red flag, says no "yes" and is not unsure: a denial right before the
        finding with nothing between, a word that clears it after it with no "but" between, or a look-alike told
        right beside it (the cases below). The denial can then only be about this one."""
        first, last = start, end
        while first > 0 and self.doc[first - 1].text not in SENTENCE_END:
            first -= 1
        while last < len(self.doc) and self.doc[last].text not in SENTENCE_END:
            last += 1
        if any(self.flag_ids.get(i, sign_id) != sign_id for i in range(first, last) if not start <= i < end):
            return False
        if any(self.doc[i].norm_ in AFFIRMING_WORDS for i in range(first, last)):
            return False
        if self.in_sentence("unc", first, last):
            return False  # "she might be running a temp, feels hot but says she's fine": unsure, not denied
        # (a "not", "never" or "can't" is too often part of what is told, "not himself", "never been a problem before")
        before = [(c.start, c.end) for kind in ("neg_pre", "neg_post") for c in self.by_kind.get(kind, ())
                  if first <= c.start and c.end <= start]  # ("Sensation intact both legs")
        before += [(i, i + 1) for i in range(first, start) if self.doc[i].norm_ in SENTENCE_DENIALS]
        after = [(c.start, c.end) for c in self.by_kind.get("neg_post", ()) if end <= c.start < last]
        after += [(i, i + 1) for i in range(end, last) if self.doc[i].norm_ in SENTENCE_DENIALS]
        # (a look-alike told right beside the name, "his leg goes dead if he sits with it crossed", leaves the name)
        beside = [(i, i + 1) for i in (*range(end, end + 2), *range(start - 2, start)) if i in self.blocked_tokens]

        def counts(a: int, b: int) -> bool:
            words = {self.doc[i].norm_ for i in range(a, b)}
            around = {self.doc[i].norm_ for i in range(max(first, a - 3), min(last, b + 3))}
            return not (words & VERB_DENIALS or around & OTHERS_WORDS)  # ("her legs are weak, the rest no")

        # Before the name, only a denial right before it with nothing between ("nothing in his chest"): a "no," that
        # answers the question ("no, her legs are weak") or one told of something else ("nothing helps and her legs
        # are weak") is not about it. After it, a word that clears it ("Temperature I checked, is normal") with no
        # "but" between ("she felt warm but I checked ..." stays a yes: the careful reading).
        return any(b <= start and start - b <= 3 and not any(
                       self.doc[i].is_punct or self.doc[i].norm_ in SEPARATING_WORDS for i in range(b, start))
                   and counts(a, b) for a, b in before) or any(
                   not any(self.doc[i].norm_ in CONTRAST_WORDS for i in range(end, a)) and counts(a, b)
                   # (past a comma, "no ..." denies what it names: "her legs are weak, no pain though")
                   and not (any(self.doc[i].is_punct for i in range(end, a)) and self.doc[a].norm_ in ("no", "nil"))
                   for a, b in after) or bool(beside)

    def in_sentence(self, kind: str, first: int, last: int) -> bool:
        return any(first <= c.start < last for c in self.by_kind.get(kind, ()))

    def sentence_of(self, start: int) -> Tuple[int, int]:
        """The first and past-the-last token of the sentence holding this token."""
        def ends(i: int) -> bool:
            return self.boundary[i] and (self.doc[i].text in SENTENCE_END or "\n" in self.doc[i].text)
        first = start
        while first > 0 and not ends(first - 1):
            first -= 1
        last = start
        while last < len(self.doc) and not ends(last):
            last += 1
        return first, last

    def onset_told_unknown(self, start: int) -> bool:
        """The clause says the sign's start is not known, or is the condition's ("as usual", "because of her MS"), or
        a short clause right after it does ("numb bum she calls it. dunno how long")."""
        seg = self.segment_of(start)
        return self.in_segment("onset", seg) or self._pure_segment("onset", seg + 1)

    def age_not_known(self, start: int) -> bool:
        """r14: the sentence says nobody knows how long it has been ("had it on and off, not sure how long")."""
        first, last = self.sentence_of(start)
        return any(first <= c.start < last and {t.norm_ for t in self.doc[c.start:c.end]} & AGE_NOT_KNOWN
                   for c in self.by_kind.get("onset", ()))

    def uncertain(self, start: int, window: int) -> bool:
        return self._before("unc", start, window) is not None

    def _pure_segment(self, kind: str, seg: int, after: bool = True) -> bool:
        """A clause with no finding of its own and a cue of this kind, short ("nothing new", "has done for months",
        "it's gone now") or opening with the cue on the side facing the finding (`after`: the clause follows it)."""
        if seg < 0 or not self.in_segment(kind, seg):
            return False
        # whose words they are ("her husband says ...") is no part of what the clause tells
        framed = {i for c in self.by_kind.get("frame", ()) for i in range(c.start, c.end)}
        words = [i for i, s in enumerate(self.seg) if s == seg and not self.doc[i].is_punct and i not in framed]
        cue_at = [c.start for c in self.by_kind.get(kind, ()) if self.segment_of(c.start) == seg]
        # a long-standing cue's own words are no finding of their own ("that's how she always walks": r11)
        in_cue = {i for c in self.by_kind.get(kind, ()) if kind == "chronic" and self.segment_of(c.start) == seg
                  for i in range(c.start, c.end)}
        # a condition named after the cue is not a finding of its own ("has done for years, MS nurse knows")
        if any((i in self.finding_tokens and i not in in_cue and not (
                after and i in self.condition_tokens and i > min(cue_at))) or i in self.sign_tokens for i in words):
            return False  # ("she had cancer 10 yrs ago. now her legs..."): the years are the cancer's
        if kind == "chronic" and self.about_back(seg):
            return False  # ("back ache same as always. she has chest pain"): the years are the back's
        if len(words) <= PURE_CHRONIC_MAX_WORDS:
            return True
        edge = words[:PURE_CUE_EDGE_WORDS] if after else words[-PURE_CUE_EDGE_WORDS:]
        return any(self.segment_of(c.start) == seg and (c.start in edge if after else c.end - 1 in edge)
                   for c in self.by_kind.get(kind, ()))

    def only_timing(self, start: int) -> bool:
        """The clause holds no finding but timing words ("she's had this on and off for years")."""
        seg = self.segment_of(start)
        return seg != -1 and not any(self.seg[i] == seg for i in self.finding_tokens)

    def long_standing(self, start: int, end: Optional[int] = None) -> bool:
        seg = self.segment_of(start)
        if self.in_segment("chronic", seg) and not self.chronic_elsewhere(start, end) \
                and not self._recent_nearer(start, end, seg):
            return True
        return self._pure_segment("chronic", seg + 1) or self._told_back_as_old(seg + 1) or (
            self._pure_segment("chronic", seg - 1, after=False) and not self._contrast_before(seg))

    def _told_back_as_old(self, seg: int) -> bool:
        """r13: the next clause opens by telling it back as old, whatever else it holds ("chest ache after a coughing
        fit, he's had that on and off for years when his chest is rattly")."""
        if seg < 0:
            return False
        first = self._first_token(seg)
        if first is None:
            return False
        cues = [c for c in self.by_kind.get("chronic", ()) if self.segment_of(c.start) == seg]
        # (r14: or it opens with "had that" or "been like that" and dates it later: "she's had that since her relapse in
        # 2019", "she's been like that for a couple of years, the MS nurse knows")
        had_that = any(self.doc[i].norm_ in TOLD_BACK and self.doc[i - 1].norm_ in ("had", "got", "like")
                       for i in range(first + 1, min(first + 5, len(self.doc))) if self.segment_of(i) == seg)
        return bool(cues) and (had_that or any(
            c.start - first <= 3 and {t.norm_ for t in self.doc[c.start:c.end]} & TOLD_BACK for c in cues))

    def _first_token(self, seg: int) -> Optional[int]:
        """The first token of this clause, or None."""
        return next((i for i, s in enumerate(self.seg) if s == seg), None)

    def _contrast_before(self, seg: int) -> bool:
        """A "but" (a clause break word) opens this clause: what the clause before said does not carry over
        ("breathing the same as always, bipap at night, but he's got a temp of 38.9")."""
        first = self._first_token(seg)
        if first is None:
            return False
        return any(c.end <= first and first - c.end <= 1 for c in self.by_kind.get("break", ()))

    def chronic_elsewhere(self, start: int, end: Optional[int] = None) -> bool:
        """Every long-standing cue of the clause is told of another finding, past a comma ("talking nonsense
        since about 8, back pain same as ever"): whether this one is old is then not said (asked, never assumed)."""
        end = start + 1 if end is None else end
        seg = self.segment_of(start)
        cues = [c for c in self.by_kind.get("chronic", ()) if seg != -1 and self.segment_of(c.start) == seg]
        if not cues:
            return False
        for cue in cues:
            if self._duration_of_sign_before(cue, start):
                continue
            between = range(end, cue.start) if cue.start >= end else range(cue.end, start)
            if not (any(self.doc[i].text == "," for i in between) and any(
                    (i in self.all_findings and not self._time_of_day(i)) or self.doc[i].norm_ in PAIN_WORDS
                    for i in between)):
                return False
        return True

    def _time_of_day(self, i: int) -> bool:
        """r14: a trigger told as a time ("muddled in the evenings, been like that for a couple of years"): it owns no
        age of its own, unlike a trigger that is a thing done ("walking and toileting same as ever")."""
        if i not in self.trigger_tokens:
            return False
        while i - 1 in self.trigger_tokens:
            i -= 1
        return any(self.doc[k].norm_ in TIME_PREPOSITIONS for k in range(max(0, i - 2), i))

    def _duration_of_sign_before(self, cue: Span, start: int) -> bool:
        """r13: "been on steroids for years and slid down the chair earlier": a long-standing cue right after another
        sign, with a joiner between it and this finding, tells the age of that sign, not of this one."""
        if cue.end > start or cue.start == 0 or cue.start - 1 not in self.sign_tokens or cue.start - 1 >= start:
            return False
        return any(self.doc[i].text == "," or self.doc[i].norm_ in SEPARATING_WORDS for i in range(cue.end, start))

    def about_condition(self, start: int) -> bool:
        """The clause is about the condition, not the pain: it names the condition and no pain word or sign ("MS
        since 2009", "he's had MND four years", "wife has MS, 15 years")."""
        seg = self.segment_of(start)
        words = [i for i, g in enumerate(self.seg) if g == seg and seg != -1 and not self.doc[i].is_punct]
        # (a sign in the clause owns the duration: "numbness in her feet for years with her MS")
        return any(i in self.condition_tokens for i in words) and not any(
            self.doc[i].norm_ in PAIN_WORDS or i in self.sign_tokens for i in words)

    def conditional(self, start: int) -> bool:
        """A "when / whenever / if / after" shortly before it, in its clause: a trigger, not a state now."""
        return self._before("cond", start, CONDITIONAL_WINDOW) is not None

    def near_segment(self, kind: str, start: int, before: bool = False) -> bool:
        """A cue of this kind in the finding's clause, or alone in a short clause right after it
        (or, with before=True, right before it)."""
        seg = self.segment_of(start)
        return self.in_segment(kind, seg) or self._pure_segment(kind, seg - 1 if before else seg + 1, after=not before)


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

    def acute(self, start: int, end: Optional[int] = None, adjective_ok: bool = True,
              back_is_other: bool = False) -> Tuple[bool, bool]:
        """(new/sudden cue near it, worsening cue near it), same clause, within ACUTE_WINDOW words, or
        alone in a short clause right after it ("she wet herself, that's new"). back_is_other: a clause about the
        back beside it ("R leg weak since 2016. back pain since monday") tells the back's age, not this sign's."""
        end = start + 1 if end is None else end
        after = self.segment_of(start) + 1 if self.segment_of(start) != -1 else -1
        seg = self.segment_of(start)
        strong = (self._near("acute_strong", start, end, ACUTE_WINDOW, adjective_ok)
                  or (self._pure_segment("acute_strong", after) and not (back_is_other and self.about_back(after)))
                  # "he was fine at breakfast. by dinner he couldn't lift either leg", "woke up today and his leg
                  # won't hold him": a clause of only a time right before it, when its own clause says nothing of age
                  or (seg > 0 and self._pure_segment("acute_strong", seg - 1, after=False)
                      and not (back_is_other and self.about_back(seg - 1))
                      and not self._contrast_before(seg)
                      and not any(self.in_segment(kind, seg) for kind in ("chronic", "onset", "acute_worse"))))
        return strong or self._new_later_in_sentence(end), self._near("acute_worse", start, end, ACUTE_WINDOW)

    def _new_later_in_sentence(self, end: int) -> bool:
        """r14: a word of newness later in the sentence, with nothing told between it and the sign and nothing after it
        in the sentence that it could be about instead ("Client had incontinent BM x2 this visit, per daughter new since
        yesterday"; not "incontinent for years, new since yesterday is the back")."""
        _, last = self.sentence_of(max(end - 1, 0))

        def told(i: int) -> bool:
            return (i in self.finding_tokens and i not in self.trigger_tokens) or i in self.sign_tokens or \
                self.doc[i].norm_ in PAIN_WORDS or self.doc[i].norm_ in BACK_WORDS
        chronic = {i for c in self.by_kind.get("chronic", ()) for i in range(c.start, c.end)}
        for cue in self.by_kind.get("acute_strong", ()):
            if not end <= cue.start < last:
                continue
            if any(told(i) or i in chronic for i in range(end, cue.start)) or any(
                    told(i) for i in range(cue.end, last)):
                return False
            return not self.negated(cue.start, cue.end, DENIED_NEWNESS_WINDOW)
        return False

    def _recent_nearer(self, start: int, end: Optional[int], seg: int) -> bool:
        """A span of recent weeks told nearer the sign than any long-standing cue of its clause ("prostate cancer 3
        yrs ago and over the weeks he's gone weak in both legs"): the years are another finding's."""
        end = start + 1 if end is None else end

        def distance(cue: Span) -> int:
            return start - cue.end if cue.end <= start else cue.start - end if cue.start >= end else 0

        recent = [distance(c) for c in self.by_kind.get("recent", ()) if self.segment_of(c.start) == seg]
        chronic = [distance(c) for c in self.by_kind.get("chronic", ()) if self.segment_of(c.start) == seg]
        return bool(recent) and min(recent) < min(chronic, default=len(self.doc))

    def about_other_sign(self, start: int) -> bool:
        """r13: the clause tells a same-day sign ("been on steroids for years") or clears a red flag ("her legs are
        fine, same as ever"), and names neither the back nor the pain: its words of age are the sign's, not the
        pain's. (A red flag told old with them, "a weak bladder for years, nothing new", tells of a familiar picture,
        the pain's too.)"""
        seg = self.segment_of(start)
        words = [i for i, g in enumerate(self.seg) if g == seg and seg != -1]
        if any(self.doc[i].norm_ in PAIN_WORDS or self.doc[i].norm_ in BACK_WORDS for i in words):
            return False
        chronic = {i for c in self.by_kind.get("chronic", ()) for i in range(c.start, c.end)}
        clears = any(self.segment_of(c.start) == seg and c.start not in chronic
                     for c in self.by_kind.get("neg_post", ()))
        return any(i in self.sign_tokens and (i not in self.flag_ids or clears) for i in words)

    def about_back(self, seg: int) -> bool:
        """The clause names the back."""
        return seg != -1 and any(s == seg and self.doc[i].norm_ in BACK_WORDS for i, s in enumerate(self.seg))

    def change_from_before(self, start: int, end: int) -> bool:
        """A worsening cue near it that says it used to be otherwise ("rest doesn't ease it any more", "no longer
        helps"), not one that says what sets it off ("worse when she gets too hot")."""
        seg = self.segment_of(start)
        return any(self.segment_of(c.start) == seg != -1 and min(abs(c.start - end), abs(start - c.end)) <= ACUTE_WINDOW
                   and {t.norm_ for t in self.doc[c.start:c.end]} & CHANGE_FROM_BEFORE
                   for c in self.by_kind.get("acute_worse", ()))

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
