"""Extraction: conditions, features, red flags with negation and chronicity per finding, signals."""

import pytest

import bot
from bot.extract import read_text


def flags(text, topic=None):
    return set(read_text(text, topic).present_flags)


def features(text):
    return {f.id for f in read_text(text).features if f.status in ("present", "uncertain")}


@pytest.mark.parametrize("text,condition", [
    ("my husband has ALS", "als"), ("she has Lou Gehrig's disease", "als"), ("dad has lou gherig's", "als"),
    ("lou gehrigs", "als"), ("motor neurone disease", "als"), ("he has MND", "als"), ("motor neuron disease", "als"),
    ("amyotrophic lateral sclerosis", "als"), ("wife has MS", "ms"), ("multiple sclerosis", "ms"),
    ("relapsing-remitting MS", "ms"), ("RRMS", "ms"), ("she has SPMS", "ms"), ("PPMS", "ms"), ("progressive MS", "ms"),
    ("multiple sclerosus", "ms"), ("my back hurts", None),
])
def test_condition_aliases(text, condition):
    assert read_text(text).condition == condition


def test_negated_condition_is_ignored():
    assert read_text("it's not MS, he has ALS").condition == "als"


@pytest.mark.parametrize("text,flag", [
    ("he peed himself this morning", "bladder_bowel"), ("she wet herself today", "bladder_bowel"),
    ("she keeps wetting herself since yesterday", "bladder_bowel"),
    ("she can't hold her wee", "bladder_bowel"), ("he pooped himself, never before", "bladder_bowel"),
    ("he lost control of his bowels", "bladder_bowel"), ("he hasn't peed since yesterday", "bladder_bowel"),
    ("she's suddenly incontinent", "bladder_bowel"),
    ("his legs gave way", "leg_weakness"), ("her legs suddenly went weak", "leg_weakness"),
    ("getting weaker fast over two days", "leg_weakness"), ("new weakness in his legs", "leg_weakness"),
    ("he collapsed", "leg_weakness"), ("can't stand anymore since yesterday", "leg_weakness"),
    ("she suddenly can't feel her legs", "leg_numbness"), ("his legs went numb", "leg_numbness"),
    ("she can't feel her legs", "leg_numbness"),
    ("she's numb down there", "saddle_numbness"), ("numb between the legs", "saddle_numbness"),
    ("he has a numb bum", "saddle_numbness"),
    ("numbness in her groin", "saddle_numbness"),
    ("he fell", "injury"), ("she had a fall", "injury"), ("mum took a tumble", "injury"),
    ("he banged his back and now he's in agony", "injury"),
    ("fell out of bed last night", "injury"), ("was in a car accident", "injury"),
    ("he's burning up", "fever"), ("she has a high temperature", "fever"), ("feels feverish", "fever"),
    ("he's running a temperature", "fever"), ("she has a fever", "fever"),
    ("short of breath", "breathing"), ("she can't catch her breath", "breathing"),
    ("he's struggling to breathe", "breathing"),
    ("his breathing is worse", "breathing"), ("she's breathless", "breathing"),
])
def test_red_flag_phrases(text, flag):
    assert flag in flags(text)


@pytest.mark.parametrize("text,flag", [
    ("no fever", "fever"), ("hasn't fallen", "injury"), ("denies numbness in her legs", "leg_numbness"),
    ("without any bladder problems", "bladder_bowel"), ("no new weakness", "leg_weakness"),
    ("her legs are not numb", "leg_numbness"),
    ("she hasn't wet herself", "bladder_bowel"), ("no falls, no fever", "fever"), ("fever: no", "fever"),
    ("weak bladder for years, nothing new", "bladder_bowel"), ("has had bladder problems for ages", "bladder_bowel"),
    ("her legs have been weak for a long time", "leg_weakness"), ("he has ALS so his legs are weak", "leg_weakness"),
    ("her legs have been weak for years", "leg_weakness"), ("her legs are getting weaker", "leg_weakness"),
    ("numbness in her feet for years", "leg_numbness"), ("uses BiPAP at night for years, nothing new", "breathing"),
    ("he fell asleep in his chair", "injury"), ("I'm worried he might fall", "injury"),
    ("burning up and down her spine", "fever"),
    ("bladder is weak, same as always", "bladder_bowel"), ("she can't stand the pain", "leg_weakness"),
])
def test_not_a_red_flag(text, flag):
    assert flag not in flags(text)


def test_negation_is_scoped_per_finding():
    ext = read_text("no fever but she wet herself this morning")
    assert set(ext.present_flags) == {"bladder_bowel"}
    assert "fever" in ext.flags_with("negated")
    assert set(read_text("no fever, she fell yesterday").present_flags) == {"injury"}
    assert set(read_text("she hasn't had a fever and has wet herself today").present_flags) == {"bladder_bowel"}


@pytest.mark.parametrize("text", ["he peed himself", "she wet herself", "she keeps wetting herself",
                                  "he pooped himself", "mum had an accident in the chair and her back hurts"])
def test_an_accident_told_without_when_is_asked_not_assumed_new(text):
    # r11 (the contract: when a message does not say whether a sign is new, Backline asks at once): many people with MS
    # have had accidents for years; with any word of when or of a first time it is present, as above
    assert read_text(text).flags_with("onset_unknown").keys() == {"bladder_bowel"}
    assert not read_text(text).present_flags
    assert set(read_text(text + ", she never does").present_flags) == {"bladder_bowel"}


def test_chronicity_is_scoped_per_finding():
    assert flags("weak bladder for years, but this morning she fell") == {"injury"}
    assert flags("bladder problems for years but now she's wetting herself every day") == {"bladder_bowel"}
    assert flags("her legs have been weak for years and yesterday they gave way") == {"leg_weakness"}


@pytest.mark.parametrize("text, sign", [
    ("numbness in her thigh is left over from the flare in 2023 and gets a bit better every month", "leg_numbness"),
    ("his leg weakness is better than it was last month, he managed the stairs yesterday", "leg_weakness"),
    ("the numb feeling in his foot from his relapse is still there but nothing like it was", "leg_numbness"),
])
def test_a_sign_getting_better_or_left_by_an_old_relapse_is_not_new(text, sign):
    # r12: told as getting better or as an old relapse's, whatever time words its clause holds ("yesterday"): not new
    reading = read_text(text)
    assert sign in reading.flags_with("long_standing") and not reading.present_flags


def test_a_new_relapse_is_not_an_old_one():
    # r12: "from a relapse" alone may be a new one: the improving cue needs the relapse told as old
    assert "leg_numbness" in flags("since monday her leg has gone numb, the nurse thinks its from a relapse")
    assert "leg_numbness" in flags("his leg went numb this morning, could it be from a relapse?")
    assert "leg_weakness" in flags("his back is getting better but since lunch his legs have gone weak")


def test_a_vague_idiom_is_asked_even_beside_a_time_word():
    # r13 (H34): an everyday idiom of a change is asked at once, whatever time word it has; denied or old, it is not
    for text in ("she's just not herself since the refill yesterday, washed out and headachey",
                 "her legs went funny this morning when i got her onto the commode",
                 "the agency girl said he seemed 'a bit off' at lunch"):
        reading = read_text(text)
        assert not reading.present_flags and reading.flags_with("uncertain"), text
    assert "confusion" not in read_text("he's his usual self, not off at all").flags_with("uncertain")
    assert not read_text("he's a bit off his food today").red_flags  # a look-alike, not an idiom of confusion


def test_a_clear_sign_beside_a_vague_idiom_still_escalates():
    # r13 (H34): the idiom never waters down a clear sign told in the same message, nor a yes to its question
    assert "confusion" in flags("she's not herself and since lunch she doesn't know where she is")
    assert "leg_weakness" in flags("her legs went funny and since this morning her legs keep giving way")
    # in reply to the emergency-sign question the idiom is still asked about, but a "yes" with it is a yes
    assert "leg_weakness" in read_text("her legs went funny", "red_flag_screen").flags_with("uncertain")
    case = bot.read_message(None, "yes, her legs went funny this morning", "red_flag_screen")
    assert case["red_flag_screen"] == "present"
    case = bot.read_message(None, "no to those. she's just not herself since the refill yesterday", "red_flag_screen")
    assert case["red_flag_screen"] != "present" and not case["red_flags"]


def test_leg_weakness_in_screen_answer_needs_no_sudden_cue():
    assert "leg_weakness" in flags("yes, his legs are much weaker", "red_flag_screen")


def test_uncertain_flag_is_not_present():
    ext = read_text("maybe she has a fever")
    assert not ext.present_flags and "fever" in ext.flags_with("uncertain")


def test_worsening_weakness_is_a_neuro_change_not_a_flag():
    ext = read_text("her legs are getting weaker")
    assert not ext.present_flags and ext.neuro_change


@pytest.mark.parametrize("text,feature", [
    ("burning pain", "burning"), ("tingly back", "tingling"), ("pins and needles", "pins_and_needles"),
    ("pins-and-needles", "pins_and_needles"), ("zaps", "electric"), ("electric shocks", "electric"),
    ("shooting pain", "shooting"),
    ("stabbing", "stabbing"), ("like a tight band", "squeezing_band"), ("deep ache", "deep_ache"),
    ("stiff as a board", "stiffness"),
    ("spasms", "spasm"), ("cramping", "cramping"), ("dull ache", "dull_ache"), ("throbbing", "throbbing"),
    ("sharp when she moves", "sharp_with_movement"), ("pressure sore", "pressure"), ("sciatica-like", "radiating"),
    ("when she bends her neck forward", "neck_flexion"), ("chin to chest", "neck_flexion"),
    ("looking down", "neck_flexion"),
    ("hot bath", "heat"), ("hot weather", "heat"), ("when he's stressed", "stress"), ("when she's tired", "fatigue"),
    ("sudden movements", "sudden_movement"), ("lifting him", "lifting_bending_twisting"),
    ("in his wheelchair all day", "prolonged_sitting_lying"),
    ("in bed all day", "prolonged_sitting_lying"), ("humid weather", "humidity_temperature"),
    ("tight clothing", "tight_clothing"),
    ("after a UTI", "infection"), ("comes out of nowhere", "spontaneous"), ("for no reason", "spontaneous"),
    ("rest helps", "rest_helps"), ("better when she's supported", "support_helps"),
    ("better after we reposition him", "repositioning_helps"),
    ("nothing helps", "nothing_helps"), ("position makes no difference", "position_no_difference"),
    ("rest doesn't help", "rest_no_help"), ("not better with rest", "rest_no_help"),
    ("only lasts a few seconds", "seconds"), ("constant", "constant"), ("comes and goes", "intermittent"),
    ("started last week", "new_onset"), ("never had this before", "new_onset"), ("getting worse", "worsening"),
    ("for years", "long_standing"),
    ("walks unaided", "walks_unaided"), ("cane or walker", "walking_aid"), ("uses a rollator", "walking_aid"),
    ("wheelchair", "wheelchair"), ("mostly in bed", "bedbound"), ("bedbound", "bedbound"),
    ("lower back", "lower_back"), ("mid back", "middle_back"), ("neck", "neck"), ("one side", "one_side"),
    ("moves around", "widespread"),
    ("down her leg", "radiating"),
    ("tingeling", "tingling"), ("stifness", "stiffness"),
])
def test_feature_phrases(text, feature):
    assert feature in features(text)


def test_burning_up_is_fever_not_burning_pain():
    assert "burning" not in features("she's burning up")
    assert "burning" in features("burning up and down her spine")


@pytest.mark.parametrize("text,signal", [
    ("I want to die", "crisis"), ("I'm going to kill myself", "crisis"), ("I just want to end it all", "crisis"),
    ("I can't go on", "crisis"), ("I can't cope anymore", "crisis"), ("there's no point living", "crisis"),
    ("I might hurt myself", "crisis"), ("I feel suicidal", "crisis"), ("she says she wants to die", "crisis"),
    ("how much baclofen can he take", "dose_question"), ("what dose should she have", "dose_question"),
    ("how many mg", "dose_question"), ("can I double her gabapentin", "dose_question"),
    ("what's the max dose", "dose_question"),
    ("severe pain", "severity"), ("unbearable", "severity"), ("worst ever", "severity"), ("10/10", "severity"),
    ("screaming in pain", "severity"), ("nothing is controlling it", "severity"),
    ("her meds aren't working anymore", "prescription_review"), ("painkillers don't help", "prescription_review"),
    ("the side effects are bad", "prescription_review"),
    ("not sure", "uncertain"), ("idk", "uncertain"), ("dunno", "uncertain"), ("no idea", "uncertain"),
])
def test_signals(text, signal):
    assert read_text(text).signals.get(signal)


def test_not_severe_is_not_severity():
    assert not read_text("it's not severe").signals.get("severity")


def test_back_is_killing_him_is_not_crisis():
    assert not read_text("his back is killing him").signals.get("crisis")


@pytest.mark.parametrize("text,answer", [
    ("yes", "yes"), ("Yeah", "yes"), ("no", "no"), ("nope, nothing like that", "no"), ("none of these", "no"),
    ("not sure", "uncertain"), ("I don't know", "uncertain"), ("maybe", "uncertain"), ("unsure", "uncertain"),
])
def test_bare_answers(text, answer):
    assert read_text(text).answer == answer


@pytest.mark.parametrize("text", ["", "   ", "\x00\x01\x02", "😀😀😀", "<script>alert(1)</script>",
                                  "ÄÖÜ ß 中文 العربية",
                                  "asdkjh qweoiu zxcmnb", "a" * 50000, "?" * 3000, None, 12345])
def test_odd_input_never_raises(text):
    ext = read_text(text)
    assert ext.present_flags == {} or isinstance(ext.present_flags, dict)


def test_red_flag_buried_in_long_text():
    filler = "We had a quiet day and she watched television with her sister. " * 200
    text = filler + " Then this evening she wet herself and she has MS. " + filler
    assert len(text) > 10000
    assert "bladder_bowel" in flags(text)


def test_red_flag_beyond_the_first_chunk():
    text = "word " * 5000 + " he fell this morning"
    assert len(text) > 20000
    assert "injury" in flags(text)


def test_moving_around_as_an_activity_is_not_a_location():
    features = {f.id for f in read_text("a burning pain, and moving around doesn't change it").features}
    assert "widespread" not in features and "position_no_difference" in features
    assert "widespread" in {f.id for f in read_text("the pain keeps moving around her back").features}


def test_building_the_matchers_does_not_load_tensorflow_and_leaves_it_importable():
    """thinc would import TensorFlow (hundreds of MB in the action server) for wrappers the matchers never use."""
    import subprocess
    import sys

    code = ("import sys, importlib.util, bot; bot.warm_up(); "
            "assert 'tensorflow' not in sys.modules, 'tensorflow loaded'; "
            "assert importlib.util.find_spec('tensorflow') is not None; "
            "assert bot.read_text('my dad has ALS and he fell').present_flags")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]


def test_the_findings_matched_by_index_are_those_one_matcher_finds():
    """bot.matching._IndexedMatcher runs only the patterns a message has the words for: on every vignette, and on
    every phrase the knowledge base matches (each the likeliest text to match), it finds what one spaCy Matcher
    with all the findings' patterns finds."""
    import yaml
    from spacy.matcher import Matcher

    from bot.knowledge_base import knowledge
    from bot.matching import pipeline
    from harness.servers import ROOT

    pipe = pipeline()
    single = Matcher(pipe.nlp.vocab, validate=False)
    for matcher in pipe.findings._by_words.values():
        for key, patterns in matcher._patterns.items():
            single.add(pipe.nlp.vocab.strings[key], patterns)
    assert len(pipe.findings._by_words) > 100 and len(single) == len(pipe.findings)
    kb = knowledge()
    phrases = [alias for condition in kb.conditions.values() for alias in condition["aliases"]]
    phrases += [phrase for feature in kb.features.values() for phrase in feature["phrases"]]
    vignettes = [case["text"] for case in yaml.safe_load((ROOT / "tests" / "vignettes.yml").read_text())["cases"]]
    matched = 0
    for text in vignettes + [phrase.replace("(", "").replace(")", "").replace("|", " ") for phrase in phrases]:
        doc = pipe.make_doc(text)
        expected = set(single(doc))
        assert set(pipe.findings(doc)) == expected, text
        matched += bool(expected)
    assert matched > len(vignettes)


@pytest.mark.parametrize("pattern, words", [
    # the most telling required tokens: "back" is an everyday word (spaCy's stop words), "pain" is not
    ([{"NORM": "back"}, {"NORM": "pain"}], [{"pain"}]),
    ([{"NORM": {"IN": ["her", "his"]}}, {"NORM": "bladder"}], [{"bladder"}]),
    ([{"NORM": {"IN": ["her", "his"]}}, {"NORM": {"IN": ["the", "a"]}}], [{"her", "his"}]),
    ([{"NORM": {"IN": ["his", "her"]}, "OP": "?"}, {"NORM": {"IN": ["back", "spine"]}}], [{"back", "spine"}]),
    ([{"IS_PUNCT": False, "NORM": {"NOT_IN": ["not"]}, "OP": "?"}, {"NORM": "numb"}], [{"numb"}]),
    ([{"NORM": {"IN": ["a", "b"]}, "OP": "?"}], None),
    # two telling tokens: the smaller set first, then the next (a message must hold a word of each)
    ([{"NORM": "can"}, {"NORM": "feel"}, {"NORM": {"IN": ["bum", "bottom"]}}], [{"feel"}, {"bum", "bottom"}]),
])
def test_a_pattern_is_tried_only_on_messages_with_the_words_its_most_telling_tokens_need(pattern, words):
    from bot.matching import _IndexedMatcher

    assert _IndexedMatcher.required_words(pattern) == (tuple(frozenset(w) for w in words) if words else None)


def test_a_pattern_is_not_run_on_a_message_missing_its_second_telling_word():
    from spacy.matcher import Matcher

    from bot.matching import _IndexedMatcher, pipeline

    nlp, runs = pipeline().nlp, []

    class Counted:
        def __init__(self):
            self.matcher = Matcher(nlp.vocab, validate=False)
            self._patterns = self.matcher._patterns

        def add(self, key, patterns):
            self.matcher.add(key, patterns)

        def __call__(self, doc):
            runs.append(doc.text)
            return self.matcher(doc)

    indexed = _IndexedMatcher(nlp.vocab, Counted)
    indexed.add("saddle", [[{"NORM": "feel"}, {"NORM": {"IN": ["bum", "bottom"]}}]])
    assert indexed(nlp.make_doc("can't feel his legs")) == [] and runs == []
    assert len(indexed(nlp.make_doc("can't feel bottom"))) == 1 and runs == ["can't feel bottom"]


def test_words_of_age_told_of_a_sign_keep_the_pains_own_age():
    # r13: "her bowels haven't changed" dates the bowels, not the pain: the pain's "same for months" told before stands
    case = bot.read_message(None, "my wife has MS and her lower back aches after sitting all day, it's been the same "
                                  "for months", None)
    assert case["features"]["long_standing"]["status"] == "present"
    case = bot.read_message(case, "she isn't numb anywhere and her bowels haven't changed", "red_flag_screen")
    assert case["features"]["long_standing"]["status"] == "present"


def test_the_carers_own_state_in_a_signs_words_is_not_the_persons_sign():
    # r14 (H35): the person typing speaks of themselves ("I'm", "my own", "myself") while writing about "he" or "she"
    for text in ("apologies if i'm not making much sense, she had me up at 3 and 5",
                 "i've been boiling up all day with this cold, he's the same as always though",
                 "my own legs feel like jelly after carrying the shopping up, his back is bad again",
                 "i wet myself laughing at his joke, first time in ages, his back is better"):
        assert not flags(text), text
    assert read_text("i wet myself laughing at his joke, his back is better").blocked  # the model too


def test_a_self_report_or_reported_words_keep_their_sign():
    # r14 (H35): the one with the condition writing, or their words quoted, is never the carer's own state
    assert "leg_numbness" in flags("I have MS and since this morning I can't feel my legs, she is ringing the GP")
    assert "leg_numbness" in flags("she rang me in tears and said I can't feel my legs since lunch")
    assert "confusion" in flags("she didn't know who I was this morning, she's never been like that")
    # "I" or "my" with no word that sets the speaker apart could be the person with the condition: asked, never dropped
    assert "leg_numbness" in read_text("since this morning I can't feel my legs, he is at work").flags_with("uncertain")
    # the carer's doubt about the person is not the carer's own state
    assert read_text("I think it might be in both legs now, he's not sure").flags_with("uncertain") or \
        read_text("I think it might be in both legs now, he's not sure").flags_with("onset_unknown")


def test_newness_told_later_in_the_sentence_or_against_a_normal_past():
    # r14: a word of newness later in the sentence with nothing else told between, or a normal past told beside it
    assert "bladder_bowel" in flags("Client had incontinent BM x2 this visit, per son new since yesterday.")
    assert "saddle_numbness" in flags("she cannot feel the toilet seat under her. until this morning she had no such "
                                      "trouble")
    assert "sexual_function" in flags("he cannot be a man with his wife from few days, before no problem")
    # what the later newness is about is the back: the sign's age is still asked
    assert "bladder_bowel" not in flags("he's incontinent, his back pain is new since yesterday")
    # a regained ability is not a new weakness
    assert "leg_weakness" not in flags("over the last two days his leg has gone from not lifting to lifting a bit")


def test_old_told_by_a_past_event_or_by_how_long_the_carer_has_known_them():
    # r14: "since her relapse in 2020", "as long as I've known him", a trigger of a time of day owning no age
    for text in ("shooting down both legs, she's had that since her relapse in 2019",
                 "numb feet. he's had that as long as i've known him",
                 "muddled in the evenings, she's been like that for a couple of years"):
        assert not flags(text), text
