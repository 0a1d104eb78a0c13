"""Custom actions: read the tracker, ask bot/, emit events and messages. No clinical logic here."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import AllSlotsReset, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

import bot

# Build the clinical core's matchers when the action server starts, not on the first caregiver's message.
bot.warm_up()

# Never an answer to the pending question: the form steps aside and a rule in data/rules/ takes over.
INTERRUPTIONS = {
    "report_red_flag", "crisis", "ask_dose", "ask_knowledge", "ask_why", "ask_capabilities",
    "request_human", "start_over", "goodbye", "request_summary", "delete_conversation",
}
# Small talk steps aside only when the message told the core nothing new (a misread answer is still an answer).
# (A low-confidence message is read as an answer: if the core cannot read it either, the form asks again.)
SMALL_TALK = {"greet", "thank", "out_of_scope"}


def latest_text(tracker: Tracker) -> Text:
    return tracker.latest_message.get("text") or ""


def latest_intent(tracker: Tracker) -> Optional[Text]:
    return (tracker.latest_message.get("intent") or {}).get("name")


def read_latest(tracker: Tracker) -> Dict[Text, Any]:
    """The case record updated with the latest message, read in the context of the pending question."""
    return bot.read_message(tracker.get_slot("case"), latest_text(tracker), asked_topic=tracker.get_slot("requested_slot"))


# Actions that may run between a caregiver's message and the form reading it.
FORM_MACHINERY = {"action_listen", "symptom_form", "action_extract_slots", "validate_symptom_form"}


def answered_elsewhere(tracker: Tracker) -> bool:
    """True when another action already replied to the latest message (the form is resuming after an
    interruption), so that message is not an answer to read again."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return False
        if event.get("event") == "action" and event.get("name") not in FORM_MACHINERY:
            return True
    return False


def case_events(case: Dict[Text, Any]) -> List[EventType]:
    """Slot events mirroring the case: the record itself, the contract slots and the topic summaries."""
    events: List[EventType] = [SlotSet("case", case), SlotSet("condition", bot.case_condition(case))]
    flags = bot.case_red_flags(case)
    if flags:
        events.append(SlotSet("red_flags", flags))
    events.extend(SlotSet(topic, summary) for topic, summary in bot.topic_summaries(case).items())
    return events


def utter_all(dispatcher: CollectingDispatcher, messages: List[Dict[Text, Any]]) -> None:
    for message in messages:
        dispatcher.utter_message(text=message["text"], buttons=message.get("buttons") or [])


class ValidateSymptomForm(FormValidationAction):
    """Reads each answer with the core, fills every topic it told, and asks the core what to ask next."""

    def name(self) -> Text:
        return "validate_symptom_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict) -> List[EventType]:
        case = tracker.get_slot("case")
        intent = latest_intent(tracker)
        if answered_elsewhere(tracker) or intent in INTERRUPTIONS:
            # Returning no filled slot makes the form reject this turn, so the interruption's rule runs;
            # the pending question stays the same.
            return [SlotSet("requested_slot", bot.next_topic(case))]
        updated = read_latest(tracker)
        if intent in SMALL_TALK and not bot.learned_anything(updated):
            return [SlotSet("requested_slot", bot.next_topic(case))]
        utter_all(dispatcher, bot.missed_question_messages(updated))  # the same question follows, once more
        return case_events(updated) + [SlotSet("requested_slot", bot.next_topic(updated))]


class ActionAskTopic(Action):
    """Asks one question topic of the symptom form, worded from the knowledge base."""

    topic: Text = ""

    def name(self) -> Text:
        return f"action_ask_{self.topic}"

    async def run(self, dispatcher, tracker, domain) -> List[EventType]:
        utter_all(dispatcher, [bot.question(self.topic, tracker.get_slot("case"))])
        return []


# One ask action per contract topic (Rasa looks for `action_ask_<slot>`).
for _topic in bot.TOPICS:
    globals()[f"ActionAsk_{_topic}"] = type(f"ActionAsk_{_topic}", (ActionAskTopic,), {"topic": _topic})


class ActionAssess(Action):
    """The assessment once the form has what it needs: pain type, triage, why, what helps, sources."""

    def name(self) -> Text:
        return "action_assess"

    async def run(self, dispatcher, tracker, domain) -> List[EventType]:
        case = tracker.get_slot("case")
        assessment = bot.assess_case(case)
        utter_all(dispatcher, bot.assessment_messages(case, assessment))
        return [
            SlotSet("triage", assessment.triage),
            SlotSet("pain_type", assessment.pain_type),
            SlotSet("red_flags", assessment.red_flags),
        ]


class ActionEscalate(Action):
    """A red flag: "seek care now", in the same turn, whatever was going on."""

    def name(self) -> Text:
        return "action_escalate"

    async def run(self, dispatcher, tracker, domain) -> List[EventType]:
        case = read_latest(tracker)
        utter_all(dispatcher, bot.escalation_messages(case))
        return case_events(case) + [
            SlotSet("triage", "seek_care_now"),
            SlotSet("red_flags", bot.case_red_flags(case)),
            SlotSet("requested_slot", None),
        ]


class ActionCrisisSupport(Action):
    """Crisis resources at once and a gentle check-in; a red flag in the same message is escalated too."""

    def name(self) -> Text:
        return "action_crisis_support"

    async def run(self, dispatcher, tracker, domain) -> List[EventType]:
        case = read_latest(tracker)
        utter_all(dispatcher, bot.crisis_messages())
        events = case_events(case) + [SlotSet("requested_slot", None)]
        if bot.reported_now(case):
            utter_all(dispatcher, bot.escalation_messages(case))
            events += [SlotSet("triage", "seek_care_now"), SlotSet("red_flags", bot.case_red_flags(case))]
        return events


class ActionAnswerQuestion(Action):
    """A question about ALS, MS or back pain, answered from the articles with their titles."""

    def name(self) -> Text:
        return "action_answer_question"

    async def run(self, dispatcher, tracker, domain) -> List[EventType]:
        utter_all(dispatcher, bot.knowledge_messages(latest_text(tracker), tracker.get_slot("case")))
        return []


class ActionAnswerDose(Action):
    """A dose question never gets a number: who to ask instead."""

    def name(self) -> Text:
        return "action_answer_dose"

    async def run(self, dispatcher, tracker, domain) -> List[EventType]:
        utter_all(dispatcher, bot.dose_messages(tracker.get_slot("case")))
        return []


class ActionExplainQuestion(Action):
    """"Why do you ask?": what the pending question tells apart."""

    def name(self) -> Text:
        return "action_explain_question"

    async def run(self, dispatcher, tracker, domain) -> List[EventType]:
        utter_all(dispatcher, bot.why_we_ask(tracker.get_slot("requested_slot")))
        return []


class ActionCareTeamSummary(Action):
    """A plain-text summary the caregiver can pass to the care team."""

    def name(self) -> Text:
        return "action_care_team_summary"

    async def run(self, dispatcher, tracker, domain) -> List[EventType]:
        utter_all(dispatcher, bot.summary_messages(tracker.get_slot("case")))
        return []


class ActionStartOver(Action):
    """Forget this conversation's details and start again."""

    def name(self) -> Text:
        return "action_start_over"

    async def run(self, dispatcher, tracker, domain) -> List[EventType]:
        return [AllSlotsReset()]
