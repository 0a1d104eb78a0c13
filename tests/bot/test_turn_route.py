"""The core's routing overrules the classifier where a guess would wipe, or ignore, what the caregiver said."""
from bot.turn import route


def test_a_start_over_guess_without_the_words_is_read_instead():
    assert route("I don't understand the question", "start_over", 0.9).intent == "inform"
    # with the words, the classifier's guess stands (None: the core insists on nothing)
    assert route("please delete this conversation", "delete_conversation", 0.9).intent is None


def test_start_over_asked_for_in_so_many_words():
    assert route("start again please", None, 0.0).intent == "start_over"


def test_a_bare_answer_guess_with_clinical_content_is_read():
    assert route("she hasn't been hot, hasn't fallen, peeing is normal, sore back", "deny", 0.9).intent == "inform"


def test_a_follow_up_or_not_understood_is_answered_in_context():
    assert route("why does this happen?", "ask_why", 0.9).intent == "inform"
    assert route("sorry I don't understand", "out_of_scope", 0.3).intent == "inform"


def test_a_reply_that_does_not_understand_the_question_but_answers_it_is_taken():
    # r11: "i dont understand, the illness? its the MND" names the condition asked for: taken, never asked again;
    # "I don't understand the question" alone puts the same question again, more simply
    from harness.dialogue import Dialogue

    for reply, taken in (("i dont understand, the illness? its the MND", True),
                         ("what do you mean which one? he has MND", True),
                         ("I don't understand the question", False)):
        dialogue = Dialogue()
        assert dialogue.send("my husband has back pain").asked == "condition"
        answer = dialogue.send(reply)
        assert (answer.asked != "condition") is taken, reply
        assert (dialogue.case.get("condition") == "als") is taken, reply
