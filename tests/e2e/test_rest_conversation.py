"""End to end over the REST channel, with the real Rasa server, the real action server and the trained
model: what a client (or an outside evaluation) sees, and the contract slots it reads from the tracker."""
import pytest

from harness.conversation import TOPICS, new_sender, texts


def slots(server, sender):
    return server.tracker(sender)["slots"]


@pytest.fixture
def sender():
    return new_sender("e2e")


def test_greeting_says_what_backline_is_and_is_not(backline, sender):
    replies = backline.say(sender, "hello")
    said = texts(replies).lower()
    assert "backline" in said
    assert "not a diagnosis" in said
    assert "emergency" in said


def test_goodbye(backline, sender):
    backline.say(sender, "hi")
    assert "take care" in texts(backline.say(sender, "bye for now")).lower()


def test_a_described_pain_is_read_and_the_form_asks_only_what_is_missing(backline, sender):
    backline.say(sender, "my wife has MS and her lower back has a burning, tingling pain, worse when she's hot")
    state = slots(backline, sender)
    assert state["condition"] == "ms"
    assert state["requested_slot"] in TOPICS
    assert state["requested_slot"] not in {"condition", "pain_feel", "pain_location"}
    assert state["red_flags"] in (None, [])
    assert state["triage"] is None


def test_a_whole_conversation_reaches_an_assessment_with_contract_slots(backline, sender):
    backline.say(sender, "hi")
    backline.say(sender, "my husband has MS, he gets a burning, stabbing pain in his mid back that comes out of "
                         "nowhere, worse when he is hot or stressed, and changing position does not help")
    for _ in range(8):  # answer whatever is still asked, then the red-flag screen
        asked = slots(backline, sender)["requested_slot"]
        if asked is None:
            break
        backline.say(sender, "none of these" if asked == "red_flag_screen" else "not sure")
    state = slots(backline, sender)
    assert state["requested_slot"] is None
    assert state["pain_type"] == "neuropathic"
    assert state["triage"] in {"self_care", "contact_care_team"}
    assert state["red_flags"] in (None, [])


def test_a_red_flag_mid_conversation_escalates_in_the_same_turn(backline, sender):
    backline.say(sender, "my dad has ALS and his back hurts")
    assert slots(backline, sender)["requested_slot"] in TOPICS
    replies = backline.say(sender, "and since this morning he has wet himself twice, that never happens")
    assert "seek care now" in texts(replies).lower()
    state = slots(backline, sender)
    assert state["triage"] == "seek_care_now"
    assert "bladder_bowel" in state["red_flags"]
    assert state["requested_slot"] is None
    assert not (backline.tracker(sender).get("active_loop") or {}).get("name"), "the questions must stop"


def test_a_long_standing_problem_is_not_a_red_flag(backline, sender):
    backline.say(sender, "mum has MS, her bladder has been weak for years, nothing new, but her lower back aches "
                         "after sitting all day")
    state = slots(backline, sender)
    assert state["triage"] != "seek_care_now"
    assert state["red_flags"] in (None, [])
