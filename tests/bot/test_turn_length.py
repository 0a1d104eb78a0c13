"""One thing at a time (issue 24): every turn of the scenario suite (tests/e2e/scenarios.yml, played in process
by harness/dialogue.py the way tests/e2e/test_scenarios.py plays it over REST), and every quick reply offered at
its end, is at most three bubbles plus quick replies; the assessment is one short answer whose "more" options
(why, what helps, sources) are quick replies answered from it; an emergency is said once and is the last thing
on screen, followed only by the steps for while they wait, with no rating or diary question in that turn."""
import copy
import re
from pathlib import Path

import pytest
import yaml

from bot.knowledge_base import knowledge
from harness.dialogue import Dialogue, turn_shape_problems

SCENARIOS = yaml.safe_load((Path(__file__).resolve().parents[1] / "e2e" / "scenarios.yml").read_text())["scenarios"]
MAX_TURNS = 14


def _answer(answers, topic, times_asked):
    answer = answers.get(topic, "not sure")
    return answer[min(times_asked, len(answer) - 1)] if isinstance(answer, list) else answer


def play(scenario):
    """(what the caregiver said, the Reply) for every turn of the scenario, then for every quick reply offered
    at its end (each tapped in a copy of the conversation)."""
    dialogue = Dialogue()
    turns = [(scenario["opening"], dialogue.send(scenario["opening"]))]
    asked = []
    for _ in range(MAX_TURNS):
        if dialogue.asked is None:
            break
        answer = _answer(scenario["answers"], dialogue.asked, asked.count(dialogue.asked))
        asked.append(dialogue.asked)
        turns.append((answer, dialogue.send(answer)))
    for step in scenario.get("then", []):
        turns.append((step["say"], dialogue.send(step["say"])))
        for _ in range(MAX_TURNS):
            if dialogue.asked is None:
                break
            answer = step["answers"][dialogue.asked]
            turns.append((answer, dialogue.send(answer)))
    last = turns[-1][1].messages
    for button in (last[-1].get("buttons") or []) if last else []:
        tapped = copy.deepcopy(dialogue)
        turns.append((button["payload"], tapped.send(button["payload"])))
    return turns


def _todays(reply):
    """How often a same-day answer says "today" in its own words (not in the caregiver's, quoted)."""
    if not any(knowledge().messages["same_day"]["headline"] in text for text in reply.texts):
        return 0
    return len(re.findall(r"\btoday\b", _outside_quotes(" ".join(reply.texts)).lower()))


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s["name"] for s in SCENARIOS])
def test_every_turn_is_one_thing_at_a_time(scenario):
    turns = play(scenario)
    problems = [f"after {said!r}: {problem}" for said, reply in turns
                for problem in turn_shape_problems(reply.messages)]
    problems += [f"after {said!r}: 'today' said {_todays(reply)} times" for said, reply in turns if _todays(reply) > 1]
    assert not problems, "\n".join(problems)


def test_the_shape_check_catches_a_long_turn_a_buried_emergency_and_a_question_after_it():
    """The check itself can fail: the turn the issue found (an emergency twice, then more text and a rating)."""
    kb = knowledge()
    emergency = {"text": kb.messages["escalation"]["headline"], "buttons": []}
    severity = kb.messages["severity"]
    rating = {"text": severity["question"], "buttons": [dict(b) for b in severity["buttons"]]}
    found = turn_shape_problems([emergency, emergency, {"text": "Sources: x", "buttons": []}, rating])
    assert any("bubbles" in p for p in found)
    assert any("said 2 times" in p for p in found)
    assert any("not the last" in p for p in found)
    assert any("question" in p for p in found)
    buried = turn_shape_problems([{"text": "a", "buttons": [{"title": "x", "payload": "x"}]},
                                  {"text": "b", "buttons": []}])
    assert any("quick replies" in p for p in buried)
    assert turn_shape_problems([emergency]) == []


def _hedged_then_confirmed():
    dialogue = Dialogue()
    dialogue.send("my wife has MS and she's been wetting herself because of her MS, and her lower back aches")
    assert dialogue.case["checks"], "the hedged sign is asked about first"
    return dialogue, dialogue.send("yes it's new, it started this week")


def test_a_confirmed_hedged_sign_says_the_emergency_once_and_last():
    """The issue's turn: the form escalates, then the assessment runs in the same turn (action_assess)."""
    _, reply = _hedged_then_confirmed()
    assert reply.slots["triage"] == "seek_care_now"
    headline = knowledge().messages["escalation"]["headline"]
    texts = [m["text"] for m in reply.messages]
    assert sum(t.count(headline) for t in texts) == 1, texts
    assert not any(m.get("buttons") for m in reply.messages), "no rating or diary question after an emergency"
    assert texts[-1] == _while_you_wait("ms")
    assert reply.slots["pain_type"], "the assessment's slots are still set"


def _while_you_wait(condition):
    steps = knowledge().messages["while_you_wait"]
    return " ".join(steps[key]["text"] for key in ("everyone", condition) if key in steps)


def test_the_steps_while_they_wait_are_said_for_mnd_too():
    dialogue = Dialogue()
    reply = dialogue.send("my dad has ALS and he can't breathe properly since this morning, his lips look blue")
    assert reply.escalated and reply.messages[-1]["text"] == _while_you_wait("als")
    assert "MND Alert Card" in reply.messages[-1]["text"]


def _outside_quotes(text):
    return re.sub(r"\u201c[^\u201d]*\u201d", "", text)


def assessed(opening):
    """A conversation walked from `opening` to its assessment (the screen denied, anything else not sure)."""
    dialogue = Dialogue()
    reply = dialogue.send(opening)
    while dialogue.asked:
        reply = dialogue.send({"red_flag_screen": "no, none of those"}.get(dialogue.asked, "not sure"))
    return dialogue, reply


def test_a_same_day_answer_says_today_once():
    _, reply = assessed("my wife has MS and she's got a urine infection at the moment, and her lower back is worse "
                        "than usual")
    assert reply.slots["triage"] == "contact_care_team_today"
    said = _outside_quotes(" ".join(reply.texts)).lower()
    assert len(re.findall(r"\btoday\b", said)) == 1, reply.texts


def test_the_assessment_is_one_short_answer_with_more_options():
    dialogue, reply = assessed("my wife has MS and gets a burning band round her middle back, she's had it for "
                               "years, same as always")
    assert reply.slots["triage"] == "self_care"
    answer, question = reply.messages
    assert answer["text"].startswith("This sounds most like nerve pain")
    titles = [b["title"] for b in question["buttons"]]
    more = [b["title"] for b in knowledge().messages["assessment"]["more_buttons"]]
    assert titles[-len(more):] == more
    # each "more" option is answered from the assessment just given, and the question stays open
    kb = knowledge()
    for button, expected in zip(kb.messages["assessment"]["more_buttons"],
                                (kb.messages["assessment"]["why_prefix"], kb.messages["follow_up"]["tonight_prefix"],
                                 kb.messages["assessment"]["sources_prefix"]), strict=True):
        tapped = copy.deepcopy(dialogue).send(button["payload"])
        assert tapped.texts[0].startswith(expected), (button, tapped.texts)
        assert tapped.messages[-1]["text"] == kb.messages["severity"]["question"]
        assert button["title"] not in [b["title"] for b in tapped.messages[-1]["buttons"]]
