"""Custom actions: adapters of a few lines between Rasa's tracker and the clinical core's turn.

What a message means is decided in bot/turn.py; here the tracker is read (latest message, pending
question, case slot) and the core's Turn is written back as messages and slot events.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import AllSlotsReset, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

import bot
from bot import replies

# Build the clinical core's matchers when the action server starts, not on the first caregiver's message.
bot.warm_up()

# Actions that may run between a caregiver's message and the form reading it.
FORM_MACHINERY = {"action_listen", "symptom_form", "action_extract_slots", "validate_symptom_form"}


def latest_text(tracker: Tracker) -> Text:
    return tracker.latest_message.get("text") or ""


def latest_intent(tracker: Tracker) -> Optional[Text]:
    return (tracker.latest_message.get("intent") or {}).get("name")


def answered_elsewhere(tracker: Tracker) -> bool:
    """True when another action already replied to the latest message (the form is resuming after an
    interruption), so that message is not an answer to read again."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return False
        if event.get("event") == "action" and event.get("name") not in FORM_MACHINERY:
            return True
    return False


def turn_of(tracker: Tracker, intent: Optional[Text] = None, for_form: bool = False) -> bot.Turn:
    """The core's turn for the latest message, reusing the NLU component's reading where it holds."""
    asked = tracker.get_slot("requested_slot")
    return bot.take_turn(tracker.get_slot("case"), latest_text(tracker), intent or latest_intent(tracker), asked,
                         for_form=for_form, reading=bot.reusable_reading(tracker.latest_message, asked),
                         now=datetime.now(timezone.utc))


def say(dispatcher: CollectingDispatcher, messages: List[Dict]) -> List[EventType]:
    for message in messages:
        dispatcher.utter_message(text=message["text"], buttons=message.get("buttons") or [])
    return []


def apply(dispatcher: CollectingDispatcher, turn: bot.Turn) -> List[EventType]:
    """Say the turn's replies and set its slots."""
    say(dispatcher, turn.replies)
    return [SlotSet(name, value) for name, value in turn.slots.items()]


class ValidateSymptomForm(FormValidationAction):
    """Reads each answer with the core; the core says what to ask next, or steps aside for an interruption."""

    def name(self) -> Text:
        return "validate_symptom_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict) -> List[EventType]:
        if answered_elsewhere(tracker):
            return [SlotSet("requested_slot", bot.next_topic(tracker.get_slot("case")))]
        turn = turn_of(tracker, for_form=True)
        if turn.steps_aside:
            # No filled slot: the form rejects this turn, so the rule for the interruption answers.
            return [SlotSet("requested_slot", turn.ask)]
        return apply(dispatcher, turn)


class ActionAskTopic(Action):
    """Asks one question topic of the symptom form, worded for this case by the core."""

    topic: Text = ""

    def name(self) -> Text:
        return f"action_ask_{self.topic}"

    async def run(self, dispatcher, tracker, domain) -> List[EventType]:
        return apply(dispatcher, bot.ask_turn(tracker.get_slot("case"), self.topic))


# One ask action per contract topic (Rasa looks for `action_ask_<slot>`).
class ActionAskCondition(ActionAskTopic):
    topic = "condition"


class ActionAskPainLocation(ActionAskTopic):
    topic = "pain_location"


class ActionAskPainFeel(ActionAskTopic):
    topic = "pain_feel"


class ActionAskPainTrigger(ActionAskTopic):
    topic = "pain_trigger"


class ActionAskPainRelief(ActionAskTopic):
    topic = "pain_relief"


class ActionAskPainTiming(ActionAskTopic):
    topic = "pain_timing"


class ActionAskMobility(ActionAskTopic):
    topic = "mobility"


class ActionAskRedFlagScreen(ActionAskTopic):
    topic = "red_flag_screen"


class ActionAssess(Action):
    """The assessment once the form has what it needs (an update, if one was given before)."""

    def name(self) -> Text:
        return "action_assess"

    async def run(self, dispatcher, tracker, domain) -> List[EventType]:
        return apply(dispatcher, bot.conclude(tracker.get_slot("case")))


class ActionEscalate(Action):
    """A red flag: "seek care now", in the same turn, whatever was going on."""

    def name(self) -> Text:
        return "action_escalate"

    async def run(self, dispatcher, tracker, domain) -> List[EventType]:
        from actions.diary import clock, run_diary  # that module builds on this one's adapters

        now = clock()
        turn = bot.take_turn(tracker.get_slot("case"), latest_text(tracker), "report_red_flag",
                             tracker.get_slot("requested_slot"), now=now,
                             reading=bot.reusable_reading(tracker.latest_message, tracker.get_slot("requested_slot")))
        return run_diary(dispatcher, tracker, turn, now)  # the escalation first; an entry it asked for after


class ActionCrisisSupport(Action):
    """Crisis resources at once and a gentle check-in; a red flag in the same message is escalated too."""

    def name(self) -> Text:
        return "action_crisis_support"

    async def run(self, dispatcher, tracker, domain) -> List[EventType]:
        return apply(dispatcher, turn_of(tracker, "crisis"))


class ActionAnswerQuestion(Action):
    """A question about ALS, MS or back pain, answered from the articles with their titles."""

    def name(self) -> Text:
        return "action_answer_question"

    async def run(self, dispatcher, tracker, domain) -> List[EventType]:
        return say(dispatcher, replies.knowledge_answer(latest_text(tracker)))


class ActionAnswerDose(Action):
    """A dose question never gets a number: who to ask instead."""

    def name(self) -> Text:
        return "action_answer_dose"

    async def run(self, dispatcher, tracker, domain) -> List[EventType]:
        return say(dispatcher, replies.dose())


class ActionExplainQuestion(Action):
    """"Why do you ask?": what the pending question tells apart."""

    def name(self) -> Text:
        return "action_explain_question"

    async def run(self, dispatcher, tracker, domain) -> List[EventType]:
        return say(dispatcher, replies.why_we_ask(tracker.get_slot("requested_slot")))


class ActionCareTeamSummary(Action):
    """A plain-text summary the caregiver can pass to the care team."""

    def name(self) -> Text:
        return "action_care_team_summary"

    async def run(self, dispatcher, tracker, domain) -> List[EventType]:
        return say(dispatcher, replies.care_team_summary(tracker.get_slot("case")))


class ActionStartOver(Action):
    """Forget this conversation's details and start again."""

    def name(self) -> Text:
        return "action_start_over"

    async def run(self, dispatcher, tracker, domain) -> List[EventType]:
        return [AllSlotsReset()]

