"""A conversation with the clinical core in this process, with no Rasa server: what the rules, the form and
the actions do with each message (data/rules/*.yml, the symptom form, bot/action_turns.py), in the order they
do it. Used by the language corpora's figures (bench/reading.py) and the state-matrix test, where thousands
of turns must run in seconds; a sample of the same conversations runs over the real servers in the e2e stage.

What it leaves out: Rasa's intent classifier (the core's own routing, ``bot.turn.route``, decides, with every
guess treated as doubtful), and the diary's storage (a diary request is answered, not stored)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Optional

import yaml

from bot import replies
from bot.case import open_check
from bot.knowledge_base import TOPICS, knowledge
from bot.turn import ask_turn, conclude, route, take_turn

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=timezone.utc)
# Intents a rule answers without reading the message into the case (data/rules/basics.yml, safety.yml).
SAID_BY_RULE = {
    "ask_knowledge": lambda text, topic, case: replies.knowledge_answer(text, case),
    "ask_dose": lambda text, topic, case: replies.dose(),
    "ask_why": lambda text, topic, case: replies.why_we_ask(topic),
}
BARE_ANSWERS = {"affirm", "deny", "unsure"}  # with nothing asked: action_bare_answer
# Intents whose rule says one of the domain's responses (data/rules/basics.yml).
UTTERED_BY_RULE = {"greet": "utter_greet", "thank": "utter_you_are_welcome", "goodbye": "utter_goodbye",
                   "ask_capabilities": "utter_capabilities", "request_human": "utter_human_handoff",
                   "out_of_scope": "utter_out_of_scope", "nlu_fallback": "utter_default",
                   "start_over": "utter_started_over"}
DIARY_INTENTS = {"log_diary", "show_diary", "request_report", "export_diary", "rate_severity"}
MAX_BUBBLES = 3  # one thing at a time, as NHS 111 online does (issue 24): at most three bubbles plus quick replies


@lru_cache(maxsize=1)
def _responses() -> Dict[str, str]:
    domain = yaml.safe_load((Path(__file__).resolve().parents[1] / "domain.yml").read_text(encoding="utf-8"))
    return {name: (variants[0] or {}).get("text", "") for name, variants in domain["responses"].items()}


def uttered(intent: str) -> List[Dict[str, Any]]:
    """What the rule for `intent` says (the domain's response text), or a stand-in for the diary's action."""
    if intent in DIARY_INTENTS:
        return [{"text": f"(action_diary answers {intent})"}]
    name = UTTERED_BY_RULE.get(intent, "utter_default")
    return [{"text": _responses().get(name, "")}]


@dataclass
class Reply:
    """One caregiver message's outcome: what was said, the slots after it, and whether it escalated."""

    texts: List[str]
    slots: Dict[str, Any]
    escalated: bool
    asked: Optional[str]          # the question pending after the turn
    check: Optional[str] = None   # the sign an "is it new?" question is open about
    intent: Optional[str] = None
    messages: List[Dict[str, Any]] = field(default_factory=list)  # the bubbles said, with their quick replies


@dataclass
class Dialogue:
    case: Optional[Dict[str, Any]] = None
    asked: Optional[str] = None          # the form's requested_slot
    slots: Dict[str, Any] = field(default_factory=dict)
    now: datetime = NOW

    def _apply(self, slots: Dict[str, Any]) -> None:
        for name, value in slots.items():
            if name != "case":
                self.slots[name] = value

    def send(self, text: str) -> Reply:
        routed = route(text, None, 0.0)
        intent = routed.intent or ("inform" if self.asked else "describe_pain")
        said: List[Dict[str, Any]] = []
        escalated = False
        before = self.slots.get("triage")
        if intent in ("report_red_flag", "crisis"):
            turn = take_turn(self.case, text, intent, self.asked, now=self.now)
            said += turn.replies
            self.case = turn.case
            self._apply(turn.slots)
            escalated = turn.slots.get("triage") == "seek_care_now" and (
                before != "seek_care_now" or bool(turn.case.get("last", {}).get("new_red_flags")))
            self.asked = None  # the rule deactivates the form
        elif intent == "nlu_fallback" and not self.asked:
            said += uttered(intent)  # data/rules/basics.yml "low NLU confidence": wordless input, in any state
        elif intent in BARE_ANSWERS and not self.asked and not (self.case and self.case.get("pending")):
            said += replies.bare_answer(self.case)  # data/rules/basics.yml: yes / no / not sure with nothing asked
        elif intent in SAID_BY_RULE:
            said += SAID_BY_RULE[intent](text, self.asked, self.case)
            if self.asked:
                said += ask_turn(self.case, self.asked).replies
        else:
            # the question after the assessment is pending (the `follow_up` slot): the diary's rules send the
            # reply to action_diary; otherwise the symptom form reads it
            follow_up = bool(self.case and self.case.get("pending")) and not self.asked
            turn = take_turn(self.case, text, intent, self.asked, for_form=not follow_up, now=self.now)
            if turn.steps_aside:
                if intent == "start_over":
                    self.case, self.asked, self.slots = None, None, {}
                    return Reply([m["text"] for m in uttered(intent)], {}, False, None, intent=intent,
                                 messages=uttered(intent))
                said += replies.bare_answer(turn.case) if intent in BARE_ANSWERS else uttered(intent)
                self.case = turn.case
            else:
                said += turn.replies
                if turn.diary:  # action_diary stores what the turn asks of the diary, then says how that went
                    said += [{"text": f"(action_diary does {sorted(turn.diary)[0]})"}]
                self.case = turn.case
                self._apply(turn.slots)
                escalated = turn.slots.get("triage") == "seek_care_now" and before != "seek_care_now"
            if escalated and not turn.steps_aside and not follow_up and (self.asked or intent in ("describe_pain",
                                                                                                   "inform")):
                # The form read the message and escalated (an "is it new?" check answered yes): it asks nothing
                # more, so the rule "when nothing more is needed, assess" runs action_assess in the same turn.
                done = conclude(self.case)
                self.case = done.case
                self._apply(done.slots)
                said += done.replies
                self.asked = None
            elif not escalated and not turn.steps_aside and not follow_up:
                if turn.ask in TOPICS:
                    asked = ask_turn(self.case, turn.ask)
                    self.case = asked.case
                    said += asked.replies
                    self.asked = turn.ask
                elif self.asked or intent in ("describe_pain", "inform"):
                    done = conclude(self.case)
                    self.case = done.case
                    self._apply(done.slots)
                    said += done.replies
                    self.asked = None
            elif turn.steps_aside and self.asked:
                said += ask_turn(self.case, self.asked).replies
        return Reply([m.get("text") or "" for m in said], dict(self.slots), escalated, self.asked,
                     check=open_check(self.case) if self.case else None, intent=intent, messages=list(said))


def turn_shape_problems(messages: List[Dict[str, Any]]) -> List[str]:
    """What is wrong with the shape of one turn's bubbles (issue 24): more than MAX_BUBBLES; quick replies on a
    bubble that is not the last (a web widget shows only the last one's); an emergency said more than once, or
    followed by anything but the steps for while they wait, or in a turn that also asks a question."""
    kb = knowledge()
    texts = [message.get("text") or "" for message in messages]
    problems = []
    if len(messages) > MAX_BUBBLES:
        problems.append(f"{len(messages)} bubbles (at most {MAX_BUBBLES} plus quick replies)")
    if any(message.get("buttons") for message in messages[:-1]):
        problems.append("quick replies on a bubble that is not the last")
    headline = kb.messages["escalation"]["headline"]
    said = sum(text.count(headline) for text in texts)
    if said > 1:
        problems.append(f"the emergency said {said} times")
    if said:
        waiting = [step["text"] for step in (kb.messages.get("while_you_wait") or {}).values()]
        after = texts[max(i for i, text in enumerate(texts) if headline in text) + 1:]
        for text in after:
            for step in waiting:
                text = text.replace(step, "")
            if text.strip():
                problems.append(f"the emergency is not the last thing said: {text.strip()[:60]!r} follows it")
        if any(message.get("buttons") for message in messages):
            problems.append("a question (quick replies) in the same turn as an emergency")
    return problems
