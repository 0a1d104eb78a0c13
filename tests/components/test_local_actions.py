"""The core's actions run by the Rasa server itself (components/local_actions.py) give what the action server's
classes (actions/actions.py) give once Rasa has turned their answer into events: the same messages, buttons and
slots, for every such action, on conversations at several points (no case yet, mid-form, after an assessment, a
message answered by another action already), with the NLU component's reading in the message as in the server.
Any other action still goes to the action server, and so does every action with the speed-up off."""
import asyncio

import pytest
from rasa.core.actions.action import RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.events import ActionExecuted, ActiveLoop, BotUttered, SlotSet, UserUttered, deserialise_events
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity
from rasa.utils.endpoints import EndpointConfig
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

import bot
from actions import actions
from bot.action_turns import ACTIONS
from components import local_actions

# (what the caregiver writes, the intent NLU gave it)
MESSAGES = [
    ("my mum has MS and her lower back burns at night", "describe_pain"),
    ("my husband has ALS, his back is stiff and tight", "describe_pain"),
    ("burning, like pins and needles", "inform"),
    ("when she sits for long", "inform"),
    ("not sure", "unsure"),
    ("what is spasticity?", "ask_knowledge"),
    ("how much baclofen can he take?", "ask_dose"),
    ("why do you ask?", "ask_why"),
    ("she can't feel her legs since this morning", "report_red_flag"),
    ("no fever, and she isn't numb anywhere", "inform"),
    ("I can't do this anymore, I want to end it", "crisis"),
    ("can I have a summary for the nurse", "request_summary"),
    ("thanks", "thank"),
]
ENDPOINT = EndpointConfig("http://127.0.0.1:9/webhook")


def cases():
    """No case yet, a case after an opening, one mid-form with questions asked, and one after an assessment."""
    opened = bot.take_turn(None, MESSAGES[0][0], "describe_pain", None, for_form=True).case
    asked = opened
    for topic in bot.TOPICS[:4]:
        asked = bot.ask_turn(asked, topic).case
    assessed = bot.conclude(bot.take_turn(asked, "she walks with a stick, no other problems", "inform",
                                          "mobility", for_form=True).case).case
    return [None, opened, asked, assessed]


def said(text, intent):
    """The message as the Rasa server holds it: the NLU component's reading in its parse data."""
    route = bot.route(text, intent, 1.0)
    entities = route.entities
    parse = {"text": text, "intent": {"name": route.intent or intent, "confidence": 1.0}, "entities": entities,
             bot.READING_KEY: route.reading}
    return UserUttered(text, parse["intent"], entities, parse_data=parse)


def conversation(domain, case, asked, text, intent, answered_elsewhere):
    tracker = DialogueStateTracker("local", domain.slots)
    for event in [SlotSet("case", case), SlotSet("requested_slot", asked), ActionExecuted("action_listen"),
                  said(text, intent), ActionExecuted("symptom_form")]:
        tracker.update(event)
    if answered_elsewhere:
        tracker.update(ActionExecuted("action_answer_question"))
        tracker.update(BotUttered("an answer"))
    return tracker


def trackers(domain):
    for case in cases():
        for asked in (None, "pain_feel", "pain_trigger", "red_flag_screen"):
            for text, intent in MESSAGES:
                yield conversation(domain, case, asked, text, intent, answered_elsewhere=False)
            yield conversation(domain, case, asked, *MESSAGES[2], answered_elsewhere=True)


def sdk_action(name) -> Action:
    classes = [cls for cls in vars(actions).values() if isinstance(cls, type) and issubclass(cls, actions.CoreAction)]
    return next(cls() for cls in classes if cls not in (actions.CoreAction, actions.ActionAskTopic)
                and cls().name() == name)


def without_time(events):
    return [{key: value for key, value in event.as_dict().items() if key != "timestamp"} for event in events]


def nlg(domain):
    return TemplatedNaturalLanguageGenerator(domain.responses)


def through_the_action_server(domain, name, tracker):
    """What Rasa makes of the action server's answer to this tracker (RemoteAction.run's own handling)."""
    dispatcher = CollectingDispatcher()
    sdk_tracker = Tracker.from_dict(tracker.current_state(EventVerbosity.ALL))
    sdk_events = asyncio.run(sdk_action(name).run(dispatcher, sdk_tracker, domain.as_dict()))
    remote = RemoteAction(name, ENDPOINT)
    said_events = asyncio.run(remote._utter_responses(dispatcher.messages, CollectingOutputChannel(), nlg(domain),
                                                      tracker))
    return said_events + deserialise_events(sdk_events)


def here(domain, name, tracker):
    return asyncio.run(local_actions.run_here(RemoteAction(name, ENDPOINT), CollectingOutputChannel(), nlg(domain),
                                              tracker))


def test_every_core_action_is_a_custom_action_of_the_domain_answered_by_one_class(domain):
    assert set(ACTIONS) <= set(domain.user_actions)
    assert {sdk_action(name).name() for name in ACTIONS} == set(ACTIONS)
    assert not {"action_diary", "action_delete_conversation"} & set(ACTIONS)  # they touch storage


@pytest.mark.parametrize("name", sorted(ACTIONS))
def test_each_action_run_here_is_what_the_action_server_gives(domain, name):
    compared = spoke = 0
    for tracker in trackers(domain):
        expected = through_the_action_server(domain, name, tracker)
        assert without_time(here(domain, name, tracker)) == without_time(expected), tracker.latest_message.text
        compared += 1
        spoke += any(isinstance(event, BotUttered) for event in expected)
    assert compared > 100 and spoke  # every action says something on some of these conversations


@pytest.fixture
def installed(monkeypatch):
    """local_actions installed over a remote call that records what reaches the action server."""
    reached = []

    async def remote(self, output_channel, nlg, tracker, domain):
        reached.append(self.name())
        return []

    monkeypatch.setattr(RemoteAction, "run", local_actions.layer(remote))
    return reached


def run(action_name, domain):
    tracker = conversation(domain, None, None, *MESSAGES[5], answered_elsewhere=False)
    return asyncio.run(RemoteAction(action_name, ENDPOINT).run(CollectingOutputChannel(), nlg(domain), tracker,
                                                               domain))


def test_the_cores_actions_stay_here_and_the_others_go_to_the_action_server(domain, installed, speedups_on):
    assert run("action_ask_pain_feel", domain)[0].text
    assert run("action_answer_question", domain)[0].text
    escalated = run("action_escalate", domain)
    assert escalated[0].text and escalated[-1] == ActiveLoop(None)  # the advice; the questions stop
    assert run("action_diary", domain) == [] and run("action_delete_conversation", domain) == []
    assert installed == ["action_diary", "action_delete_conversation"]


def test_an_escalation_that_also_asks_for_a_diary_entry_goes_to_the_action_server(domain, installed, speedups_on):
    tracker = conversation(domain, None, None, "log: she fell and can't feel her legs, pain about 8",
                           "report_red_flag", answered_elsewhere=False)
    assert asyncio.run(RemoteAction("action_escalate", ENDPOINT).run(
        CollectingOutputChannel(), nlg(domain), tracker, domain)) == []
    assert installed == ["action_escalate"]


def test_switched_off_every_action_goes_to_the_action_server(domain, installed, monkeypatch):
    monkeypatch.setenv("BACKLINE_SPEEDUPS_OFF", "local_actions")
    assert run("action_ask_pain_feel", domain) == [] and run("validate_symptom_form", domain) == []
    assert installed == ["action_ask_pain_feel", "validate_symptom_form"]
