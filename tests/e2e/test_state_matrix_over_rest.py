"""A sample of the state matrix (tests/bot/test_state_matrix.py) over the real servers: the dev corpus's
emergencies, denials and plain answers sent in several states of a conversation over REST, with the real Rasa
model deciding intents, rules and the form. The in-process matrix covers every state and class; this checks
that the servers do with a message what the core said (an emergency escalates in that very turn, said once
and last; a denial never escalates; a plain answer is taken and the question moves on)."""
import pytest

from bench.reading import load
from bot.knowledge_base import knowledge
from harness.conversation import answer_for, new_sender, texts

HEADLINE = knowledge().messages["escalation"]["headline"]


def _pick(cls, count=3, read_as_emergency=None):
    """`count` dev messages of a class, spread over the split; `read_as_emergency`: only those the reading
    finds an emergency in (True) or not (False): this test is about what the servers do with a reading."""
    from bot.extract import read_text

    messages, _ = load("dev")
    chosen = [m for m in messages if m.get("class") == cls and len(m["text"]) < 300 and (
        read_as_emergency is None or bool(read_text(m["text"]).present_flags) == read_as_emergency)]
    step = max(1, len(chosen) // count)
    return chosen[::step][:count]


def _walk_to(backline, sender, stop_at):
    """Start a conversation and answer the form until it asks `stop_at` (or it ends: "assessed")."""
    backline.say(sender, "my husband has MS and his back hurts")
    for _ in range(10):
        asked = backline.tracker(sender)["slots"].get("requested_slot")
        if asked == stop_at or (stop_at == "assessed" and asked is None):
            return asked
        if asked is None:
            return None
        backline.say(sender, answer_for(asked))
    return backline.tracker(sender)["slots"].get("requested_slot")


STATES = ["opening", "pain_trigger", "red_flag_screen", "assessed"]


def _say_in_state(backline, state, text):
    """A new conversation brought to `state`, then `text`: (the replies, the slots after)."""
    sender = new_sender("matrix")
    if state != "opening":
        _walk_to(backline, sender, state)
    replies = backline.say(sender, text)
    return replies, backline.tracker(sender)["slots"]


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("message", _pick("emergency", count=3, read_as_emergency=True), ids=lambda m: m["text"][:30])
def test_an_emergency_escalates_in_that_turn_in_every_state(backline, state, message):
    replies, slots = _say_in_state(backline, state, message["text"])
    said = [r.get("text") or "" for r in replies]
    assert sum(t.count(HEADLINE) for t in said) == 1
    assert any(HEADLINE in t for t in said[-3:])
    assert slots["triage"] == "seek_care_now"


@pytest.mark.parametrize("state", ["opening", "red_flag_screen", "assessed"])
@pytest.mark.parametrize("message", _pick("denied", count=3, read_as_emergency=False), ids=lambda m: m["text"][:30])
def test_a_denial_never_escalates(backline, state, message):
    replies, slots = _say_in_state(backline, state, message["text"])
    assert HEADLINE not in texts(replies)
    assert slots["triage"] != "seek_care_now"


@pytest.mark.parametrize("round_", range(2))
def test_plain_answers_are_taken_and_the_questions_move_on(backline, round_):
    """Each question the form asks is answered with a plain answer from the dev corpus (a different one each
    round): none gets "didn't follow", and no question is put again."""
    messages, _ = load("dev")
    plain = {}
    for m in messages:
        if m.get("class") == "topic_answer" and m.get("level") == "none" and m.get("answers") == m.get("asked") \
                and m.get("asked") not in (None, "condition", "red_flag_screen"):
            plain.setdefault(m["asked"], []).append(m["text"])
    sender = new_sender("matrix")
    backline.say(sender, "my husband has MS and his back hurts")
    asked_before = []
    for _ in range(10):
        asked = backline.tracker(sender)["slots"].get("requested_slot")
        if asked is None or asked == "red_flag_screen":
            break
        assert asked not in asked_before, f"{asked} asked again after a plain answer"
        asked_before.append(asked)
        answer = plain[asked][(7 * round_ + len(asked_before)) % len(plain[asked])]
        replies = backline.say(sender, answer)
        assert knowledge().messages["chat"]["didnt_follow"] not in texts(replies), answer
    assert asked_before, "the form asked nothing"
