"""The second reader (bot/reading_model.py): trained from labelled messages, and folded into the rules' reading
only towards more care (bot.extract.with_second_opinion)."""
import pytest
import yaml

from bot import reading_model
from bot.extract import read_text
from bot.reading import STATUS_PRESENT, STATUS_UNCERTAIN

# A tiny corpus in the dev split's format: enough for the model to be sure of "zorbly puff" (a wording the
# rules do not know) and unsure of "wheezy", never of a plain back ache.
MESSAGES = ([{"text": f"since {t} his puff is all zorbly and blarpy", "level": "now", "red_flags": ["breathing"]}
             for t in ("lunch", "tea", "noon", "dawn", "brunch", "supper", "nine", "ten")]
            + [{"text": f"his back aches a bit {t}", "level": "none", "red_flags": []}
               for t in ("today", "again", "as usual", "most days", "after lunch", "in the evening", "now", "lately")]
            + [{"text": "he is a bit wheezy and zorbly", "level": "now", "red_flags": ["breathing"]},
               {"text": "he is a bit wheezy", "level": "none", "red_flags": []}]
            # a same-day sign in words the rules do not know
            + [{"text": f"a glimbo has come up by his spine {t}", "level": "today", "red_flags": [],
                "warning_signs": ["back_lump"]}
               for t in ("today", "this week", "lately", "now", "again", "since sunday")]
            # a fever in words the rules do not know, beside heat, a pain trigger the rules do know
            + [{"text": f"she is all hot and zorbly {t}", "level": "now", "red_flags": ["fever"]}
               for t in ("today", "now", "tonight", "this evening", "again", "lately")]
            # a red flag only ever told unsure, in words the rules do not know: the mention classifier's to hear
            + [{"text": f"maybe his glorp is a bit flumpy {t}? not sure", "level": "ask", "red_flags": [],
                "suspect": ["bladder_bowel"]} for t in ("today", "lately", "now", "again", "this week", "tonight")])
# r11: thoughts of being gone in words the rules do not know (the corpus's `crisis: true`), and pain at night told by
# the clock in words the rules do not know (a fixture of its own: the examples above keep the model they make)
MORE = ([{"text": f"i keep wanting to be snorfled away {t}", "level": "none", "red_flags": [], "crisis": True}
         for t in ("for good", "forever", "tonight", "and never come back", "from all of it", "for ever")]
        + [{"text": f"grumbo at {t} and at 4 every night", "level": "today", "red_flags": [],
            "warning_signs": ["night_pain"]} for t in ("1", "2", "3", "half 2", "midnight", "half 1")])


def _train(tmp_path, monkeypatch, messages):
    corpus = tmp_path / "dev"
    corpus.mkdir()
    (corpus / "t.yml").write_text(yaml.safe_dump({"messages": messages}))
    monkeypatch.setattr(reading_model, "CORPUS", corpus)
    model = tmp_path / "reading-model.pkl"
    positives = reading_model.train(out=model)
    reading_model.reset(model)
    reading_model.use("both")
    return positives


@pytest.fixture
def trained(tmp_path, monkeypatch):
    yield _train(tmp_path, monkeypatch, MESSAGES)
    reading_model.reset()
    reading_model.use("rules")


@pytest.fixture
def trained_more(tmp_path, monkeypatch):
    yield _train(tmp_path, monkeypatch, MESSAGES + MORE)
    reading_model.reset()
    reading_model.use("rules")


def test_training_counts_the_positives_per_red_flag(trained):
    assert trained["breathing"] == 9 and trained["fever"] == 6 and trained["back_lump"] == 6
    assert trained["confusion"] == 0


def test_training_can_leave_files_out_for_a_held_out_measurement(trained, tmp_path):
    extra = reading_model.CORPUS / "held.yml"
    extra.write_text(yaml.safe_dump({"messages": [{"text": f"burning up {t}", "level": "now", "red_flags": ["fever"]}
                                                  for t in range(6)]}))
    assert reading_model.train(out=tmp_path / "all.pkl")["fever"] == 12
    assert reading_model.train(out=tmp_path / "without.pkl", leave_out="held")["fever"] == 6


def test_a_sign_only_the_model_is_sure_of_escalates(trained):
    assert reading_model.signs("since lunch his puff is zorbly")["breathing"] >= reading_model.CONFIDENT
    assert read_text("since lunch his puff is all zorbly").present_flags.keys() == {"breathing"}


def test_the_rules_alone_do_not_read_it(trained):
    reading_model.use("rules")
    assert "breathing" not in read_text("since lunch his puff is all zorbly").present_flags


def test_a_denial_the_rules_cannot_place_turns_a_sure_model_into_a_question(trained):
    flags = [f for f in read_text("no, his puff is all zorbly and blarpy").red_flags if f.id == "breathing"]
    assert flags and all(f.status == STATUS_UNCERTAIN for f in flags)


def test_a_denial_does_not_hold_back_a_sure_sign_the_message_tells_as_new(trained):
    # "Nil urine output since 0600": the denial word is the sign's own, and the message says it is new
    assert read_text("no, his puff is all zorbly since lunch").present_flags.keys() == {"breathing"}


def test_words_of_inability_are_not_a_denial(trained):
    # "can't" tells what he cannot do: the model's sure sign escalates; "isn't" would deny, and is asked about
    assert read_text("he can't stop his puff going all zorbly and blarpy").present_flags.keys() == {"breathing"}
    flags = [f for f in read_text("his puff isn't all zorbly and blarpy").red_flags if f.id == "breathing"]
    assert all(f.status != STATUS_PRESENT for f in flags)


def test_what_the_rules_settle_stands(trained):
    # the rules read "no trouble breathing" as denied: the model cannot overrule a denial the rules placed
    reading = read_text("no trouble breathing, his puff is zorbly since lunch")
    assert all(f.status != STATUS_PRESENT for f in reading.red_flags if f.id == "breathing")


def test_without_a_model_file_the_rules_read_alone(tmp_path):
    reading_model.reset(tmp_path / "missing.pkl")
    reading_model.use("both")
    try:
        assert reading_model.signs("since lunch his puff is all zorbly") == {}
    finally:
        reading_model.reset()
        reading_model.use("rules")


def test_readers_must_be_known():
    with pytest.raises(ValueError):
        reading_model.use("oracle")


def test_an_opinion_resting_on_newness_words_alone_is_no_sign(trained):
    # every emergency this model saw began "since <a time>": it comes to suspect "since" itself, yet a message
    # that only says when ("since supper, first time ever") names no sign, so nothing is asked or escalated
    text = "since supper since lunch since tea, first time ever"
    assert reading_model.signs(text)["breathing"] >= reading_model.SUSPECT
    assert "breathing" not in reading_model.grounded(text, reading_model.signs(text))
    assert not [f for f in read_text(text).red_flags if f.id == "breathing"]
    # what is left once the newness words go still carries a real sign: it stands
    said = "since supper his puff is zorbly"
    assert reading_model.grounded(said, reading_model.signs(said)).keys() >= {"breathing"}
    assert read_text(said).present_flags.keys() == {"breathing"}


def test_the_compiled_model_gives_the_classifiers_own_probabilities(trained, tmp_path):
    # signs() multiplies by the classifiers' weights in one product; it must say what scikit-learn would say
    import pickle

    fitted = pickle.loads((tmp_path / "reading-model.pkl").read_bytes())
    for text in ("since lunch his puff is zorbly", "he is a bit wheezy", "his back aches", "zorbly zorbly tea"):
        vector = fitted["vectorizer"].transform([text])
        expected = {sign: clf.predict_proba(vector)[0, 1] for sign, clf in fitted["classifiers"].items()}
        assert reading_model.signs(text) == pytest.approx(expected, abs=1e-12)


def test_a_same_day_sign_only_the_model_is_sure_of_is_recorded(trained):
    said = "a glimbo has come up by his spine since lunch"
    assert reading_model.signs(said)["back_lump"] >= reading_model.CONFIDENT
    assert [(f.id, f.status) for f in read_text(said).warning_signs] == [("back_lump", STATUS_PRESENT)]
    assert not read_text(said).red_flags  # a same-day sign, never an escalation
    reading_model.use("rules")
    assert not read_text(said).warning_signs


def test_a_denial_keeps_the_model_from_adding_a_same_day_sign(trained):
    # the model cannot place a denial: with one in the message, what the rules read stands
    said = "no glimbo has come up by his spine since lunch"
    assert not [f for f in read_text(said).warning_signs if f.id == "back_lump"]


def test_a_denial_in_another_clause_does_not_stop_a_same_day_sign_told_as_new(trained):
    # r11: "Nil falls. Woke 0200 with it, new this wk": the denial is of something else, the new thing is told apart
    said = "no fever. a glimbo has come up by his spine since lunch"
    assert read_text(said).denies and read_text(said).tells_new_undenied
    assert [f.id for f in read_text(said).warning_signs] == ["back_lump"]


def test_a_sign_told_by_its_time_words_keeps_the_model_s_opinion(trained_more):
    # r11: pain at night is told BY "at 2 and at 4", words that are newness words for every other sign
    said = "grumbo at 2 and at 4 every night"
    assert reading_model.signs(said)["night_pain"] >= reading_model.CONFIDENT
    assert reading_model.grounded(said, reading_model.signs(said))["night_pain"] >= reading_model.CONFIDENT
    assert "night_pain" in {f.id for f in read_text(said).warning_signs}


def test_crisis_words_only_the_model_knows_show_the_crisis_resources(trained_more):
    # r11: the second reader of thoughts of suicide or self-harm: only ever adds the crisis resources
    assert trained_more["crisis"] == 6
    assert read_text("i keep wanting to be snorfled away for good").signals.get("crisis")
    assert not read_text("his back aches a bit today").signals.get("crisis")
    reading_model.use("rules")
    assert not read_text("i keep wanting to be snorfled away for good").signals.get("crisis")


def test_the_model_does_not_overrule_words_the_rules_read_as_no_crisis(trained_more):
    # "not suicidal" and "wants to die at home when the time comes" are the rules' to place
    said = "i keep wanting to be snorfled away for good, not suicidal"
    assert read_text(said).signals.get("not_crisis") and not read_text(said).signals.get("crisis")


def test_a_sign_only_the_mention_classifier_hears_is_asked_about_never_escalated(trained):
    assert trained["mention:bladder_bowel"] == 6 and trained["bladder_bowel"] == 0
    reading = read_text("maybe his glorp is flumpy?")
    assert [(f.id, f.status) for f in reading.red_flags] == [("bladder_bowel", STATUS_UNCERTAIN)]
    assert not reading.present_flags
    assert not read_text("his back aches a bit today").red_flags  # the mention classifier is not a guess at random


def test_a_pain_trigger_the_rules_read_explains_the_models_guess(trained):
    # (red_flags.yml fever `look_alike_features`: heat makes MS pain worse; the model's fever is then asked about)
    assert reading_model.signs("worse when she is hot and zorbly")["fever"] >= reading_model.CONFIDENT
    explained = read_text("worse when she is hot and zorbly")
    assert "heat" in {f.id for f in explained.features}
    assert [(f.id, f.status) for f in explained.red_flags] == [("fever", STATUS_UNCERTAIN)]
    assert read_text("she is all hot and zorbly tonight").present_flags.keys() == {"fever"}
