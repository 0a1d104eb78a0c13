"""Property tests: the extractor never crashes; negation and 'for years' never add a flag."""
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.extract import read_text

FLAG_PHRASES = {
    "fever": ["a fever", "a high temperature", "fever"],
    "injury": ["falls", "a fall", "an injury"],
    "bladder_bowel": ["bladder problems", "incontinence", "bowel problems"],
    "leg_numbness": ["numbness in her legs", "numb legs"],
    "saddle_numbness": ["numbness between her legs", "saddle numbness"],
    "breathing": ["breathing problems", "shortness of breath", "trouble breathing"],
    "leg_weakness": ["new weakness", "sudden weakness"],
}
PAIRS = [(flag, phrase) for flag, phrases in FLAG_PHRASES.items() for phrase in phrases]
WEAKNESS = ["her legs are weak", "his legs have been weak", "weak legs", "her legs are getting weaker", "he can't walk"]
WORDS = st.sampled_from(["she", "he", "back", "pain", "and", "the", "today", "is", "has", "MS", "ALS", "sore", "stiff",
                         "burning", ",", "."])
settings.register_profile("core", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("core")


@given(st.text(max_size=400))
def test_never_crashes_on_arbitrary_text(text):
    ext = read_text(text)
    assert isinstance(ext.present_flags, dict)


@given(st.lists(WORDS, max_size=8), st.sampled_from(PAIRS))
def test_no_before_a_red_flag_never_adds_it(prefix, pair):
    flag, phrase = pair
    text = " ".join(prefix + [".", "no " + phrase])
    assert flag not in read_text(text).present_flags


@given(st.lists(WORDS, max_size=6), st.sampled_from(WEAKNESS),
       st.sampled_from(["for years", "for a long time", "for ages", ", same as always", ", nothing new"]))
def test_long_standing_weakness_is_never_a_flag(prefix, weakness, chronic):
    text = " ".join(prefix + [".", weakness, chronic])
    assert "leg_weakness" not in read_text(text).present_flags


@given(st.sampled_from(PAIRS))
def test_the_phrase_alone_is_a_flag(pair):
    flag, phrase = pair
    assert flag in read_text(f"she has {phrase} since this morning").present_flags
