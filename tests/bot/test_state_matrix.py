"""A safe turn in every state: caregiver messages of every class (from the dev corpus, written by people who
never read the rules) sent in every state of a conversation, each turn checked against what no turn may do.

The states: the opening, each form question, the red-flag screen, an "is it new?" check, just after the
assessment, the severity question, the diary offer, a diary entry, after an escalation (by a sign, and by a
plain "yes" to the emergency-sign question), after start over.
The reading's accuracy on these messages is judged by the figures (bench/reading.py); here the question is
what the conversation does with whatever the reading says: an emergency read is escalated in that very turn,
said once and last; nothing read escalates without a red flag; a plain answer to the pending question is
taken; nothing the caregiver said is lost; no message repeats; nothing speaks of an answer not yet given.
A sample of the same matrix runs over the real servers in tests/e2e/test_state_matrix_over_rest.py."""
import copy
from functools import lru_cache

import pytest

from bench.reading import load
from bot.case import topics_answered
from bot.extract import read_text
from bot.knowledge_base import TOPICS, knowledge
from harness.conversation import answer_for
from harness.dialogue import Dialogue, turn_shape_problems

PER_CLASS = 6
CLASSES = ("emergency", "denied", "long_standing", "same_day", "hedged", "unsure_onset", "pain", "topic_answer",
           "followup", "other")


def _primed(steps):
    dialogue = Dialogue()
    for text in steps:
        dialogue.send(text)
    return dialogue


def _through_the_form(dialogue, stop_at=None):
    for _ in range(12):
        if not dialogue.asked or dialogue.asked == stop_at:
            break
        dialogue.send(answer_for(dialogue.asked))
    return dialogue


@lru_cache(maxsize=None)
def states():
    """State name -> a Dialogue standing there (copied for each message)."""
    out = {"opening": Dialogue()}
    for topic in TOPICS:
        opening = "my husband has back pain" if topic == "condition" else "my husband has MS and back pain"
        dialogue = _primed([opening])
        from bot.turn import ask_turn

        asked = ask_turn(dialogue.case, topic)
        dialogue.case, dialogue.asked = asked.case, topic
        out[f"form:{topic}"] = dialogue
    out["is it new?"] = _primed(["my husband has MS, lower back ache, and he's been wetting himself because of his MS"])
    assessed = _through_the_form(_primed(["My husband has MS. His back has ached for years, same as always."]))
    out["severity question"] = assessed
    offer = copy.deepcopy(assessed)
    offer.send("about 4")
    out["diary offer"] = offer
    entry = copy.deepcopy(offer)
    entry.send("yes")
    out["after a diary entry"] = entry
    out["after an escalation"] = _primed(["my wife has MS and since this morning she can't feel her legs at all"])
    # escalated by a "yes" to the emergency-sign question, with no sign named (no red flag in the case)
    out["after a yes to the screen"] = _through_the_form(_primed(["my husband has MND and a sore back"]),
                                                         stop_at="red_flag_screen")
    out["after a yes to the screen"].send("yes")
    restarted = _primed(["my wife has MS and her back hurts"])
    restarted.send("start over")
    out["after start over"] = restarted
    return out


@lru_cache(maxsize=None)
def sample():
    messages, _ = load("dev")
    picked = []
    for cls in CLASSES:
        of_class = [m for m in messages if m.get("class") == cls]
        step = max(1, len(of_class) // PER_CLASS)
        picked += of_class[::step][:PER_CLASS]
    return picked


def test_the_matrix_has_every_state_and_class():
    assert len(states()) == 1 + len(TOPICS) + 7
    assert {m["class"] for m in sample()} == set(CLASSES)
    # each state is the one it is named after
    made = states()
    assert all(made[f"form:{t}"].asked == t for t in TOPICS)
    assert made["is it new?"].asked == "red_flag_screen" and made["is it new?"].case["checks"]
    assert made["severity question"].case["pending"] == "severity"
    assert made["diary offer"].case["pending"] == "diary_offer"
    assert made["after an escalation"].slots["triage"] == "seek_care_now"
    screened = made["after a yes to the screen"]
    assert screened.slots["triage"] == "seek_care_now" and not screened.case["red_flags"]
    assert made["after start over"].case is None and made["opening"].case is None


@pytest.mark.parametrize("state", list(states()))
def test_every_class_of_message_is_safe_in_every_state(state):
    headline = knowledge().messages["escalation"]["headline"]
    anything_else = knowledge().messages["chat"]["anything_else"]
    problems = []
    for message in sample():
        dialogue = copy.deepcopy(states()[state])
        before = copy.deepcopy(dialogue.case) or {}
        asked = dialogue.asked
        already_escalated = dialogue.slots.get("triage") == "seek_care_now"
        reading = read_text(message["text"], context_topic=asked if asked == "red_flag_screen" else None)
        reply = dialogue.send(message["text"])
        texts = [t for t in reply.texts if t]
        where = f"{state} / {message['class']}: {message['text'][:60]!r}"
        if not texts:
            problems.append(f"silent: {where}")
        if len(texts) != len(set(texts)):
            problems.append(f"a message repeated: {where}")
        problems += [f"{problem}: {where}" for problem in turn_shape_problems(reply.messages)]  # one thing at a time
        shown = sum(t.count(headline) for t in texts)
        if shown > 1:
            problems.append(f"escalation said {shown} times: {where}")
        new_flags = set(reading.present_flags) - set(before.get("red_flags") or [])
        if new_flags and reply.intent not in ("crisis",) and not (reply.escalated or already_escalated):
            problems.append(f"red flag {sorted(new_flags)} read but not escalated: {where}")
        if reply.escalated and not any(headline in t for t in texts[-3:]):
            problems.append(f"escalation not among the last messages: {where}")
        if reply.escalated and not (reply.slots.get("red_flags") or reading.present_flags):
            problems.append(f"escalated without a red flag: {where}")
        if anything_else in texts and not (before.get("assessed") or (dialogue.case or {}).get("assessed")):
            problems.append(f"spoke of an answer not given: {where}")
        says_other_things = reading.features or reading.condition or reading.red_flags or reading.warning_signs
        if asked in TOPICS and asked != "red_flag_screen" and reading.plain and not says_other_things \
                and not reading.signals.get("not_understood") \
                and reply.intent in ("inform", "describe_pain", "deny", "affirm", "unsure") \
                and not reply.escalated and asked not in topics_answered(dialogue.case):
            problems.append(f"plain answer to {asked} not taken: {where}")
        after = dialogue.case or {}
        kept = set(before.get("red_flags") or []) <= set(after.get("red_flags") or []) and (
            not before.get("condition") or after.get("condition"))
        if before and not kept and "start" not in message["text"].lower():
            problems.append(f"what was said before was lost: {where}")
    assert not problems, "\n".join(problems)
