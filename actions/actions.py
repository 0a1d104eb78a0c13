"""Custom actions: adapters of a few lines between Rasa's tracker and the clinical core.

What a message means is decided in bot/turn.py, and what each action does with it in bot/action_turns.py
(which the Rasa server also runs itself, speed-up "local_actions"); here the tracker is read (latest message,
pending question, case slot) and the core's Turn is written back as messages and slot events.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import AllSlotsReset, EventType
from rasa_sdk.executor import CollectingDispatcher

import bot
from actions import diary
from actions.adapters import apply, latest_intent, latest_text, say, seen  # noqa: F401 - the actions' adapters
from bot import action_turns

# Build the clinical core's matchers when the action server starts, not on the first caregiver's message.
bot.warm_up()


class CoreAction(Action):
    """An action whose whole effect the core decides from what it sees (bot/action_turns.py)."""

    action_name: Text = ""

    def name(self) -> Text:
        return self.action_name

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict) -> List[EventType]:
        return apply(dispatcher, action_turns.action_turn(self.name(), seen(tracker), datetime.now(timezone.utc)))


class ValidateSymptomForm(CoreAction):
    """Reads each answer with the core; the core says what to ask next, or steps aside for an interruption."""

    action_name = action_turns.FORM_VALIDATION


class ActionAskTopic(CoreAction):
    """Asks one question topic of the symptom form, worded for this case by the core."""

    topic: Text = ""

    def name(self) -> Text:
        return f"action_ask_{self.topic}"


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


class ActionAssess(CoreAction):
    """The assessment once the form has what it needs (an update, if one was given before)."""

    action_name = "action_assess"


class ActionEscalate(CoreAction):
    """A red flag: "seek care now", in the same turn, whatever was going on."""

    action_name = "action_escalate"

    async def run(self, dispatcher, tracker, domain) -> List[EventType]:
        now = diary.clock()
        turn = action_turns.action_turn(self.name(), seen(tracker), now)
        return diary.run_diary(dispatcher, tracker, turn, now)  # the escalation first; an entry it asked for after


class ActionCrisisSupport(CoreAction):
    """Crisis resources at once and a gentle check-in; a red flag in the same message is escalated too."""

    action_name = "action_crisis_support"


class ActionAnswerQuestion(CoreAction):
    """A question about ALS, MS or back pain, answered from the articles with their titles."""

    action_name = "action_answer_question"


class ActionAnswerDose(CoreAction):
    """A dose question never gets a number: who to ask instead."""

    action_name = "action_answer_dose"


class ActionExplainQuestion(CoreAction):
    """"Why do you ask?": what the pending question tells apart."""

    action_name = "action_explain_question"


class ActionCareTeamSummary(CoreAction):
    """A plain-text summary the caregiver can pass to the care team."""

    action_name = "action_care_team_summary"


class ActionBareAnswer(CoreAction):
    """A yes, no or not sure with no question pending: what to do next (after an assessment), or an invitation
    to describe what they see (before one)."""

    action_name = "action_bare_answer"


class ActionStartOver(Action):
    """Forget this conversation's details and start again."""

    def name(self) -> Text:
        return "action_start_over"

    async def run(self, dispatcher, tracker, domain) -> List[EventType]:
        return [AllSlotsReset()]

